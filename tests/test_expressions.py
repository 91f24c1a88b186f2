"""Safe expressions: the whitelist, the plain messages, and the SQL that really runs."""

from __future__ import annotations

import datetime as dt

import pytest

from audits import store
from audits.expressions import ExpressionError, compile_expression

from support.stores import insert_rows


def refused(text: str, table: str = "episodes", expect: str | None = None) -> str:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, table, expect=expect)
    return str(caught.value)


# ---------------------------------------------------------------- what is refused


@pytest.mark.parametrize(
    "text, words",
    [
        ("1=1; DROP TABLE x", "Only one condition is allowed"),
        ("assessments = 1; DROP TABLE episodes", "remove the ';'"),
        ("DROP TABLE episodes", "statement"),
        ("read_csv('/etc/passwd')", "reads a file or the network"),
        ("assessments in (select count(*) from read_csv('/etc/passwd'))", "sub-query"),
        ("assessments = (select 1)", "sub-query"),
        ("exists (select 1 from workforce)", "sub-query"),
        ("abs(assessments) > 1", "function call (abs)"),
        ("getvariable('x') = 1", "function call (getvariable)"),
        ("cast(assessments as varchar) = '1'", "changes a type"),
        ("assessments::varchar = '1'", "changes a type"),
        ("episodes.assessments > 1", "other tables cannot be used"),
        ("assessments = ?", "placeholders"),
        ("assessments between 1 and 3", "between is not supported"),
        ("case when choice_offered then 1 else 0 end = 1", "case ... when is not supported"),
        ("assessments % 2 = 1", "not allowed in an expression"),
        ("assessments || 1 = 1", "not allowed in an expression"),
        ("select 1", "statement"),
        ("install httpfs", "statement"),
        ("assessments = 1 -- and then something", "Comments"),
        ("assessments = 1 /* ; drop table episodes */", "Comments"),
        ("", "empty"),
        ("assessments = 'x", "quote is not closed"),
        ("assessments = (1", "could not be read"),
        ("assessments = 1 and", "could not be read"),
    ],
)
def test_refused_before_anything_runs(text, words):
    assert words in refused(text)


def test_lower_is_refused_with_a_pointer_to_ilike():
    message = refused("lower(title) like '%client%'", "documents")
    assert "function call (lower)" in message
    assert "ilike" in message


def test_a_very_long_expression_is_refused():
    assert "characters long" in refused("assessments = 1 or " * 200 + "assessments = 2")


def test_unknown_column_names_the_closest_real_one():
    assert refused("lived_experiance = 'yes'", "workforce") == (
        "'lived_experiance' is not a column of workforce. Did you mean 'lived_experience'?"
    )


def test_a_column_of_another_table_says_where_it_lives():
    message = refused("fte > 0.5", "episodes")
    assert "'fte' is not a column of episodes" in message
    assert "It is a column of workforce" in message


def test_a_bare_word_is_taken_for_a_column_and_the_fix_is_quotes():
    message = refused("lived_experience = yes", "workforce")
    assert "put it in single quotes: 'yes'" in message
    assert "single quotes ('yes'), not double quotes" in refused('lived_experience = "yes"', "workforce")


def test_a_word_that_is_not_a_code_of_the_column():
    message = refused("lived_experience = 'yse'", "workforce")
    assert "'yse' is not one of the values of lived_experience" in message
    assert "Did you mean 'yes'?" in message
    assert "not one of the values of discharge_reason" in refused("discharge_reason in ('dropped_out', 'withdrawn')")


def test_every_mistake_in_one_expression_is_listed():
    with pytest.raises(ExpressionError) as caught:
        compile_expression("lived_experiance = 'yes' and rol = 'peer'", "workforce")
    assert len(caught.value.problems) == 2
    assert "Did you mean 'role'?" in str(caught.value)


@pytest.mark.parametrize(
    "text, table, words",
    [
        ("role = 1", "workforce", "compares text with a whole number"),
        ("peer_support_offered = 'yes'", "episodes", "write peer_support_offered on its own"),
        ("referral_date > 3", "episodes", "Dates are compared with dates"),
        ("referral_date >= '2026-13-01'", "episodes", "'2026-13-01' is not a date"),
        ("referral_date >= '1 April 2026'", "episodes", "is not a date"),
        ("discharge_date = null", "episodes", "is null"),
        ("referral_date - 1.5 > first_contact_date", "episodes", "whole days"),
        ("referral_date + first_contact_date > 1", "episodes", "cannot be used with a date and a date"),
        ("title like 3", "documents", "like matches text"),
        ("fte and paid", "workforce", "not a condition"),
        ("-referral_date < 1", "episodes", "only numbers can be negative"),
    ],
)
def test_things_that_do_not_make_sense(text, table, words):
    assert words in refused(text, table)


def test_what_a_field_expects():
    assert "not a condition" in refused("first_contact_date - referral_date", expect="condition")
    assert "not a number" in refused("referral_date", expect="number")
    assert "not a number" in refused("choice_offered", expect="number")


