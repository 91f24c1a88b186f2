"""The auditor's sign-off: who vouches for one provider's audit run, for which organisation.

"The set of standards should be enforced by a third party, as an organisation will be
afraid of losing a tender." A sign-off is that third party putting their name to one
audit run. The declaration of independence is fixed here, not typed by the auditor, so
every sign-off vouches for the same thing and a report can print it word for word; the
auditor only confirms it. Sign-offs are append-only and tied to the run they vouch
for: a later run of the same period needs a new sign-off.

Signing means something: it is refused, with the reason, while any of the provider's stories
is held for personal details, while any of its factual accuracy comments is unanswered, or while
the provider still has time to comment on a shared draft. Signing freezes what was signed
(audits.signed): the PDF's bytes and SHA-256, and the basis of the report; a later change
marks the sign-off out of date, and the signed version stays.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from audits import runs, spec, store

DECLARATION = (
    "I declare that I and the organisation I audit for are independent of this provider: we are "
    "not employed or paid by it, we do not commission it, we hold no stake in its contracts, and "
    "these findings are ours, made from the returns and stories listed in the report."
)


def independence_statement(organisation: str | None, provider_name: str) -> str:
    """The statement of independence printed with every audit (PDF and published page)."""
    by = organisation or "the auditing organisation"
    return (
        f"This audit was carried out by {by}, which is independent of {provider_name} "
        "and takes no part in awarding its contract. The standards were written and approved by "
        "expert citizens groups of people with lived experience of drug and alcohol treatment. "
        "The figures come from the provider's own quarterly return, checked against those "
        "standards; the stories were gathered independently of the provider, with the consent of "
        "the people who told them. The provider did not choose, edit or approve what this report says."
    )


COLUMNS = ["provider_id", "period", "run_id", "name", "organisation", "declaration", "signed_by", "signed_at"]


class SignoffError(ValueError):
    """A sign-off that cannot be recorded, with every reason in plain words."""


def record_signoff(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    run_id: str,
    name: str,
    organisation: str,
    declaration: str | None,
    signed_by: str | None,
) -> str:
    """Keep the auditor's sign-off of one provider's audit run; returns a plain summary.

    `declaration` is the text the auditor confirmed: it must be DECLARATION (pass None
    when they did not confirm it). Every problem is reported at once; nothing is written
    unless all is well.
    """
    problems = []
    name, organisation = (name or "").strip(), (organisation or "").strip()
    if not name:
        problems.append("give your name")
    if not organisation:
        problems.append("give the organisation you audit for")
    if declaration != DECLARATION:
        problems.append("confirm the declaration of independence")
    try:
        spec.parse_period(period)
    except ValueError as error:
        problems.append(f"give a period like 2026-Q2 ({error})")
    else:
        run = con.execute("SELECT period FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if run is None:
            problems.append(
                f"sign off an audit run that exists (there is no run {run_id}; "
                f"run the audit with: python -m audits run --period {period})"
            )
        elif run[0] != period:
            problems.append(f"sign off a run of {period} (run {run_id} audited {run[0]})")
        elif (
            con.execute(
                "SELECT 1 FROM standard_results WHERE run_id = ? AND provider_id = ? LIMIT 1", [run_id, provider_id]
            ).fetchone()
            is None
        ):
            problems.append(f"choose a provider audited in run {run_id} ({provider_id} has no results in it)")
    if not problems:
        problems += not_ready(con, provider_id, period)
    if problems:
        raise SignoffError("To sign off, " + "; ".join(problems) + ".")
    signed_at = store.now().replace(microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO signoffs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [provider_id, period, run_id, name, organisation, DECLARATION, signed_by, signed_at],
        )
        digest = _freeze(con, provider_id, period, run_id, signed_at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return (
        f"Signed off {provider_id} for {period} (audit run {run_id}) by {name}, {organisation}, "
        f"at {signed_at:%Y-%m-%d %H:%M} UTC. The signed PDF is kept as signed (SHA-256 {digest})."
    )


def not_ready(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> list[str]:
    """What must happen before this provider's audit of the period may be signed, in words
    (each naming what to do): held stories, unanswered factual accuracy comments, an open
    factual accuracy check."""
    from audits import drafts, factcheck, stories, words

    problems = []
    table = stories.story_table(con, period, provider_id)
    held = table[table["status"] == "held"]
    if not held.empty:
        ids = ", ".join(
            f"story {sid} ({reason.removeprefix('held for the auditor: ')})"
            for sid, reason in zip(held["story_id"], held["reason"])
        )
        problems.append(
            f"review the stories held for personal details first: {ids} "
            f"(python -m audits stories held --period {period} --provider {provider_id})"
        )
    open_comments = factcheck.unanswered(con, period, provider_id)
    if not open_comments.empty:
        ids = ", ".join(f"{c} on {s}" for c, s in zip(open_comments["comment_id"], open_comments["standard_id"]))
        problems.append(f"answer the provider's factual accuracy comments first: {ids}")
    draft = drafts.latest(con, provider_id, period)
    if drafts.is_open(draft):
        problems.append(
            f"wait for the provider's factual accuracy check: it is open until the end of "
            f"{words.long_date(draft['due_on'])}, unless the provider says it has no more comments"
        )
    return problems


def _freeze(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, run_id: str, signed_at) -> str:
    """Draw the PDF as signed, keep its bytes and the report's basis; the PDF's SHA-256."""
    from audits import findings, report, signed

    data = findings.gather(con, provider_id, period, run_id=run_id)
    data.signoff_status, data.out_of_date = "signed", []  # what is drawn is what is signed
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "signed.pdf"
        report.render(data, out)
        pdf = out.read_bytes()
    return signed.keep(con, provider_id, period, run_id, signed_at, pdf, data.basis)


def signoffs_for(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Every sign-off of a period (or of one provider in it), newest first."""
    return con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM signoffs WHERE period = ? AND (? IS NULL OR provider_id = ?) "
        "ORDER BY signed_at DESC, provider_id",
        [period, provider_id, provider_id],
    ).fetchdf()


def signoff_of_run(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, run_id: str) -> dict | None:
    """The latest sign-off vouching for exactly this run of this provider, or None."""
    done = signoffs_for(con, period, provider_id)
    done = done[done["run_id"] == run_id]
    return None if done.empty else done.iloc[0].to_dict()


def latest_run_for_signoff(con: duckdb.DuckDBPyConnection, period: str) -> str:
    """The run a sign-off from the command line vouches for: the period's latest."""
    run_id = runs.latest_run_id(con, period)
    if run_id is None:
        raise SignoffError(
            f"There is no audit run for {period} yet: run the audit first "
            f"(python -m audits run --period {period}), then sign it off."
        )
    return run_id
