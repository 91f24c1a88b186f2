"""A median: the middle `value` over the rows meeting `where`, such as days from referral to
treatment. "12 (median over 40 people)". Rated only with at least min_count values.

Its 95% interval is distribution-free: two of the sorted values, at the ranks that
audits.stats.median_ranks gives (Campbell and Gardner 1988). The interval says how sure the
rating is; a median is not compared with the benchmark (the median over everyone's rows, shown
for reference), as Fingertips has no such test.
"""

from __future__ import annotations

from audits import sentences, stats, words
from audits.kinds.base import Kind, condition, number, providers, source


def sql(measure, over: str | None = None) -> str:
    table = measure.table
    where = condition(measure.where, table)
    value = number(measure.value, table)
    low, high = stats.median_ranks_sql("a.denominator_rows")
    return f"""
WITH {providers(table, over)},
rows AS (SELECT provider_id, {value} AS v FROM {source(table, over)} WHERE period = $period AND {where}),
agg AS (SELECT provider_id, median(v) AS value, count(v) AS denominator_rows,
               list_sort(list(v) FILTER (WHERE v IS NOT NULL)) AS sorted
        FROM rows GROUP BY provider_id)
SELECT p.provider_id, NULL::DOUBLE AS numerator, coalesce(a.denominator_rows, 0)::DOUBLE AS denominator,
       a.value::DOUBLE AS value, NULL::BIGINT AS numerator_rows, coalesce(a.denominator_rows, 0) AS denominator_rows,
       a.sorted[{low}]::DOUBLE AS lo95, a.sorted[{high}]::DOUBLE AS hi95,
       (SELECT median(v) FROM rows)::DOUBLE AS benchmark
FROM providers p LEFT JOIN agg a USING (provider_id) ORDER BY p.provider_id"""


def groups(measure) -> dict[str, list[tuple[str | None, bool]]]:
    """Who a median counts: the rows looked at that have a value (a missing one is left out)."""
    return {"denominator": [(measure.where, False), (f"({measure.value}) is not null", False)]}


def figure_words(measure, row) -> str:
    return (
        f"{words.number(row['value'])} (median over {words.number(row['denominator'])} "
        f"{words.unit(measure.table, row['denominator'])})"
    )


def threshold_unit(measure) -> str:
    """A middle number of days is met at '14 days or less'."""
    return " days" if sentences.is_days(measure.value, measure.table) else ""


def sentence(measure, with_rules: bool = True) -> str:
    """ "Of people referred this quarter, the middle number of days from referral to the first
    supportive contact (people with no date for it are left out). Met at 2 days or less ..." """
    value, left_out = sentences.number_words(measure.value, measure.table)
    days = sentences.is_days(measure.value, measure.table)
    middle = f"the middle number of {value}" if days else f"the middle {value}"
    said = f"Of {sentences.population(measure)}, {middle}{f' ({left_out})' if left_out else ''}."
    return f"{said} {sentences.rules(measure)}" if with_rules else said


KIND = Kind(
    name="median",
    title="A middle value",
    explanation="the middle of a number taken from each row, such as the days people waited from "
    "referral to their first appointment",
    needs=("value",),
    allows=(),
    percent=False,
    minimum_count=True,
    has_interval=True,
    interval_exported=False,  # the results contract: a median has no interval
    compared=False,
    sql=sql,
    value_words=words.number,
    figure_words=figure_words,
    sentence=sentence,
    threshold_unit=threshold_unit,
    scale_words="a number such as days",
    groups=groups,
    shown_decimals=1,
)
