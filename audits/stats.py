"""Statistics the way public-health analysts expect them.

Wilson score intervals with the PHE/OHID Fingertips formula and the Fingertips comparison
of a provider with the all-provider benchmark. What of the results may be published (small
numbers, and what would give them back) is audits.disclosure's business. The engine
computes intervals inside DuckDB (one query per measure); `wilson_sql` writes the same
formula as `wilson` so the two cannot drift, and the tests hold both to the published
reference values.
"""

from __future__ import annotations

import math

import pandas

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
    """No figure: None, NaN or pandas.NA (results read back from DuckDB hold any of them)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pandas.NA


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
