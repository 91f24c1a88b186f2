"""Whether a shown rating is marked uncertain in what is published (audits.verdicts): only
from figures the reader can see, so the mark never tells anything of a hidden count."""

from __future__ import annotations

import pandas as pd
from test_engine import proportion, standard

from audits import stats, verdicts

TWO = standard(
    [
        {**proportion("choice_offered", ">= 90%", amber=">= 75%"), "id": "a"},
        {**proportion("peer_support_offered", ">= 90%", amber=">= 75%"), "id": "b"},
    ]
)


def _row(measure_id: str, x: int, n: int, rating: str) -> dict:
    low, high = stats.wilson(x, n)
    return {
        "provider_id": "P1",
        "standard_id": TWO.id,
        "measure_id": measure_id,
        "value": x / n,
        "ci_lower": low,
        "ci_upper": high,
        "rating": rating,
        "denominator_rows": n,
    }


SHOWN = pd.DataFrame(
    [{"provider_id": "P1", "standard_id": TWO.id, "rating": "green", "shown": "green", "uncertain": True}]
)


def test_an_uncertain_mark_resting_only_on_a_hidden_figure_is_not_published():
    # 'a': 37 of 41 (90.2%), Met, its interval reaching down to 77%; 'b' Met beyond doubt
    visible = pd.DataFrame([_row("a", 37, 41, "green"), _row("b", 500, 500, "green")])
    assert verdicts.uncertain_as_published(SHOWN, visible, [TWO])["uncertain"].tolist() == [True]
    # the same, with 'a' hidden because 4 people were not offered it (its value and interval blanked)
    hidden = visible.copy()
    hidden.loc[0, ["value", "ci_lower", "ci_upper"]] = float("nan")
    assert verdicts.uncertain_as_published(SHOWN, hidden, [TWO])["uncertain"].tolist() == [False]
