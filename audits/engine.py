"""The engine: standards run as checks over the loaded returns of one period.

Each measure compiles to ONE DuckDB query over every provider of the period at once,
so a national run costs one scan per measure, not one per provider. The query gives
the figures (numerator, denominator, value, the 95% interval, the all-provider
benchmark); the rating, the Fingertips comparison (its limits allowing for the spread between
providers, stats.dispersion) and whether the data can tell the
rating (`within`) are then decided in Python by `Measure.rate`, `stats.compare` and
`Kind.ratings_within`, the single definitions the dashboard and the workshop share.
Expressions come only from `expressions.compile_expression` (a whitelist), and a
missing date or value never counts as met: every condition is wrapped in
`coalesce(..., false)`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from audits import spec, stats
from audits.expressions import ExpressionError
from audits.kinds import kind_of
from audits.standard_model import Measure, Standard, combine_ratings

if TYPE_CHECKING:  # imported where used: `python -m audits run` imports it on a thread of its own
    import pandas

MEASURE_COLUMNS = [
    "provider_id",
    "period",
    "standard_id",
    "standard_version",
    "measure_id",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "rating",
    "numerator_rows",
    "denominator_rows",
    "benchmark",
    "between_variance",
    "comparison",
    "uncertain",
]
STANDARD_COLUMNS = ["provider_id", "period", "standard_id", "standard_version", "rating", "uncertain"]


@dataclass
class EngineResult:
    """measures: one row per provider and measure (the columns of the results table
    without run_id); standards: one row per provider and standard; providers: every
    provider with a current return in the period; failed: standards left out because they could
    not be worked out on these returns, with the reason in plain words."""

    measures: pandas.DataFrame
    standards: pandas.DataFrame
    providers: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # standard id -> why it could not be worked out


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Switch off file and network access for the whole database instance (belt and
    braces behind the expression whitelist). It cannot be switched back on while the
    instance is open, so only call it on a connection opened for the checks."""
    con.execute("SET enable_external_access = false")


def compile_measure(measure: Measure) -> str:
    """The one DuckDB query of a measure, with the parameter $period: its kind's (audits.kinds).

    Columns: provider_id, numerator, denominator, value, numerator_rows, denominator_rows,
    lo95, hi95, benchmark. A provider with a current return but no rows in the
    table still gets a row (denominator 0).
    """
    return kind_of(measure).sql(measure)


def evaluate_measure(con: duckdb.DuckDBPyConnection, standard: Standard, measure: Measure, period: str) -> list[dict]:
    """One measure over every provider of the period: one query, then rating, comparison and
    the ratings its 95% interval allows (`within`: kept for the standard's uncertainty, not stored).
    The comparison allows for the usual spread between the providers compared
    (`between_variance`, kept on every row so that the funnel draws the very same limits)."""
    try:
        sql = compile_measure(measure)
    except ExpressionError as error:
        raise ExpressionError(
            [f"standard '{standard.id}', measure '{measure.id}': {p}" for p in error.problems]
        ) from None
    rows = con.execute(sql, {"period": period}).fetchall()
    people = spec.TABLES[measure.table].counts_people
    optional_table = not spec.TABLES[measure.table].required_file
    direction = measure.green.higher_is_better
    kind = kind_of(measure)
    rated = [(row, measure.rate(row[3], row[5], optional_table)) for row in rows]
    spread = between_variance(
        [(value, den_rows, benchmark) for (_, _, _, value, _, den_rows, _, _, benchmark), rating in rated
         if kind.compared and direction is not None and rating != "no_data"],
        kind.scale,
    )  # fmt: skip
    out = []
    for (provider_id, numerator, denominator, value, num_rows, den_rows, lo95, hi95, benchmark), rating in rated:
        comparison = "not_compared"
        if kind.compared and rating != "no_data":
            comparison = stats.compare(value, den_rows, benchmark, direction, kind.scale, spread.tau2)
        possible = within(measure, {"rating": rating, "ci_lower": lo95, "ci_upper": hi95, "denominator_rows": den_rows})
        out.append(
            {
                "provider_id": provider_id,
                "period": period,
                "standard_id": standard.id,
                "standard_version": standard.version,
                "measure_id": measure.id,
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
                "ci_lower": lo95,
                "ci_upper": hi95,
                "rating": rating,
                # unweighted rows, kept only for tables of people: what suppression reads
                "numerator_rows": num_rows if people else None,
                "denominator_rows": den_rows if people else None,
                "benchmark": benchmark,
                # the same for every provider of the measure: what the comparison and the funnel allow
                "between_variance": spread.tau2 if kind.compared else None,
                "comparison": comparison,
                "uncertain": len(possible) > 1,
                "within": possible,
            }
        )
    return out


