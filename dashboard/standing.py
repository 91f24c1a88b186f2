"""Where one provider's audit of a quarter stands (sign-off, factual accuracy check, reply,
actions), as audits.findings.gather says it, without gathering every finding when nobody has
signed: the provider page and the auditor's sign-off page both show it on every visit."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audits import actions, disclosure, factcheck, findings, signoffs, store


@dataclass(frozen=True)
class Standing:
    """What the page says of where a provider's audit stands (findings.Findings' fields of it)."""

    signoff: dict | None
    earlier_signoff: dict | None
    signoff_status: str
    out_of_date: list[str]
    factcheck: str
    reply: dict | None
    actions: pd.DataFrame


def standing(db: str, provider_id: str, period: str) -> Standing | None:
    """Where the audit stands, read as findings.gather reads it. Gathering every finding is only
    needed for a sign-off's status (what it covered against what the run shows now): a provider
    nobody signed for the quarter is "unsigned" without it (as audits.readiness.board does), and
    the gather (7 s at national scale: the whole run's public figures) runs only when someone
    signed. None when the period has no results for the provider (findings.FindingsError)."""
    with store.reading(db) as con:
        if not signoffs.signoffs_for(con, period, provider_id).empty:
            try:
                found = findings.gather(con, provider_id, period)
            except findings.FindingsError:
                return None
            return Standing(
                found.signoff,
                found.earlier_signoff,
                found.signoff_status,
                found.out_of_date,
                found.factcheck,
                found.reply,
                found.actions,
            )
        if disclosure.public_run_id(con, period) is None:
            return None
        return Standing(
            None,
            None,
            "unsigned",
            [],
            factcheck.summary(con, provider_id, period),
            factcheck.latest_reply(con, provider_id, period),
            actions.plans(con, provider_id, before=period),
        )
