"""Breakdowns by sex, age and ethnic group (audits/breakdowns.py), worked out by the engine when
an audit runs and kept with it, exact on a small store whose every figure is written here; and
their disclosure control (audits/disclosure_breakdowns.py): no group of 1-4 people shown, and no
hidden group worked out by subtracting the others from the provider's whole."""

from __future__ import annotations

import json

import pytest

from audits import breakdowns, disclosure, disclosure_breakdowns, runs, stats, store
from audits.disclosure import NONE

from support import disclosure_attacker as attacker
from support.stores import build_store, proportion, standard

PERIOD = "2026-Q2"


def person(i: int, sex: str, age: str, ethnicity: str, offered: bool) -> dict:
    return {
        "episode_id": f"E{i:03d}",
        "sex": sex,
        "age_band": age,
        "ethnicity": ethnicity,
        "peer_support_offered": offered,
    }


def people(groups: list[tuple[int, int, str, str, str]], start: int = 0) -> list[dict]:
    """(how many, how many offered peer support, sex, age band, ethnic group) -> episodes."""
    out, i = [], start
    for n, offered, sex, age, ethnicity in groups:
        for k in range(n):
            out.append(person(i, sex, age, ethnicity, k < offered))
            i += 1
    return out


# P1: 40 women (all offered peer support), 40 men (16 offered), 2 people whose sex is not stated
# (1 offered): 57 of 82 in all. Each person's contacts: a woman's 2 attended, a man's 1 attended
# and 1 missed; one contact whose journey is not in the return.
P1 = people(
    [
        (20, 20, "female", "25-34", "black"),
        (20, 20, "female", "35-44", "white"),
        (40, 16, "male", "35-44", "white"),
        (2, 1, "not_stated", "18-24", "asian"),
    ]
)


def contacts(episodes: list[dict]) -> list[dict]:
    out = []
    for e in episodes:
        second = "attended" if e["sex"] == "female" else "missed"
        out += [
            {"contact_id": f"{e['episode_id']}-1", "episode_id": e["episode_id"], "outcome": "attended"},
            {"contact_id": f"{e['episode_id']}-2", "episode_id": e["episode_id"], "outcome": second},
        ]
    return out + [{"contact_id": "C-lost", "episode_id": "E999", "outcome": "attended"}]


PEER = proportion("peer_support_offered", green=">= 90%", label="Offered peer support")
ATTENDED = {
    "id": "attended",
    "label": "Appointments attended",
    "table": "contacts",
    "kind": "proportion",
    "count_if": "outcome = 'attended'",
    "green": ">= 80%",
}
STANDARD = standard([PEER, ATTENDED], id="peer-support")


def audited(tmp_path, providers: dict, standards=None) -> tuple:
    db = build_store(tmp_path / "audit.duckdb", providers)
    folder = tmp_path / "standards"
    folder.mkdir()
    for s in standards or [STANDARD]:  # JSON is YAML too
        (folder / f"{s.id}.yaml").write_text(json.dumps(s.model_dump(mode="json", exclude_none=True), indent=1))
    run_id = runs.run_audit(db, PERIOD, folder, run_by="test")
    return db, run_id


def by_group(frame, measure_id: str, dimension: str) -> dict:
    rows = frame[(frame["measure_id"] == measure_id) & (frame["dimension"] == dimension)]
    return {r["grp"]: r for r in rows.to_dict("records")}


@pytest.fixture(scope="module")
def p1(tmp_path_factory) -> tuple:
    """P1's store, audited once for the tests that only read it."""
    return audited(tmp_path_factory.mktemp("p1"), {"P1": {"episodes": P1, "contacts": contacts(P1)}})


