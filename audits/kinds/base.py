"""What every kind of measure says about itself (audits.kinds registers them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from audits import kinds
from audits.expressions import compile_expression

# The columns every kind's query returns, in this order, one row per provider of the period.
QUERY_COLUMNS = (
    "provider_id", "numerator", "denominator", "value", "numerator_rows", "denominator_rows",
    "lo95", "hi95", "benchmark",
)  # fmt: skip

# Providers with a current return in the period: every one gets a row, with or without data.
PROVIDERS = (
    "providers AS (SELECT DISTINCT provider_id FROM current_submissions WHERE kind = 'return' AND period = $period)"
)


class Over(NamedTuple):
    """What a measure's query reads instead of cur_<table> (audits.breakdowns): `rows`, a relation
    with the table's columns whose provider_id stands for a finer key, and `keys`, a relation of
    the keys that get a row (column provider_id). Given as a plain string, the keys are those the
    rows hold.

    A kind whose figures are counts of rows (Kind.counts: an unweighted share) may read `counted`
    instead: a relation of finer keys (provider_id) with the rows each counts (n, of the kind's
    numerator, and d, of its denominator), and `rollup`, SQL over provider_id giving the list of
    `rows`' keys a finer key stands for. The kind adds each finer key's counts up into every key
    of its list: the same whole numbers as counting `rows`, while every measure of a table is
    counted in one pass over its rows (audits.breakdowns; issue 15: an audit under 2 s)."""

    rows: str
    keys: str
    counted: str | None = None
    rollup: str | None = None


def source(table: str, over: str | Over | None = None) -> str:
    """The rows a measure's query reads: the view cur_<table>, or `over`, a relation with its
    columns whose provider_id stands for a finer key (audits.breakdowns: a provider and a group of
    people), so that the one query of each kind also gives every group's figures."""
    if over is None:
        return f"cur_{table}"
    return f"({over.rows if isinstance(over, Over) else over}) AS cur_{table}"


def providers(table: str, over: str | Over | None = None) -> str:
    """The keys every query gives a row: the providers with a current return in the period, or,
    over `over`, its keys (every key its rows hold, when it names none)."""
    if over is None:
        return PROVIDERS
    if isinstance(over, Over):
        return f"providers AS ({over.keys})"
    return f"providers AS (SELECT DISTINCT provider_id FROM {source(table, over)} WHERE period = $period)"


# Weighted sums are rounded so that parallel summation order cannot change the last bit of a
# figure between two runs over the same inputs.
WEIGHT_DECIMALS = 9


def condition(text: str | None, table: str) -> str:
    """A whitelisted condition as SQL; a missing date or value never counts as met."""
    if not text:
        return "true"
    return f"coalesce({compile_expression(text, table, expect='condition')}, false)"


def number(text: str, table: str) -> str:
    """A whitelisted number expression as SQL DOUBLE."""
    return f"({compile_expression(text, table, expect='number')})::DOUBLE"


