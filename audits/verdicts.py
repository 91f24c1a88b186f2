"""The rating people are shown: one rule, for the overview, the PDF, the CLI and the preview.

The engine rates each standard on its figures alone (green, amber, red, or too few to tell).
What people are shown also weighs people's experience, as Scotland's MAT standards
benchmarking does: numbers alone never make plain green. A standard green on its figures is
'provisional' ("green, not yet confirmed by people's experience") until enough printable
stories from people using the service or their families confirm it. Every output asks
`shown_rating` (or `shown_ratings` for a whole run), so the words never disagree.

People's experience can also contradict the figures. When the auditor tags a story to a
standard they mark what it says of it: it *confirms* the figures, *contradicts* them, or is
*mixed*. Only stories told by a person using the service or a family member move a rating
(audits.stories.CONFIRMING_TELLERS). For a standard green on its figures:

* any contradicting story the auditor has not answered makes it "Partly met: people's
  experience differs" (rating key `differs`), shown with the stories beside it;
* otherwise it needs at least `voices_needed` confirming stories (a setting, default 1,
  audits.settings) to be Met; with fewer it stays provisional.

"Answered" means the auditor recorded, with their name and the time, why the rating stands in
spite of the story (audits.story_review.answer_contradiction); the answer is printed beside
the story wherever it is shown. A mixed story neither confirms nor contradicts: it is shown
beside the rating and moves nothing. Ratings other than green are not changed by stories.

Beside the shown rating goes whether the data can tell it (`uncertain`, from the engine): a
rating whose measures' 95% intervals reach across a threshold that would change it is shown
as "Met on the figures; the data can't yet tell" (audits.words.rating).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from audits import tiers

# Stories needed to confirm a green, from people using the service or their families: the
# default of the setting `voices_needed` (audits.settings), which shown_ratings reads.
VOICES_NEEDED = 1

# What a story says of a standard it is tagged to, as the auditor marks it.
STANCES = ("confirms", "contradicts", "mixed")


@dataclass(frozen=True)
class Voices:
    """What people's experience says of one provider's standard in one period: the printable
    stories tagged to it, told by people using the service or their families, by the stance
    the auditor marked."""

    confirming: int = 0
    contradicting: int = 0
    unanswered: int = 0  # contradicting stories the auditor has not answered
    mixed: int = 0


NO_VOICES = Voices()


def shown_rating(rating: str, voices: Voices = NO_VOICES, needed: int = VOICES_NEEDED) -> str:
    """The rating to show for the engine's `rating` of a standard, given people's experience."""
    if rating != "green":
        return rating
    if voices.unanswered:
        return "differs"
    if voices.confirming < needed:
        return "provisional"
    return rating


@tiers.output(tiers.RESTRICTED, "a run's exact standard ratings as shown (the auditor's summary)")
def shown_ratings(con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None) -> pd.DataFrame:
    """The standard ratings of a run (one provider, or all) with the rating to show in `shown`
    and whether the data can tell it in `uncertain` (a bool; False for runs recorded before
    the engine said so): one read of the run and one of the period's stories, however many
    providers."""
    from audits import stories

    return _with_shown(
        con, run_id, provider_id, lambda period: stories.voices_of(stories.story_table(con, period, provider_id))
    )


@tiers.output(tiers.RESTRICTED, "a run's exact standard ratings as shown, for the auditor's summary after a run")
def run_shown_ratings(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """`shown_ratings(con, run_id)`, the same rows, for the summary `python -m audits run` prints
    in a fresh process: people's voices are counted by stories.voices_in, which screens only the
    stories that can count, instead of building the whole story table."""
    from audits import stories

    return _with_shown(con, run_id, None, lambda period: stories.voices_in(con, period))


def _with_shown(con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None, voices_in) -> pd.DataFrame:
    """The run's standard ratings with `uncertain` as a bool and `shown`, people's voices for the
    run's period counted by `voices_in(period)`."""
    from audits import runs, settings

    df = runs.read_standard_results(con, run_id, provider_id)
    df = df.assign(uncertain=df["uncertain"].astype("boolean").fillna(False).astype(bool))
    if df.empty:
        return df.assign(shown=pd.Series(dtype="object"))
    voices = voices_in(df["period"].iloc[0])
    needed = settings.get(con, "voices_needed")
    shown = [
        shown_rating(r, voices.get((p, s), NO_VOICES), needed)
        for r, p, s in zip(df["rating"], df["provider_id"], df["standard_id"])
    ]
    return df.assign(shown=shown)


def uncertain_as_published(shown: pd.DataFrame, published: pd.DataFrame, standards) -> pd.DataFrame:
    """The shown ratings with `uncertain` as the published results can show it: a measure whose
    interval is hidden for small numbers counts as certain (audits.engine.within), so a mark
    never rests on, or tells anything of, a hidden figure. Where nothing is hidden it is the
    engine's own flag, by the same rule. published: the run's results after
    stats.suppress_results; standards: as audited."""
    from audits import engine

    if shown.empty:
        return shown
    by_id = {s.id: s for s in standards}
    rows: dict[tuple[str, str], list[dict]] = {}
    for r in published.to_dict("records"):
        rows.setdefault((r["provider_id"], r["standard_id"]), []).append(r)
    flags = []
    for provider_id, standard_id, rating in zip(shown["provider_id"], shown["standard_id"], shown["rating"]):
        standard = by_id.get(standard_id)
        measures = {m.id: m for m in standard.measures} if standard else {}
        possible = [
            engine.within(measures[r["measure_id"]], r)
            for r in rows.get((provider_id, standard_id), [])
            if r["measure_id"] in measures
        ]
        flags.append(engine.standard_uncertain(rating, possible))
    return shown.assign(uncertain=flags)
