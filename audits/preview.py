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

from audits import disclosure, engine, runs, settings, stories, tiers, verdicts
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


@tiers.output(
    tiers.BY_CALLER, "a draft standard's ratings of every provider: exact, or public=True for the public tier"
)
def impact_preview(
    con: duckdb.DuckDBPyConnection, standard: Standard, period: str | None = None, public: bool = False
) -> pandas.DataFrame:
    """provider_id, provider_name, current rating (None when the standard was not in the
    latest run), new rating, changed. `attrs` holds period, run_id and the new measure
    results (`measures`), for a workshop that shows the figures behind a change.

    public=True (an expert citizen, the public tier): both ratings as they could be published
    (audits.disclosure), the draft worked out as if it were one more standard of the latest run,
    so that a threshold drawn around a hidden count shows a merged band or none, never the
    count. Several previews with different thresholds can still narrow a hidden count: see
    docs/disclosure.md."""
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
    if public:
        current, new = _public(con, run_id, standard, result.measures)
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


def _public(con, run_id: str | None, standard: Standard, measures: pandas.DataFrame) -> tuple[dict, dict]:
    """Current and new ratings as the public tier may see them: the run's public standard ratings,
    and the draft protected as one more standard of the run (against the run's other measures,
    whose groups of people it may nest with, and every run of the quarter)."""
    if run_id is None:
        protected = disclosure.protect(measures, [standard])
        return {}, dict(zip(protected.standards["provider_id"], protected.standards["rating"]))
    public = disclosure.public_standard_ratings(con, run_id)
    current = dict(public.loc[public["standard_id"] == standard.id, ["provider_id", "shown"]].values)
    others = [s for s in runs.run_standards(con, run_id) if s.id != standard.id]
    results = runs.read_results(con, run_id).drop(columns=["provider_name"])
    results = pandas.concat([results[results["standard_id"] != standard.id], measures], ignore_index=True)
    protected = disclosure.protect_new_run(con, results, [*others, standard])
    drafted = protected.standards[protected.standards["standard_id"] == standard.id]
    return current, dict(zip(drafted["provider_id"], drafted["rating"]))
