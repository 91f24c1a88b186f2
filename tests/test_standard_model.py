"""The model of a standard: thresholds, ratings, and the checks across fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from audits.standard_model import FieldProblem, Measure, Standard, Threshold, Voice, combine_ratings


def measure(**fields) -> Measure:
    base = {
        "id": "m",
        "label": "A measure",
        "table": "episodes",
        "kind": "proportion",
        "count_if": "choice_offered",
        "green": ">= 90%",
        "amber": ">= 75%",
    }
    return Measure.model_validate({**base, **fields})


def error_text(**fields) -> str:
    with pytest.raises(ValidationError) as caught:
        measure(**fields)
    return str(caught.value)


# ------------------------------------------------------------------ thresholds


def test_exactly_90_percent_meets_at_least_90_percent():
    threshold = Threshold.parse(">= 90%")
    assert threshold.met(0.9)
    assert threshold.met(9 / 10)
    assert threshold.met(0.3 * 3)  # 0.8999999999999999 on a computer: still exactly 90%
    assert threshold.met(27 / 30)
    assert not threshold.met(0.8999)
    assert not threshold.met(None)  # a missing value never meets a threshold


@pytest.mark.parametrize(
    "text, value, met",
    [
        ("<= 14", 14, True),
        ("<= 14", 14.5, False),
        ("< 14", 14, False),
        ("> 0", 0, False),
        ("= 0", 0, True),
        ("= 0", 1, False),
        ("<= 5%", 0.05, True),
        ("<= 5%", 0.0501, False),
        (">= 100%", 1.0, True),
        (" >=90 % ", 0.9, True),
    ],
)
def test_threshold_boundaries(text, value, met):
    assert Threshold.parse(text).met(value) is met


@pytest.mark.parametrize("text", ["about 90%", "90", ">= ninety", "=> 90%", ""])
def test_what_is_not_a_threshold(text):
    with pytest.raises(ValueError, match="is not a threshold"):
        Threshold.parse(text)


def test_direction_of_a_threshold():
    assert Threshold.parse(">= 90%").higher_is_better is True
    assert Threshold.parse("<= 14").higher_is_better is False
    assert Threshold.parse("= 0").higher_is_better is False
    assert Threshold.parse("= 5").higher_is_better is None


# ------------------------------------------------------------------ ratings


def test_rate_green_amber_red_and_too_few():
    m = measure()
    assert m.rate(0.9, 10) == "green"
    assert m.rate(0.8, 10) == "amber"
    assert m.rate(0.5, 10) == "red"
    assert m.rate(0.9, 9) == "no_data"  # below min_count (10)
    assert m.rate(None, 50) == "no_data"


def test_a_count_is_always_rated_and_green_only_at_zero():
    m = measure(kind="count", count_if=None, where="choice_offered", green="= 0", amber=None)
    assert m.rate(0, 0) == "green"
    assert m.rate(1, 1) == "red"


def test_a_median_in_days():
    m = measure(kind="median", count_if=None, value="first_contact_date - referral_date", green="<= 2", amber="<= 5")
    assert [m.rate(v, 20) for v in (2, 3, 6)] == ["green", "amber", "red"]


def test_combine_ratings_is_the_worst_rated_measure():
    assert combine_ratings(["green", "amber", "no_data"]) == "amber"
    assert combine_ratings(["green", "red", "amber"]) == "red"
    assert combine_ratings(["green", "no_data"]) == "green"
    assert combine_ratings(["no_data", "no_data"]) == "no_data"
    assert combine_ratings([]) == "no_data"


# ------------------------------------------------------------------ checks across fields


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"count_if": None}, "a proportion needs count_if"),
        ({"kind": "median", "count_if": None, "green": "<= 2", "amber": None}, "a median needs value"),
        ({"kind": "count", "green": "= 0", "amber": None}, "count_if is only for a proportion"),
        ({"weight": "fte"}, "'fte' is not a column of episodes"),
        (
            {"weight": "assessments", "kind": "count", "count_if": None, "green": "= 0", "amber": None},
            "weight is only for a proportion",
        ),
        ({"green": ">= 90"}, "write the threshold as a percentage"),
        ({"green": ">= 190%"}, "outside 0% to 100%"),
        ({"kind": "count", "count_if": None, "green": "<= 5%", "amber": None}, "not a percentage"),
        ({"amber": ">= 95%"}, "can never be reached"),
        ({"green": "<= 10%", "amber": "<= 5%"}, "can never be reached"),
        ({"amber": "<= 75%"}, "can never be reached"),
        ({"count_if": "choice_ofered"}, "Did you mean 'choice_offered'?"),
        ({"count_if": "assessments"}, "not a condition"),
        ({"where": "read_csv('/etc/passwd') is not null"}, "reads a file or the network"),
        ({"min_count": 0}, "greater than or equal to 1"),
    ],
)
def test_mistakes_in_a_measure(fields, words):
    assert words in error_text(**fields)


def test_amber_can_be_a_lower_bar_for_a_zero_target():
    assert measure(kind="count", count_if=None, where="choice_offered", green="= 0", amber="<= 2").amber.target == 2


def test_a_check_across_fields_says_which_field_to_change():
    with pytest.raises(ValidationError) as caught:
        measure(count_if=None)
    [error] = caught.value.errors()
    assert isinstance(error["ctx"]["error"], FieldProblem)
    assert error["ctx"]["error"].field == "kind"


def test_a_voice_needs_a_group_and_year():
    assert Voice(
        quote="They have to ditch opiate free discharges.", source="Expert Link National Advisory Panel, 2020"
    ).source.endswith("2020")
    with pytest.raises(ValidationError, match="has no year"):
        Voice(quote="words", source="A person")


def standard(**fields) -> dict:
    return {
        "id": "s",
        "title": "T",
        "version": 1,
        "status": "approved",
        "approved_by": "Group",
        "approved_on": "2026-09-10",
        "theme": "access",
        "statement": "S",
        "why": "W",
        "measures": [
            {
                "id": "m",
                "label": "L",
                "table": "episodes",
                "kind": "proportion",
                "count_if": "choice_offered",
                "green": ">= 90%",
            }
        ],
        **fields,
    }


def test_standard_statuses_and_approval():
    assert Standard.model_validate(standard()).audited
    assert not Standard.model_validate(standard(status="draft", approved_by=None, approved_on=None)).audited
    assert not Standard.model_validate(standard(status="retired")).audited
    with pytest.raises(ValidationError, match="needs approved_by and approved_on"):
        Standard.model_validate(standard(approved_on=None))


def test_measure_ids_are_different():
    measures = standard()["measures"] * 2
    with pytest.raises(ValidationError, match="repeated: m"):
        Standard.model_validate(standard(measures=measures))


def test_a_standard_survives_a_round_trip_through_json():
    """The engine stores each standard as audited (body_json) and reads it back."""
    original = Standard.model_validate(standard())
    again = Standard.model_validate_json(original.model_dump_json())
    assert again == original
    assert again.measures[0].green.met(0.9)
