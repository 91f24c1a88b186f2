"""The Making Data Count XmR rules, each on a small series worked out by hand."""

import pytest

from audits import spc


def test_too_few_points_gives_no_chart():
    assert spc.xmr([1, 2, 3, 4, 5, 6, 7]) is None


def test_limits_are_mean_plus_minus_266_mean_moving_range():
    values = [10, 12, 11, 13, 12, 11, 12, 13]
    chart = spc.xmr(values)
    # mean 94/8; moving ranges 2,1,2,1,1,1,1 -> 9/7
    assert chart.mean == pytest.approx(11.75)
    assert chart.mean_moving_range == pytest.approx(9 / 7)
    assert chart.upper == pytest.approx(11.75 + 2.66 * 9 / 7)
    assert chart.lower == pytest.approx(11.75 - 2.66 * 9 / 7)
    assert chart.upper_near == pytest.approx(11.75 + 2 / 3 * 2.66 * 9 / 7)
    assert chart.trial  # 8 points are fewer than 12
    assert not chart.special_cause


def test_a_point_beyond_the_limit_and_a_shift():
    chart = spc.xmr([10, 11, 10, 11, 10, 11, 10, 30])
    assert "outside_limits" in chart.signals[7]
    # the first seven are all below the mean (12.875): a shift
    assert all("shift" in s for s in chart.signals[:7])


def test_a_point_on_the_mean_breaks_a_shift():
    # mean is exactly 5; the 5 in the middle breaks the run of lows into 3 + 3
    values = [4, 4, 4, 5, 4, 4, 4, 6, 6, 6, 6, 6, 6]
    chart = spc.xmr(values)
    assert chart.mean == pytest.approx(5)
    assert not any("shift" in s for s in chart.signals)
    unbroken = spc.xmr([4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6, 6])
    assert all("shift" in s for s in unbroken.signals[:7])


def test_seven_rising_is_a_trend_and_a_tie_breaks_it():
    rising = spc.xmr([1, 2, 3, 4, 5, 6, 7, 8])
    assert all("trend" in s for s in rising.signals)
    tied = spc.xmr([1, 2, 3, 3, 4, 5, 6, 7, 7, 6])
    assert not any("trend" in s for s in tied.signals)


def test_seven_falling_is_a_trend():
    chart = spc.xmr([9, 9, 8, 7, 6, 5, 4, 3, 3, 3])
    assert [("trend" in s) for s in chart.signals] == [False] + [True] * 7 + [False, False]


def test_two_of_three_beyond_the_two_sigma_line():
    values = [0, 0.2] * 20 + [0.6, 0.2, 0.65]
    chart = spc.xmr(values)
    assert chart.upper_near < 0.6 < chart.upper and chart.upper_near < 0.65 < chart.upper
    assert chart.signals[-3] == {"two_of_three"} and chart.signals[-1] == {"two_of_three"}
    assert chart.signals[-2] == set()
    assert not any(chart.signals[:-3])
    assert not chart.trial


def test_variation_words_follow_the_direction():
    chart = spc.xmr([10, 11, 10, 11, 10, 11, 10, 30])
    assert "improving" in chart.variation(higher_is_better=True)
    assert "of concern" in chart.variation(higher_is_better=False)
    calm = spc.xmr([10, 12, 11, 13, 12, 11, 12, 13])
    assert calm.variation(True).startswith("common cause")
