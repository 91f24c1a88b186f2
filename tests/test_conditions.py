"""Conditions as the workshop's form holds them: read from the text, written back, changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audits import conditions as cd
from audits.expressions import compile_expression
from audits.standard_files import load_standards

REAL = Path(__file__).resolve().parent.parent / "standards"


def every_expression():
    for standard in load_standards(REAL).standards:
        for measure in standard.measures:
            for field in ("where", "count_if"):
                text = getattr(measure, field)
                if text:
                    yield f"{measure.id}.{field}", text, measure.table


@pytest.mark.parametrize("name,text,table", list(every_expression()), ids=lambda v: v if "." in str(v) else "")
def test_every_condition_of_the_standards_reads_into_menus_and_back_unchanged(name, text, table):
    condition = cd.parse_condition(text, table)
    assert condition, f"{name}: the menus cannot show '{text}'"
    written = cd.render_condition(condition)
    assert compile_expression(written, table) == compile_expression(text, table)
    assert cd.parse_condition(written, table) == condition


@pytest.mark.slow
def test_every_number_of_the_standards_reads_into_menus_and_back():
    for standard in load_standards(REAL).standards:
        for m in standard.measures:
            for text in (m.value, m.weight):
                if text:
                    number = cd.parse_number(text, m.table)
                    assert number is not None and cd.render_number(number) == " ".join(text.split())


@pytest.mark.parametrize(
    "text,clause",
    [
        ("peer_support_offered", cd.Clause(cd.YES_NO, "peer_support_offered", "yes")),
        ("not paid", None),  # not a column of episodes
        ("peer_support_offered = false", cd.Clause(cd.YES_NO, "peer_support_offered", "no")),
        ("housing_need <> 'none'", cd.Clause(cd.CODE, "housing_need", "not_in", ("none",))),
        ("sex not in ('male', 'other')", cd.Clause(cd.CODE, "sex", "not_in", ("male", "other"))),
        ("assessments >= 2", cd.Clause(cd.NUMBER, "assessments", ">=", number=2)),
        ("3 >= first_contact_date - referral_date", None),  # a number on the left: kept as written
        ("period_start <= referral_date", cd.Clause(cd.DATE, "referral_date", ">=", anchor="period_start")),
        (
            "referral_date >= '2026-04-01'",
            cd.Clause(cd.DATE, "referral_date", ">=", anchor="day", day=dt.date(2026, 4, 1)),
        ),
        (
            "referral_date < period_start + 14",
            cd.Clause(cd.DATE, "referral_date", "<", anchor="period_start", offset=14),
        ),
        ("discharge_date is null", cd.Clause(cd.FILLED, "discharge_date", "empty")),
        ("discharge_date is not null", cd.Clause(cd.FILLED, "discharge_date", "filled")),
        ("assessments * 2 > 3", None),
        ("not (choice_offered or housing_support)", None),
    ],
)
def test_one_clause(text, clause):
    got = cd.parse_condition(text, "episodes")
    assert got == (None if clause is None else ((clause,),))


def test_or_inside_and_on_one_column_is_one_menu_and_other_mixtures_are_kept_as_written():
    mixed = "(housing_need = 'urgent' or housing_need = 'problem') and not housing_support"
    assert cd.parse_condition(mixed, "episodes") == (
        (
            cd.Clause(cd.CODE, "housing_need", "in", ("urgent", "problem")),
            cd.Clause(cd.YES_NO, "housing_support", "no"),
        ),
    )
    assert cd.parse_condition("(choice_offered or housing_support) and representation", "episodes") is None


def test_text_with_a_quote_and_a_wildcard_inside():
    condition = ((cd.Clause(cd.TEXT, "text", "contains", ("people's", "client")),),)
    written = cd.render_condition(condition)
    assert written == "text ilike '%people''s%' or text ilike '%client%'"
    assert cd.parse_condition(written, "documents") == condition
    assert cd.parse_condition("text ilike '%50%%'", "documents") is None


def test_a_text_clause_of_several_words_beside_another_is_bracketed():
    condition = ((cd.Clause(cd.TEXT, "title", "starts", ("Welcome", "Hello")), cd.Clause(cd.FILLED, "text", "filled")),)
    written = cd.render_condition(condition)
    assert written == "(title ilike 'Welcome%' or title ilike 'Hello%') and text is not null"
    compile_expression(written, "documents", expect="condition")
    assert cd.parse_condition(written, "documents") == condition


def test_what_the_form_changes():
    days = cd.with_part(cd.first_clause("episodes"), "field", cd.DAYS_FIELD, "episodes")
    assert cd.render_clause(days) == "first_contact_date - referral_date <= 3"
    later = cd.with_part(days, "number", 5, "episodes")
    assert cd.render_clause(later) == "first_contact_date - referral_date <= 5"
    date = cd.with_part(days, "field", "trauma_training_date", "workforce")
    assert cd.render_clause(date) == "trauma_training_date >= period_start"
    two_years = cd.with_part(cd.with_part(date, "when", "before_end", "workforce"), "days", 730, "workforce")
    assert cd.render_clause(two_years) == "trauma_training_date >= period_end - 730"
    assert cd.when_of(two_years) == "before_end"
    on_a_day = cd.with_part(two_years, "when", "day", "workforce", today=dt.date(2026, 5, 1))
    assert cd.render_clause(on_a_day) == "trauma_training_date >= '2026-05-01'"
    empty = cd.with_part(date, "op", "empty", "workforce")
    assert cd.render_clause(empty) == "trauma_training_date is null"
    back = cd.with_part(empty, "op", "<=", "workforce")
    assert cd.render_clause(back) == "trauma_training_date <= period_start"
    for clause in (days, later, date, two_years, on_a_day, empty, back):
        table = "episodes" if clause.column.endswith("contact_date") else "workforce"
        compile_expression(cd.render_clause(clause), table, expect="condition")


def test_adding_and_removing_clauses():
    one = ((cd.Clause(cd.YES_NO, "choice_offered", "yes"),),)
    both = cd.with_added(one, "episodes", 0)
    either = cd.with_added(one, "episodes")
    assert len(both) == 1 and len(both[0]) == 2 and len(either) == 2
    assert cd.render_condition(either) == "choice_offered or choice_offered"
    assert cd.with_clause(both, 0, 1, None) == one
    assert cd.with_clause(one, 0, 0, None) == ()
    assert cd.render_condition(()) == ""
    assert cd.parse_condition("", "episodes") == ()


def test_every_table_offers_a_first_condition_and_its_columns():
    for table in ("episodes", "contacts", "workforce", "kpis", "sites", "documents"):
        clause = cd.first_clause(table)
        compile_expression(cd.render_clause(clause), table, expect="condition")
        types = cd.clause_types(table)
        assert all(c in cd.spec.TABLES[table].column_names for cs in types.values() for c in cs)
        assert not any(c.endswith("_id") for c in types[cd.CODE] + types[cd.TEXT])  # reference numbers stay out