@dataclass(frozen=True)
class Kind:
    """One kind of measure. Plain data and functions, so a kind reads top to bottom."""

    name: str
    # For people writing standards: the kind in a few words, and what it means.
    title: str
    explanation: str
    # Fields of a measure: those it must have, those it may have (beyond id, label, table,
    # kind, where, green, amber, min_count, which every kind has).
    needs: tuple[str, ...]
    allows: tuple[str, ...]
    # Thresholds are percentages (a share) or plain numbers (counts, days, a rate per 1,000).
    percent: bool
    # Rated only with at least min_count rows (a share or a median of 3 people says little).
    minimum_count: bool
    # A 95% interval (Wilson for a share, order statistics for a median): what the rating's
    # uncertainty and a change's significance are read from.
    has_interval: bool
    # Compared with the all-provider benchmark, as Fingertips compares a share (stats.compare).
    compared: bool
    # The one query over every provider of the period (QUERY_COLUMNS, parameter $period);
    # sql(measure, over) reads `over` instead of cur_<table> (base.source: audits.breakdowns).
    sql: Callable
    # How a value of this kind is said ('72.5%', '3', '4.2 per 1,000') ...
    value_words: Callable[[float], str]
    # ... and a whole figure with what it was counted over ('72.5% (29 of 40 people)').
    figure_words: Callable
    # The read-back sentence of a measure of this kind (audits.sentences): "Of people referred
    # this quarter, the share ... Met at 90% or more ..."; with_rules=False leaves out the rule.
    sentence: Callable[..., str]
    # What follows a threshold's number in words: '' (a share's % is written with it), ' days'
    # for a middle number of days, ' per 1,000' for a rate.
    threshold_unit: Callable[[object], str]
    # What the threshold's number is on, for messages: 'a share', 'a number of rows'.
    scale_words: str = ""
    # A compared figure is its share times this (1,000 for a rate per 1,000).
    scale: float = 1.0
    # For disclosure control (audits.disclosure): the groups of rows a measure counts, as
    # conditions (role -> [(condition text, negated)]), and the value a numerator and a
    # denominator give (None for a kind whose value is not a ratio of counts, such as a median).
    groups: Callable = lambda measure: {}
    # For a kind whose figures are counts of rows: SQL aggregates (n, d) over the table's rows
    # counting the numerator's rows and the denominator's (Over.counted); None for any other.
    counts: Callable = lambda measure: None
    value_from_counts: Callable[[float, float], float] | None = None
    # Decimal places of the value as people are shown it (0.725 is shown "72.5%": 3).
    shown_decimals: int = 1
    # Whether the results contract (standards-format.md) gives the figure an interval: a median's is
    # worked out and shown, but the exported results leave ci_lower and ci_upper empty for it.
    interval_exported: bool = True

    def threshold_problem(self, threshold) -> str | None:
        """Why a threshold does not fit this kind, in plain words, or None."""
        if self.percent:
            if threshold.percent and not 0 <= threshold.number <= 100:
                return f"'{threshold.text}' is outside 0% to 100%"
            if not threshold.percent and threshold.number != 0:
                return (
                    f"a {self.name} is a share, so write the threshold as a percentage, "
                    f'like "{threshold.op} {threshold.number:g}%"'
                )
            return None
        if threshold.percent:
            return f'a {self.name} is {self.scale_words}, not a percentage: write "{threshold.op} {threshold.number:g}"'
        return None

    def field_problem(self, measure) -> tuple[str, str] | None:
        """(field, message) for the first field the kind needs but lacks, or has but may not."""
        for name in self.needs:
            if not getattr(measure, name, None):
                return "kind", f"a {self.name} needs {name}: {FIELD_WORDS[name]}"

        for name in OPTIONAL_FIELDS:
            if getattr(measure, name, None) and name not in self.needs + self.allows:
                users = " or a ".join(k.name for k in kinds.KINDS.values() if name in k.needs + k.allows)
                tail = f"; a {self.name} uses where" if name == "count_if" else ""
                return name, f"{name} is only for a {users}{tail}"
        return None

    def rate(self, measure, value, denominator_rows, optional_table: bool) -> str:
        """green, amber, red or no_data: too few rows to tell, or nothing to measure."""
        if value is None or value != value:  # None or NaN
            return "no_data"
        if self.minimum_count and (denominator_rows or 0) < measure.min_count:
            return "no_data"
        if not self.minimum_count and optional_table and not denominator_rows:
            # An optional file (documents) left out, or empty, shows nothing either way: a
            # count of 0 there would be a green nobody earned.
            return "no_data"
        if measure.green.met(value):
            return "green"
        if measure.amber is not None and measure.amber.met(value):
            return "amber"
        return "red"

    def ratings_within(self, measure, lower, upper, denominator_rows, optional_table: bool) -> set[str]:
        """Every rating a figure anywhere in [lower, upper] (its 95% interval) would get: one
        when the data can tell, more when the interval reaches across a threshold.

        Ratings change only at the thresholds, so the interval's ends, the thresholds inside
        it and a point between each two of those are every case there is.
        """
        if lower is None or upper is None or lower != lower or upper != upper:
            return set()
        bars = [t.target for t in (measure.green, measure.amber) if t is not None and lower <= t.target <= upper]
        points = sorted({lower, upper, *bars})
        probes = points + [(a + b) / 2 for a, b in zip(points, points[1:])]
        return {self.rate(measure, p, denominator_rows, optional_table) for p in probes}


FIELD_WORDS = {
    "count_if": "the condition a row must meet to count",
    "value": "the number taken from each row",
    "weight": "the column each row is weighted by",
}
OPTIONAL_FIELDS = ("count_if", "value", "weight")
