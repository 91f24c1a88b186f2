"""The engine: standards run as checks over the loaded returns of one period.

Each measure compiles to ONE DuckDB query over every provider of the period at once,
so a national run costs one scan per measure, not one per provider. The query gives
the figures (numerator, denominator, value, Wilson intervals at 95% and 99.8%, the
all-provider benchmark); the rating and the Fingertips comparison are then decided
in Python by `Measure.rate` and `stats.compare`, the single definitions the dashboard
and the workshop share. Expressions come only from `expressions.compile_expression`
(a whitelist), and a missing date or value never counts as met: every condition is
wrapped in `coalesce(..., false)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas

from audits import spec, stats
from audits.expressions import ExpressionError, compile_expression
from audits.standard import Measure, Standard, combine_ratings

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
    "comparison",
]
STANDARD_COLUMNS = ["provider_id", "period", "standard_id", "standard_version", "rating"]

# Weighted sums are rounded so that parallel summation order cannot change the last
# bit of a figure between two runs over the same inputs.
_WEIGHT_DECIMALS = 9


@dataclass
class EngineResult:
    """measures: one row per provider and measure (the columns of the results table
    without run_id); standards: one row per provider and standard; providers: every
    provider with a current return in the period."""

    measures: pandas.DataFrame
    standards: pandas.DataFrame
    providers: list[str] = field(default_factory=list)


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Switch off file and network access for the whole database instance (belt and
    braces behind the expression whitelist). It cannot be switched back on while the
    instance is open, so only call it on a connection opened for the checks."""
    con.execute("SET enable_external_access = false")


def _condition(text: str | None, table: str) -> str:
    if not text:
        return "true"
    return f"coalesce({compile_expression(text, table, expect='condition')}, false)"


def _number(text: str, table: str) -> str:
    return f"({compile_expression(text, table, expect='number')})::DOUBLE"


_PROVIDERS = (
    "providers AS (SELECT DISTINCT provider_id FROM submissions "
    "WHERE kind = 'return' AND is_current AND period = $period)"
)


def compile_measure(measure: Measure) -> str:
    """The one DuckDB query of a measure, with the parameter $period.

    Columns: provider_id, numerator, denominator, value, numerator_rows,
    denominator_rows, lo95, hi95, lo998, hi998, benchmark. A provider with a current
    return but no rows in the table still gets a row (denominator 0).
    """
    table = measure.table
    where = _condition(measure.where, table)
    if measure.kind == "proportion":
        count_if = _condition(measure.count_if, table)
        weight = _number(measure.weight, table) if measure.weight else "1.0"
        # Only rows meeting `where` are read into the aggregate: they are the denominator.
        rows = (
            f"SELECT provider_id, {count_if} AS in_num, coalesce({weight}, 0.0) AS w "
            f"FROM cur_{table} WHERE period = $period AND {where}"
        )
        if measure.weight:
            num = f"round(fsum(w) FILTER (WHERE in_num), {_WEIGHT_DECIMALS})"
            den = f"round(fsum(w), {_WEIGHT_DECIMALS})"
        else:
            num = "count(*) FILTER (WHERE in_num)"
            den = "count(*)"
        agg = (
            f"SELECT provider_id, {num} AS numerator, {den} AS denominator, "
            "count(*) FILTER (WHERE in_num) AS numerator_rows, "
            "count(*) AS denominator_rows FROM rows GROUP BY provider_id"
        )
        # The interval of a weighted share uses n = rows in the denominator.
        x = "value * denominator_rows" if measure.weight else "numerator"
        lo95, hi95 = stats.wilson_sql(x, "denominator_rows", stats.Z95)
        lo998, hi998 = stats.wilson_sql(x, "denominator_rows", stats.Z998)
        benchmark = (
            f"round(sum(numerator) OVER (), {_WEIGHT_DECIMALS}) "
            f"/ nullif(round(sum(denominator) OVER (), {_WEIGHT_DECIMALS}), 0)"
        )
        return f"""
WITH {_PROVIDERS},
rows AS ({rows}),
agg AS ({agg}),
per AS (
  SELECT p.provider_id,
         coalesce(a.numerator, 0)::DOUBLE AS numerator, coalesce(a.denominator, 0)::DOUBLE AS denominator,
         coalesce(a.numerator_rows, 0) AS numerator_rows, coalesce(a.denominator_rows, 0) AS denominator_rows
  FROM providers p LEFT JOIN agg a USING (provider_id)
),
shares AS (SELECT *, CASE WHEN denominator > 0 THEN numerator / denominator END AS value FROM per)
SELECT provider_id, numerator, denominator, value, numerator_rows, denominator_rows,
       {lo95} AS lo95, {hi95} AS hi95, {lo998} AS lo998, {hi998} AS hi998,
       {benchmark} AS benchmark
FROM shares ORDER BY provider_id"""
    if measure.kind == "count":
        return f"""
WITH {_PROVIDERS},
rows AS (SELECT provider_id, {where} AS in_num FROM cur_{table} WHERE period = $period),
agg AS (SELECT provider_id, count(*) FILTER (WHERE in_num) AS numerator_rows, count(*) AS denominator_rows
        FROM rows GROUP BY provider_id)
SELECT p.provider_id, coalesce(a.numerator_rows, 0)::DOUBLE AS numerator,
       coalesce(a.denominator_rows, 0)::DOUBLE AS denominator, coalesce(a.numerator_rows, 0)::DOUBLE AS value,
       coalesce(a.numerator_rows, 0) AS numerator_rows, coalesce(a.denominator_rows, 0) AS denominator_rows,
       NULL::DOUBLE AS lo95, NULL::DOUBLE AS hi95, NULL::DOUBLE AS lo998, NULL::DOUBLE AS hi998,
       NULL::DOUBLE AS benchmark
FROM providers p LEFT JOIN agg a USING (provider_id) ORDER BY p.provider_id"""
    # median: of the value over rows meeting where that have a value
    value = _number(measure.value, table)
    return f"""
WITH {_PROVIDERS},
rows AS (SELECT provider_id, {value} AS v FROM cur_{table} WHERE period = $period AND {where}),
agg AS (SELECT provider_id, median(v) AS value, count(v) AS denominator_rows FROM rows GROUP BY provider_id)
SELECT p.provider_id, NULL::DOUBLE AS numerator, coalesce(a.denominator_rows, 0)::DOUBLE AS denominator,
       a.value::DOUBLE AS value, NULL::BIGINT AS numerator_rows, coalesce(a.denominator_rows, 0) AS denominator_rows,
       NULL::DOUBLE AS lo95, NULL::DOUBLE AS hi95, NULL::DOUBLE AS lo998, NULL::DOUBLE AS hi998,
       (SELECT median(v) FROM rows)::DOUBLE AS benchmark
FROM providers p LEFT JOIN agg a USING (provider_id) ORDER BY p.provider_id"""


