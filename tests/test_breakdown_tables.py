"""A measure's breakdown as a table of words (audits.breakdown_tables), as the dashboard and the PDF show it."""

from __future__ import annotations

import pandas as pd

from audits import breakdown_tables, words
from audits.standard_model import Measure

SHARE = Measure(
    id="m", label="m", table="episodes", kind="proportion", count_if="choice_offered", green=">= 90%", amber=">= 75%"
)


def public_rows() -> pd.DataFrame:
    """A provider whose measure as a whole counts 3 of 40 people: every group's count hidden (reason
    whole), the group of nobody too, as audits.disclosure_breakdowns hides them."""
    whole = {"provider_id": "P1", "standard_id": "s", "measure_id": "m", "dimension": "sex", "value": None}
    whole |= {"hidden": "numerator", "reason": "whole", "numerator": None, "ci_lower": None, "ci_upper": None}
    whole |= {"numerator_rows": None, "denominator_rows": None, "comparison": "not_compared"}
    return pd.DataFrame(
        [
            whole | {"grp": "female", "denominator": 22.0},
            whole | {"grp": "male", "denominator": 18.0},
            whole | {"grp": "other", "denominator": 0.0},
        ]
    )


def test_a_group_of_nobody_says_so_even_with_the_count_of_a_small_whole_hidden():
    rows = public_rows()
    table = breakdown_tables.table(rows, SHARE, "sex")
    figures = dict(zip(table["Group"], table["Figure"]))
    # its count can only be 0, which its shown denominator says: not "not shown (out of 0 people)"
    assert figures["Other"] == "No people"
    compared = dict(zip(table["Group"], table["Compared with everyone"]))
    assert compared["Other"] == words.GROUP_COMPARISONS["not_compared"]
    assert compared["Female"] == "Not compared: the figure is not shown*"
    # why is said once, above the groups, not in each row
    assert figures["Female"] == "Not shown* (out of 22 people)"
    assert breakdown_tables.not_broken_down(rows.to_dict("records")) == "sizes"
    # and the short PDF lists it with the other empty groups, on one line
    assert breakdown_tables.empty_groups(rows, SHARE, "sex") == ["Other"]
    assert list(breakdown_tables.table(rows, SHARE, "sex", without_empty=True)["Group"]) == ["Female", "Male"]


def test_a_measure_not_broken_down_says_so_once_and_a_broken_down_one_says_nothing():
    rows = public_rows()
    # fewer than 5 people in all: not even a group's size is shown, so there is no table to draw
    nothing = rows.assign(hidden="all", denominator=None).to_dict("records")
    assert breakdown_tables.not_broken_down(nothing) == breakdown_tables.NO_TABLE
    assert breakdown_tables.word_rows(nothing, SHARE, "sex")[0][1] == "Not shown*"
    # a group hidden for its own small count, the others shown: each row says why it is hidden
    own = rows.assign(hidden=["numerator", "", ""], reason=["small", "", ""], numerator=[None, 9.0, 0.0])
    own = own.assign(value=[None, 0.5, None]).to_dict("records")
    assert breakdown_tables.not_broken_down(own) == ""
    assert breakdown_tables.word_rows(own, SHARE, "sex")[0][1].startswith("Not shown*: it would reveal")
