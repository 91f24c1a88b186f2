"""Impact preview: what an edited, unsaved standard would do to every provider's rating.

The standards workshop calls this as a group edits a threshold or a condition, so it
runs only that standard's measures (one query each, over all providers of the
period) and compares them with the standard's rating in the latest run of the
period. Both ratings are the ones people are shown (audits.verdicts): the stories of the
period weigh on the new rating exactly as on the current one. Drafts can be previewed;
nothing is written. The expressions are checked by
the same whitelist as an audit; the caller's connection is not locked down here,
because switching external access off would outlive this call for every connection
to the same store in the process (see `engine.lock_down`).
"""

from __future__ import annotations

import duckdb
import pandas

from audits import engine, runs, settings, stories, verdicts
from audits.standard import Standard

COLUMNS = ["provider_id", "provider_name", "current_rating", "new_rating", "changed"]


class PreviewError(ValueError):
    """Nothing to preview against, said plainly."""


def preview_period(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest audited period, else the latest period with a current return."""
    row = con.execute("SELECT max(period) FROM runs").fetchone()
    if row and row[0]:
        return row[0]
    row = con.execute("SELECT max(period) FROM current_submissions WHERE kind = 'return'").fetchone()
    return row[0] if row else None


def impact_preview(con: duckdb.DuckDBPyConnection, standard: Standard, period: str | None = None) -> pandas.DataFrame:
    """provider_id, provider_name, current rating (None when the standard was not in the
    latest run), new rating, changed. `attrs` holds period, run_id and the new measure
    results (`measures`), for a workshop that shows the figures behind a change."""
    period = period or preview_period(con)
    if period is None:
        raise PreviewError("There are no returns loaded yet, so there is nothing to preview against.")
    run_id = runs.latest_run_id(con, period)
    current: dict[str, str] = {}
    if run_id is not None:
        shown = verdicts.shown_ratings(con, run_id)
        shown = shown[shown["standard_id"] == standard.id]
        current = dict(zip(shown["provider_id"], shown["shown"]))
    voices = stories.voices_of(stories.story_table(con, period))
    needed = settings.get(con, "voices_needed")
    result = engine.evaluate(con, [standard], period, include_unapproved=True)
    if result.failed:
        raise PreviewError(f"The preview cannot be shown: {result.failed[standard.id]}.")
    names = dict(con.execute("SELECT provider_id, provider_name FROM providers").fetchall())
    new = dict(zip(result.standards["provider_id"], result.standards["rating"]))
    rows = []
    for provider_id in result.providers:
        before = current.get(provider_id)
        after = verdicts.shown_rating(
            new.get(provider_id, "no_data"), voices.get((provider_id, standard.id), verdicts.NO_VOICES), needed
        )
        rows.append(
            {
                "provider_id": provider_id,
                "provider_name": names.get(provider_id),
                "current_rating": before,
                "new_rating": after,
                "changed": before != after,
            }
        )
    df = pandas.DataFrame(rows, columns=COLUMNS)
    df.attrs.update({"period": period, "run_id": run_id, "measures": result.measures})
    return df