def between_variance(figures: list[tuple], scale: float = 1.0) -> stats.Dispersion:
    """The spread between providers (stats.dispersion) of the figures compared with the benchmark:
    (value, rows, benchmark) of each provider, on the measure's scale (a rate per 1,000 with scale
    1000), the benchmark the same for all. Worked out over exactly the providers `stats.compare`
    is asked about, so the limits each is judged by allow for the spread of those figures alone.
    The engine gives it the exact figures; disclosure control the shown ones (audits.disclosure)."""
    kept = [
        (value / scale, rows, benchmark / scale)
        for value, rows, benchmark in figures
        if not (stats.is_missing(value) or stats.is_missing(rows) or stats.is_missing(benchmark)) and rows > 0
    ]
    if not kept:
        return stats.Dispersion(float("nan"), 0.0, 0)
    return stats.dispersion([k[0] for k in kept], [float(k[1]) for k in kept], kept[0][2])


def within(measure: Measure, row) -> set[str]:
    """Every rating a result could have for a figure anywhere in its 95% interval: just its own
    rating when it has no interval (or none shown), when it is not rated, and for figures that
    are not about people (a count of a provider's own sites, documents or indicators is
    complete, with nothing left to chance)."""
    rating, lower, upper = row["rating"], row.get("ci_lower"), row.get("ci_upper")
    kind = kind_of(measure)
    exact = not kind.has_interval or not spec.TABLES[measure.table].counts_people
    if rating == "no_data" or exact or stats.is_missing(lower) or stats.is_missing(upper):
        return {rating}
    optional_table = not spec.TABLES[measure.table].required_file
    return {rating} | kind.ratings_within(measure, lower, upper, row.get("denominator_rows"), optional_table)


def standard_uncertain(rating: str, within: list[set[str]]) -> bool:
    """Could the standard's rating be different for figures anywhere within its measures'
    95% intervals? Each measure's possible ratings (`within`), combined every way."""
    if all(len(w) == 1 for w in within):
        return False
    return any(combine_ratings(list(choice)) != rating for choice in itertools.product(*within))


def providers_of(con: duckdb.DuckDBPyConnection, period: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT provider_id FROM current_submissions WHERE kind = 'return' AND period = ? ORDER BY provider_id",
        [period],
    ).fetchall()
    return [r[0] for r in rows]


def evaluate(
    con: duckdb.DuckDBPyConnection, standards: list[Standard], period: str, *, include_unapproved: bool = False
) -> EngineResult:
    """Every measure of the approved standards over every provider of the period.

    Drafts and retired standards are skipped unless include_unapproved (the workshop's
    preview of a standard still being written).
    """
    spec.parse_period(period)
    measure_rows: list[dict] = []
    standard_rows: list[dict] = []
    failed: dict[str, str] = {}
    for standard in standards:
        if not (standard.audited or include_unapproved):
            continue
        rows: list[dict] = []
        try:
            for measure in standard.measures:
                rows += evaluate_measure(con, standard, measure, period)
        except duckdb.Error as error:
            # One standard that cannot be worked out on these returns (a trial run when it was
            # checked should have caught it) fails alone: the rest are still audited.
            said = str(error).splitlines()[0]
            failed[standard.id] = (
                f"measure '{measure.id}' could not be worked out on the returns of {period} (the database "
                f"said “{said}”), so this standard was left out of the audit. Ask the expert citizens "
                "group to check its conditions (python -m audits standards check)"
            )
            continue
        measure_rows += rows
        by_provider: dict[str, list[dict]] = {}
        for row in rows:
            by_provider.setdefault(row["provider_id"], []).append(row)
        for provider_id in sorted(by_provider):
            mine = by_provider[provider_id]
            rating = combine_ratings([r["rating"] for r in mine])
            standard_rows.append(
                {
                    "provider_id": provider_id,
                    "period": period,
                    "standard_id": standard.id,
                    "standard_version": standard.version,
                    "rating": rating,
                    "uncertain": standard_uncertain(rating, [r.pop("within") for r in mine]),
                }
            )
    import pandas  # here, not at the top: see audits.runs._import_aside

    measures = pandas.DataFrame(measure_rows, columns=MEASURE_COLUMNS)
    measures = stats.row_counts(measures)
    return EngineResult(
        measures=measures,
        standards=pandas.DataFrame(standard_rows, columns=STANDARD_COLUMNS),
        providers=providers_of(con, period),
        failed=failed,
    )
