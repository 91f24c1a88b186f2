"""The draft the auditor shares with a provider before signing, and its window for comments.

As in CQC's factual accuracy check, a provider sees the draft report before it is final and has
a fixed time to say where a fact is wrong: `factual_accuracy_days` working days (a setting,
default 10). Working days are Monday to Friday, not counting bank holidays in England (the
`holidays` package's England calendar, which follows GOV.UK's list, one-off days included).
The draft PDF is kept as shared (its bytes and SHA-256), so the provider reads exactly what
was shared even if the audit changes afterwards. The provider may close the window early by
saying it has no more comments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import uuid
from pathlib import Path

import duckdb
import holidays

from audits import findings, settings, store, words


class DraftError(ValueError):
    """A draft that cannot be shared or closed, said plainly."""


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The day that is `days` working days after `start` (Monday to Friday, not a bank holiday
    in England): the last day a provider may comment on a draft shared on `start`."""
    years = range(start.year, start.year + 2 + days // 200)
    off = holidays.country_holidays("GB", subdiv="ENG", years=years)
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def render_pdf(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, run_id: str | None = None) -> bytes:
    """The audit PDF of one provider as it stands now, as bytes (the other providers of the run are
    never named in it: the provider may read it)."""
    from audits import report

    data = findings.gather(con, provider_id, period, run_id=run_id)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.pdf"
        report.render(data, out)
        return out.read_bytes()


def share(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, shared_by: str) -> str:
    """Share the draft of the period's latest run with the provider; returns a plain summary
    with the last day for comments."""
    if not shared_by or not shared_by.strip():
        raise DraftError("Say who shares the draft (--by NAME).")
    run_id = findings.latest_run(con, period)
    pdf = render_pdf(con, provider_id, period, run_id)
    today = store.now().date()
    due = working_days_after(today, settings.get(con, "factual_accuracy_days"))
    draft_id = f"draft-{provider_id}-{period}-{uuid.uuid4().hex[:8]}"
    con.execute(
        "INSERT INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
        [
            draft_id,
            provider_id,
            period,
            run_id,
            shared_by.strip(),
            store.now(),
            due,
            pdf,
            hashlib.sha256(pdf).hexdigest(),
        ],
    )
    return (
        f"Shared the draft of {provider_id} for {period} (audit run {run_id}) with the provider. It may comment "
        f"on the facts until the end of {words.long_date(due)}."
    )


COLUMNS = ["draft_id", "provider_id", "period", "run_id", "shared_by", "shared_at", "due_on", "pdf_sha256"]


def latest(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> dict | None:
    """The latest draft shared with the provider for the period (without its bytes), with
    `closed_by`/`closed_at` when the provider closed it, or None."""
    row = con.execute(
        f"SELECT {', '.join(COLUMNS)}, closed_by, closed_at FROM drafts WHERE provider_id = ? AND period = ? "
        "ORDER BY shared_at DESC LIMIT 1",
        [provider_id, period],
    ).fetchone()
    return None if row is None else dict(zip(COLUMNS + ["closed_by", "closed_at"], row))


def every_latest(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, dict]:
    """provider_id -> its latest draft of the period, for a whole period at once."""
    rows = con.execute(
        f"SELECT {', '.join(COLUMNS)}, closed_by, closed_at FROM drafts WHERE period = ? "
        "QUALIFY row_number() OVER (PARTITION BY provider_id ORDER BY shared_at DESC) = 1",
        [period],
    ).fetchall()
    return {r[1]: dict(zip(COLUMNS + ["closed_by", "closed_at"], r)) for r in rows}


def is_open(draft: dict | None, today: dt.date | None = None) -> bool:
    """Can the provider still comment on this draft?"""
    if draft is None or draft.get("closed_at") is not None:
        return False
    today = today or store.now().date()
    return today <= draft["due_on"]


def pdf_of(con: duckdb.DuckDBPyConnection, draft_id: str) -> bytes:
    """The draft PDF exactly as shared."""
    row = con.execute("SELECT pdf FROM drafts WHERE draft_id = ?", [draft_id]).fetchone()
    if row is None:
        raise DraftError(f"There is no draft {draft_id}.")
    reason = withheld(con, draft_id)
    if reason:
        raise DraftError(reason)
    return bytes(row[0])


def withheld(con: duckdb.DuckDBPyConnection, draft_id: str) -> str | None:
    """Why a shared draft is no longer given out (a story of its quarter was withdrawn after it
    was shared, and it may print it), or None."""
    from audits import withdrawals

    row = con.execute("SELECT provider_id, period, shared_at FROM drafts WHERE draft_id = ?", [draft_id]).fetchone()
    if row is None or not withdrawals.withdrawn_since(con, *row):
        return None
    return (
        "A story of this quarter was withdrawn after this draft was shared, so the draft is no longer given out "
        "(it may print the story). The auditor shares the draft again without it."
    )


def close(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, closed_by: str) -> str:
    """The provider says it has no more comments: the window closes and the auditor may sign."""
    draft = latest(con, provider_id, period)
    if not is_open(draft):
        raise DraftError(f"There is no open draft of {provider_id} for {period} to close.")
    if not closed_by or not closed_by.strip():
        raise DraftError("Say who closes the check.")
    con.execute(
        "UPDATE drafts SET closed_by = ?, closed_at = ? WHERE draft_id = ?",
        [closed_by.strip(), store.now(), draft["draft_id"]],
    )
    return f"The factual accuracy check of {provider_id} for {period} is closed: the provider has no more comments."
