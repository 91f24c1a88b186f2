"""A measure's breakdown as a table of words, the same for the dashboard and the PDF: one row a
group of people, its figure, its 95% interval and how it compares with everyone's figure
(audits.words). Reads the rows the engine kept (exact or public); works nothing out again."""

from __future__ import annotations

import pandas as pd

from audits import breakdowns, words
from audits.standard_model import Measure

COLUMNS = ["Group", "Figure", "95% interval", "Compared with everyone"]


def _empty(row) -> bool:
    """A group with nobody in it: its denominator 0 is shown (a hidden numerator can only be 0 then)."""
    return row.get("denominator") == 0


def _records(rows: pd.DataFrame, measure: Measure, dimension: str) -> list[dict]:
    mine = rows[(rows["measure_id"] == measure.id) & (rows["dimension"] == dimension)]
    return (breakdowns.in_order(mine) if not mine.empty else mine).to_dict("records")


NO_TABLE = "no table"  # not_broken_down: nothing of any group can be shown


def not_broken_down(records: list[dict]) -> str:
    """Whether a measure is broken down (every dimension's rows of one measure, as records): ''
    when its groups are shown each for itself; else the provider's figure as a whole is small
    (audits.disclosure_breakdowns' reason WHOLE), which its table says once (words.NOT_BROKEN_DOWN)
    rather than each row: NO_TABLE when nothing of any group can be shown (not even its size, so
    no table is drawn), 'sizes' when some groups' numbers of people can."""
    people = [r for r in records if not _empty(r)]
    if not any(r.get("reason") == "whole" for r in people):
        return ""
    return NO_TABLE if all(words.hidden(r) == "all" for r in people) else "sizes"


def empty_groups(rows: pd.DataFrame, measure: Measure, dimension: str) -> list[str]:
    """The groups with nobody in them, in words (a short PDF lists them on one line)."""
    return empty_groups_of(_records(rows, measure, dimension), dimension)


def empty_groups_of(records: list[dict], dimension: str) -> list[str]:
    """empty_groups of one measure's and dimension's rows already read as records, in order."""
    return [words.group(dimension, r["grp"]) for r in records if _empty(r)]


def table(rows: pd.DataFrame, measure: Measure, dimension: str, without_empty: bool = False) -> pd.DataFrame:
    """One dimension's groups of one measure, in the specification's order, as words;
    without_empty leaves out the groups with nobody in them (empty_groups lists them)."""
    return pd.DataFrame(
        word_rows(_records(rows, measure, dimension), measure, dimension, without_empty), columns=COLUMNS
    )


def word_rows(records: list[dict], measure: Measure, dimension: str, without_empty: bool = False) -> list[list[str]]:
    """table's rows (COLUMNS) from one measure's and dimension's rows already read as records in
    the specification's order: the PDF reads a provider's rows once, not a frame per table."""
    return [
        [
            words.group(dimension, r["grp"]),
            words.group_figure(measure, r),
            words.interval(measure, r),
            words.group_comparison(r),
        ]
        for r in records
        if not (without_empty and _empty(r))
    ]
