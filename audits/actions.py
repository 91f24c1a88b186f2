"""Action plans: what a provider will do about a standard it did not meet, and whether it did.

For each standard shown as Partly met or Not met, the provider proposes actions: what, who owns
it, by when, and how people using the service will notice. The commissioner agrees or asks
again (the provider then proposes a new version). Every later quarter shows each agreed action
as done, on track or overdue, in the dashboard, the PDF and the published site; the
commissioner's overview lists the overdue ones. Status is worked out, never typed: done when the
provider reported it done, overdue when its day has passed without that, on track otherwise.
Append-only: a new version, review or report is a new row.
"""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import pandas as pd

from audits import disclosure, runs, store, tiers, verdicts, words

NEEDS_ACTION = ("amber", "differs", "red")
STATUS_WORDS = {
    "done": "✔ Done",
    "on_track": "→ On track",
    "overdue": "✖ Overdue",
    "proposed": "… Waiting for the commissioner",
    "asked_again": "↺ Asked again: the provider proposes a new version",
}


class ActionError(ValueError):
    """An action, review or progress report that cannot be recorded, said plainly."""


@tiers.output(tiers.RESTRICTED, "which of a provider's standards need an action plan, from its exact ratings")
def standards_needing_action(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> dict[str, str]:
    """standard_id -> shown rating of each standard of the period's latest run shown as Partly
    met (either kind) or Not met for this provider."""
    run_id = runs.latest_run_id(con, period)
    if run_id is None:
        return {}
    shown = verdicts.shown_ratings(con, run_id, provider_id)
    return {r.standard_id: r.shown for r in shown.itertuples() if r.shown in NEEDS_ACTION}


def propose(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    standard_id: str,
    what: str,
    owner: str,
    due_on: dt.date | None,
    noticed: str,
    proposed_by: str,
    action_id: str | None = None,
) -> str:
    """A new action (or, with `action_id`, a new version of one the commissioner asked again
    about); returns its id."""
    problems = []
    needing = standards_needing_action(con, provider_id, period)
    if standard_id not in needing:
        problems.append(
            f"choose a standard rated Partly met or Not met for {period} ({', '.join(sorted(needing)) or 'none is'})"
        )
    for value, need in (
        (what, "say what will be done"),
        (owner, "say who owns it"),
        (noticed, "say how people using the service will notice"),
    ):
        if not (value or "").strip():
            problems.append(need)
    if due_on is None:
        problems.append("give the day it will be done by")
    elif due_on <= store.now().date():
        problems.append("give a day in the future")
    if not (proposed_by or "").strip():
        problems.append("say who proposes it")
    version = 1
    if action_id is not None:
        row = con.execute(
            "SELECT max(version), any_value(provider_id) FROM actions WHERE action_id = ?", [action_id]
        ).fetchone()
        if row[0] is None or row[1] != provider_id:
            problems.append(f"revise an action of {provider_id} (there is no action {action_id})")
        else:
            version = row[0] + 1
    if problems:
        raise ActionError("To propose an action, " + "; ".join(problems) + ".")
    action_id = action_id or f"A-{uuid.uuid4().hex[:8]}"
    con.execute(
        "INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            action_id,
            version,
            provider_id,
            period,
            standard_id,
            what.strip(),
            owner.strip(),
            due_on,
            noticed.strip(),
            proposed_by.strip(),
            store.now(),
        ],
    )
    return action_id


def review(con: duckdb.DuckDBPyConnection, action_id: str, decision: str, note: str | None, reviewed_by: str) -> str:
    """The commissioner agrees to the latest version of an action, or asks again (saying why)."""
    row = con.execute("SELECT max(version) FROM actions WHERE action_id = ?", [action_id]).fetchone()
    problems = []
    if row[0] is None:
        problems.append(f"choose an action that exists (there is no action {action_id})")
    if decision not in ("agreed", "asked_again"):
        problems.append("agree, or ask again")
    if decision == "asked_again" and not (note or "").strip():
        problems.append("say what the provider should change")
    if not (reviewed_by or "").strip():
        problems.append("say who reviews it")
    if problems:
        raise ActionError("To review the action, " + "; ".join(problems) + ".")
    con.execute(
        "INSERT INTO action_reviews VALUES (?, ?, ?, ?, ?, ?)",
        [action_id, row[0], decision, (note or "").strip() or None, reviewed_by.strip(), store.now()],
    )
    return f"Action {action_id}: " + ("agreed." if decision == "agreed" else "asked again; the provider revises it.")


def report_done(con: duckdb.DuckDBPyConnection, action_id: str, done_on: dt.date, note: str, reported_by: str) -> str:
    """The provider reports an agreed action done, saying what changed."""
    exists = con.execute("SELECT count(*) FROM actions WHERE action_id = ?", [action_id]).fetchone()[0]
    problems = []
    if not exists:
        problems.append(f"choose an action that exists (there is no action {action_id})")
    if done_on is None or done_on > store.now().date():
        problems.append("give the day it was done (not in the future)")
    if not (note or "").strip():
        problems.append("say what changed")
    if not (reported_by or "").strip():
        problems.append("say who reports it")
    if problems:
        raise ActionError("To report the action done, " + "; ".join(problems) + ".")
    con.execute(
        "INSERT INTO action_progress VALUES (?, ?, ?, ?, ?)",
        [action_id, done_on, note.strip(), reported_by.strip(), store.now()],
    )
    return f"Action {action_id} is reported done."


