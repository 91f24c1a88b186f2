"""What changed since the previous period (audits.changes): better or worse only when the
figures behind a move changed by more than chance; the same rule for every output."""

from __future__ import annotations

import pandas as pd
import pytest

from audits import changes, runs, stats, store, words
from audits.standard_model import Measure

from support.stores import PERIOD, build_store, proportion, standard

SHARE = Measure(id="m", label="m", table="episodes", kind="proportion", count_if="choice_offered", green=">= 80%")
COUNT = Measure(id="k", label="k", table="kpis", kind="count", where="payment_linked", green="= 0")
MEDIAN = Measure(id="d", label="d", table="episodes", kind="median", value="assessments", green="<= 2")
SITES = Measure(
    id="s", label="s", table="sites", kind="proportion", count_if="private_waiting_area", green=">= 100%", min_count=1
)


def share(x: int, n: int, rating: str = "green") -> dict:
    low, high = stats.wilson(x, n)
    return {"value": x / n, "ci_lower": low, "ci_upper": high, "rating": rating}


def test_a_share_changed_only_when_newcombes_interval_leaves_out_no_change():
    assert not changes.figure_changed(SHARE, share(8, 11), share(10, 11))  # 73% to 91%: chance can do that
    assert changes.figure_changed(SHARE, share(20, 100), share(60, 100))
    assert changes.figure_changed(SHARE, share(60, 100), share(20, 100))  # either way
    assert not changes.figure_changed(SHARE, share(8, 11), {"value": None, "ci_lower": None, "ci_upper": None})


def test_counts_and_things_change_exactly_medians_when_their_intervals_part():
    assert changes.figure_changed(COUNT, {"value": 0.0}, {"value": 1.0})
    assert not changes.figure_changed(COUNT, {"value": 2.0}, {"value": 2.0})
    # 2 of 3 sites to 3 of 3: a provider's own sites, counted in full
    assert changes.figure_changed(SITES, share(2, 3), share(3, 3))
    assert not changes.figure_changed(
        MEDIAN, {"value": 3, "ci_lower": 2, "ci_upper": 5}, {"value": 2, "ci_lower": 1, "ci_upper": 3}
    )
    assert changes.figure_changed(
        MEDIAN, {"value": 9, "ci_lower": 7, "ci_upper": 12}, {"value": 2, "ci_lower": 1, "ci_upper": 3}
    )


TWO = standard(
    [
        {**proportion("choice_offered", ">= 80%", amber=">= 60%"), "id": "a"},
        {**proportion("peer_support_offered", ">= 80%", amber=">= 60%"), "id": "b"},
    ]
)


def test_a_standard_moved_clearly_only_if_the_clear_changes_alone_move_it():
    # 'a' fell from Met to Partly met by far more than chance; 'b' from Partly met to Not met by
    # less: the standard went from Partly met to Not met, but the clear change alone leaves it
    # Partly met, so the fall to Not met is not clear
    before = {"a": share(95, 100, "green"), "b": share(7, 10, "amber")}
    now = {"a": share(70, 100, "amber"), "b": share(5, 10, "red")}
    assert changes.standard_clear(TWO, "amber", "red", before, now) is False
    # had 'a' fallen to Not met clearly, the standard's fall would be clear
    now["a"] = share(30, 100, "red")
    assert changes.standard_clear(TWO, "amber", "red", before, now) is True
    # a standard whose figures-rating did not move has no move to test
    assert changes.standard_clear(TWO, "amber", "amber", before, now) is None
    assert changes.standard_clear(TWO, "no_data", "red", before, now) is None


