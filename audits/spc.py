"""Statistical process control for trends: the NHS "Making Data Count" XmR chart.

A quarter-on-quarter trend is read with XmR rules rather than by eye, so that a
commissioner does not act on noise: limits at the mean ± 2.66 × the mean moving
range, and four special-cause rules (a point beyond a limit; 7 in a row on one side
of the mean; 7 rising or falling; 2 of 3 beyond the two-sigma line on one side).
With fewer than MIN_POINTS values the dashboard draws a plain line with intervals
instead, and below TRIAL_BELOW points the limits are only trial limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_POINTS = 8  # fewer than this: no XmR chart, a plain line with intervals
TRIAL_BELOW = 12  # fewer than this: the limits are trial limits
RUN_LENGTH = 7  # a shift or a trend
SCALING = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two

RULE_WORDS = {
    "outside_limits": "a point beyond a process limit",
    "shift": f"{RUN_LENGTH} or more points in a row on one side of the mean",
    "trend": f"{RUN_LENGTH} or more points in a row rising or falling",
    "two_of_three": "2 of 3 points beyond the two-sigma line on one side",
}


@dataclass
class XmR:
    values: list[float]
    mean: float
    mean_moving_range: float
    upper: float  # process limits
    lower: float
    upper_near: float  # two-sigma lines
    lower_near: float
    trial: bool  # fewer than TRIAL_BELOW points
    signals: list[set[str]] = field(default_factory=list)  # rules that flag each point

    @property
    def special_cause(self) -> bool:
        return any(self.signals)

    def variation(self, higher_is_better: bool | None) -> str:
        """Plain words for the latest point: common cause, or special cause improving or concerning."""
        last = self.signals[-1] if self.signals else set()
        if not last:
            return "common cause variation: no signal to act on"
        if higher_is_better is None:
            return "special cause variation: " + ", ".join(RULE_WORDS[r] for r in sorted(last))
        up = self.values[-1] > self.mean
        good = up == higher_is_better
        return (
            "special cause variation, improving: " if good else "special cause variation, of concern: "
        ) + ", ".join(RULE_WORDS[r] for r in sorted(last))


def xmr(values: list[float]) -> XmR | None:
    """The XmR chart of a series, or None when there are fewer than MIN_POINTS values."""
    values = [float(v) for v in values]
    n = len(values)
    if n < MIN_POINTS:
        return None
    mean = sum(values) / n
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, n)]
    mr = sum(ranges) / len(ranges)
    half_width = SCALING * mr
    near = half_width * 2 / 3
    chart = XmR(
        values,
        mean,
        mr,
        mean + half_width,
        mean - half_width,
        mean + near,
        mean - near,
        n < TRIAL_BELOW,
        [set() for _ in values],
    )
    _outside(chart)
    _shift(chart)
    _trend(chart)
    _two_of_three(chart)
    return chart


def _outside(c: XmR) -> None:
    for i, v in enumerate(c.values):
        if v > c.upper or v < c.lower:
            c.signals[i].add("outside_limits")


def _mark_runs(c: XmR, keys: list[int], rule: str) -> None:
    """Flag every point of each run of RUN_LENGTH or more equal non-zero keys."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= RUN_LENGTH:
                for j in range(start, i):
                    c.signals[j].add(rule)
            start = i


def _shift(c: XmR) -> None:
    # +1 above, -1 below, 0 on the mean (which breaks a run)
    sides = [(v > c.mean) - (v < c.mean) for v in c.values]
    _mark_runs(c, sides, "shift")


def _trend(c: XmR) -> None:
    # Direction of each step; a run of 6 steps the same way is 7 points rising or falling.
    steps = [(b > a) - (b < a) for a, b in zip(c.values, c.values[1:])]
    start = 0
    for i in range(1, len(steps) + 1):
        if i == len(steps) or steps[i] != steps[start]:
            if steps[start] != 0 and i - start >= RUN_LENGTH - 1:
                for j in range(start, i + 1):
                    c.signals[j].add("trend")
            start = i


def _two_of_three(c: XmR) -> None:
    for side in (1, -1):
        beyond = [(v > c.upper_near) if side == 1 else (v < c.lower_near) for v in c.values]
        for i in range(len(c.values) - 2):
            window = range(i, i + 3)
            if sum(beyond[j] for j in window) >= 2:
                for j in window:
                    if beyond[j]:
                        c.signals[j].add("two_of_three")