@pytest.mark.slow
def test_each_group_is_worked_out_as_the_whole_is_and_the_groups_add_up(p1):
    db, run_id = p1
    with store.reading(db) as con:
        exact = breakdowns.read(con, run_id, "P1")
        whole = runs.read_results(con, run_id, "P1").set_index("measure_id")
    sex = by_group(exact, "m", "sex")
    assert list(sex) == ["female", "male", "other", "not_stated"]  # every group, in the specification's order
    assert [(sex[g]["numerator"], sex[g]["denominator"]) for g in sex] == [(40, 40), (16, 40), (0, 0), (1, 2)]
    assert (whole.loc["m", "numerator"], whole.loc["m", "denominator"]) == (57, 82)
    assert sex["female"]["ci_lower"] == pytest.approx(stats.wilson(40, 40)[0])
    assert sex["male"]["value"] == pytest.approx(0.4)
    # everyone: 57 of 82 (69.5%, 58.9% to 78.5%); women 91.2% to 100% lie above it, men 26.3% to 55.4% below
    assert (sex["female"]["comparison"], sex["male"]["comparison"]) == ("better", "worse")
    assert sex["not_stated"]["comparison"] == "not_compared"  # 2 people: fewer than the minimum count of 10
    assert sex["other"]["value"] is None or sex["other"]["value"] != sex["other"]["value"]
    ethnicity = by_group(exact, "m", "ethnicity")
    assert [(ethnicity[g]["numerator"], ethnicity[g]["denominator"]) for g in ("asian", "black", "white")] == [
        (1, 2),
        (20, 20),
        (36, 60),
    ]
    assert ethnicity["white"]["comparison"] == "similar"  # 48.6% to 71.4% overlaps everyone's interval
    age = by_group(exact, "m", "age_band")
    assert [age[g]["denominator"] for g in breakdowns.groups_of("age_band")] == [2, 20, 60, 0, 0, 0]
    # every dimension adds up to the whole, for every measure
    for (measure_id, _), rows in exact.groupby(["measure_id", "dimension"]):
        assert rows["denominator"].sum() == whole.loc[measure_id, "denominator"]
        assert rows["numerator"].sum() == whole.loc[measure_id, "numerator"]


@pytest.mark.slow
def test_contacts_are_grouped_by_the_person_of_their_journey(p1):
    db, run_id = p1
    with store.reading(db) as con:
        exact = breakdowns.read(con, run_id, "P1", "peer-support")
    sex = by_group(exact, "attended", "sex")
    # women 80 of 80 attended; men 40 of 80; not stated: 2 people's 2 of 4; the contact whose journey
    # is not in the return: a group of its own, so that the groups add up to everyone's 123 of 165
    assert [(sex[g]["numerator"], sex[g]["denominator"]) for g in sex] == [(80, 80), (40, 80), (0, 0), (2, 4), (1, 1)]
    assert list(sex)[-1] == "not_recorded"


def test_only_measures_of_people_with_an_interval_are_broken_down():
    from audits.standard_model import Standard

    kinds = Standard.model_validate(
        {
            **STANDARD.model_dump(mode="json", exclude_none=True),
            "measures": [
                PEER,
                {
                    "id": "n",
                    "label": "n",
                    "table": "episodes",
                    "kind": "count",
                    "where": "peer_support_offered",
                    "green": ">= 1",
                },  # fmt: skip
                {**PEER, "id": "w", "table": "workforce", "count_if": "paid"},
                {**PEER, "id": "k", "table": "kpis", "count_if": "payment_linked"},
                {
                    "id": "t",
                    "label": "t",
                    "table": "episodes",
                    "kind": "median",
                    "value": "assessments",
                    "green": "<= 2",
                },
            ],
        }
    )
    assert [m.id for m in kinds.measures if breakdowns.broken_down(m)] == ["m", "t"]


@pytest.mark.slow
def test_a_small_group_is_hidden_and_cannot_be_got_back_from_the_whole(tmp_path):
    # 3 people whose sex is recorded as other: hidden; men are hidden too, so that 'other' is not the
    # provider's whole minus the women and the not stated
    small = people(
        [(41, 41, "female", "25-34", "white"), (40, 16, "male", "35-44", "white"), (3, 2, "other", "25-34", "white")]
    )
    db, run_id = audited(tmp_path, {"P1": {"episodes": small}}, [standard([PEER], id="peer-support")])
    with store.reading(db) as con:
        public = disclosure_breakdowns.public(con, run_id, "P1")
        whole = disclosure.public_results(con, run_id, "P1")
    sex = by_group(public, "m", "sex")
    assert (sex["other"]["hidden"], sex["other"]["reason"]) == ("all", "small")
    assert sex["other"]["comparison"] == "not_compared"
    assert sex["male"]["hidden"] != NONE and sex["male"]["reason"] == "linked"
    assert sex["female"]["hidden"] == NONE and sex["female"]["numerator"] == 41
    assert whole.iloc[0]["denominator"] == 84  # the whole is shown
    assert attacker.attack_breakdowns(public, whole) == []


