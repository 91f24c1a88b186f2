"""Statistics the way public-health analysts expect them.

Wilson score intervals with the PHE/OHID Fingertips formula; the one comparison of a
provider with the benchmark, which the tables and the funnel plot both use
(`funnel_limits`), allowing for the usual spread between providers (`dispersion`); Newcombe's interval for the change of a share between two periods; and
the distribution-free interval of a median. What of the results may be published (small
numbers, and what would give them back) is audits.disclosure's business. The engine
computes intervals inside DuckDB (one query per measure); `wilson_sql` and
`median_ranks_sql` write the same formulas as `wilson` and `median_ranks`, so the two
cannot drift, and the tests hold both to published values. The reasons for each choice, in
plain words with references, are in audits.method.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

# The normal quantiles in full (Fingertips uses them so): rounded to six places, the
# 95% limits of 20 of 100 already drift 8e-10 from the published reference values.
Z95 = 1.959963984540054  # 97.5th percentile
Z998 = 3.090232306167813  # 99.9th percentile

COMPARISONS = ("similar", "better", "worse", "best", "worst", "not_compared")


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of x out of n (Fingertips formula), clamped to [0, 1].

    n = 0 has no interval: (nan, nan). x may be a weighted count (share x n).
    """
    if n is None or x is None or n <= 0:
        return (math.nan, math.nan)
    z2 = z * z
    root = z * math.sqrt(z2 + 4 * x * (1 - x / n))
    lower = (2 * x + z2 - root) / (2 * (n + z2))
    upper = (2 * x + z2 + root) / (2 * (n + z2))
    return (max(0.0, lower), min(1.0, upper))


def wilson_sql(x: str, n: str, z: float = Z95) -> tuple[str, str]:
    """The same formula as `wilson` as two DuckDB expressions over SQL expressions x and n.

    NULL when n is 0 or NULL; `greatest`/`least` clamp the rounding at 0 and 1.
    """
    z2 = repr(z * z)
    zr = repr(z)
    root = f"{zr} * sqrt({z2} + 4 * ({x}) * (1 - ({x}) / ({n})))"
    den = f"(2 * (({n}) + {z2}))"
    lower = f"CASE WHEN ({n}) > 0 THEN greatest(0.0, (2 * ({x}) + {z2} - {root}) / {den}) END"
    upper = f"CASE WHEN ({n}) > 0 THEN least(1.0, (2 * ({x}) + {z2} + {root}) / {den}) END"
    return lower, upper


