"""A proportion: the share of rows meeting `count_if` among those meeting `where`.

"72.5% (29 of 40 people)". A Wilson 95% interval (the Fingertips formula, in SQL by
audits.stats.wilson_sql) and the benchmark pooled over every provider of the period, this one
included (audits.method says why); the comparison with it is audits.stats.compare. A
`weight` (such as fte) weights the rows; the interval then uses the number of rows as n.
"""

from __future__ import annotations

from audits import sentences, stats, words
from audits.kinds.base import WEIGHT_DECIMALS, Kind, Over, condition, number, providers, source


def share_sql(measure, over: str | None = None) -> str:
    """The query of a share; a rate per 1,000 scales the same query (audits.kinds.rate)."""
    table = measure.table
    where = condition(measure.where, table)
    count_if = condition(measure.count_if, table)
    weight = number(measure.weight, table) if measure.weight else "1.0"
    # Only rows meeting `where` are read into the aggregate: they are the denominator.
    rows = (
        f"SELECT provider_id, {count_if} AS in_num, coalesce({weight}, 0.0) AS w "
        f"FROM {source(table, over)} WHERE period = $period AND {where}"
    )
    if measure.weight:
        num = f"round(fsum(w) FILTER (WHERE in_num), {WEIGHT_DECIMALS})"
        den = f"round(fsum(w), {WEIGHT_DECIMALS})"
    else:
        num = "count(*) FILTER (WHERE in_num)"
        den = "count(*)"
    agg = (
        f"SELECT provider_id, {num} AS numerator, {den} AS denominator, "
        "count(*) FILTER (WHERE in_num) AS numerator_rows, "
        "count(*) AS denominator_rows FROM rows GROUP BY provider_id"
    )
    if isinstance(over, Over) and over.counted is not None and counts(measure) is not None:
        # rows counted already (by `counts`), each finer key's counts added up into every key it
        # stands for: whole numbers, so the same counts, of the same type, as counting the rows
        rows = None
        agg = (
            "SELECT provider_id, sum(n)::BIGINT AS numerator, sum(d)::BIGINT AS denominator, "
            "sum(n)::BIGINT AS numerator_rows, sum(d)::BIGINT AS denominator_rows "
            f"FROM (SELECT unnest({over.rollup}) AS provider_id, n, d FROM ({over.counted})) GROUP BY provider_id"
        )
    # The interval of a weighted share uses n = rows in the denominator.
    x = "value * denominator_rows" if measure.weight else "numerator"
    lo95, hi95 = stats.wilson_sql(x, "denominator_rows", stats.Z95)
    benchmark = (
        f"round(sum(numerator) OVER (), {WEIGHT_DECIMALS}) "
        f"/ nullif(round(sum(denominator) OVER (), {WEIGHT_DECIMALS}), 0)"
    )
    return f"""
WITH {providers(table, over)},{f"{chr(10)}rows AS ({rows})," if rows else ""}
agg AS ({agg}),
per AS (
  SELECT p.provider_id,
         coalesce(a.numerator, 0)::DOUBLE AS numerator, coalesce(a.denominator, 0)::DOUBLE AS denominator,
         coalesce(a.numerator_rows, 0) AS numerator_rows, coalesce(a.denominator_rows, 0) AS denominator_rows
  FROM providers p LEFT JOIN agg a USING (provider_id)
),
shares AS (SELECT *, CASE WHEN denominator > 0 THEN numerator / denominator END AS value FROM per)
SELECT provider_id, numerator, denominator, value, numerator_rows, denominator_rows,
       {lo95} AS lo95, {hi95} AS hi95,
       {benchmark} AS benchmark
FROM shares ORDER BY provider_id"""


def counts(measure) -> tuple[str, str] | None:
    """The rows an unweighted share counts, as SQL aggregates over its table's rows: (numerator,
    denominator), the rows meeting `where` and `count_if`, and those meeting `where`. None for a
    weighted share (its figures are sums of weights, not counts)."""
    if measure.weight:
        return None
    where = condition(measure.where, measure.table)
    count_if = condition(measure.count_if, measure.table)
    return f"count(*) FILTER (WHERE {where} AND {count_if})", f"count(*) FILTER (WHERE {where})"


def groups(measure) -> dict[str, list[tuple[str | None, bool]]]:
    """Who a share counts: the rows looked at (`where`), those of them meeting `count_if`,
    and those not meeting it (a missing value never meets it)."""
    return {
        "denominator": [(measure.where, False)],
        "numerator": [(measure.where, False), (measure.count_if, False)],
        "complement": [(measure.where, False), (measure.count_if, True)],
    }


def share(numerator: float, denominator: float) -> float:
    return numerator / denominator


def figure_words(measure, row) -> str:
    counted = words.unit(measure.table, row["denominator"], bool(measure.weight))
    return (
        f"{words.percent(row['value'])} ({words.number(row['numerator'])} of "
        f"{words.number(row['denominator'])} {counted})"
    )


def sentence(measure, with_rules: bool = True) -> str:
    """ "Of people referred this quarter, the share with ... Met at 90% or more ..." """
    said = f"Of {sentences.population(measure)}, the share {sentences.counted_words(measure)}."
    return f"{said} {sentences.rules(measure)}" if with_rules else said


KIND = Kind(
    name="proportion",
    title="A share",
    explanation="the share of the rows looked at that meet a condition, such as the share of people "
    "contacted within 3 days of referral",
    needs=("count_if",),
    allows=("weight",),
    percent=True,
    minimum_count=True,
    has_interval=True,
    compared=True,
    sql=share_sql,
    value_words=words.percent,
    figure_words=figure_words,
    sentence=sentence,
    threshold_unit=lambda measure: "",
    groups=groups,
    counts=counts,
    value_from_counts=share,
    shown_decimals=3,
)