@pytest.mark.slow
def test_two_hidden_groups_of_one_are_not_pinned_by_their_sum(tmp_path):
    # 1 person 'other' and 1 'not stated': their sum (2) would pin both at 1 without a third hidden group
    two = people(
        [
            (40, 40, "female", "25-34", "white"),
            (40, 16, "male", "35-44", "white"),
            (1, 1, "other", "25-34", "white"),
            (1, 0, "not_stated", "25-34", "white"),
        ]
    )
    db, run_id = audited(tmp_path, {"P1": {"episodes": two}}, [standard([PEER], id="peer-support")])
    with store.reading(db) as con:
        public = disclosure_breakdowns.public(con, run_id, "P1")
        whole = disclosure.public_results(con, run_id, "P1")
    sex = by_group(public, "m", "sex")
    assert sex["other"]["hidden"] == sex["not_stated"]["hidden"] == "all"
    assert sum(sex[g]["hidden"] != NONE for g in sex) >= 3
    assert attacker.attack_breakdowns(public, whole) == []


def test_the_attacker_finds_a_lone_hidden_group():
    """The test's attacker is not blind: with only one group hidden it subtracts, and says so."""
    import pandas as pd

    rows = [
        {"provider_id": "P1", "standard_id": "s", "measure_id": "m", "dimension": "sex", "grp": g,
         "numerator": n, "denominator": d, "hidden": h, "reason": r}
        for g, n, d, h, r in (
            ("female", 40, 40, "", ""),
            ("male", 16, 40, "", ""),
            ("other", None, None, "all", "small"),
            ("not_stated", 0, 0, "", ""),
        )
    ]  # fmt: skip
    whole = pd.DataFrame([{"provider_id": "P1", "standard_id": "s", "measure_id": "m", "numerator": 58.0,
                           "denominator": 83.0, "hidden": ""}])  # fmt: skip
    claims = attacker.attack_breakdowns(pd.DataFrame(rows), whole)
    assert ("P1", "s", "m", "sex", "other", "denominator", 3) in claims


@pytest.mark.slow
def test_the_small_demos_two_leaks_stay_shut(tmp_path):
    """What the attacker found on the small demo before they were closed: a provider of 4 people in
    4 age bands (each 'hidden: 1-4 people' adding up to at most 4 pinned every one at 1), and two
    groups each with 4 not counted, adding up to the provider's 8 (each could only be 4)."""
    four = people([(1, 1, "female", age, "white") for age in ("25-34", "35-44", "45-54", "55-64")])
    eight = people([(20, 16, "female", "25-34", "white"), (20, 16, "male", "25-34", "white")], start=10)
    db, run_id = audited(
        tmp_path, {"P1": {"episodes": four}, "P2": {"episodes": eight}}, [standard([PEER], id="peer-support")]
    )
    with store.reading(db) as con:
        public = disclosure_breakdowns.public(con, run_id)
        whole = disclosure.public_results(con, run_id)
    assert attacker.attack_breakdowns(public, whole) == []
    p1 = public[public["provider_id"] == "P1"]
    assert set(p1["reason"]) == {"whole"} and set(p1["hidden"]) == {"all"}  # 4 people: not broken down
    sex = by_group(public[public["provider_id"] == "P2"], "m", "sex")
    assert sex["female"]["hidden"] == sex["male"]["hidden"] == "all"


