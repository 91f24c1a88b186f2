"""The readiness board: where each provider's audit of a period stands, and what to do next.

One row per provider with a return, a pack or results for the period, in the order of the work:
return and pack loaded, rows held back, stories held for personal details, stories the auditor
has not yet read for what they say, the draft shared, the provider's open comments, the
sign-off (and whether it is out of date), and publication. Everything is read from the store
through the modules that own it (sign-off state from audits.findings, so it agrees with the PDF).
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from audits import drafts, factcheck, findings, runs, signoffs, stories, words

COLUMNS = [
    "provider_id",
    "provider_name",
    "return_loaded",
    "pack_loaded",
    "rows_held_back",
    "stories_held",
    "stories_awaiting_tags",
    "draft_shared",
    "comments_open",
    "signed_off",
    "out_of_date",
    "published",
    "next_step",
]

# The board's headings, in the order of the work.
HEADINGS = {
    "provider_name": "Provider",
    "return_loaded": "Return loaded",
    "pack_loaded": "Stories (evidence pack) loaded",
    "rows_held_back": "Rows held back",
    "stories_held": "Stories held",
    "stories_awaiting_tags": "Stories awaiting tags",
    "draft_shared": "Draft shared",
    "comments_open": "Provider comments open",
    "signed_off": "Signed off",
    "out_of_date": "Out of date",
    "published": "Published",
    "next_step": "Next step",
}


def published_versions(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, dict]:
    """provider_id -> {signed_at, published_at} of the latest publication of the period holding it."""
    out: dict[str, dict] = {}
    for published_at, providers in con.execute(
        "SELECT published_at, providers_json FROM publications WHERE period = ? ORDER BY published_at", [period]
    ).fetchall():
        for item in json.loads(providers):
            out[item["provider_id"]] = {"signed_at": item["signed_at"], "published_at": published_at}
    return out


def board(con: duckdb.DuckDBPyConnection, period: str, told: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per provider of the period (see COLUMNS), in words a person reads. told: the
    quarter's stories.story_table when the caller already holds it (the dashboard caches it by
    the evidence stamp); read here otherwise."""
    submissions = con.execute(
        """
        SELECT provider_id, any_value(provider_name) AS name,
               max(CASE WHEN kind = 'return' THEN loaded_at END) AS return_at,
               max(CASE WHEN kind = 'pack' THEN loaded_at END) AS pack_at,
               sum(coalesce(rows_quarantined, 0)) AS held_back
        FROM current_submissions WHERE period = ? GROUP BY provider_id
        """,
        [period],
    ).fetchdf()
    run_id = runs.latest_run_id(con, period)
    # gathering a provider's findings is only needed for its sign-off's status: skip it for the
    # providers nobody signed (most of them; at national scale 150 gathers took a minute), and
    # read what the run's findings share only when someone signed (2.6 s at national scale)
    signed_some = set(signoffs.signoffs_for(con, period)["provider_id"])
    shared = findings.run_shared(con, run_id) if run_id and signed_some else None
    audited = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT provider_id FROM standard_results WHERE run_id = ?", [run_id]
        ).fetchall()
    }
    names = dict(con.execute("SELECT provider_id, provider_name FROM providers").fetchall())
    every = sorted(set(submissions["provider_id"]) | audited)
    if shared is not None:
        table = shared.stories
    else:
        table = told if told is not None else stories.story_table(con, period)
    loaded = submissions.set_index("provider_id")
    latest_drafts = drafts.every_latest(con, period)
    comments = factcheck.comments(con, period)
    published = published_versions(con, period)
    # each count once over the quarter, then per provider (per provider, 150 filters of the
    # quarter's stories and comments took ~1.2 s of the board's 2.7 at national scale)
    held_by = _per_provider(table[table["status"] == "held"]) if not table.empty else {}
    awaiting_by = _per_provider(stories.awaiting_stance(table)) if not table.empty else {}
    open_by = _per_provider(comments[comments["outcome"].isna()])
    rows = []
    for provider_id in every:
        got = loaded.loc[provider_id] if provider_id in loaded.index else None
        held = held_by.get(provider_id, 0)
        awaiting = awaiting_by.get(provider_id, 0)
        draft = latest_drafts.get(provider_id)
        open_comments = open_by.get(provider_id, 0)
        found = (
            findings.gather(con, provider_id, period, shared=shared)
            if provider_id in audited and provider_id in signed_some
            else None
        )
        status = found.signoff_status if found else "unsigned"
        signoff = (found.signoff or found.earlier_signoff) if found else None
        out = published.get(provider_id)
        current_published = (
            out is not None
            and found is not None
            and found.signoff is not None
            and status == "signed"
            and str(out["signed_at"]) == str(found.signoff["signed_at"])
        )
        row = {
            "provider_id": provider_id,
            "provider_name": names.get(provider_id) or (got["name"] if got is not None else provider_id),
            "return_loaded": _when(got["return_at"] if got is not None else None),
            "pack_loaded": _when(got["pack_at"] if got is not None else None),
            "rows_held_back": words.whole(got["held_back"]) if got is not None else "0",
            "stories_held": str(held),
            "stories_awaiting_tags": str(awaiting),
            "draft_shared": _draft_words(draft, run_id),
            "comments_open": str(open_comments) + (" (check open)" if drafts.is_open(draft) else ""),
            "signed_off": "No"
            if signoff is None
            else f"Yes, by {signoff['name']} on {words.long_datetime(signoff['signed_at'])}",
            "out_of_date": "Out of date: sign again (" + "; ".join(found.out_of_date) + ")"
            if status == "out_of_date"
            else "No",
            "published": (
                f"Yes, {words.long_datetime(out['published_at'])}"
                if current_published
                else ("An earlier signed version" if out is not None else "No")
            ),
        }
        row["next_step"] = _next(
            row, got, held, awaiting, draft, open_comments, status, provider_id in audited, current_published
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _per_provider(rows: pd.DataFrame) -> dict[str, int]:
    """How many of the rows each provider has."""
    return {p: int(n) for p, n in rows["provider_id"].value_counts().items()}


def _when(value) -> str:
    return "No" if value is None or pd.isna(value) else f"Yes, {words.long_datetime(value)}"


def _draft_words(draft: dict | None, run_id: str | None) -> str:
    if draft is None:
        return "No"
    when = f"{words.long_date(draft['shared_at'])}, comments until {words.long_date(draft['due_on'])}"
    if draft.get("closed_at") is not None:
        when = f"{words.long_date(draft['shared_at'])}, check closed by the provider"
    return f"Yes, {when}" + ("" if draft["run_id"] == run_id else " (of an earlier run)")


def _next(row, got, held, awaiting, draft, open_comments, status, audited: bool, published) -> str:
    """What to do next, in the order of the work."""
    if status == "signed":
        return "Done: published" if published else "Publish"
    if got is None or row["return_loaded"] == "No":
        return "Upload the provider's return"
    if row["pack_loaded"] == "No":
        return "Upload the evidence pack of stories"
    if held:
        return f"Review {held} held stor{'y' if held == 1 else 'ies'}"
    if not audited:
        return "Run the audit"
    if awaiting:
        return f"Tag {awaiting} stor{'y' if awaiting == 1 else 'ies'}: confirms, contradicts or mixed"
    if draft is None:
        return "Share the draft with the provider"
    if open_comments:
        return f"Answer {open_comments} factual accuracy comment{'s' if open_comments != 1 else ''}"
    if drafts.is_open(draft):
        return f"Wait for the provider's check (until {words.long_date(draft['due_on'])})"
    return "Sign again: the report has changed" if status == "out_of_date" else "Sign off"
