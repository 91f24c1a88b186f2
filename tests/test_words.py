"""Every figure, rating, threshold, change and date in words (audits.words)."""

from __future__ import annotations

import datetime as dt

import pytest

from audits import words
from audits.standard_model import Measure

SHARE = Measure(
    id="m", label="m", table="episodes", kind="proportion", count_if="choice_offered", green=">= 90%", amber=">= 75%"
)
COUNT = Measure(id="k", label="k", table="kpis", kind="count", where="payment_linked", green="= 0")
MEDIAN = Measure(id="d", label="d", table="episodes", kind="median", value="assessments", green="<= 2")


def test_change_words_read_plainly():
    assert words.change("amber", "provisional") == "↓ Worse (was Met, provisional)"
    assert words.change("green", "amber") == "↑ Better (was Partly met)"
    assert words.change("no_data", "red") == "Now too few to tell (was Not met)"
    assert words.change("red", "no_data") == "Now rated (was Too few to tell)"
    assert words.change("no_data", "no_data") == "= No change"
    assert words.change("red", None) == "New: not audited last period"
    assert words.change("green", "amber", short=True) == "↑ Better"
    # a move the data cannot tell from chance is not called better or worse
    assert words.change("green", "amber", clear=False) == "No clear change (was Partly met)"
    assert words.change("red", "amber", clear=False, short=True) == "No clear change"
    assert words.change("red", "amber", clear=True) == "↓ Worse (was Partly met)"


def test_met_and_met_provisional_are_the_same_figures_never_better_or_worse():
    # a missing story is not "Worse": the figures still meet the standard
    for clear in (None, True, False):
        assert (
            words.change("provisional", "green", clear)
            == "= Still met on the figures, not confirmed by a story this period"
        )
        assert words.change("green", "provisional", clear) == "= Still met, now confirmed by people's experience"


def test_a_rating_the_data_cannot_yet_tell_says_so():
    assert words.rating("green", uncertain=True) == "✔ Met on the figures; the data can't yet tell"
    assert words.rating("provisional", True) == "◔ Met (provisional) on the figures; the data can't yet tell"
    assert words.rating("green", uncertain=False) == words.rating("green", None) == "✔ Met"
    assert words.rating("no_data", uncertain=True) == "○ Too few to tell"  # nothing rated, nothing to doubt
    for key in ("green", "provisional", "amber", "red", "no_data"):
        for unsure in (False, True):
            assert words.rating_key(words.rating(key, unsure)) == (key, unsure and key != "no_data")
    assert words.rating_key("not audited") == (None, False)
    # 8 of 11 against Met at 90% or more, Partly met at 75% or more
    row = {"rating": "amber", "uncertain": True, "value": 8 / 11, "ci_lower": 0.4344, "ci_upper": 0.9025}
    assert words.uncertainty(SHARE, row) == (
        "Partly met on the figures, but the data can't yet tell: its 95% interval, 43.4% to 90.2%, reaches "
        "across the bar for Met (90% or more) and the bar for Partly met (75% or more), so the true figure "
        "may be on either side."
    )
    assert words.result_rating(row) == "◐ Partly met on the figures; the data can't yet tell"
    hidden = {**row, "ci_lower": float("nan"), "ci_upper": float("nan")}  # a figure hidden for small numbers
    assert words.uncertainty(SHARE, hidden) == "" and words.result_rating(hidden) == "◐ Partly met"
    assert words.uncertainty(SHARE, {**row, "uncertain": False}) == ""


def test_thresholds_in_plain_words():
    assert words.thresholds(SHARE) == "Met: 90% or more · Partly met: 75% or more"
    assert words.thresholds(COUNT) == "Met: exactly 0"
    assert words.rules(SHARE) == "Met: 90% or more · Partly met: 75% or more. Rated only with at least 10 people"
    assert words.rules(COUNT) == "Met: exactly 0"
    assert words.thresholds(MEDIAN) == "Met: 2 or less"


def test_figures_say_what_was_counted():
    row = {"value": 0.725, "numerator": 29.0, "denominator": 40.0, "ci_lower": 0.57, "ci_upper": 0.84}
    assert words.figure(SHARE, row) == "72.5% (29 of 40 people)"
    assert words.interval(SHARE, row) == "57.0% to 84.0%"
    assert words.figure(COUNT, {"value": 3.0, "numerator": 3.0, "denominator": 12.0}) == "3 (of 12 KPIs)"
    assert words.interval(COUNT, {"value": 3.0}) == "–"
    assert words.figure(MEDIAN, {"value": 2.5, "denominator": 14.0}) == "2.5 (median over 14 people)"
    assert words.figure(SHARE, {"value": None, "denominator": 0.0}) == "Nothing to measure (0 people)"


def test_a_hidden_figure_says_why_and_is_not_compared_with_the_public_benchmark():
    small = {
        "hidden": "numerator",
        "reason": "small",
        "denominator": 99.0,
        "benchmark": 0.03,
        "comparison": "not_compared",
    }
    assert words.figure(SHARE, small) == "Not shown*: it would reveal fewer than 5 people (out of 99 people)"
    assert words.benchmark(SHARE, small) == ("3.0%", "Not compared: the figure is not shown*")
    linked = {"hidden": "all", "reason": "linked", "benchmark": None, "comparison": "not_compared"}
    assert words.figure(SHARE, linked) == (
        "Not shown*: hidden so that a small count cannot be worked out from other figures"
    )
    assert words.benchmark(SHARE, linked) == ("No benchmark: no provider's figure can be shown", "")
    earlier = {"hidden": "all", "reason": "earlier"}
    assert "an earlier version of these figures" in words.figure(SHARE, earlier)
    assert words.benchmark(COUNT, {"benchmark": None, "comparison": None})[0] == "No benchmark"
    assert words.benchmark(SHARE, {"benchmark": 0.5, "comparison": "similar"}) == ("50.0%", "Similar to the benchmark")


