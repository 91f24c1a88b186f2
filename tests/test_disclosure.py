"""Disclosure control (audits.disclosure): each rule on figures small enough to check by hand,
then the store: public results kept with every run, releases, the CSV and its note, previews."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from audits import disclosure, runs, store
from audits.standard_files import load_standards

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


def _possible(shown: dict[str, int | None], total: int | None) -> list[dict[str, int]]:
    """What a reader of a protected group could take its parts to be: a part not shown is 1-4
    (a part of 0 is not listed), and the parts add up to the total when it is shown."""
    import itertools

    hidden = [part for part, n in shown.items() if n is None]
    out = []
    for values in itertools.product(disclosure.SMALL, repeat=len(hidden)):
        parts = {**shown, **dict(zip(hidden, values))}
        if total is None or sum(parts.values()) == total:
            out.append(parts)
    return out


def test_a_group_split_into_parts_gives_no_small_part_back_through_its_total():
    """Every split into up to 4 parts (each 1-7), and five parts of 1: no hidden part has one possible value, and the
    hidden parts together are never a shown count of 1-4. The rule voices heard used before
    (total hidden only when the hidden parts add up to 1-4) showed 18 for 10 + 4 + 4: both 4s
    came back."""
    import itertools

    from audits import voices

    assert voices.protect({"staff": 10, "family_member": 4, "person_using_services": 4})[1] is None
    assert voices.protect({"staff": 10, "family_member": 3, "person_using_services": 4})[1] == 17
    assert voices.protect({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1})[1] is None  # all five 1s
    assert voices.protect({"staff": 12, "family_member": 7}) == ({"staff": 12, "family_member": 7}, 19)
    tried = 0
    for k in range(1, 5):
        for values in itertools.product(range(1, 8), repeat=k):
            counts = {f"g{i}": v for i, v in enumerate(values)}
            shown, total = disclosure.protect_parts(counts)
            possible = _possible(shown, total)
            assert counts in possible
            for part, n in shown.items():
                if n is None:
                    assert len({p[part] for p in possible}) > 1, (counts, shown, total)
            hidden_sums = {sum(p[q] for q, n in shown.items() if n is None) for p in possible}
            assert not (len(hidden_sums) == 1 and hidden_sums & set(disclosure.SMALL)), (counts, total)
            tried += 1
    assert tried == sum(7**k for k in range(1, 5))


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
    the exact preview says Met (1 person); the public one does not show a rating that rests on the
    hidden count (whatever the bars: see the sweep below), nor whether it would change."""
    from audits import preview

    draft = next(s for s in STANDARDS if s.id == "not-punitive")
    with store.reading(db) as con:
        exact = preview.impact_preview(con, draft, hard_store.PERIOD).set_index("provider_id")
        public_view = preview.impact_preview(con, draft, hard_store.PERIOD, public=True).set_index("provider_id")
    # Met on the figures; no story has confirmed it yet, so shown as Met (provisional)
    assert exact.loc["P003", "new_rating"] == "provisional"
    assert public_view.loc["P003", "new_rating"] == "withheld" and not public_view.loc["P003", "changed"]
    assert public_view.loc["P003", "current_rating"] == "green_amber"  # as published
    assert public_view.loc["P001", "new_rating"] == exact.loc["P001", "new_rating"] == "red"