@pytest.mark.slow
def test_control_without_complementary_suppression_the_attacker_subtracts(tmp_path, monkeypatch):
    """Primary suppression alone is not enough: the attacker gets the hidden group back."""
    monkeypatch.setattr(disclosure_breakdowns, "_protect_dimension", lambda total, parts, g: None)
    small = people(
        [(41, 41, "female", "25-34", "white"), (40, 16, "male", "35-44", "white"), (3, 2, "other", "25-34", "white")]
    )
    db, run_id = audited(tmp_path, {"P1": {"episodes": small}}, [standard([PEER], id="peer-support")])
    with store.reading(db) as con:
        claims = attacker.attack_breakdowns(
            disclosure_breakdowns.public(con, run_id), disclosure.public_results(con, run_id)
        )
    assert ("P1", "peer-support", "m", "sex", "other", "denominator", 3) in claims


@pytest.mark.slow
def test_the_pdf_says_once_that_a_measure_with_a_small_whole_is_not_broken_down(tmp_path):
    """P1 offers peer support to 3 of 60 people: no group's count is shown, each group's size is,
    under one line that says why (not the reason again in each of its 13 groups' rows)."""
    from pypdf import PdfReader

    from audits import report, words

    few = people([(30, 3, "female", "25-34", "black"), (30, 0, "male", "35-44", "white")])
    db, _ = audited(tmp_path, {"P1": {"episodes": few, "contacts": contacts(few)}})
    out = report.build_report(db, "P1", PERIOD, tmp_path / "P1.pdf")
    page_text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert words.NOT_BROKEN_DOWN in page_text
    assert "Female Not shown* (out of 30 people)" in page_text
    assert "as in the provider's figure as a whole" not in page_text  # the reason is not in each row


@pytest.mark.slow
def test_the_pdf_prints_each_measure_by_group_as_published(tmp_path):
    from pypdf import PdfReader

    from audits import report

    small = people(
        [(40, 40, "female", "25-34", "black"), (39, 16, "male", "35-44", "white"), (3, 2, "other", "25-34", "white")]
    )
    db, run_id = audited(tmp_path, {"P1": {"episodes": small, "contacts": contacts(small)}})
    out = report.build_report(db, "P1", PERIOD, tmp_path / "P1.pdf")
    page_text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert "By sex, age and ethnic group" in page_text
    assert "Female 100.0% (40 of 40 people) 91.2% to 100.0% Better than everyone's" in page_text
    assert "Other Not shown*: it would reveal fewer than 5 people" in page_text
    # the groups with nobody in them, on one line
    assert "No people: Asian, Mixed, Other, Not stated" in page_text
    assert "(16 of 39 people)" not in page_text  # men hidden too, so that 'other' cannot be worked out
    with store.reading(db) as con:
        assert (
            attacker.attack_breakdowns(
                disclosure_breakdowns.public(con, run_id), disclosure.public_results(con, run_id)
            )
            == []
        )


@pytest.mark.slow
def test_the_hard_store_and_its_rerun_give_no_group_away(tmp_path):
    """The disclosure tests' hard store (deaths behind nested measures, a tiny provider, a lone
    provider), with every person's sex, age and ethnic group, audited twice."""
    from support import hard_store

    db = tmp_path / "audit.duckdb"
    folder = hard_store.build(db, tmp_path)
    again = hard_store.rerun(db, folder)
    with store.reading(db) as con:
        every = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY started_at").fetchall()]
        assert again in every and len(every) == 3
        for run_id in every:
            public = disclosure_breakdowns.public(con, run_id)
            whole = disclosure.public_results(con, run_id)
            assert not public.empty
            assert attacker.attack_breakdowns(public, whole) == []
            exact = breakdowns.read(con, run_id)
            small = exact["denominator_rows"].isin(range(1, 5))
            assert small.any()  # the store has small groups to hide ...
            hidden = public.set_index(["provider_id", "measure_id", "dimension", "grp"])["hidden"]
            keys = list(zip(exact["provider_id"], exact["measure_id"], exact["dimension"], exact["grp"]))
            assert all(hidden[k] == "all" for k, s in zip(keys, small) if s)  # ... and hides them all
