"""Statistics the way public-health analysts expect them.

Wilson score intervals with the PHE/OHID Fingertips formula, the Fingertips comparison
of a provider with the all-provider benchmark, and small-number suppression for
anything published. The engine computes intervals inside DuckDB (one query per
measure); `wilson_sql` writes the same formula as `wilson` so the two cannot drift,
and the tests hold both to the published reference values.
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
    """No figure: None, NaN, NaT or pandas.NA (what DuckDB reads back holds any of them)."""
    return (
        value is None or (isinstance(value, float) and math.isnan(value)) or value is pandas.NA or value is pandas.NaT
    )


def compare(value, lower95, upper95, lower998, upper998, benchmark, higher_is_better: bool | None) -> str:
    """Fingertips comparison of a provider with the benchmark.

    The benchmark inside the provider's 95% interval means the data cannot tell them
    apart: 'similar'. Otherwise 'better' or 'worse' by the measure's direction, and
    'best' or 'worst' when the benchmark is outside the 99.8% interval too. Without an
    interval, a benchmark or a direction there is nothing to say: 'not_compared'.
    """
    figures = (value, lower95, upper95, lower998, upper998, benchmark)
    if higher_is_better is None or any(is_missing(f) for f in figures):
        return "not_compared"
    if lower95 <= benchmark <= upper95:
        return "similar"
    above = value > benchmark
    if lower998 <= benchmark <= upper998:
        return "better" if above == higher_is_better else "worse"
    return "best" if above == higher_is_better else "worst"


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
