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

from dataclasses import dataclass, field

import duckdb
import pandas

from audits import disclosure, engine, runs, sentences, settings, stories, tiers, verdicts, words
from audits.standard_model import Measure, Standard

COLUMNS = ["provider_id", "provider_name", "current_rating", "new_rating", "changed", "why"]
# Under a public preview with a rating not shown (`unswept`).
NOT_SHOWN_NOTE = (
    "“Rating not shown *”: that provider's figures for this standard include a count hidden to keep a few "
    "people private, so the preview never shows its rating, whatever the bars. Otherwise trying one bar after "
    "another would tell where the hidden count lies."
)


class PreviewError(ValueError):
    """Nothing to preview against, said plainly."""


def preview_period(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest audited period, else the latest period with a current return."""
    row = con.execute("SELECT max(period) FROM runs").fetchone()
    if row and row[0]:
        return row[0]
    row = con.execute("SELECT max(period) FROM current_submissions WHERE kind = 'return'").fetchone()
    return row[0] if row else None


@dataclass
class Baseline:
    """What a preview compares with, read once for a standard: the ratings people are shown for
    it in the latest run of the period, its measures' results there and the version audited,
    and what people's experience says of each provider (the workshop keeps this between edits,
    so an edit runs only the edited standard's measures)."""

    standard_id: str
    period: str
    run_id: str | None
    current: dict[str, str]  # provider_id -> the rating shown now
    before: pandas.DataFrame  # the standard's measure results in that run
    audited: Standard | None  # the version that run audited
    voices: dict  # (provider_id, standard_id) -> verdicts.Voices
    names: dict[str, str]  # provider_id -> provider_name
    needed: int  # the confirming stories a green needs to be shown as Met (audits.settings)
    public: bool = False  # read for the public tier too (the three fields below)
    public_current: dict[str, str] = field(default_factory=dict)  # provider_id -> public rating now
    others: list[Standard] = field(default_factory=list)  # the run's other standards
    other_results: pandas.DataFrame | None = None  # the run's results of its other standards


@tiers.output(
    tiers.RESTRICTED, "the exact ratings and results a preview compares with (impact_preview words them per tier)"
)
def baseline(
    con: duckdb.DuckDBPyConnection, standard_id: str, period: str | None = None, public: bool = False
) -> Baseline:
    period = period or preview_period(con)
    if period is None:
        raise PreviewError("There are no returns loaded yet, so there is nothing to preview against.")
    run_id = runs.latest_run_id(con, period)
    current: dict[str, str] = {}
    before = pandas.DataFrame(columns=["provider_id", "measure_id", "rating"])
    audited: Standard | None = None
    if run_id is not None:
        shown = verdicts.shown_ratings(con, run_id)
        if not shown.empty:
            shown = shown[shown["standard_id"] == standard_id]
            current = dict(zip(shown["provider_id"], shown["shown"]))
        before = con.execute(
            "SELECT provider_id, measure_id, rating FROM results WHERE run_id = ? AND standard_id = ?",
            [run_id, standard_id],
        ).df()
        audited_standards = runs.run_standards(con, run_id)
        audited = next((s for s in audited_standards if s.id == standard_id), None)
    voices = stories.voices_of(stories.story_table(con, period))
    names = dict(con.execute("SELECT provider_id, provider_name FROM providers").fetchall())
    needed = settings.get(con, "voices_needed")
    base = Baseline(standard_id, period, run_id, current, before, audited, voices, names, needed, public)
    if public and run_id is not None:
        ratings = disclosure.public_standard_ratings(con, run_id)
        mine = ratings[ratings["standard_id"] == standard_id]
        base.public_current = dict(zip(mine["provider_id"], mine["shown"]))
        base.others = [s for s in audited_standards if s.id != standard_id]
        results = runs.read_results(con, run_id).drop(columns=["provider_name"])
        base.other_results = results[results["standard_id"] != standard_id]
    return base


@tiers.output(
    tiers.BY_CALLER, "a draft standard's ratings of every provider: exact, or public=True for the public tier"
)
def impact_preview(
    con: duckdb.DuckDBPyConnection,
    standard: Standard,
    period: str | None = None,
    base: Baseline | None = None,
    public: bool = False,
) -> pandas.DataFrame:
    """provider_id, provider_name, current shown rating (None when the standard was not in the
    latest run), new shown rating, changed, and why (the change in words). `attrs` holds
    period, run_id and the new measure results (`measures`), for a workshop that shows the
    figures behind a change. `base` (from `baseline`) saves reading the run again.

    public=True (an expert citizen, the public tier): both ratings as they could be published
    (audits.disclosure), the draft worked out as if it were one more standard of the latest run,
    so that a threshold drawn around a hidden count shows a merged band or none, never the
    count, and a rating that rests on a hidden count is not shown whatever the bars (`unswept`), so
    that previewing bar after bar cannot narrow it; the reasons use only the draft's protected
    figures (docs/disclosure.md says what a preview still cannot protect)."""
    fits = (
        base is not None
        and base.standard_id == standard.id
        and base.period == (period or base.period)
        and base.public >= public
    )
    base = base if fits else baseline(con, standard.id, period, public)
    result = engine.evaluate(con, [standard], base.period, include_unapproved=True)
    if result.failed:
        raise PreviewError(f"The preview cannot be shown: {result.failed[standard.id]}.")
    new = dict(zip(result.standards["provider_id"], result.standards["rating"]))
    current, measures, before_rows = base.current, result.measures, base.before
    if public:
        current, new, measures = _public(con, base, standard, result.measures)
        before_rows = None  # the measures' earlier exact ratings are not public
    rows = []
    for provider_id in result.providers:
        before = current.get(provider_id)
        figures = new.get(provider_id, "no_data")
        after = verdicts.shown_rating(
            figures, base.voices.get((provider_id, standard.id), verdicts.NO_VOICES), base.needed
        )
        # a rating not shown in public: whether it would change cannot be said either
        changed = before != after and not (public and after == disclosure.WITHHELD)
        why = ""
        if changed:
            why = explain(
                standard,
                base.audited,
                measures[measures["provider_id"] == provider_id],
                None if before_rows is None else before_rows[before_rows["provider_id"] == provider_id],
                figures,
                after,
            )
        rows.append(
            {
                "provider_id": provider_id,
                "provider_name": base.names.get(provider_id),
                "current_rating": before,
                "new_rating": after,
                "changed": changed,
                "why": why,
            }
        )
    df = pandas.DataFrame(rows, columns=COLUMNS)
    df.attrs.update({"period": base.period, "run_id": base.run_id, "measures": measures})
    return df


def _bars(measure: Measure) -> str:
    """'Met at 90% or more, partly met at 75% or more' (the read-back's words for the bars)."""

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
            "not yet confirmed by enough stories from people using the service"
            if shown == "provisional"
            else "a story from people using the service says otherwise, and the auditor has not answered it"
            if shown == "differs"
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


def _public(con, base: Baseline, standard: Standard, measures: pandas.DataFrame) -> tuple[dict, dict, pandas.DataFrame]:
    """Current and new ratings as the public tier may see them: the run's public standard ratings,
    and the draft protected as one more standard of the run (against the run's other measures,
    whose groups of people it may nest with, and every run of the quarter), with every rating
    that rests on a hidden count not shown (`unswept`)."""
    if base.run_id is None:
        protected = disclosure.protect(measures, [standard])
        current = {}
    else:
        results = pandas.concat([base.other_results, measures], ignore_index=True)
        protected = disclosure.protect_new_run(con, results, [*base.others, standard])
        current = base.public_current
    mine = unswept(protected.measures[protected.measures["standard_id"] == standard.id])
    new = {p: disclosure.standard_rating(list(rows["rating"])) for p, rows in mine.groupby("provider_id", sort=False)}
    return current, new, mine


def unswept(protected: pandas.DataFrame) -> pandas.DataFrame:
    """A draft's protected measure results with the rating of every row with a hidden count not
    shown, whatever its bars. One preview protected on its own never shows a band that pins a
    hidden count, but a reader can preview bar after bar and watch a band move ("Met at 2% or
    less" but not at 1%: 2 people); where a count is hidden depends on the counts and the groups
    of people, never on the bars, so a rating that rests on no hidden count is one anybody could
    work out from the figures shown, and a hidden one says the same for every bar."""
    out = protected.copy()
    out.loc[out["hidden"] != disclosure.NONE, "rating"] = disclosure.WITHHELD
    return out
