"""A measure's breakdown as a table of words (audits.breakdown_tables), as the dashboard and the PDF show it."""

from __future__ import annotations

import pandas as pd

from audits import breakdown_tables
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
    assert figures["Female"].startswith("Not shown*: not broken down") and "(out of 22 people)" in figures["Female"]
    # and the short PDF lists it with the other empty groups, on one line
    assert breakdown_tables.empty_groups(rows, SHARE, "sex") == ["Other"]
    assert list(breakdown_tables.table(rows, SHARE, "sex", without_empty=True)["Group"]) == ["Female", "Male"]
