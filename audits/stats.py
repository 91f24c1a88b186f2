"""Statistics the way public-health analysts expect them.

Wilson score intervals with the PHE/OHID Fingertips formula; the one comparison of a
provider with the all-provider benchmark, which the tables and the funnel plot both use
(`funnel_limits`); Newcombe's interval for the change of a share between two periods;
the distribution-free interval of a median; and small-number suppression for anything
published. The engine computes intervals inside DuckDB (one query per measure);
`wilson_sql` and `median_ranks_sql` write the same formulas as `wilson` and
`median_ranks`, so the two cannot drift, and the tests hold both to published values.
The reasons for each choice, in plain words with references, are in audits.method.
"""

from __future__ import annotations

import math

import pandas

# The normal quantiles in full (Fingertips uses them so): rounded to six places, the
# 95% limits of 20 of 100 already drift 8e-10 from the published reference values.
Z95 = 1.959963984540054  # 97.5th percentile
Z998 = 3.090232306167813  # 99.9th percentile

COMPARISONS = ("similar", "better", "worse", "best", "worst", "not_compared")

# Counts of people from 1 to 4 are hidden in anything published (as NDTMS does).
SMALL_MIN, SMALL_MAX = 1, 4


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
    """No figure: None, NaN or pandas.NA (results read back from DuckDB hold any of them)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pandas.NA


def funnel_limits(benchmark: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The funnel plot's limits at size n around the benchmark share B: B ± z·sqrt(B(1 − B)/n),
    clamped to [0, 1].

    These are the shares at which the benchmark sits exactly on the edge of a provider's
    Wilson interval (the Wilson interval is the inverted score test), so "inside the funnel"
    and "the benchmark inside the provider's interval" are one test: the chart and the table
    cannot disagree. They are also the limits of PHE's funnel plot tool for proportions, as
    PHEindicatormethods' calculate_funnel_limits computes them, and Spiegelhalter's (2005)
    normal approximation. (Limits drawn as the Wilson interval of the benchmark itself,
    wilson(B·n, n), are a different and wrong test: they lean towards the middle near 0 and 1.)
    """
    if is_missing(benchmark) or is_missing(n) or n <= 0:
        return (math.nan, math.nan)
    half = z * math.sqrt(max(0.0, benchmark * (1 - benchmark)) / n)
    return (max(0.0, benchmark - half), min(1.0, benchmark + half))


def compare(value, n, benchmark, higher_is_better: bool | None, scale: float = 1.0) -> str:
    """Fingertips comparison of a provider's share with the benchmark, by the funnel's limits.

    value and benchmark are on the measure's scale (a share, or a rate per 1,000 with scale
    1000); n is the number of rows the share's interval is based on. Inside the 95% limits
    (the benchmark inside the provider's 95% Wilson interval): the data cannot tell them
    apart, 'similar'. Otherwise 'better' or 'worse' by the measure's direction, and 'best' or
    'worst' outside the 99.8% limits too. Without a figure, a size, a benchmark or a
    direction there is nothing to say: 'not_compared'.
    """
    if higher_is_better is None or any(is_missing(f) for f in (value, n, benchmark)) or n <= 0:
        return "not_compared"
    share, centre = value / scale, benchmark / scale
    lower, upper = funnel_limits(centre, n, Z95)
    if lower <= share <= upper:
        return "similar"
    above = share > centre
    lower, upper = funnel_limits(centre, n, Z998)
    if lower <= share <= upper:
        return "better" if above == higher_is_better else "worse"
    return "best" if above == higher_is_better else "worst"


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


def _small(count) -> bool:
    return not is_missing(count) and SMALL_MIN <= count <= SMALL_MAX


def suppress_results(df: pandas.DataFrame) -> pandas.DataFrame:
    """A copy of measure results fit to publish: counts of 1-4 people hidden.

    Which rows count people is read from the results themselves: the engine fills
    `numerator_rows` and `denominator_rows` (unweighted rows) only for measures over a
    table of people (episodes, contacts, workforce; `spec.Table.counts_people`) and
    leaves them empty for things (KPIs, sites, documents), which are never suppressed.

    Primary: a denominator of 1-4 people hides the whole row's figures; a numerator of
    1-4 hides the numerator. Secondary, where the rest would reveal them: the
    complement (denominator - numerator) of 1-4 hides the numerator; a hidden
    numerator also hides the value and its interval (value x denominator gives it
    back); and when exactly one provider's numerator is hidden for a measure among
    several, the next smallest is hidden too, so the total cannot give it back; when
    there is none to hide beside it, the measure's benchmark (a pooled total) is hidden. Pass
    the results of a whole run and filter afterwards, so every output hides the same
    cells. Ratings stay: they are bands, not counts. A `suppressed` column says which
    rows had anything hidden.
    """
    needed = {"numerator_rows", "denominator_rows", "numerator", "denominator", "value"}
    missing = needed - set(df.columns)
    if missing:
        raise ValueError("cannot suppress results without the columns " + ", ".join(sorted(missing)))
    out = df.copy()
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        if column in out.columns:
            out[column] = out[column].astype("float64")
    hide_num = pandas.Series(False, index=out.index)
    hide_all = pandas.Series(False, index=out.index)
    hide_benchmark = pandas.Series(False, index=out.index)
    for i, row in out.iterrows():
        num, den = row["numerator_rows"], row["denominator_rows"]
        if is_missing(num) and is_missing(den):
            continue  # a measure of things: never suppressed
        if _small(den):
            hide_all[i] = True
        elif _small(num) or (not is_missing(num) and not is_missing(den) and _small(den - num)):
            hide_num[i] = True
    group_keys = [k for k in ("run_id", "period", "standard_id", "measure_id") if k in out.columns]
    if group_keys and "provider_id" in out.columns:
        for _, group in out.groupby(group_keys, sort=False, dropna=False):
            people = group[group["numerator_rows"].notna()]
            hidden = people.index[(hide_num | hide_all)[people.index]]
            if len(hidden) != 1:
                continue
            others = people.drop(index=hidden)
            others = others[others["numerator_rows"] > 0]
            if not others.empty:
                hide_num[others["numerator_rows"].astype(float).idxmin()] = True
            elif "benchmark" in out.columns:
                # No other count to hide beside it (a lone provider, or every other one at
                # 0): the benchmark, pooled over providers, would give the hidden count back.
                hide_benchmark[group.index] = True
    for column in ("numerator", "value", "ci_lower", "ci_upper"):
        if column in out.columns:
            out.loc[hide_num | hide_all, column] = math.nan
    out.loc[hide_all, "denominator"] = math.nan
    if "benchmark" in out.columns:
        out["benchmark"] = out["benchmark"].astype("float64")
        out.loc[hide_benchmark, "benchmark"] = math.nan
    out["suppressed"] = hide_num | hide_all
    return out
