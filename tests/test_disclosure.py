"""Disclosure control (audits.disclosure): each rule on figures small enough to check by hand,
then the store: public results kept with every run, releases, the CSV and its note, previews."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from audits import disclosure, runs, store
from audits.standards import load_standards

from support import hard_store

HERE = Path(__file__).parent

STANDARDS = [s for s in load_standards(HERE.parent / "standards").audited if s.id in hard_store.STANDARDS]
MEASURES = {m.id: (s, m) for s in STANDARDS for m in s.measures}


def results(figures: dict[str, dict[str, tuple[int, int, str]]]) -> pd.DataFrame:
    """provider -> measure -> (numerator, denominator, rating): engine-like rows, run 'r'."""
    rows = []
    for provider, measures in figures.items():
        for measure_id, (n, d, rating) in measures.items():
            standard, _ = MEASURES[measure_id]
            rows.append(
                {
                    "run_id": "r",
                    "provider_id": provider,
                    "period": "2026-Q2",
                    "standard_id": standard.id,
                    "standard_version": 1,
                    "measure_id": measure_id,
                    "numerator": float(n),
                    "denominator": float(d),
                    "value": n / d if d else None,
                    "ci_lower": 0.0,
                    "ci_upper": 1.0,
                    "rating": rating,
                    "numerator_rows": n,
                    "denominator_rows": d,
                    "benchmark": 0.5,
                    "comparison": "similar",
                }
            )
    df = pd.DataFrame(rows)
    for column in ("numerator_rows", "denominator_rows"):
        df[column] = df[column].astype("Int64")
    return df


def public(figures, earlier=()) -> pd.DataFrame:
    return disclosure.protect(results(figures), STANDARDS, earlier).measures.set_index(["provider_id", "measure_id"])


def test_primary_a_count_a_complement_or_a_denominator_of_1_to_4():
    out = public(
        {
            "P1": {"choice-offered": (40, 100, "red")},  # nothing small
            "P2": {"choice-offered": (3, 100, "red")},  # 3 people offered
            "P3": {"choice-offered": (97, 100, "green")},  # 3 people not offered
            "P4": {"choice-offered": (2, 4, "no_data")},  # 4 people at all
            "P5": {"choice-offered": (0, 50, "red")},  # 0 is not small
        }
    )
    assert out.loc[("P1", "choice-offered"), "hidden"] == ""
    for provider in ("P2", "P3"):
        row = out.loc[(provider, "choice-offered")]
        assert (row["hidden"], row["reason"], row["denominator"]) == ("numerator", "small", 100)
        assert row[["numerator", "value", "ci_lower", "ci_upper"]].isna().all()
    p4 = out.loc[("P4", "choice-offered")]
    assert (p4["hidden"], p4["rating"]) == ("all", "no_data") and pd.isna(p4["denominator"])
    assert out.loc[("P5", "choice-offered"), "numerator"] == 0
    # the benchmark pools only the figures shown (40 + 0 of 150), not the hidden ones
    assert out.loc[("P1", "choice-offered"), "benchmark"] == round(40 / 150, 3)


def test_deaths_behind_two_nested_measures_are_never_both_shown():
    """40 left, 2 died: aftercare counts 38, withdrawn-by-provider 40. One of the two is hidden,
    the one whose hiding hides least; with no death both are shown."""
    out = public(
        {
            "P1": {"aftercare-offered": (30, 38, "amber"), "withdrawn-by-provider": (6, 40, "red")},
            "P2": {"aftercare-offered": (30, 40, "amber"), "withdrawn-by-provider": (6, 40, "red")},
            "P3": {"aftercare-offered": (30, 38, "amber"), "withdrawn-by-provider": (1, 40, "green")},
        }
    )
    p1 = out.loc["P1"]
    assert {p1.loc["aftercare-offered", "hidden"], p1.loc["withdrawn-by-provider", "hidden"]} == {"all", ""}
    assert p1.loc[p1["hidden"] == "all", "reason"].tolist() == ["linked"]
    assert (out.loc["P2", "hidden"] == "").all()
    # at P3 withdrawn's numerator (1) is hidden already: hiding its denominator too costs least
    assert out.loc[("P3", "withdrawn-by-provider"), "hidden"] == "all"
    assert out.loc[("P3", "aftercare-offered"), "hidden"] == ""


def test_a_rating_band_that_would_pin_a_hidden_count_is_merged_whatever_the_true_band():
    """1 of 99 withdrawn is Met at <= 2%: only 1 could be Met when the count is hidden for being
    small. Whatever the true count, the same public facts give the same merged band."""
    for n in (1, 2, 3):
        rating = {1: "green", 2: "amber", 3: "amber"}[n]
        out = public({"P1": {"withdrawn-by-provider": (n, 99, rating)}})
        assert out.loc[("P1", "withdrawn-by-provider"), "rating"] == "green_amber"
    # 20 people: only 1 can be Partly met (<= 5%), so Partly met and Not met are merged
    out = public({"P1": {"withdrawn-by-provider": (3, 20, "red")}})
    assert out.loc[("P1", "withdrawn-by-provider"), "rating"] == "amber_red"
    # 10 people: no count of 1-4 (or all but 1-4) can be Met or Partly met: the band pins nothing
    out = public({"P1": {"withdrawn-by-provider": (3, 10, "red")}})
    assert out.loc[("P1", "withdrawn-by-provider"), "rating"] == "red"


def test_a_standards_public_rating_follows_its_measures_public_ratings():
    assert disclosure.standard_rating(["green", "green_amber"]) == "green_amber"
    assert disclosure.standard_rating(["red", "green_amber"]) == "red"
    assert disclosure.standard_rating(["amber", "green_amber"]) == "amber"
    assert disclosure.standard_rating(["green", "withheld"]) == "withheld"
    assert disclosure.standard_rating(["no_data", "no_data"]) == "no_data"


def test_a_count_changed_by_1_to_4_since_an_earlier_run_is_hidden_in_the_later_one():
    first = disclosure.protect(results({"P1": {"choice-offered": (100, 120, "amber")}}), STANDARDS).measures
    out = public({"P1": {"choice-offered": (102, 120, "amber")}}, [first])
    assert (out.loc[("P1", "choice-offered"), "hidden"], out.loc[("P1", "choice-offered"), "reason"]) == (
        "numerator",
        "earlier",
    )
    same = public({"P1": {"choice-offered": (100, 120, "amber")}}, [first])
    assert same.loc[("P1", "choice-offered"), "hidden"] == ""
    far = public({"P1": {"choice-offered": (110, 120, "amber")}}, [first])
    assert far.loc[("P1", "choice-offered"), "hidden"] == ""


def test_the_same_inputs_always_hide_the_same_cells():
    figures = {
        "P1": {"aftercare-offered": (30, 38, "amber"), "withdrawn-by-provider": (6, 40, "red")},
        "P2": {"choice-offered": (59, 60, "green")},
    }
    assert public(figures).equals(public(figures))


# --------------------------------------------------------------------------- the store


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard")
    db = folder / "audit.duckdb"
    return db, hard_store.build(db, folder)


@pytest.fixture
def db(hard, tmp_path):
    copy = tmp_path / "audit.duckdb"
    shutil.copy(hard[0], copy)
    return copy


@pytest.mark.slow
def test_a_run_keeps_its_public_results_and_every_reader_gets_the_same_cells(db):
    with store.reading(db) as con:
        run_id = runs.latest_run_id(con, hard_store.PERIOD)
        kept = disclosure.public_results(con, run_id)
        assert con.execute("SELECT count(*) FROM public_results WHERE run_id = ?", [run_id]).fetchone()[0] == len(kept)
        worked_out = disclosure.protect(
            runs.read_results(con, run_id).drop(columns=["provider_name"]), runs.run_standards(con, run_id)
        ).measures
        ratings = disclosure.public_standard_ratings(con, run_id)
    pd.testing.assert_frame_equal(kept.drop(columns=["provider_name"]), worked_out, check_dtype=False)
    assert {"shown", "rating", "provider_name"} <= set(ratings.columns)


@pytest.mark.slow
def test_one_release_per_quarter_until_the_auditor_supersedes_it(db, hard):
    _, standards = hard
    with store.writing(db) as con:
        first = runs.latest_run_id(con, hard_store.PERIOD)
        assert disclosure.public_run_id(con, hard_store.PERIOD) == first  # nothing released: the latest
        done = disclosure.release(con, hard_store.PERIOD, released_by="auditor-1", how="export")
        assert (done["run_id"], done["how"], done["supersedes"]) == (first, "export", None)
        assert disclosure.release(con, hard_store.PERIOD)["release_id"] == done["release_id"]  # again: no-op
    second = hard_store.rerun(db, standards)
    with store.writing(db) as con:
        assert disclosure.public_run_id(con, hard_store.PERIOD) == first  # the release, not the latest run
        with pytest.raises(disclosure.ReleaseError, match="--supersede"):
            disclosure.release(con, hard_store.PERIOD, second)
        again = disclosure.release(con, hard_store.PERIOD, second, supersede=True)
        assert (again["run_id"], again["supersedes"]) == (second, done["release_id"])
        assert disclosure.public_run_id(con, hard_store.PERIOD) == second
        # the second run was protected against the first: the 2 more people offered a choice
        public = disclosure.public_results(con, second).set_index(["provider_id", "measure_id"])
        assert public.loc[("P001", "choice-offered"), "reason"] == "earlier"
        whole = disclosure.period_public(con, hard_store.PERIOD)
        assert whole.run_id == second and whole.release["release_id"] == again["release_id"]
        with pytest.raises(disclosure.ReleaseError, match="not a quarter|2026-Q5"):
            disclosure.release(con, "2026-Q5")


@pytest.mark.slow
def test_the_public_csv_leaves_merged_ratings_empty_and_its_note_says_what_is_hidden(db, tmp_path):
    with store.writing(db) as con:
        out = runs.export_csv(con, hard_store.PERIOD, tmp_path / "public.csv", public=True, released_by="me")
    text = out.read_text()
    rows = {(r.split(",")[1], r.split(",")[5]): r.split(",") for r in text.splitlines()[1:]}
    assert rows[("P003", "withdrawn-by-provider")][-1] == ""  # green_amber: not one of the four ratings
    note = runs.notes_path(out).read_text()
    assert "This is the one public version" in note and "by me" in note
    assert "Rows with every figure but the rating not shown (it would reveal fewer than 5 people)" in note
    assert "Rows whose rating is empty in the CSV: " in note


@pytest.mark.slow
def test_a_public_preview_of_a_draft_never_shows_a_band_that_pins_a_count(db):
    """An expert citizen drafts 'withdrawn by the provider, Met at <= 2%': over P003's 99 leavers
    the exact preview says Met (1 person); the public one merges the band."""
    from audits import preview

    draft = next(s for s in STANDARDS if s.id == "not-punitive")
    with store.reading(db) as con:
        exact = preview.impact_preview(con, draft, hard_store.PERIOD).set_index("provider_id")
        public_view = preview.impact_preview(con, draft, hard_store.PERIOD, public=True).set_index("provider_id")
    # Met on the figures; no story has confirmed it yet, so shown as Met (provisional)
    assert exact.loc["P003", "new_rating"] == "provisional"
    assert public_view.loc["P003", "new_rating"] == "green_amber"
    assert public_view.loc["P001", "new_rating"] == exact.loc["P001", "new_rating"] == "red"
