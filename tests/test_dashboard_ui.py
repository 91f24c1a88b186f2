"""The dashboard's shared widgets and wording (dashboard/ui.py)."""

from __future__ import annotations

import pandas as pd

from dashboard import ui


def test_a_missing_figure_that_was_not_suppressed_is_a_dash():
    rows = pd.DataFrame({"suppressed": [True, False, None]})
    assert ui.suppressed(rows) == [True, False, False]
    assert ui.suppressed(pd.DataFrame({"value": [1.0]})) == [False]  # the auditor's figures: none hidden
