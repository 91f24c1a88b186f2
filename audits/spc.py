"""Statistical process control for trends: the NHS "Making Data Count" XmR chart.

A quarter-on-quarter trend is read with XmR rules rather than by eye, so that a
commissioner does not act on noise. The rules are those of NHSRplotthedots 0.2.x
(R/ptd_spc_standard.R, R/ptd_calculate_point_type.R) and of NHS England's
"SPC charts SQL query" v2.1 to v2.4, which agree on every rule:

- limits at the mean ± 2.66 × the mean moving range; the near-limit ("two-sigma")
  lines at two thirds of that; moving ranges are not screened for outliers (the
  default of the Making Data Count Excel tool and of the SQL; the R package screens
  them by default);
- a point beyond a process limit;
- a shift: 7 points in a row on one side of the mean (a point on the mean breaks it);
- a trend: 7 points in a row each higher (or each lower) than the one before,
  counting both ends (a tie breaks it);
- 2 of 3 points in a row between the near line and the limit on one side, with all
  three on that side of the mean.

When rules clash on one point, NHSRplotthedots' documented precedence decides:
beyond a limit, then trend, then 2 of 3, then shift; the deciding rule's own
direction says whether the point is better or worse. So a falling run that is still
above the mean is a concern when higher is better. NHS England's SQL instead marks
each point improving and concerning by every rule it meets and resolves a clash with
a per-metric setting ("Improvement" or "Concern"); `judge(..., clash=...)` gives that
reading too, so both sources' published cases can be checked.

A quarter with no figure (suppressed small numbers, or no data) is a gap: no moving
range is taken across it and no run continues through it, as nobody can say what the
hidden figure was. Fewer than MIN_POINTS plotted quarters give no chart; fewer than
PROVISIONAL_BELOW give provisional limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

MIN_POINTS = 8  # fewer plotted quarters than this: no XmR chart, a plain line with intervals
PROVISIONAL_BELOW = 12  # fewer than this: the limits are provisional (trial limits)
RUN_LENGTH = 7  # points in a shift or a trend (NHSRplotthedots; the SQL's default setting)
SCALING = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two
NEAR = 2 / 3  # the near-limit ("two-sigma") lines, as a share of the distance to the limit

# Every rule a point can meet, with the side of the mean it speaks for.
SIDE = {
    "outside_high": 1,
    "outside_low": -1,
    "trend_up": 1,
    "trend_down": -1,
    "two_of_three_high": 1,
    "two_of_three_low": -1,
    "shift_high": 1,
    "shift_low": -1,
}
# NHSRplotthedots ptd_special_cause_type(): the first of these that a point meets decides it.
PRECEDENCE = ("outside", "trend", "two_of_three", "shift")

# In plain words ("the usual range" lies between the process limits): the technical terms are
# only in the dashboard's help (dashboard.charts.XMR_HELP) and the method annex.
RULE_WORDS = {
    "outside_high": "above the usual range",
    "outside_low": "below the usual range",
    "trend_up": f"{RUN_LENGTH} or more quarters in a row, each higher than the one before",
    "trend_down": f"{RUN_LENGTH} or more quarters in a row, each lower than the one before",
    "two_of_three_high": "2 of 3 quarters in a row close to the top of the usual range, all 3 above the average",
    "two_of_three_low": "2 of 3 quarters in a row close to the bottom of the usual range, all 3 below the average",
    "shift_high": f"{RUN_LENGTH} or more quarters in a row above the average",
    "shift_low": f"{RUN_LENGTH} or more quarters in a row below the average",
}


class Icon(NamedTuple):
    """A Making Data Count icon in words: its key, a plain-English sentence and a short label."""

    key: str
    sentence: str
    label: str


VARIATION = {
    "common_cause": Icon("common_cause", "No sign of change beyond the usual ups and downs.", "No significant change"),
    "improvement_high": Icon(
        "improvement_high", "Getting better: higher than chance would explain.", "Getting better (higher)"
    ),
    "improvement_low": Icon(
        "improvement_low", "Getting better: lower than chance would explain.", "Getting better (lower)"
    ),
    "concern_high": Icon("concern_high", "Getting worse: higher than chance would explain.", "Getting worse (higher)"),
    "concern_low": Icon("concern_low", "Getting worse: lower than chance would explain.", "Getting worse (lower)"),
    "neither_high": Icon(
        "neither_high",
        "Changed: higher than chance would explain (neither higher nor lower is better for this measure).",
        "Changed (higher)",
    ),
    "neither_low": Icon(
        "neither_low",
        "Changed: lower than chance would explain (neither higher nor lower is better for this measure).",
        "Changed (lower)",
    ),
}

ASSURANCE = {
    "pass": Icon(
        "pass",
        "Consistently meets the target: the usual ups and downs stay on the right side of it.",
        "Consistently meets the target",
    ),
    "fail": Icon(
        "fail",
        "Consistently misses the target: the usual ups and downs do not reach it, so meeting it "
        "needs a change in how the service works.",
        "Consistently misses the target",
    ),
    "hit_or_miss": Icon(
        "hit_or_miss",
        "Hit and miss: the target lies within the usual ups and downs, so it will be met in some "
        "quarters and missed in others by chance alone.",
        "Hit and miss",
    ),
}

METHOD_WORDS = (
    "Limits are the average ± 2.66 × the average change from one quarter to the next. No unusually "
    "large change is left out of that average, as in NHS England's Making Data Count tools (the "
    "NHSRplotthedots R package leaves them out by default)."
)
PROVISIONAL_WORDS = f"Limits are provisional: fewer than {PROVISIONAL_BELOW} quarters."


@dataclass(frozen=True)
class XmR:
    values: tuple[float | None, ...]  # None: a gap (no figure, or a hidden one)
    mean: float
    mean_moving_range: float
    upper: float  # process limits
    lower: float
    upper_near: float  # near-limit ("two-sigma") lines
    lower_near: float
    rules: tuple[frozenset[str], ...]  # every rule each point meets (keys of SIDE)

    @property
    def points(self) -> int:
        """How many quarters are plotted (gaps left out)."""
        return sum(v is not None for v in self.values)

    @property
    def provisional(self) -> bool:
        return self.points < PROVISIONAL_BELOW

    @property
    def latest(self) -> int:
        """The index of the latest plotted point: a later gap is not the latest quarter read."""
        return max(i for i, v in enumerate(self.values) if v is not None)

    def cause(self, i: int) -> str | None:
        """The rule that decides point i (NHSRplotthedots' precedence), or None: common cause.
        A peak or trough in a rising and a falling run takes the later run's direction,
        as NHSRplotthedots does."""
        met = self.rules[i]
        for group in PRECEDENCE:
            found = sorted(r for r in met if r.rsplit("_", 1)[0] == group)
            if len(found) == 2:  # trend_down and trend_up: the step to the next point is the later run
                return "trend_down" if self.values[i + 1] < self.values[i] else "trend_up"
            if found:
                return found[0]
        return None


def xmr(values: Sequence[float | None]) -> XmR | None:
    """The XmR chart of a series in time order (None for a gap), or None when fewer than
    MIN_POINTS quarters have a figure."""
    values = tuple(None if v is None else float(v) for v in values)
    plotted = [v for v in values if v is not None]
    ranges = [abs(b - a) for a, b in zip(values, values[1:]) if a is not None and b is not None]
    if len(plotted) < MIN_POINTS or not ranges:
        return None
    mean = sum(plotted) / len(plotted)
    mr = sum(ranges) / len(ranges)
    half = SCALING * mr
    upper, lower = mean + half, mean - half
    upper_near, lower_near = mean + NEAR * half, mean - NEAR * half
    # a float's last bit is not a change: the mean of nine quarters of 80% may come out a hair
    # under 80%, and a flat line must not read as every quarter above its own average
    eps = 1e-9 * max(1.0, abs(mean))

    def above(v: float, line: float) -> bool:
        return v > line + eps

    def below(v: float, line: float) -> bool:
        return v < line - eps

    sides = [None if v is None else above(v, mean) - below(v, mean) for v in values]
    outside = [None if v is None else above(v, upper) - below(v, lower) for v in values]
    close = [
        None if v is None else (0 if o else above(v, upper_near) - below(v, lower_near))
        for v, o in zip(values, outside)
    ]
    rules = [set() for _ in values]
    for i, o in enumerate(outside):
        if o:
            rules[i].add("outside_high" if o > 0 else "outside_low")
    for found in (trends(values), two_of_three(close, sides), shifts(sides)):
        for i, met in enumerate(found):
            rules[i] |= met
    return XmR(values, mean, mr, upper, lower, upper_near, lower_near, tuple(frozenset(r) for r in rules))


def _runs(keys: Sequence) -> list[tuple[int, int, object]]:
    """(start, stop, key) of each run of equal keys, in order."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            runs.append((start, i, keys[start]))
            start = i
    return runs


def shifts(sides: Sequence[int | None]) -> list[set[str]]:
    """Points in a run of RUN_LENGTH or more on one side of the mean. sides: +1 above,
    -1 below, 0 on the mean (breaks a run), None a gap (breaks a run)."""
    found = [set() for _ in sides]
    for start, stop, side in _runs(sides):
        if side and stop - start >= RUN_LENGTH:
            for j in range(start, stop):
                found[j].add("shift_high" if side > 0 else "shift_low")
    return found


def trends(values: Sequence[float | None]) -> list[set[str]]:
    """Points in a run of RUN_LENGTH or more, each higher (or each lower) than the one
    before, counting both ends; a tie or a gap breaks the run."""
    steps = [None if a is None or b is None else (b > a) - (b < a) for a, b in zip(values, values[1:])]
    found = [set() for _ in values]
    for start, stop, step in _runs(steps):
        if step and stop - start >= RUN_LENGTH - 1:
            for j in range(start, stop + 1):  # steps start..stop-1 join points start..stop
                found[j].add("trend_up" if step > 0 else "trend_down")
    return found


def two_of_three(close: Sequence[int | None], sides: Sequence[int | None]) -> list[set[str]]:
    """Points close to a limit (close: +1 between the upper near line and the upper limit,
    -1 the same below, 0 neither, None a gap) that are 2 or 3 of 3 points in a row close
    to the same limit, with all three on that side of the mean."""
    found = [set() for _ in close]
    for i in range(len(close) - 2):
        window = range(i, i + 3)
        for side, rule in ((1, "two_of_three_high"), (-1, "two_of_three_low")):
            if all(sides[j] == side for j in window) and sum(close[j] == side for j in window) >= 2:
                for j in window:
                    if close[j] == side:
                        found[j].add(rule)
    return found


def judge(chart: XmR, i: int, higher_is_better: bool | None, clash: str = "precedence") -> str:
    """Point i as a Making Data Count variation key (VARIATION). clash: "precedence" (the
    dashboard's reading, NHSRplotthedots) or NHS England SQL's per-metric rule for a point
    that meets an improving and a concerning rule at once: "improvement" or "concern"."""
    met = chart.rules[i]
    if not met:
        return "common_cause"
    if clash == "precedence":
        side = SIDE[chart.cause(i)]
        if higher_is_better is None:
            return "neither_high" if side > 0 else "neither_low"
        good = side == (1 if higher_is_better else -1)
    else:
        if clash not in ("improvement", "concern"):
            raise ValueError(f"clash must be 'precedence', 'improvement' or 'concern', not {clash!r}")
        high = any(SIDE[r] > 0 for r in met)
        if higher_is_better is None:
            return "neither_high" if high else "neither_low"
        better = 1 if higher_is_better else -1
        improving = any(SIDE[r] == better for r in met)
        concerning = any(SIDE[r] == -better for r in met)
        good = improving and (not concerning or clash == "improvement")
    side_word = "high" if good == higher_is_better else "low"
    return f"{'improvement' if good else 'concern'}_{side_word}"


def variation(chart: XmR, higher_is_better: bool | None) -> Icon:
    """The Making Data Count variation icon of the latest plotted quarter."""
    return VARIATION[judge(chart, chart.latest, higher_is_better)]


def assurance(chart: XmR, higher_is_better: bool | None, target: float | None) -> Icon | None:
    """The Making Data Count assurance icon: can the process be relied on to meet the
    target? None when there is no target or no better direction. A target on a limit
    counts as met or missed (NHS England SQL v2.1+; NHSRplotthedots calls it hit and miss)."""
    if target is None or higher_is_better is None:
        return None
    if chart.lower < target < chart.upper:
        return ASSURANCE["hit_or_miss"]
    below_every_point = target <= chart.lower
    return ASSURANCE["pass" if below_every_point == higher_is_better else "fail"]


def signal(chart: XmR, i: int, higher_is_better: bool | None) -> str:
    """Point i in words for a table: the variation label and the rule that decides it."""
    if chart.values[i] is None or not chart.rules[i]:
        return ""
    return f"{VARIATION[judge(chart, i, higher_is_better)].label}: {RULE_WORDS[chart.cause(i)]}"
