"""Which groups of people a measure counts, and which lie inside which, read from definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits import populations
from audits.standard_files import load_standards
from audits.standard_model import Measure

STANDARDS = {
    m.id: m for s in load_standards(Path(__file__).resolve().parents[1] / "standards").audited for m in s.measures
}


def group(measure_id: str, role: str) -> populations.Group:
    return populations.groups_of(STANDARDS[measure_id])[role]


def share(where: str | None, count_if: str) -> Measure:
    return Measure(
        id="m", label="m", table="episodes", kind="proportion", where=where, count_if=count_if, green=">= 90%"
    )


def test_leavers_who_did_not_die_lie_inside_every_leaver():
    """The pair behind the deaths: aftercare's denominator inside withdrawn-by-provider's."""
    alive, leavers = group("aftercare-offered", "denominator"), group("withdrawn-by-provider", "denominator")
    assert populations.inside(alive, leavers) and not populations.inside(leavers, alive)
    # withdrawn by the provider implies not died: found by trying every discharge code
    assert populations.inside(group("withdrawn-by-provider", "numerator"), alive)
    assert populations.inside(group("aftercare-offered", "complement"), leavers)


def test_codes_in_a_list_and_presence_of_a_value_are_understood():
    assert populations.inside(
        group("urgent-housing-support", "denominator"), group("any-housing-support", "denominator")
    )
    assert populations.inside(group("urgent-housing-support", "numerator"), group("any-housing-support", "numerator"))
    # contacted within 3 days means both dates are there: inside the median's group of people
    assert populations.inside(
        group("contact-within-three-days", "numerator"), group("days-to-first-contact", "denominator")
    )
    assert not populations.inside(
        group("contact-within-three-days", "denominator"), group("days-to-first-contact", "denominator")
    )


def test_the_same_group_written_twice_is_one_group_and_unrelated_groups_are_not_nested():
    everyone = [group(m, "denominator") for m in ("choice-offered", "peer-support-offered", "story-told-once")]
    assert all(populations.same(everyone[0], g) for g in everyone)
    assert not populations.inside(group("choice-offered", "numerator"), group("peer-support-offered", "numerator"))
    assert not populations.inside(
        group("withdrawn-by-provider", "denominator"), group("lived-experience-share", "denominator")
    )
    # the complement is everyone looked at who does not meet count_if: inside the denominator,
    # and apart from the numerator
    groups = populations.groups_of(share("housing_need = 'urgent'", "housing_support"))
    assert populations.inside(groups["complement"], groups["denominator"])
    assert not populations.inside(groups["complement"], groups["numerator"])
    assert not populations.inside(groups["numerator"], groups["complement"])


@pytest.mark.parametrize(
    ("inner", "outer", "nested"),
    [
        (("housing_need = 'urgent'", "housing_support"), ("housing_need <> 'none'", "housing_support"), True),
        (("housing_need = 'urgent'", "housing_support"), ("housing_need = 'problem'", "housing_support"), False),
        (("mental_health_need and housing_support", "choice_offered"), ("housing_support", "choice_offered"), True),
        (("housing_support or mental_health_need", "choice_offered"), ("housing_support", "choice_offered"), False),
        (
            ("referral_date >= period_start", "choice_offered"),
            ("referral_date > period_start", "choice_offered"),
            False,
        ),
    ],
)
def test_nesting_is_claimed_only_when_the_definitions_prove_it(inner, outer, nested):
    a, b = populations.groups_of(share(*inner)), populations.groups_of(share(*outer))
    assert populations.inside(a["denominator"], b["denominator"]) is nested


def test_things_are_not_people():
    assert populations.groups_of(STANDARDS["sites-without-private-waiting"]) == {}
    assert populations.groups_of(STANDARDS["discharge-target-kpis"]) == {}
    assert set(populations.groups_of(STANDARDS["days-to-first-contact"])) == {"denominator"}
