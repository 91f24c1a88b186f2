"""Impact preview: what an edited, unsaved standard would do to every provider's rating.

The standards workshop calls this as a group edits a threshold or a condition, so it
runs only that standard's measures (one query each, over all providers of the
period) and compares them with the standard's rating in the latest run of the
period. Both ratings are the ones people are shown (audits.verdicts): the period's stories
weigh on the new rating exactly as on the current one, so a green not yet confirmed by
people's experience is "Met (provisional)" on both sides, as on the overview. Each change is
explained in words: which measure moved, its figure, and the bars it met or missed before and
after (`why`). Drafts can be previewed; nothing is written. The expressions are checked by
the same whitelist as an audit; the caller's connection is not locked down here,
because switching external access off would outlive this call for every connection
to the same store in the process (see `engine.lock_down`).
"""

from __future__ import annotations

import duckdb
import pandas

from audits import engine, runs, stories, verdicts, words
from audits.standard import Measure, Standard

COLUMNS = ["provider_id", "provider_name", "current_rating", "new_rating", "changed", "why"]


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
    """provider_id, provider_name, current shown rating (None when the standard was not in the
    latest run), new shown rating, changed, and why (the change in words). `attrs` holds
    period, run_id and the new measure results (`measures`), for a workshop that shows the
    figures behind a change."""
    period = period or preview_period(con)
    if period is None:
        raise PreviewError("There are no returns loaded yet, so there is nothing to preview against.")
    run_id = runs.latest_run_id(con, period)
    current: dict[str, str] = {}
    before_measures = pandas.DataFrame()
    audited: Standard | None = None
    if run_id is not None:
        shown = verdicts.shown_ratings(con, run_id)
        if not shown.empty:
            shown = shown[shown["standard_id"] == standard.id]
            current = dict(zip(shown["provider_id"], shown["shown"]))
        results = runs.read_results(con, run_id)
        before_measures = results[results["standard_id"] == standard.id]
        audited = next((s for s in runs.run_standards(con, run_id) if s.id == standard.id), None)
    result = engine.evaluate(con, [standard], period, include_unapproved=True)
    if result.failed:
        raise PreviewError(f"The preview cannot be shown: {result.failed[standard.id]}.")
    voices = stories.voices_of(stories.story_table(con, period))
    names = dict(con.execute("SELECT provider_id, provider_name FROM providers").fetchall())
    new = dict(zip(result.standards["provider_id"], result.standards["rating"]))
    rows = []
    for provider_id in result.providers:
        before = current.get(provider_id)
        figures = new.get(provider_id, "no_data")
        after = verdicts.shown_rating(figures, voices.get((provider_id, standard.id), verdicts.NO_VOICES))
        why = ""
        if before != after:
            why = explain(
                standard,
                audited,
                result.measures[result.measures["provider_id"] == provider_id],
                before_measures[before_measures["provider_id"] == provider_id] if not before_measures.empty else None,
                figures,
                after,
            )
        rows.append(
            {
                "provider_id": provider_id,
                "provider_name": names.get(provider_id),
                "current_rating": before,
                "new_rating": after,
                "changed": before != after,
                "why": why,
            }
        )
    df = pandas.DataFrame(rows, columns=COLUMNS)
    df.attrs.update({"period": period, "run_id": run_id, "measures": result.measures})
    return df


def _bars(measure: Measure) -> str:
    """'Met at 90% or more, partly met at 75% or more' (the read-back's words for the bars)."""
    from audits import sentences

    return sentences.rules(measure).split(", otherwise")[0]


def explain(
    standard: Standard,
    audited: Standard | None,
    after: pandas.DataFrame,
    before: pandas.DataFrame | None,
    figures_rating: str,
    shown: str,
) -> str:
    """Why one provider's rating would change, in sentences: each measure whose rating moves,
    with its figure and the bars before and after; then what people's experience adds."""
    old_measures = {m.id: m for m in audited.measures} if audited else {}
    old_rows = {r["measure_id"]: r for r in before.to_dict("records")} if before is not None else {}
    out = []
    for measure in standard.measures:
        rows = after[after["measure_id"] == measure.id].to_dict("records")
        if not rows:
            continue
        row = rows[0]
        figure = words.figure(measure, row)
        now = words.rating_word(row["rating"])
        if measure.id not in old_rows:
            out.append(f"{measure.label}: {figure}, {now.lower()}.")
            continue
        was = old_rows[measure.id]["rating"]
        if was == row["rating"]:
            continue
        old = old_measures.get(measure.id)
        said_before = (
            f"{words.rating_word(was).lower()} under “{_bars(old)}”" if old else words.rating_word(was).lower()
        )
        out.append(f"{measure.label}: {figure}, now {now.lower()} under “{_bars(measure)}” (it was {said_before}).")
    for mid, row in old_rows.items():
        if mid not in {m.id for m in standard.measures}:
            label = old_measures[mid].label if mid in old_measures else mid
            out.append(f"{label} is no longer measured (it was {words.rating_word(row['rating']).lower()}).")
    if shown != figures_rating:
        why = (
            "no story from people using the service confirms it yet"
            if shown == "provisional"
            else "of what people using the service have told us"
        )
        out.append(
            f"Met on its figures, shown as {words.rating_word(shown)}: {why}."
            if figures_rating == "green"
            else f"Shown as {words.rating_word(shown)}: {why}."
        )
    elif not out:
        out.append(f"The standard would be {words.rating_word(shown).lower()}.")
    return " ".join(out)
