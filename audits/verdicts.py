"""The rating people are shown: one rule, for the overview, the PDF, the CLI and the preview.

The engine rates each standard on its figures alone (green, amber, red, or too few to tell).
What people are shown also weighs people's experience, as Scotland's MAT standards
benchmarking does: numbers alone never make plain green. A standard green on its figures is
'provisional' ("green, not yet confirmed by people's experience") until enough printable
stories from people using the service or their families confirm it. Every output asks
`shown_rating` (or `shown_ratings` for a whole run), so the words never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from audits import tiers

# Stories needed to confirm a green, from people using the service or their families.
VOICES_NEEDED = 1


@dataclass(frozen=True)
class Voices:
    """What people's experience says of one provider's standard in one period: the printable
    stories tagged to it, told by people using the service or their families."""

    confirming: int = 0


NO_VOICES = Voices()


def shown_rating(rating: str, voices: Voices = NO_VOICES, needed: int = VOICES_NEEDED) -> str:
    """The rating to show for the engine's `rating` of a standard, given people's experience."""
    if rating == "green" and voices.confirming < needed:
        return "provisional"
    return rating


@tiers.output(tiers.RESTRICTED, "a run's exact standard ratings as shown (the auditor's summary)")
def shown_ratings(con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None) -> pd.DataFrame:
    """The standard ratings of a run (one provider, or all) with the rating to show in `shown`:
    one read of the run and one of the period's stories, however many providers."""
    from audits import runs, stories

    df = runs.read_standard_results(con, run_id, provider_id)
    if df.empty:
        return df.assign(shown=pd.Series(dtype="object"))
    voices = stories.voices_of(stories.story_table(con, df["period"].iloc[0], provider_id))
    shown = [
        shown_rating(r, voices.get((p, s), NO_VOICES))
        for r, p, s in zip(df["rating"], df["provider_id"], df["standard_id"])
    ]
    return df.assign(shown=shown)
