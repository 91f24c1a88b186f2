"""A rate per 1,000: how many of every 1,000 rows meet `count_if`, such as missed
appointments followed by a discharge, per 1,000 missed appointments.

The same count as a proportion, said per 1,000 because the events are rare and a
percentage of them reads as "0.4%". Its interval is the proportion's Wilson interval times
1,000 (OHID's method for proportions expressed per 1,000), its benchmark the pooled rate.
Thresholds are numbers per 1,000: "<= 5".
"""

from __future__ import annotations

from audits import sentences, words
from audits.kinds.base import QUERY_COLUMNS, Kind
from audits.kinds.proportion import counts, groups, share_sql

PER = 1000

# Figures of a share that scale: counts and row counts stay as they are.
_SCALED = ("value", "lo95", "hi95", "benchmark")


def sql(measure, over: str | None = None) -> str:
    columns = ", ".join(f"{c} * {PER} AS {c}" if c in _SCALED else c for c in QUERY_COLUMNS)
    return f"SELECT {columns} FROM ({share_sql(measure, over)})"


def per_thousand(numerator: float, denominator: float) -> float:
    return PER * numerator / denominator


def value_words(amount: float) -> str:
    return f"{amount:,.1f} per {PER:,}"


def figure_words(measure, row) -> str:
    counted = words.unit(measure.table, row["denominator"], bool(measure.weight))
    return (
        f"{value_words(row['value'])} ({words.number(row['numerator'])} of "
        f"{words.number(row['denominator'])} {counted})"
    )


def sentence(measure, with_rules: bool = True) -> str:
    """ "Of appointments that were missed, the number in every 1,000 followed by a discharge ..." """
    said = f"Of {sentences.population(measure)}, the number in every {PER:,} {sentences.counted_words(measure)}."
    return f"{said} {sentences.rules(measure)}" if with_rules else said


KIND = Kind(
    name="rate",
    title="A rate per 1,000",
    explanation="how many of every 1,000 rows looked at meet a condition, for things that are rare, "
    "such as discharges after a missed appointment per 1,000 missed appointments",
    needs=("count_if",),
    allows=("weight",),
    percent=False,
    minimum_count=True,
    has_interval=True,
    compared=True,
    sql=sql,
    value_words=value_words,
    figure_words=figure_words,
    sentence=sentence,
    threshold_unit=lambda measure: f" per {PER:,}",
    groups=groups,
    counts=counts,
    value_from_counts=per_thousand,
    shown_decimals=1,
    scale_words="a number per 1,000",
    scale=PER,
)