def is_missing(value) -> bool:
    """No figure: None, NaN, NaT or pandas.NA (what DuckDB reads back holds any of them).

    pandas is not imported for this (`python -m audits run` imports it on a thread of its own
    while DuckDB works, audits.runs._import_aside, and checks figures meanwhile): only a value of
    pandas' own missing types can be pandas.NA or pandas.NaT, and pandas is imported by then."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    if type(value).__name__ not in _PANDAS_MISSING:
        return False
    pandas = sys.modules["pandas"]
    return value is pandas.NA or value is pandas.NaT


_PANDAS_MISSING = frozenset({"NAType", "NaTType"})  # the types of pandas.NA and pandas.NaT

ROW_COUNTS = ("numerator_rows", "denominator_rows")  # the rows of the return behind each figure


def row_counts(frame):
    """The frame with its ROW_COUNTS as whole numbers that may be missing (pandas' Int64): read
    from DuckDB or built from lists, a column with a missing count comes as floats otherwise."""
    return frame.astype(dict.fromkeys(ROW_COUNTS, "Int64"))


# Spiegelhalter's overdispersion: z-scores winsorised at these percentiles (10% at each end),
# and no allowance for the spread between providers with fewer providers than MIN_PROVIDERS.
WINSORISE = 0.1
MIN_PROVIDERS = 10


@dataclass(frozen=True)
class Dispersion:
    """How far providers' shares spread around the benchmark, beyond chance.

    phi: the dispersion ratio, the mean of the squared, winsorised z-scores (about 1 when the
    providers differ by chance alone; nan with no provider to compare); tau2: the variance between
    providers (on the share scale) that the funnel's limits add to each provider's own (0: none);
    providers: how many providers it was worked out from."""

    phi: float
    tau2: float
    providers: int


def _percentile(ordered: list[float], p: float) -> float:
    """The p-th quantile of sorted values, by linear interpolation between the two nearest
    (Hyndman and Fan's type 7: R's and numpy's default, as FunnelPlotR takes it)."""
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def dispersion(shares: list[float], sizes: list[float], benchmark: float) -> Dispersion:
    """The between-provider variance tau² of a measure's shares around the benchmark B
    (Spiegelhalter's additive random-effects adjustment for overdispersion).

    Why: the funnel's plain limits B ± z·sqrt(B(1 − B)/n) allow only for chance, as if every
    provider had the same true share. At national scale (150 providers of hundreds to thousands
    of people) providers differ for reasons of their own (who they serve, where, how they record),
    so far more than 5% of them fall outside the 95% limits, and most outside the 99.8% ones: a
    comparison that names nearly every provider tells a commissioner nothing. Allowing for the
    usual spread between providers, the limits name only those that stand out from it.

    How, for I providers with share y_i of n_i rows: z_i = (y_i − B)/s_i with
    s_i² = B(1 − B)/n_i; the z_i winsorised at their 10th and 90th percentiles (each z below the
    10th set to it, each above the 90th to it, so a few extreme providers do not set the spread
    they are judged against); phi = mean of the winsorised z_i². When I·phi > I − 1,
    tau² = (I·phi − (I − 1)) / (Σw_i − Σw_i²/Σw_i) with w_i = 1/s_i² (DerSimonian and Laird's
    moment estimate), else 0; the limits are then B ± z·sqrt(s_i² + tau²) (`funnel_limits`).

    Below MIN_PROVIDERS providers tau² is 0 (phi is still given): the 10th and 90th percentiles
    of fewer than ten z-scores fall between the two most extreme, so winsorising barely touches
    one provider that differs, which then widens everyone's limits and hides itself; and a
    variance worked out from a handful of providers is too unsure to widen anyone's limits by.
    A benchmark of 0 or 1 has no spread around it: tau² 0.

    References: Spiegelhalter DJ (2005), Funnel plots for comparing institutional performance,
    Statistics in Medicine 24:1185-1202; Spiegelhalter DJ et al (2005), Handling over-dispersion
    of performance indicators, Quality and Safety in Health Care 14:347-351; Spiegelhalter DJ
    et al (2012), Statistical methods for healthcare regulation: rating, screening and
    surveillance, JRSS A 175:1-47; DerSimonian R, Laird N (1986), Meta-analysis in clinical
    trials, Controlled Clinical Trials 7:177-188; as the Care Quality Commission and NHS-R's
    FunnelPlotR package apply them.
    """
    pairs = [(y, n) for y, n in zip(shares, sizes) if not is_missing(y) and not is_missing(n) and n > 0]
    count = len(pairs)
    if not pairs or is_missing(benchmark) or not 0 < benchmark < 1:
        return Dispersion(math.nan, 0.0, count)
    spread = benchmark * (1 - benchmark)
    z = [(y - benchmark) / math.sqrt(spread / n) for y, n in pairs]
    ordered = sorted(z)
    low, high = _percentile(ordered, WINSORISE), _percentile(ordered, 1 - WINSORISE)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / count
    if count < MIN_PROVIDERS or count * phi <= count - 1:
        return Dispersion(phi, 0.0, count)
    w = [n / spread for _, n in pairs]  # 1/s_i²
    total = sum(w)
    tau2 = (count * phi - (count - 1)) / (total - sum(v * v for v in w) / total)
    return Dispersion(phi, tau2, count)


def _tau2(tau2) -> float:
    """The between-provider variance as given, 0 when there is none (a run recorded before it was
    kept: its comparisons were made without it)."""
    return 0.0 if is_missing(tau2) else float(tau2)


def funnel_limits(benchmark: float, n: float, z: float = Z95, tau2: float = 0.0) -> tuple[float, float]:
    """The funnel plot's limits at size n around the benchmark share B:
    B ± z·sqrt(B(1 − B)/n + tau²), clamped to [0, 1].

    tau2 is the variance between providers (`dispersion`): with it the limits allow for the usual
    spread between providers as well as chance (Spiegelhalter 2005); 0 (or missing: a run kept
    before it was) gives the plain limits. The engine's comparison (`compare`) and every funnel
    plot call this with the same tau², so the chart and the table cannot disagree.

    With tau² 0 these are the shares at which the benchmark sits exactly on the edge of a
    provider's Wilson interval (the Wilson interval is the inverted score test), so "inside the
    funnel" and "the benchmark inside the provider's interval" are one test. They are also the
    limits of PHE's funnel plot tool for proportions, as PHEindicatormethods'
    calculate_funnel_limits computes them, and Spiegelhalter's (2005) normal approximation.
    (Limits drawn as the Wilson interval of the benchmark itself, wilson(B·n, n), are a different
    and wrong test: they lean towards the middle near 0 and 1.)
    """
    if is_missing(benchmark) or is_missing(n) or n <= 0:
        return (math.nan, math.nan)
    half = z * math.sqrt(max(0.0, benchmark * (1 - benchmark)) / n + _tau2(tau2))
    return (max(0.0, benchmark - half), min(1.0, benchmark + half))


def compare(value, n, benchmark, higher_is_better: bool | None, scale: float = 1.0, tau2: float = 0.0) -> str:
    """Fingertips comparison of a provider's share with the benchmark, by the funnel's limits.

    value and benchmark are on the measure's scale (a share, or a rate per 1,000 with scale
    1000); n is the number of rows the share's interval is based on; tau2 the variance between
    providers on the share scale (`dispersion`; 0: chance alone). Inside the 95% limits the data
    cannot tell the provider from the benchmark (allowing for the usual spread between
    providers): 'similar'. Otherwise 'better' or 'worse' by the measure's direction, and 'best'
    or 'worst' outside the 99.8% limits too. Without a figure, a size, a benchmark or a
    direction there is nothing to say: 'not_compared'.
    """
    if higher_is_better is None or is_missing(value) or is_missing(n) or is_missing(benchmark) or n <= 0:
        return "not_compared"
    share, centre = value / scale, benchmark / scale
    lower, upper = funnel_limits(centre, n, Z95, tau2)
    if lower <= share <= upper:
        return "similar"
    above = share > centre
    lower, upper = funnel_limits(centre, n, Z998, tau2)
    if lower <= share <= upper:
        return "better" if above == higher_is_better else "worse"
    return "best" if above == higher_is_better else "worst"


def compare_intervals(lower, upper, whole_lower, whole_upper, higher_is_better: bool | None) -> str:
    """A part's figure beside the whole it belongs to (a group of people beside all of a provider's
    people: audits.breakdowns), by their 95% intervals. 'similar' whenever the two overlap: the data
    cannot tell the group from the whole, so no group is ranked on noise (a conservative test, as
    overlapping intervals can still hide a real difference). Apart, 'better' or 'worse' by the
    measure's direction, 'higher' or 'lower' when no direction is better; 'not_compared' without
    both intervals."""
    # each tested in turn (not a generator over the four: ~30,000 groups an audit, issue 15)
    if is_missing(lower) or is_missing(upper) or is_missing(whole_lower) or is_missing(whole_upper):
        return "not_compared"
    if upper >= whole_lower and lower <= whole_upper:
        return "similar"
    above = lower > whole_upper
    if higher_is_better is None:
        return "higher" if above else "lower"
    return "better" if above == higher_is_better else "worse"


def newcombe(p1: float, lower1: float, upper1: float, p2: float, lower2: float, upper2: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference p1 − p2 of two independent shares
    (Newcombe 1998, method 10), from each share's Wilson interval at the same level.

    Square-and-add of each share's distance to its own interval's edges, so it keeps the
    Wilson interval's good behaviour near 0 and 1 and with small numbers. Works the same on
    a rate per 1,000 (every figure scaled alike). (nan, nan) when a figure is missing.
    """
    figures = (p1, lower1, upper1, p2, lower2, upper2)
    if any(is_missing(f) for f in figures):
        return (math.nan, math.nan)
    d = p1 - p2
    lower = d - math.sqrt((p1 - lower1) ** 2 + (upper2 - p2) ** 2)
    upper = d + math.sqrt((upper1 - p1) ** 2 + (p2 - lower2) ** 2)
    return (lower, upper)


def newcombe_counts(x1: float, n1: float, x2: float, n2: float, z: float = Z95) -> tuple[float, float]:
    """Newcombe's interval for x1/n1 − x2/n2 from the counts (Wilson intervals at z)."""
    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan)
    return newcombe(x1 / n1, *wilson(x1, n1, z), x2 / n2, *wilson(x2, n2, z))


# A median's interval needs at least this many values: with fewer, even the smallest and
# the largest value cover the median less than 95% of the time.
MEDIAN_MIN_VALUES = 6


def median_ranks(n: int, z: float = Z95) -> tuple[int, int] | None:
    """The ranks (1 = smallest) of the sorted values that bound a median's 95% interval:
    n/2 − z·√n/2 and 1 + n/2 + z·√n/2, each rounded to the nearest whole number
    (Campbell and Gardner 1988, distribution-free: no assumption about the values' shape).
    None below MEDIAN_MIN_VALUES values."""
    if n < MEDIAN_MIN_VALUES:
        return None
    half = z * math.sqrt(n) / 2
    return (max(1, math.floor(n / 2 - half + 0.5)), min(n, math.floor(1 + n / 2 + half + 0.5)))


def median_ranks_sql(n: str, z: float = Z95) -> tuple[str, str]:
    """The same ranks as `median_ranks` as two DuckDB expressions over an SQL count n
    (NULL below MEDIAN_MIN_VALUES), to index a sorted list of the values."""
    half = f"({z!r} * sqrt({n}) / 2)"
    low = f"CASE WHEN ({n}) >= {MEDIAN_MIN_VALUES} THEN greatest(1, floor(({n}) / 2 - {half} + 0.5))::BIGINT END"
    high = f"CASE WHEN ({n}) >= {MEDIAN_MIN_VALUES} THEN least(({n}), floor(1 + ({n}) / 2 + {half} + 0.5))::BIGINT END"
    return low, high
