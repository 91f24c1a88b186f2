"""Every figure, rating, threshold, change and date in words (audits.words)."""

from __future__ import annotations

import datetime as dt

from audits import words
from audits.standard import Measure

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


def test_times_are_shown_in_uk_time_and_dates_in_full():
    assert words.long_date(dt.date(2026, 5, 2)) == "2 May 2026"
    assert words.long_date("2026-05-02") == "2 May 2026"
    # the store keeps UTC; in British Summer Time 13:05 UTC is 14:05 on the wall
    assert words.long_datetime(dt.datetime(2026, 5, 2, 13, 5)) == "2 May 2026 at 14:05"
    assert words.long_datetime(dt.datetime(2026, 12, 2, 13, 5)) == "2 December 2026 at 13:05"
    assert words.long_date(None) == ""