def evaluate_measure(con: duckdb.DuckDBPyConnection, standard: Standard, measure: Measure, period: str) -> list[dict]:
    """One measure over every provider of the period: one query, then rating and comparison."""
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
    out = []
    for provider_id, numerator, denominator, value, num_rows, den_rows, lo95, hi95, lo998, hi998, benchmark in rows:
        rating = measure.rate(value, den_rows)
        if measure.kind == "count" and optional_table and not den_rows:
            # An optional file (documents) left out, or empty, shows nothing either way:
            # a count of 0 there would be a green nobody earned.
            rating = "no_data"
        comparison = "not_compared"
        if measure.kind == "proportion" and rating != "no_data":
            comparison = stats.compare(value, lo95, hi95, lo998, hi998, benchmark, direction)
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
                "comparison": comparison,
            }
        )
    return out


def providers_of(con: duckdb.DuckDBPyConnection, period: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT provider_id FROM submissions WHERE kind = 'return' AND is_current "
        "AND period = ? ORDER BY provider_id",
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
    for standard in standards:
        if not (standard.audited or include_unapproved):
            continue
        rows: list[dict] = []
        for measure in standard.measures:
            rows += evaluate_measure(con, standard, measure, period)
        measure_rows += rows
        by_provider: dict[str, list[str]] = {}
        for row in rows:
            by_provider.setdefault(row["provider_id"], []).append(row["rating"])
        for provider_id in sorted(by_provider):
            standard_rows.append(
                {
                    "provider_id": provider_id,
                    "period": period,
                    "standard_id": standard.id,
                    "standard_version": standard.version,
                    "rating": combine_ratings(by_provider[provider_id]),
                }
            )
    measures = pandas.DataFrame(measure_rows, columns=MEASURE_COLUMNS)
    for column in ("numerator_rows", "denominator_rows"):
        measures[column] = measures[column].astype("Int64")
    return EngineResult(
        measures=measures,
        standards=pandas.DataFrame(standard_rows, columns=STANDARD_COLUMNS),
        providers=providers_of(con, period),
    )