def _sweep(con, draft_of, public: bool) -> set[int]:
    """An expert citizen's sweep of the workshop's impact preview: P003's 1 of 99 leavers withdrawn
    by the provider is hidden for being small, so it is one of 1-4 (or 95-98, all but 1-4). The
    attacker previews bar after bar ("Met at x% or less, partly met at x + 3% or less") and keeps
    the counts that would get the rating each preview shows."""
    from audits import preview
    from audits.kinds import kind_of

    run_id = runs.latest_run_id(con, hard_store.PERIOD)
    row = disclosure.public_results(con, run_id, "P003").set_index("measure_id").loc["withdrawn-by-provider"]
    assert (row["hidden"], row["reason"]) == ("numerator", "small")
    d = int(row["denominator"])
    possible = {n for n in range(d + 1) if n in disclosure.SMALL or d - n in disclosure.SMALL}
    for tenths in range(5, 80, 5):
        draft, measure = draft_of(f"<= {tenths / 10}%", f"<= {tenths / 10 + 3}%")
        shown = preview.impact_preview(con, draft, hard_store.PERIOD, public=public).set_index("provider_id")
        band = {"provisional": "green", "differs": "green"}.get(shown.loc["P003", "new_rating"])
        band = band or shown.loc["P003", "new_rating"]
        if band == disclosure.WITHHELD:
            continue
        bands = disclosure.COARSE.get(band, {band})
        value = kind_of(measure).value_from_counts
        possible = {n for n in possible if measure.rate(value(n, d), d, False) in bands}
    return possible


@pytest.mark.slow
def test_previewing_bar_after_bar_cannot_narrow_a_hidden_count(db):
    """The auditor's exact preview, swept, pins P003's count to 1 (the attacker is not toothless);
    the public tier's preview leaves every value the public figures leave (before, each preview
    was protected on its own, and the sweep narrowed 1-4 and 95-98 to 1 or 2)."""
    from audits.standard_model import Threshold

    base = next(s for s in STANDARDS if s.id == "not-punitive")
    measure = next(m for m in base.measures if m.id == "withdrawn-by-provider")

    def draft_of(green: str, amber: str):
        m = measure.model_copy(update={"green": Threshold.parse(green), "amber": Threshold.parse(amber)})
        return base.model_copy(update={"measures": [m]}), m

    with store.reading(db) as con:
        assert _sweep(con, draft_of, public=False) == {1}
        assert _sweep(con, draft_of, public=True) == {1, 2, 3, 4, 95, 96, 97, 98}


def test_the_public_spread_between_providers_comes_from_the_shown_figures_alone():
    """Like the public benchmark, the public tau² is worked out from the figures shown (as shown),
    so a hidden count changes nothing public: ten providers of 100 shown (35 … 65 offered a
    choice: benchmark 0.5, tau² = 17.82/3,600 = 0.00495, worked by hand in tests/test_stats.py)
    and one whose 3 (or 1) people offered are hidden."""
    met = [35, 40, 40, 45, 50, 50, 55, 60, 60, 65]
    shown = {f"P{i:02}": {"choice-offered": (m, 100, "red")} for i, m in enumerate(met, start=1)}
    outs = [public({**shown, "P11": {"choice-offered": (hidden, 100, "red")}}) for hidden in (3, 1)]
    for out in outs:
        assert out.loc[("P11", "choice-offered"), "hidden"] == "numerator"
        assert (out["benchmark"] == 0.5).all()
        assert out["between_variance"].tolist() == [pytest.approx(0.00495)] * 11
        # allowing for that spread, the data cannot tell any shown provider from the benchmark
        assert set(out.drop(index=("P11", "choice-offered"))["comparison"]) == {"similar"}
    pd.testing.assert_frame_equal(outs[0].drop(columns=["rating"]), outs[1].drop(columns=["rating"]))


def test_a_restricted_view_compares_with_the_public_benchmark_and_spread():
    met = [35, 40, 40, 45, 50, 50, 55, 60, 60, 65]
    figures = {f"P{i:02}": {"choice-offered": (m, 100, "red")} for i, m in enumerate(met, start=1)}
    figures["P11"] = {"choice-offered": (3, 100, "red")}
    exact = results(figures)
    protected = disclosure.protect(exact, STANDARDS).measures
    out = disclosure.with_benchmark(exact, STANDARDS, protected).set_index("provider_id")
    assert out["between_variance"].tolist() == [pytest.approx(0.00495)] * 11
    # 3 of 100 is far below the usual spread: worst even allowing for it (0.5 − 3.09 × 0.0863 = 0.233)
    assert out.loc["P11", "comparison"] == "worst"
    assert out.loc["P01", "comparison"] == "similar"
