"""A measure's breakdown as a table of words, the same for the dashboard and the PDF: one row a
group of people, its figure, its 95% interval and how it compares with everyone's figure
(audits.words). Reads the rows the engine kept (exact or public); works nothing out again."""

from __future__ import annotations

import pandas as pd

from audits import breakdowns, words
from audits.standard import Measure

COLUMNS = ["Group", "Figure", "95% interval", "Compared with everyone"]


def table(rows: pd.DataFrame, measure: Measure, dimension: str) -> pd.DataFrame:
    """One dimension's groups of one measure, in the specification's order, as words."""
    mine = rows[(rows["measure_id"] == measure.id) & (rows["dimension"] == dimension)]
    mine = breakdowns.in_order(mine) if not mine.empty else mine
    records = mine.to_dict("records")
    return pd.DataFrame(
        {
            "Group": [words.group(dimension, r["grp"]) for r in records],
            "Figure": [words.group_figure(measure, r) for r in records],
            "95% interval": [words.interval(measure, r) for r in records],
            "Compared with everyone": [words.group_comparison(r) for r in records],
        },
        columns=COLUMNS,
    )
