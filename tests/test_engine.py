"""The engine over a real DuckDB store: every measure kind, weights, nulls, boundaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas
import pytest

from audits import engine, stats, store
from audits.expressions import ExpressionError

from support.stores import (
    PERIOD,
    build_store,
    fixture_standard,
    load_fixture,
    people_met,
    proportion,
    rows_of,
    standard,
)


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """The base fixture, loaded once: the tests given it only read it."""
    return load_fixture(tmp_path_factory.mktemp("engine") / "audit.duckdb")


@pytest.mark.slow
def test_every_measure_kind_over_the_fixture(base_db):
    standards = [fixture_standard(n) for n in ("warm-welcome", "peer-workforce", "no-opiate-free-targets")]
    with store.reading(base_db) as con:
        result = engine.evaluate(con, standards, PERIOD)
    assert result.providers == ["P001", "P002", "P003"]

    # proportion; a missing first contact counts in the denominator and is never met
    contact = rows_of(result, "contact-within-2-days")
    assert (contact["P001"]["numerator"], contact["P001"]["denominator"]) == (10, 12)
    assert contact["P001"]["rating"] == "amber"
    assert contact["P002"]["value"] == 1.0 and contact["P002"]["rating"] == "green"
    assert contact["P003"]["rating"] == "no_data"  # 3 people, min_count 10
    low, high = stats.wilson(10, 12)
    assert contact["P001"]["ci_lower"] == pytest.approx(low, abs=1e-12)
    assert contact["P001"]["ci_upper"] == pytest.approx(high, abs=1e-12)
    assert contact["P001"]["benchmark"] == pytest.approx(25 / 27)

    # median of days over the 11 people with a first contact: 1,1,1,1,1,2,2,2,2,2,9
    days = rows_of(result, "days-to-first-contact")
    assert days["P001"]["value"] == 2 and days["P001"]["denominator"] == 11
    assert days["P001"]["rating"] == "green" and pandas.isna(days["P001"]["numerator"])
    assert days["P001"]["comparison"] == "not_compared"
    assert pandas.isna(days["P001"]["between_variance"])  # not compared: no spread between providers kept
    # three providers compared: fewer than stats.MIN_PROVIDERS, so no allowance for their spread
    assert rows_of(result, "contact-within-2-days")["P001"]["between_variance"] == 0.0
    assert days["P003"]["rating"] == "no_data"

    # weighted proportion: FTE sums, interval from the weighted share with n = rows
    share = rows_of(result, "lived-experience-share")
    assert share["P001"]["numerator"] == pytest.approx(1.5)
    assert share["P001"]["denominator"] == pytest.approx(4.0)
    assert share["P001"]["value"] == pytest.approx(0.375) and share["P001"]["rating"] == "green"
    assert (share["P001"]["numerator_rows"], share["P001"]["denominator_rows"]) == (2, 4)
    low, high = stats.wilson(0.375 * 4, 4)
    assert share["P001"]["ci_lower"] == pytest.approx(low, abs=1e-12)
    assert share["P001"]["ci_upper"] == pytest.approx(high, abs=1e-12)
    assert share["P002"]["value"] == pytest.approx(0.5 / 4.5) and share["P002"]["rating"] == "red"
    assert share["P003"]["rating"] == "no_data"  # 2 staff, min_count 3
    assert share["P001"]["benchmark"] == pytest.approx((1.5 + 0.5 + 1.2) / (4.0 + 4.5 + 1.2))

    # count of things: always rated; a header-only kpis file is a count of 0
    kpis = rows_of(result, "prohibited-kpis")
    assert kpis["P002"]["value"] == 1 and kpis["P002"]["rating"] == "red"
    assert kpis["P001"]["value"] == 0 and kpis["P001"]["rating"] == "green"
    assert kpis["P003"]["value"] == 0 and kpis["P003"]["denominator"] == 0
    assert kpis["P003"]["rating"] == "green"
    sites = rows_of(result, "private-waiting")
    assert sites["P002"]["rating"] == "red" and sites["P003"]["rating"] == "green"

    # standards: the worst rated measure
    ratings = {(r["provider_id"], r["standard_id"]): r["rating"] for r in result.standards.to_dict("records")}
    assert ratings[("P001", "warm-welcome")] == "amber"
    assert ratings[("P002", "peer-workforce")] == "red"
    assert ratings[("P003", "warm-welcome")] == "no_data"
    assert ratings[("P003", "no-opiate-free-targets")] == "green"
    assert ratings[("P001", "peer-workforce")] == "green"  # 37.5% FTE and 11 of 12 offered a peer


def test_counts_of_things_carry_no_people_counts(base_db):
    standards = [fixture_standard("no-opiate-free-targets"), fixture_standard("peer-workforce")]
    with store.reading(base_db) as con:
        result = engine.evaluate(con, standards, PERIOD)
    things = result.measures[result.measures["measure_id"].isin(["prohibited-kpis", "private-waiting"])]
    people = result.measures[result.measures["measure_id"] == "peer-support-offered"]
    assert things["numerator_rows"].isna().all() and things["denominator_rows"].isna().all()
    assert people["numerator_rows"].notna().all() and people["denominator_rows"].notna().all()


@pytest.fixture(scope="module")
def boundary_db(tmp_path_factory) -> Path:
    """One store for every boundary case: provider P<n> has n of 100 people met (a provider's
    rating depends on its own rows only)."""
    db = tmp_path_factory.mktemp("boundaries") / "a.duckdb"
    return build_store(db, {f"P{met}": {"episodes": people_met(met, 100)} for met in (90, 89, 75, 74)})


@pytest.mark.parametrize(
    "met, threshold, expected",
    [
        (90, ">= 90%", "green"),
        (89, ">= 90%", "amber"),
        (90, "> 90%", "amber"),
        (75, ">= 90%", "amber"),
        (74, ">= 90%", "red"),
    ],
)
@pytest.mark.slow
def test_threshold_boundaries(boundary_db, met, threshold, expected):
    s = standard([proportion("peer_support_offered", threshold, amber=">= 75%")])
    with store.reading(boundary_db) as con:
        row = rows_of(engine.evaluate(con, [s], PERIOD))[f"P{met}"]
    assert row["value"] == pytest.approx(met / 100)
    assert row["rating"] == expected


@pytest.mark.slow
def test_exactly_ten_percent_meets_a_percentage_written_as_a_fraction_of_hundred(tmp_path):
    # 1 of 10 is 0.1 exactly in decimal but not in binary: still meets "<= 10%"
    db = build_store(tmp_path / "a.duckdb", {"P1": {"episodes": people_met(1, 10)}})
    s = standard([proportion("peer_support_offered", "<= 10%")])
    with store.reading(db) as con:
        assert rows_of(engine.evaluate(con, [s], PERIOD))["P1"]["rating"] == "green"


@pytest.mark.slow
def test_min_count_boundary_and_no_rows(tmp_path):
    db = build_store(
        tmp_path / "a.duckdb",
        {
            "P1": {"episodes": people_met(10, 10)},
            "P2": {"episodes": people_met(9, 9)},
            "P3": {"workforce": [{"staff_id": "S1", "fte": 1.0}]},  # a return without episodes
        },
    )
    s = standard([proportion("peer_support_offered", min_count=10)])
    with store.reading(db) as con:
        rows = rows_of(engine.evaluate(con, [s], PERIOD))
    assert rows["P1"]["rating"] == "green"
    assert rows["P2"]["rating"] == "no_data" and rows["P2"]["comparison"] == "not_compared"
    assert rows["P3"]["denominator"] == 0 and pandas.isna(rows["P3"]["value"])
    assert rows["P3"]["rating"] == "no_data" and pandas.isna(rows["P3"]["ci_lower"])


@pytest.mark.slow
def test_missing_values_never_count_as_met(tmp_path):
    episodes = [
        {
            "episode_id": "E1",
            "referral_date": dt.date(2026, 4, 1),
            "first_contact_date": dt.date(2026, 4, 2),
            "housing_need": "urgent",
            "housing_support": True,
        },
        {
            "episode_id": "E2",
            "referral_date": dt.date(2026, 4, 1),
            "first_contact_date": None,
            "housing_need": "urgent",
            "housing_support": None,
        },
        {
            "episode_id": "E3",
            "referral_date": dt.date(2026, 4, 1),
            "first_contact_date": dt.date(2026, 4, 9),
            "housing_need": None,
            "housing_support": True,
        },
        # "not (late)" with a missing date is still not met
        {
            "episode_id": "E4",
            "referral_date": None,
            "first_contact_date": dt.date(2026, 4, 9),
            "housing_need": "urgent",
            "housing_support": False,
        },
    ]
    db = build_store(tmp_path / "a.duckdb", {"P1": {"episodes": episodes}})
    s = standard(
        [
            proportion("first_contact_date - referral_date <= 2", min_count=1) | {"id": "quick"},
            proportion("not (first_contact_date - referral_date > 2)", min_count=1) | {"id": "not-late"},
            proportion("housing_support", min_count=1, where="housing_need = 'urgent'") | {"id": "housing"},
            {
                "id": "days",
                "label": "days",
                "table": "episodes",
                "kind": "median",
                "value": "first_contact_date - referral_date",
                "green": "<= 2",
                "min_count": 1,
            },
        ]
    )
    with store.reading(db) as con:
        result = engine.evaluate(con, [s], PERIOD)
    assert (rows_of(result, "quick")["P1"]["numerator"], rows_of(result, "quick")["P1"]["denominator"]) == (1, 4)
    assert rows_of(result, "not-late")["P1"]["numerator"] == 1
    housing = rows_of(result, "housing")["P1"]
    assert (housing["numerator"], housing["denominator"]) == (1, 3)  # E3's missing need: not in the where
    days = rows_of(result, "days")["P1"]
    assert days["denominator"] == 2 and days["value"] == pytest.approx(4.5)  # median of 1 and 8


@pytest.mark.slow
def test_count_measure_over_people_and_its_where(tmp_path):
    contacts = [
        {"contact_id": f"C{i}", "episode_id": "E1", "outcome": "missed", "after_missed": after}
        for i, after in enumerate(["rebooked", "discharged", "script_reduced", None])
    ]
    db = build_store(tmp_path / "a.duckdb", {"P1": {"contacts": contacts}, "P2": {"contacts": []}})
    s = standard(
        [
            {
                "id": "punished",
                "label": "missed appointments punished",
                "table": "contacts",
                "kind": "count",
                "where": "after_missed in ('script_reduced', 'discharged')",
                "green": "= 0",
                "amber": "<= 1",
            }
        ]
    )
    with store.reading(db) as con:
        rows = rows_of(engine.evaluate(con, [s], PERIOD), "punished")
    assert rows["P1"]["value"] == 2 and rows["P1"]["denominator"] == 4 and rows["P1"]["rating"] == "red"
    assert (rows["P1"]["numerator_rows"], rows["P1"]["denominator_rows"]) == (2, 4)
    assert rows["P2"]["value"] == 0 and rows["P2"]["rating"] == "green"
    assert rows["P1"]["comparison"] == "not_compared"


@pytest.mark.slow
def test_a_count_over_an_optional_file_left_out_is_too_few_to_tell(tmp_path):
    db = build_store(
        tmp_path / "a.duckdb",
        {
            "P1": {
                "documents": [
                    {"document_id": "D1", "title": "Welcome", "text": "For service users"},
                    {"document_id": "D2", "title": "Rights", "text": "For people using services"},
                ]
            },
            "P2": {"documents": [{"document_id": "D1", "title": "Welcome", "text": "For people using services"}]},
            "P3": {"kpis": []},  # no documents.csv at all
        },
    )
    s = standard(
        [
            {
                "id": "labels",
                "label": "labelling words",
                "table": "documents",
                "kind": "count",
                "where": "text ilike '%service user%'",
                "green": "= 0",
            }
        ]
    )
    with store.reading(db) as con:
        rows = rows_of(engine.evaluate(con, [s], PERIOD), "labels")
    assert (rows["P1"]["value"], rows["P1"]["rating"]) == (1, "red")
    assert (rows["P2"]["value"], rows["P2"]["rating"]) == (0, "green")
    assert rows["P3"]["rating"] == "no_data"


@pytest.mark.slow
def test_only_the_period_asked_for_and_only_current_returns(tmp_path):
    db = build_store(tmp_path / "a.duckdb", {"P1": {"episodes": people_met(10, 10)}})
    build_store(db, {"P1": {"episodes": people_met(0, 10)}}, period="2026-Q1")
    with store.writing(db) as con:  # an older, replaced return for Q2 stays in the table
        con.execute(
            "INSERT INTO submissions (submission_id, kind, provider_id, period, sha256, loaded_at, "
            "is_current) VALUES ('old', 'return', 'P1', '2026-Q2', 'x', now(), false)"
        )
        con.execute(
            "INSERT INTO episodes_rows (submission, line, episode_id, peer_support_offered) "
            "SELECT number, 2, 'X' || i, false FROM submissions, range(50) t(i) WHERE submission_id = 'old'"
        )
    s = standard([proportion("peer_support_offered")])
    with store.reading(db) as con:
        q2 = rows_of(engine.evaluate(con, [s], "2026-Q2"))["P1"]
        q1 = rows_of(engine.evaluate(con, [s], "2026-Q1"))["P1"]
    assert (q2["numerator"], q2["denominator"]) == (10, 10)
    assert (q1["numerator"], q1["denominator"]) == (0, 10)


@pytest.mark.slow
def test_benchmark_comparisons_in_the_engine(tmp_path):
    # four providers of 100 people: 90, 80, 75 and 60 met; benchmark (pooled) = 305/400 = 0.7625
    db = build_store(
        tmp_path / "a.duckdb",
        {f"P{i}": {"episodes": people_met(met, 100)} for i, met in enumerate([90, 80, 75, 60], start=1)},
    )
    with store.reading(db) as con:
        higher = rows_of(engine.evaluate(con, [standard([proportion("peer_support_offered", ">= 90%")])], PERIOD))
        lower = rows_of(engine.evaluate(con, [standard([proportion("not peer_support_offered", "<= 10%")])], PERIOD))
    assert higher["P1"]["benchmark"] == pytest.approx(0.7625)
    outcome = {p: r["comparison"] for p, r in higher.items()}
    assert outcome == {"P1": "best", "P2": "similar", "P3": "similar", "P4": "worst"}
    # lower is better: the same shares the other way round
    assert {p: r["comparison"] for p, r in lower.items()} == {
        "P1": "best",
        "P2": "similar",
        "P3": "similar",
        "P4": "worst",
    }
    # better and worse: outside the 95% interval, inside the 99.8% interval
    db2 = build_store(
        tmp_path / "b.duckdb",
        {
            "P1": {"episodes": people_met(86, 100)},
            "P2": {"episodes": people_met(66, 100)},
            "P3": {"episodes": people_met(76, 100)},
        },
    )
    with store.reading(db2) as con:
        rows = rows_of(engine.evaluate(con, [standard([proportion("peer_support_offered")])], PERIOD))
    assert rows["P1"]["comparison"] == "better" and rows["P2"]["comparison"] == "worse"
    for row in rows.values():  # the engine and stats.compare agree, and 'similar' is the benchmark in the interval
        assert row["comparison"] == stats.compare(row["value"], row["denominator_rows"], row["benchmark"], True)
        inside = row["ci_lower"] <= row["benchmark"] <= row["ci_upper"]
        assert inside == (row["comparison"] == "similar")


def test_drafts_and_retired_are_not_audited(base_db):
    standards = [fixture_standard(n) for n in ("housing-draft", "old-retired", "warm-welcome")]
    with store.reading(base_db) as con:
        result = engine.evaluate(con, standards, PERIOD)
        preview = engine.evaluate(con, standards[:1], PERIOD, include_unapproved=True)
    assert set(result.measures["standard_id"]) == {"warm-welcome"}
    assert set(result.standards["standard_id"]) == {"warm-welcome"}
    assert set(preview.measures["standard_id"]) == {"housing-draft"}


def test_a_standard_that_slipped_past_the_loader_is_still_refused(base_db):
    bad = standard([proportion("peer_support_offered")])
    bad.measures[0].count_if = "peer_support_offered or read_csv('/etc/passwd') is not null"
    with store.reading(base_db) as con, pytest.raises(ExpressionError, match="test-standard.*'m'"):
        engine.evaluate(con, [bad], PERIOD)


def test_locked_down_connection_cannot_read_files(base_db):
    with store.reading(base_db) as con:
        engine.lock_down(con)
        with pytest.raises(Exception, match="disabled"):
            con.execute("SELECT * FROM read_csv('/etc/passwd')")
        result = engine.evaluate(con, [fixture_standard("warm-welcome")], PERIOD)
    assert len(result.measures) == 6


@pytest.mark.slow
def test_the_starting_standards_all_run(base_db):
    from audits.standard_files import load_standards

    load = load_standards(Path(__file__).parent.parent / "standards")
    assert load.ok, load.report()
    with store.reading(base_db) as con:
        result = engine.evaluate(con, load.audited, PERIOD)
    measures = sum(len(s.measures) for s in load.audited)
    assert len(result.measures) == 3 * measures
    assert len(result.standards) == 3 * len(load.audited)
    assert set(result.measures["rating"]) <= {"green", "amber", "red", "no_data"}


# --------------------------------------------------------------------------- whether the data can tell a rating


@pytest.mark.slow
def test_a_rating_whose_interval_reaches_across_a_threshold_is_uncertain(tmp_path):
    # 8 of 11: 72.7%, Partly met (>= 60%), but the 95% interval, 43.4% to 90.3%, reaches across
    # both bars; 100 of 100 is Met beyond doubt (its interval starts at 96.3%)
    db = build_store(
        tmp_path / "a.duckdb",
        {"P1": {"episodes": people_met(8, 11)}, "P2": {"episodes": people_met(100, 100)}},
    )
    s = standard([proportion("peer_support_offered", ">= 80%", amber=">= 60%")])
    with store.reading(db) as con:
        result = engine.evaluate(con, [s], PERIOD)
    rows = rows_of(result)
    assert (rows["P1"]["rating"], rows["P1"]["uncertain"]) == ("amber", True)
    assert (rows["P1"]["ci_lower"], rows["P1"]["ci_upper"]) == pytest.approx((0.4343547, 0.9025394))
    assert (rows["P2"]["rating"], rows["P2"]["uncertain"]) == ("green", False)
    standards = result.standards.set_index("provider_id")["uncertain"]
    assert standards.to_dict() == {"P1": True, "P2": False}


@pytest.mark.slow
def test_a_standard_is_uncertain_only_where_an_uncertain_measure_could_change_it(tmp_path):
    # 'm' (8 of 11) is uncertain; 'sure' is Not met beyond doubt (5 of 100 against >= 50%), so
    # the standard, its worst measure, is Not met whatever 'm' truly is
    people = [{"episode_id": f"E{i}", "peer_support_offered": i < 8, "choice_offered": i < 5} for i in range(100)]
    for row in people[11:]:
        row["peer_support_offered"] = None
    db = build_store(tmp_path / "a.duckdb", {"P1": {"episodes": people}})
    uncertain = proportion("peer_support_offered", ">= 80%", amber=">= 60%", where="peer_support_offered is not null")
    sure = {**proportion("choice_offered", ">= 50%"), "id": "sure"}
    with store.reading(db) as con:
        result = engine.evaluate(con, [standard([uncertain, sure])], PERIOD)
    assert rows_of(result)["P1"]["uncertain"] and not rows_of(result, "sure")["P1"]["uncertain"]
    assert result.standards.iloc[0][["rating", "uncertain"]].tolist() == ["red", False]
    assert engine.standard_uncertain("amber", [{"amber", "green"}, {"green"}])
    assert not engine.standard_uncertain("red", [{"amber", "green"}, {"red"}])


def test_counts_and_shares_of_things_are_exact_and_medians_have_an_interval(base_db):
    standards = [fixture_standard(n) for n in ("warm-welcome", "no-opiate-free-targets", "peer-workforce")]
    with store.reading(base_db) as con:
        result = engine.evaluate(con, standards, PERIOD)
    m = result.measures.set_index(["provider_id", "measure_id"])
    counts = result.measures[result.measures["measure_id"] == "prohibited-kpis"]
    assert not counts["uncertain"].any() and counts["ci_lower"].isna().all()
    # a share of a provider's own sites has a Wilson interval, but nothing in it is left to chance
    sites = result.measures[result.measures["measure_id"] == "private-waiting"]
    assert sites["ci_lower"].notna().any() and not sites["uncertain"].any()
    assert ((sites["ci_lower"] < 1) & (sites["rating"] == "green")).any()  # would read uncertain if people
    median = m.loc[("P001", "days-to-first-contact")]
    assert median["ci_lower"] <= median["value"] <= median["ci_upper"]
    assert median["comparison"] == "not_compared"  # shown beside the benchmark, never tested against it


@pytest.mark.slow
def test_comparisons_allow_for_the_spread_between_providers(tmp_path):
    # ten providers of 100 people, 35 … 65 met: benchmark 500/1,000 = 0.5, z = (share − 0.5)/0.05
    # = −3, −2, −2, −1, 0, 0, 1, 2, 2, 3, so tau² = 17.82/3,600 = 0.00495 (worked by hand in
    # tests/test_stats.py, test_overdispersion_by_hand)
    met = [35, 40, 40, 45, 50, 50, 55, 60, 60, 65]
    db = build_store(
        tmp_path / "a.duckdb", {f"P{i:02}": {"episodes": people_met(m, 100)} for i, m in enumerate(met, start=1)}
    )
    s = standard([proportion("peer_support_offered", ">= 90%", min_count=10)])
    with store.reading(db) as con:
        rows = rows_of(engine.evaluate(con, [s], PERIOD))
    assert [r["between_variance"] for r in rows.values()] == [pytest.approx(0.00495)] * 10
    # by chance alone, 0.35, 0.40 and 0.60, 0.65 were outside the 95% limits; allowing for the
    # usual spread between providers, the data cannot tell any of them from the benchmark
    plain = {p: stats.compare(r["value"], r["denominator_rows"], r["benchmark"], True) for p, r in rows.items()}
    assert [plain[p] for p in sorted(plain)].count("similar") == 4
    assert {r["comparison"] for r in rows.values()} == {"similar"}
    for row in rows.values():  # the engine's word is stats.compare with the stored spread
        said = stats.compare(
            row["value"], row["denominator_rows"], row["benchmark"], True, 1.0, row["between_variance"]
        )
        assert row["comparison"] == said


@pytest.mark.slow
def test_the_spread_is_worked_out_over_the_providers_compared_only(tmp_path):
    # the ten above and one provider of 5 people (min_count 10: too few to tell, not compared):
    # the benchmark pools every row (503/1,005), the spread only the ten compared
    met = [35, 40, 40, 45, 50, 50, 55, 60, 60, 65]
    providers = {f"P{i:02}": {"episodes": people_met(m, 100)} for i, m in enumerate(met, start=1)}
    providers["P11"] = {"episodes": people_met(3, 5)}
    db = build_store(tmp_path / "a.duckdb", providers)
    s = standard([proportion("peer_support_offered", ">= 90%", min_count=10)])
    with store.reading(db) as con:
        rows = rows_of(engine.evaluate(con, [s], PERIOD))
    assert rows["P11"]["rating"] == "no_data" and rows["P11"]["comparison"] == "not_compared"
    b = 503 / 1005
    compared = [r for p, r in rows.items() if p != "P11"]
    expected = stats.dispersion([r["value"] for r in compared], [100] * 10, b).tau2
    assert expected > 0 and [r["between_variance"] for r in rows.values()] == [expected] * 11
