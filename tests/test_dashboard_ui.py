"""The dashboard's shared widgets and wording (dashboard/ui.py)."""

from __future__ import annotations

import pandas as pd

from dashboard import ui


def test_what_is_hidden_is_said_per_row_and_a_figure_never_hidden_is_a_dash():
    rows = pd.DataFrame({"hidden": ["all", "", None, "numerator"], "reason": ["small", "", None, "linked"]})
    assert ui.hidden(rows) == ["all", "", "", "numerator"]
    assert ui.hidden(pd.DataFrame({"value": [1.0]})) == [""]  # exact figures: nothing hidden
    assert ui.hidden_counts(rows) == {"small": 1, "linked": 1}