def test_ratings_shown_as_a_range_read_as_words_and_never_as_a_change():
    assert words.rating("green_amber") == "◇ Met or partly met *"
    assert words.rating("withheld") == "◌ Rating not shown *"
    assert words.change("green_amber", "green") == words.CHANGE_NOT_SHOWN + " (was Met)"
    assert words.change("red", "amber_red").startswith(words.CHANGE_NOT_SHOWN)


def test_not_compared_says_the_true_reason():
    no_direction = Measure(
        id="e", label="e", table="episodes", kind="proportion", count_if="choice_offered", green="= 50%"
    )
    on_500 = {"benchmark": 0.5, "comparison": "not_compared", "rating": "green", "denominator": 500.0, "value": 0.5}
    assert words.benchmark(no_direction, on_500) == ("50.0%", "Not compared (the standard says no direction is better)")
    too_few = {"benchmark": 0.5, "comparison": "not_compared", "rating": "no_data", "denominator": 6.0, "value": 0.5}
    assert words.benchmark(SHARE, too_few) == ("50.0%", "Not compared (too few people to rate)")
    median = {"benchmark": 3.0, "comparison": "not_compared", "rating": "green", "denominator": 500.0, "value": 2.0}
    assert words.benchmark(MEDIAN, median) == ("3", "Not compared (a middle value is not tested against the benchmark)")


def test_times_are_shown_in_uk_time_and_dates_in_full():
    assert words.long_date(dt.date(2026, 5, 2)) == "2 May 2026"
    assert words.long_date("2026-05-02") == "2 May 2026"
    # the store keeps UTC; in British Summer Time 13:05 UTC is 14:05 on the wall
    assert words.long_datetime(dt.datetime(2026, 5, 2, 13, 5)) == "2 May 2026 at 14:05"
    assert words.long_datetime(dt.datetime(2026, 12, 2, 13, 5)) == "2 December 2026 at 13:05"
    assert words.long_date(None) == ""


@pytest.mark.slow
def test_one_result_reads_the_same_in_the_pdf_the_dashboard_and_the_command_line(tmp_path, monkeypatch):
    """The same row of the same run, through every output: the same figure, interval,
    thresholds and rating, word for word (audits.words is the one place that says them)."""
    import re
    from pathlib import Path

    from pypdf import PdfReader
    from streamlit.testing.v1 import AppTest
    from typer.testing import CliRunner

    from audits import accounts, findings, report, store
    from audits.cli import app

    from support import dashboard_store

    here = Path(__file__).parent
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db, periods=dashboard_store.PERIODS[-2:])
    period = dashboard_store.PERIODS[-1]
    monkeypatch.setenv(store.DB_ENV, str(db))
    monkeypatch.setenv("LIVED_STANDARDS_DIR", str(dashboard_store.STANDARDS))
    # the command line: a run, and its summary of ratings
    ran = CliRunner().invoke(
        app, ["run", "--period", period, "--standards", str(dashboard_store.STANDARDS)], env={"COLUMNS": "250"}
    )
    assert ran.exit_code == 0, ran.output
    with store.reading(db) as con:
        found = findings.gather(con, "P001", period)
    section = next(s for s in found.sections if s.standard.id == "warm-welcome")
    measure = section.standard.measures[0]
    row = section.measures.set_index("measure_id").loc[measure.id]
    expected = {
        "figure": words.figure(measure, row),
        "interval": words.interval(measure, row),
        "thresholds": words.thresholds(measure),
        "rating": words.rating(section.rating),
    }
    assert "%" in expected["figure"] and "to" in expected["interval"]
    # the PDF
    pdf = report.build_report(db, "P001", period, tmp_path / "P001.pdf")
    flat = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(pdf).pages))
    for words_said in expected.values():
        assert words_said in flat, words_said
    # the dashboard, as an expert citizen (public figures, as the PDF prints them)
    at = AppTest.from_file(str(here.parent / "app.py"), default_timeout=30)
    at.session_state["account"] = accounts.Account("expert", "Test expert", "expert_citizen", None)
    at.session_state["provider_id"] = "P001"
    at.run()
    at.switch_page("dashboard/provider.py").run()
    at.session_state["figures_warm-welcome"] = True  # the figures behind a rating are built once opened
    at.run()
    cells = "\n".join(t.value.data.to_string() if hasattr(t.value, "data") else t.value.to_string() for t in at.table)
    cells = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", cells)  # as the reader sees the escaped cells
    for key in ("figure", "interval", "rating"):
        assert expected[key] in cells, (key, expected[key])
    assert expected["thresholds"] in cells
    # the command line's summary of the same run
    assert expected["rating"] in ran.output


def test_an_audit_run_is_named_by_when_it_ran_never_by_its_id():
    assert words.audit_run("run-20261201-140302-abc123") == "the audit run on 1 December 2026 at 14:03"
    assert words.audit_run("run-20260701-090000-abc123") == "the audit run on 1 July 2026 at 10:00"  # summer: BST
    assert words.audit_run(None) == "the audit run"
