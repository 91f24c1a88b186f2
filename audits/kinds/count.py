"""A count: the number of rows meeting `where`, such as KPIs tied to opiate-free discharges.

"3 (of 12 indicators)". No interval and no minimum count: a count of 0 is a figure in itself,
and a count is exact (every row is counted, nothing is left to chance), so its rating carries
no uncertainty and any change in it is a real change.
A count over an optional file that was left out is 'too few to tell', not a green nobody earned.
"""

from __future__ import annotations

from audits import sentences, vocabulary, words
from audits.kinds.base import Kind, condition, providers, source


def sql(measure, over: str | None = None) -> str:
    table = measure.table
    where = condition(measure.where, table)
    return f"""
WITH {providers(table, over)},
rows AS (SELECT provider_id, {where} AS in_num FROM {source(table, over)} WHERE period = $period),
agg AS (SELECT provider_id, count(*) FILTER (WHERE in_num) AS numerator_rows, count(*) AS denominator_rows
        FROM rows GROUP BY provider_id)
SELECT p.provider_id, coalesce(a.numerator_rows, 0)::DOUBLE AS numerator,
       coalesce(a.denominator_rows, 0)::DOUBLE AS denominator, coalesce(a.numerator_rows, 0)::DOUBLE AS value,
       coalesce(a.numerator_rows, 0) AS numerator_rows, coalesce(a.denominator_rows, 0) AS denominator_rows,
       NULL::DOUBLE AS lo95, NULL::DOUBLE AS hi95, NULL::DOUBLE AS benchmark
FROM providers p LEFT JOIN agg a USING (provider_id) ORDER BY p.provider_id"""


def groups(measure) -> dict[str, list[tuple[str | None, bool]]]:
    """Who a count counts: the rows meeting `where`, out of every row of the table."""
    return {"numerator": [(measure.where, False)], "denominator": [], "complement": [(measure.where, True)]}


def count_value(numerator: float, denominator: float) -> float:
    return numerator


def figure_words(measure, row) -> str:
    return f"{words.number(row['value'])} (of {words.number(row['denominator'])} {words.unit(measure.table)})"


def sentence(measure, with_rules: bool = True) -> str:
    """ "The number of sites without a private waiting area. Met only when there are none." """

    narrowed = sentences.condition_words(measure.where, measure.table) if measure.where else ""
    said = f"The number of {vocabulary.counted(measure.table).noun}{' ' + narrowed if narrowed else ''}."
    return f"{said} {sentences.rules(measure)}" if with_rules else said


KIND = Kind(
    name="count",
    title="A number of rows",
    explanation="how many rows meet a condition, such as the number of contract indicators tied to "
    "opiate-free discharges",
    needs=(),
    allows=(),
    percent=False,
    minimum_count=False,
    has_interval=False,
    compared=False,
    sql=sql,
    value_words=words.number,
    figure_words=figure_words,
    sentence=sentence,
    threshold_unit=lambda measure: "",
    scale_words="a number of rows",
    groups=groups,
    value_from_counts=count_value,
    shown_decimals=0,
)
