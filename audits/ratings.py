"""How a rating is shown to people: symbol + word + colour, never colour alone.

The dashboard and the PDF both take their labels from here, so a rating reads the
same everywhere. Colours are the colour-blind-safe blue/orange family with a
distinct symbol each, so the meaning survives greyscale printing and screen readers.
Every colour is dark enough to be read as text (WCAG AA, 4.5:1) on white and on its
own tint: provisional is a teal, so it stays apart from the confirmed green without
being paler; amber is a deep orange-brown, apart from the red. tests/test_ratings.py
computes the ratios, so a paler colour cannot creep back in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    rating: str
    symbol: str
    word: str
    colour: str  # strong colour, for text and markers
    background: str  # light tint, for cells

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.word}"


LOOKS: dict[str, Look] = {
    "green": Look("green", "✔", "Met", "#1b7837", "#d9f0d3"),
    "provisional": Look("provisional", "◔", "Met (provisional)", "#00756b", "#e0f3ef"),
    "amber": Look("amber", "◐", "Partly met", "#9a4d00", "#fee0b6"),
    # green on the figures, but people's experience says otherwise: a Partly met of its own, in
    # purple, with the other half-circle, so it is told apart from amber without colour
    "differs": Look("differs", "◑", "Partly met: people's experience differs", "#6a3d9a", "#ece2f0"),
    "red": Look("red", "✖", "Not met", "#b2182b", "#fddbc7"),
    "no_data": Look("no_data", "○", "Too few to tell", "#4d4d4d", "#f0f0f0"),
}

# Public ratings that are not one band (audits.disclosure): a band that would give a small
# count away is merged with the next one, or the rating is not shown. Grey, with their own
# symbol and the asterisk of a hidden figure.
RANGES: dict[str, Look] = {
    "green_amber": Look("green_amber", "◇", "Met or partly met *", "#4d4d4d", "#f0f0f0"),
    "amber_red": Look("amber_red", "◇", "Partly met or not met *", "#4d4d4d", "#f0f0f0"),
    "withheld": Look("withheld", "◌", "Rating not shown *", "#4d4d4d", "#f0f0f0"),
}

# A provider's standards met on the figures (provisional: not yet confirmed by a story), and those
# with nothing to count for or against it; every other rating, a range included, is rated.
MET = ("green", "provisional")
NOT_RATED = ("no_data", "withheld")


def tally(shown: Iterable[str]) -> dict[str, int]:
    """A provider's standards counted as every output says 'Met k of n': met (provisional
    included, and how many of those are provisional), rated, and not rated (too few to tell or
    not shown). The dashboard's matrix counts the same by provider in pandas (met_tally)."""
    shown = list(shown)
    return {
        "met": sum(r in MET for r in shown),
        "provisional": sum(r == "provisional" for r in shown),
        "rated": sum(r not in NOT_RATED for r in shown),
        "unrated": sum(r in NOT_RATED for r in shown),
    }


# Worst to best, to say which way a rating moved between quarters; no_data has no rank:
# it is not a rating.
RANK: dict[str, int] = {"red": 0, "amber": 1, "differs": 1, "provisional": 2, "green": 3}

PROVISIONAL_EXPLANATION = "green, not yet confirmed by people's experience"
DIFFERS_EXPLANATION = (
    "green on the figures, but a person using the service or their family told us otherwise, "
    "and the auditor has not answered why the rating should stand"
)

COMPARISON_WORDS: dict[str, str] = {
    "best": "Much better than the benchmark (outside 99.8% limits)",
    "better": "Better than the benchmark",
    "similar": "Similar to the benchmark",
    "worse": "Worse than the benchmark",
    "worst": "Much worse than the benchmark (outside 99.8% limits)",
    "not_compared": "Not compared",
}


def look(rating: str) -> Look:
    return LOOKS[rating] if rating in LOOKS else RANGES[rating]