def test_an_unknown_table():
    assert "not a table of the provider return" in refused("a = 1", "people")


# ---------------------------------------------------------------- what is allowed


@pytest.mark.parametrize(
    "text, table, sql",
    [
        ("lived_experience = 'yes'", "workforce", "(\"lived_experience\" = 'yes')"),
        ("Lived_Experience = 'yes'", "workforce", "(\"lived_experience\" = 'yes')"),
        ("peer_support_offered", "episodes", '("peer_support_offered")'),
        ("first_contact_date - referral_date <= 2", "episodes", '("first_contact_date" - "referral_date" <= 2)'),
        ("referral_date >= '2026-04-01'", "episodes", "(\"referral_date\" >= CAST('2026-04-01' AS DATE))"),
        ("discharge_date is not null", "episodes", '(NOT "discharge_date" IS NULL)'),
        ("text ilike '%service user%'", "documents", "(\"text\" ILIKE '%service user%')"),
    ],
)
def test_sql_is_regenerated_and_quoted(text, table, sql):
    assert compile_expression(text, table) == sql


def test_a_quote_inside_a_word_stays_a_word():
    sql = compile_expression("name = 'it''s; drop table kpis'", "kpis")
    assert sql == "(\"name\" = 'it''s; drop table kpis')"


# ---------------------------------------------------------------- the SQL runs over cur_<table>


@pytest.fixture()
def con(tmp_path):
    """A real store with one provider's workforce and episodes for 2026-Q2."""
    connection = store.connect(tmp_path / "audit.duckdb")
    connection.execute("INSERT INTO periods VALUES ('2026-Q2', DATE '2026-04-01', DATE '2026-06-30')")
    connection.execute(
        "INSERT INTO submissions (submission_id, kind, provider_id, period, loaded_at, is_current) "
        "VALUES ('s1', 'return', 'P001', '2026-Q2', now(), true)"
    )
    staff = [  # staff_id, role, paid, fte, lived_experience, trauma_training_date
        ("w1", "peer", True, 1.0, "yes", dt.date(2026, 5, 1)),
        ("w2", "clinical", True, 0.5, "no", dt.date(2024, 6, 29)),
        ("w3", "keyworker", True, 1.0, "prefer_not_to_say", dt.date(2024, 7, 1)),
        ("w4", "peer", False, 0.2, "yes", None),
    ]
    workforce = ("staff_id", "role", "paid", "fte", "lived_experience", "trauma_training_date")
    insert_rows(connection, "workforce", "s1", "P001", "2026-Q2", [dict(zip(workforce, r, strict=True)) for r in staff])
    documents = [("d1", "Welcome", "Welcome to the Service User forum"), ("d2", "Letter", "Dear Sam")]
    insert_rows(
        connection,
        "documents",
        "s1",
        "P001",
        "2026-Q2",
        [dict(zip(("document_id", "title", "text"), r, strict=True)) for r in documents],
    )
    yield connection
    connection.close()


def matching(con, table: str, text: str) -> list[str]:
    key = {"workforce": "staff_id", "documents": "document_id"}[table]
    sql = compile_expression(text, table)
    return [
        r[0]
        for r in con.execute(f"SELECT {key} FROM cur_{table} WHERE coalesce({sql}, false) ORDER BY {key}").fetchall()
    ]


@pytest.mark.slow
def test_conditions_select_the_right_rows(con):
    assert matching(con, "workforce", "lived_experience = 'yes'") == ["w1", "w4"]
    assert matching(con, "workforce", "role in ('peer', 'keyworker') and paid") == ["w1", "w3"]
    assert matching(con, "workforce", "not paid or fte < 0.6") == ["w2", "w4"]
    assert matching(con, "workforce", "trauma_training_date is null") == ["w4"]


@pytest.mark.slow
def test_date_minus_days_counts_whole_days(con):
    # period_end 2026-06-30 minus 730 days is 2024-06-30: w3 (2024-07-01) counts, w2
    # (2024-06-29, a day too early) does not,
    # a day earlier does not, and a missing date never counts.
    assert matching(con, "workforce", "trauma_training_date >= period_end - 730") == ["w1", "w3"]
    assert matching(con, "workforce", "period_end - trauma_training_date <= 730") == ["w1", "w3"]
    assert matching(con, "workforce", "trauma_training_date >= '2024-06-30'") == ["w1", "w3"]
    assert matching(con, "workforce", "trauma_training_date + 731 > period_end") == ["w1", "w3"]


def test_ilike_ignores_capitals_and_like_does_not(con):
    assert matching(con, "documents", "text ilike '%service user%'") == ["d1"]
    assert matching(con, "documents", "text like '%service user%'") == []


@pytest.mark.slow
def test_a_value_for_a_median(con):
    sql = compile_expression("period_end - trauma_training_date", "workforce", expect="number")
    days = con.execute(f"SELECT median({sql}) FROM cur_workforce").fetchone()[0]
    assert days == 729  # 60, 729 and 731 days: the middle one; the missing date is left out
