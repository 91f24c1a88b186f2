"""The limits a provider's figure was compared with the benchmark by, at its size.

The engine compares a share (or a rate per 1,000, as a share) with the benchmark by the funnel
plot's limits at the provider's size, widened for the usual spread between providers
(stats.compare, with the row's between_variance). Every chart that shows that comparison draws
these very limits, so a chart and the table beside it cannot disagree: the funnel plot draws
them along every size, the PDF's bars and the dashboard's chart of a rate at each provider.
"""

from __future__ import annotations

from audits import stats, words
from audits.kinds import kind_of
from audits.stats import is_missing

Limits = tuple[tuple[float, float], tuple[float, float]]


def limits(measure, row) -> Limits | None:
    """The 95% and 99.8% limits a row's figure was compared with the benchmark by, at its size
    (stats.funnel_limits, with the row's between_variance: the comparison's own), on the share
    scale; None when the figure was not compared (hidden, not rated, no benchmark)."""
    kind = kind_of(measure)
    compared = row.get("comparison")
    if not kind.compared or words.hidden(row) or not isinstance(compared, str) or compared == "not_compared":
        return None
    n = row.get("denominator_rows")
    n = row.get("denominator") if is_missing(n) else n
    benchmark = row.get("benchmark")
    if is_missing(n) or is_missing(benchmark) or n <= 0:
        return None
    centre, tau2 = float(benchmark) / kind.scale, row.get("between_variance")
    return (
        stats.funnel_limits(centre, float(n), stats.Z95, tau2),
        stats.funnel_limits(centre, float(n), stats.Z998, tau2),
    )