def status(state: str, due_on: dt.date, done_on, as_of: dt.date) -> str:
    """done / on_track / overdue for an agreed action on `as_of`; the review state otherwise."""
    if state != "agreed":
        return state
    if done_on is not None and not pd.isna(done_on) and _day(done_on) <= as_of:
        return "done"
    return "overdue" if _day(due_on) < as_of else "on_track"


def _day(value) -> dt.date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


COLUMNS = [
    "action_id",
    "version",
    "provider_id",
    "period",
    "standard_id",
    "what",
    "owner",
    "due_on",
    "noticed",
    "proposed_by",
    "proposed_at",
    "state",
    "review_note",
    "reviewed_by",
    "reviewed_at",
    "done_on",
    "done_note",
    "status",
    "status_words",
]


def plans(
    con: duckdb.DuckDBPyConnection,
    provider_id: str | None = None,
    period: str | None = None,
    before: str | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The latest version of every action (of one provider, of the audit of one period, or of
    audits before a period), with its state (proposed, asked_again, agreed) and its status on
    `as_of` (today by default): done, on track or overdue once agreed."""
    as_of = as_of or store.now().date()
    df = con.execute(
        """
        WITH latest AS (
            SELECT * FROM actions QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY version DESC) = 1
        ), reviewed AS (
            SELECT * FROM action_reviews
            QUALIFY row_number() OVER (PARTITION BY action_id, version ORDER BY reviewed_at DESC, rowid DESC) = 1
        ), done AS (
            SELECT * FROM action_progress
            QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY reported_at DESC, rowid DESC) = 1
        )
        SELECT a.action_id, a.version, a.provider_id, a.period, a.standard_id, a.what, a.owner, a.due_on,
               a.noticed, a.proposed_by, a.proposed_at,
               coalesce(r.decision, 'proposed') AS state, r.note AS review_note, r.reviewed_by, r.reviewed_at,
               d.done_on, d.note AS done_note
        FROM latest a
        LEFT JOIN reviewed r ON r.action_id = a.action_id AND r.version = a.version
        LEFT JOIN done d ON d.action_id = a.action_id
        WHERE (? IS NULL OR a.provider_id = ?) AND (? IS NULL OR a.period = ?) AND (? IS NULL OR a.period < ?)
        ORDER BY a.period, a.provider_id, a.standard_id, a.due_on, a.action_id
        """,
        [provider_id, provider_id, period, period, before, before],
    ).fetchdf()
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    df["status"] = [status(s, d, done, as_of) for s, d, done in zip(df["state"], df["due_on"], df["done_on"])]
    df["status_words"] = df["status"].map(STATUS_WORDS)
    return df[COLUMNS]


# A public rating that already says a standard was not met: an action about it tells nothing more.
PUBLICLY_NOT_MET = (*NEEDS_ACTION, "amber_red")


@tiers.output(tiers.PUBLIC, "actions from earlier audits as a public output (PDF, published site) lists them")
def public_plans(
    con: duckdb.DuckDBPyConnection, provider_id: str | None, before: str, as_of: dt.date | None = None
) -> pd.DataFrame:
    """The actions from audits before `before` (of one provider, or of every one when
    provider_id is None: a batch of reports reads them once) that a public output may list: only those about a
    standard whose public rating of the action's quarter (audits.disclosure, as released) already
    says it was not met. An action exists only where a standard was Partly met or Not met, so
    beside a rating published as "Met or partly met", or not shown, it would give away the band
    the range keeps unknown (and with it a small count)."""
    return _publicly_listed(con, plans(con, provider_id, before=before, as_of=as_of))


@tiers.output(
    tiers.BY_CALLER, "actions: all of them for providers a viewer sees exactly, else as public outputs list them"
)
def as_seen(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, exact_for: tuple[str, ...] | None) -> pd.DataFrame:
    """The actions of df (from `plans` or `overdue`) a dashboard viewer may see: every one of a
    provider whose exact figures the viewer sees (dashboard.viewer: None for the auditor, who
    sees every provider's), and for any other provider only those a public output lists."""
    if exact_for is None:
        return df
    exact = df["provider_id"].isin(exact_for)
    shown = pd.concat([df[exact], _publicly_listed(con, df[~exact])])
    return shown.sort_values(["period", "provider_id", "standard_id", "due_on", "action_id"]).reset_index(drop=True)


def _publicly_listed(con: duckdb.DuckDBPyConnection, df: pd.DataFrame) -> pd.DataFrame:
    keep = pd.Series(False, index=df.index)
    for period in df["period"].unique():
        run_id = disclosure.public_run_id(con, period)
        if run_id is None:
            continue
        shown = disclosure.public_standard_ratings(con, run_id)
        not_met = shown.loc[shown["shown"].isin(PUBLICLY_NOT_MET), ["provider_id", "standard_id"]]
        pairs = set(zip(not_met["provider_id"], not_met["standard_id"]))
        keep |= (df["period"] == period) & pd.Series(
            [(p, s) in pairs for p, s in zip(df["provider_id"], df["standard_id"])], index=df.index
        )
    return df[keep].reset_index(drop=True)


def overdue(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every agreed action past its day and not reported done (for the commissioner's overview)."""
    df = plans(con, as_of=as_of)
    return df[df["status"] == "overdue"].reset_index(drop=True)


def due_words(row) -> str:
    """'by 31 March 2027' (and when it was done)."""
    text = f"by {words.long_date(row['due_on'])}"
    if row.get("status") == "done" and not pd.isna(row.get("done_on")):
        text += f", done {words.long_date(row['done_on'])}"
    return text