def _frames(moves: dict[str, tuple[str, str, int, int, int, int]]):
    """shown and results frames of two runs: provider -> (shown before, shown now, x before, n
    before, x now, n now) of one standard with one share measure ('a', Met at 80%)."""
    rate = {"green": "green", "provisional": "green", "amber": "amber", "red": "red"}
    shown, shown_before, results, results_before = [], [], [], []
    for provider, (was, now, x0, n0, x1, n1) in moves.items():
        shown_before.append(
            {"provider_id": provider, "standard_id": "test-standard", "shown": was, "rating": rate[was]}
        )
        shown.append({"provider_id": provider, "standard_id": "test-standard", "shown": now, "rating": rate[now]})
        for rows, x, n, rated in ((results_before, x0, n0, rate[was]), (results, x1, n1, rate[now])):
            rows.append(
                {"provider_id": provider, "standard_id": "test-standard", "measure_id": "a", **share(x, n, rated)}
            )
    return [pd.DataFrame(f) for f in (shown, shown_before, results, results_before)]


def test_no_better_or_worse_for_a_change_within_chance():
    shown, shown_before, results, results_before = _frames(
        {
            "P1": ("amber", "green", 8, 11, 10, 11),  # 73% -> 91%: not clearly better
            "P2": ("red", "green", 20, 100, 90, 100),  # 20% -> 90%: clearly better
            "P3": ("green", "red", 95, 100, 30, 100),  # clearly worse
            "P4": ("green", "amber", 9, 10, 7, 10),  # 90% -> 70%: not clearly worse
            "P5": ("green", "provisional", 90, 100, 91, 100),  # the same figures, no story this time
        }
    )
    one = standard([{**proportion("choice_offered", ">= 80%", amber=">= 60%"), "id": "a"}])
    out = changes.between([one], shown, shown_before, results, results_before).set_index("provider_id")
    assert out["change_short"].to_dict() == {
        "P1": words.CHANGE_UNCLEAR,
        "P2": words.CHANGE_BETTER,
        "P3": words.CHANGE_WORSE,
        "P4": words.CHANGE_UNCLEAR,
        "P5": words.CHANGE_UNCONFIRMED,
    }
    assert out.loc["P1", "change"] == "No clear change (was Partly met)"
    assert out.loc["P4", "clear"] is False and out.loc["P2", "clear"] is True and out.loc["P5", "clear"] is None


PEER_SUPPORT = """id: peer-support
title: Peer support offered
version: 1
status: approved
approved_by: Test Expert Citizens Group
approved_on: 2026-09-10
theme: recovery
statement: Everyone is offered peer support.
why: Peers bridge the mistrust.
measures:
  - id: offered
    label: People offered peer support
    table: episodes
    kind: proportion
    count_if: peer_support_offered
    green: ">= 80%"
    amber: ">= 60%"
"""


@pytest.mark.slow
def test_of_run_reads_two_real_runs(tmp_path):
    db = tmp_path / "a.duckdb"
    folder = tmp_path / "standards"
    folder.mkdir()
    (folder / "peer-support.yaml").write_text(PEER_SUPPORT)
    people = {"P1": ((8, 11), (10, 11)), "P2": ((20, 100), (90, 100))}  # (met, of) before and now
    for period, k in (("2026-Q1", 0), (PERIOD, 1)):
        build_store(
            db,
            {
                p: {"episodes": [{"episode_id": f"E{i}", "peer_support_offered": i < v[k][0]} for i in range(v[k][1])]}
                for p, v in people.items()
            },
            period,
        )
    runs.run_audit(db, "2026-Q1", folder)
    run_id = runs.run_audit(db, PERIOD, folder)
    with store.reading(db) as con:
        out = changes.of_run(con, run_id).set_index("provider_id")
    # no stories in this store: a green is shown as provisional
    assert out.loc["P1", "change"] == "No clear change (was Partly met)"
    assert out.loc["P2", "change"] == "↑ Better (was Not met)"


@pytest.mark.parametrize("was, now", [("green", "provisional"), ("provisional", "green")])
def test_a_story_gained_or_lost_is_never_better_or_worse(was, now):
    shown, shown_before, results, results_before = _frames({"P1": (was, now, 90, 100, 90, 100)})
    one = standard([{**proportion("choice_offered", ">= 80%"), "id": "a"}])
    out = changes.between([one], shown, shown_before, results, results_before)
    assert out["change_short"].iloc[0] not in (words.CHANGE_BETTER, words.CHANGE_WORSE)
