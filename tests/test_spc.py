"""The Making Data Count XmR rules, checked against the published fixtures of
NHSRplotthedots and the sample data of NHS England's SPC SQL, and on small series
worked out by hand.

Sources (public; the fixture values are copied as published):
- NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots), version 0.2.x:
  tests/testthat/_snaps/ptd_spc_standard.md at commit ea2177d4ccfed7dc14d8f57d20f1114d9b235295,
  tests/testthat/_snaps/ptd_spc.md at commit 174380d653d7a169a76f99deebb9fc21ed5fbbd6,
  tests/testthat/test-ptd_spc_standard.R, test-ptd_calculate_point_type.R at commit
  8aac3239e90ce9ebeb9c3e61f56c207dfc37b225, test-ptd_calculate_assurance_type.R at commit
  47af41fdbf71eb2edc7aa06e614fd78be1622984; the rule precedence from R/ptd_calculate_point_type.R
  at commit f7891af4b8f71838f4c6fb17c8eec1a1c9bd6d7f.
- NHS England, "SPC CHARTS SQL QUERY v2.4" (Matthew Callus, 11/08/2022; the two-of-three rule
  as changed in v2.1), Step 3 sample data for metric M1 ("Rate", XmR, improvement 'Up',
  conflict rule 'Concern', target 0.95), with the annotations the SQL gives its points.
"""

import pytest

from audits import spc

# R: set.seed(123); rnorm(20), as printed in _snaps/ptd_spc_standard.md
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


def rules(found: list[set[str]]) -> list[str]:
    """One rule (or '') a point, to compare with the R package's 0/1 vectors."""
    return [",".join(sorted(f)) for f in found]


# --- NHSRplotthedots: limits --------------------------------------------------------


def test_limits_match_nhsrplotthedots_snapshot():
    # _snaps/ptd_spc_standard.md, r1: mean_col 0.1416238, lpl -3.01138, upl 3.294627. r1 ran with
    # screen_outliers = TRUE, but no moving range here reaches 3.267 x their mean, so nothing is screened.
    chart = spc.xmr(RNORM_123)
    assert chart.mean == pytest.approx(0.1416238, abs=1e-7)
    assert chart.lower == pytest.approx(-3.01138, abs=1e-5)
    assert chart.upper == pytest.approx(3.294627, abs=1e-6)
    ranges = [abs(b - a) for a, b in zip(RNORM_123, RNORM_123[1:])]
    assert max(ranges) < 3.267 * chart.mean_moving_range


def test_limits_are_not_screened_for_outliers():
    # _snaps/ptd_spc_standard.md, r3: y[15] <- 10 with screen_outliers = FALSE gives mean 0.6694159,
    # lpl -4.596625, upl 5.935457 (r2, screened, gives -2.383666 and 3.722497: the dashboard, like the
    # Making Data Count Excel tool and NHS England's SQL by default, does not screen).
    values = list(RNORM_123)
    values[14] = 10
    chart = spc.xmr(values)
    assert chart.mean == pytest.approx(0.6694159, abs=1e-7)
    assert chart.lower == pytest.approx(-4.596625, abs=1e-6)
    assert chart.upper == pytest.approx(5.935457, abs=1e-6)
    assert "left out" in spc.METHOD_WORDS and "NHSRplotthedots" in spc.METHOD_WORDS


def test_facets_match_nhsrplotthedots_summary_snapshot():
    # _snaps/ptd_spc.md, facet 0: mean 0.0746, lpl -2.60, upl 2.75; facet 1: 0.209, -3.28, 3.70; each
    # 10 points common cause with improvement_direction 'increase'.
    for half, (mean, lpl, upl) in ((RNORM_123[:10], (0.0746, -2.60, 2.75)), (RNORM_123[10:], (0.209, -3.28, 3.70))):
        chart = spc.xmr(half)
        assert (round(chart.mean, 4 if mean < 0.1 else 3), round(chart.lower, 2), round(chart.upper, 2)) == (
            mean,
            lpl,
            upl,
        )
        assert [spc.judge(chart, i, True) for i in range(10)] == ["common_cause"] * 10
        assert chart.provisional  # 10 points: fewer than 12


def test_two_close_points_on_opposite_sides_are_common_cause():
    # test-ptd_spc_standard.R: symmetrical data, then 5.5 and -5.5: both close to a limit, but on
    # opposite sides of the mean, so not 2 of 3 (NHSRplotthedots issue #143).
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    chart = spc.xmr(values)
    assert chart.upper_near < 5.5 <= chart.upper and chart.lower <= -5.5 < chart.lower_near
    assert [spc.judge(chart, i, True) for i in (14, 15)] == ["common_cause", "common_cause"]


# --- NHSRplotthedots: each rule (test-ptd_calculate_point_type.R) --------------------


def test_shift_fixtures():
    # ptd_part_of_seven_trend(ptd_seven_point_one_side_mean(x)): 6 is not enough, 7 or more are
    assert rules(spc.shifts([1] * 6)) == [""] * 6
    assert rules(spc.shifts([1] * 6 + [-1])) == [""] * 7
    assert rules(spc.shifts([1] * 8 + [-1])) == ["shift_high"] * 8 + [""]
    assert rules(spc.shifts([-1] * 8 + [1])) == ["shift_low"] * 8 + [""]
    assert rules(spc.shifts([-1] + [1] * 8 + [-1])) == [""] + ["shift_high"] * 8 + [""]
    assert rules(spc.shifts([1] + [-1] * 8 + [1])) == [""] + ["shift_low"] * 8 + [""]


def test_trend_fixtures():
    # ptd_seven_point_trend(): 7 points each higher (lower) than the one before, ends included
    assert rules(spc.trends([1, 2, 3, 4, 5, 6])) == [""] * 6
    assert rules(spc.trends([1, 2, 3, 3, 4, 5, 6])) == [""] * 7  # a tie breaks it
    assert rules(spc.trends(list(range(1, 8)))) == ["trend_up"] * 7
    assert rules(spc.trends([2, *range(1, 8), 3])) == [""] + ["trend_up"] * 7 + [""]
    assert rules(spc.trends(list(range(7, 0, -1)))) == ["trend_down"] * 7
    assert rules(spc.trends([2, *range(7, 0, -1), 3])) == [""] + ["trend_down"] * 7 + [""]


@pytest.mark.parametrize(
    "close, sides, expected",
    [
        # ptd_part_of_two_in_three(ptd_two_in_three(v, rtm), v), all on one side of the mean
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        # "works as expected when points are on opposite sides of the mean"
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([1, 1, 0], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_of_three_fixtures(close, sides, expected):
    # close_to_limits is TRUE on the side of the point itself in the package (rtm gives the side)
    close = [c * s for c, s in zip(close, sides)]
    found = spc.two_of_three(close, sides)
    assert [int(bool(f)) for f in found] == expected


def test_a_point_beyond_the_limit_does_not_count_towards_two_of_three():
    # NHSRplotthedots: close_to_limits = !outside_limits & beyond the near line; SQL v2.4: Value >
    # [UpperTwoSigma] AND Value <= [UpperProcessLimit]. Beyond, beyond, close: the close point is alone
    # (NHSRplotthedots issue #153).
    values = [0.0, 1.0] * 10 + [10.0, 10.0, 5.0]
    chart = spc.xmr(values)
    assert chart.upper < 10 and chart.upper_near < 5 <= chart.upper
    assert chart.rules[-3] == chart.rules[-2] == {"outside_high"}
    assert chart.rules[-1] == set()


def test_the_special_cause_type_fixture():
    # ptd_special_cause_type(1:8, ...) with one rule a point: trend (increasing), shift above,
    # 2 in 3 below, below the lower limit, common cause
    met = [{"trend_up"}, {"trend_up"}, {"shift_high"}, {"shift_high"}, {"two_of_three_low"}, {"outside_low"}]
    chart = chart_with(list(range(1, 9)), met + [{"outside_low"}, set()])
    assert [chart.cause(i) for i in range(8)] == [
        "trend_up",
        "trend_up",
        "shift_high",
        "shift_high",
        "two_of_three_low",
        "outside_low",
        "outside_low",
        None,
    ]


def chart_with(values, met, lower=0.0, mean=1.0, upper=2.0) -> spc.XmR:
    return spc.XmR(tuple(values), mean, 1.0, upper, lower, upper, lower, tuple(frozenset(m) for m in met))


def test_precedence_when_rules_clash_on_one_point():
    # R/ptd_calculate_point_type.R (f7891af4) case_when order: outside limits, trend, 2 in 3, shift
    every = {"outside_high", "trend_down", "two_of_three_low", "shift_low"}
    chart = chart_with(
        [5, 4, 3, 2, 1],
        [every, every - {"outside_high"}, {"two_of_three_high", "shift_low"}, {"shift_high"}, set()],
    )
    assert [chart.cause(i) for i in range(5)] == ["outside_high", "trend_down", "two_of_three_high", "shift_high", None]
    assert [spc.judge(chart, i, True) for i in range(5)] == [
        "improvement_high",
        "concern_low",
        "improvement_high",
        "improvement_high",
        "common_cause",
    ]
    assert [spc.judge(chart, i, None) for i in range(4)] == [
        "neither_high",
        "neither_low",
        "neither_high",
        "neither_high",
    ]


def test_a_peak_shared_by_a_rising_and_a_falling_trend_takes_the_later_one():
    values = [0, 8] * 6 + [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    chart = spc.xmr(values)
    assert chart.rules[18] == {"trend_up", "trend_down", "shift_high"}  # the 7, within the limits
    assert chart.cause(18) == "trend_down"  # as NHSRplotthedots: the step to the right decides


def test_assurance_fixtures():
    # test-ptd_calculate_assurance_type.R: (lpl, mean, upl) with target 4
    cases = [(1, 2, 3), (5, 6, 7), (1, 4, 5)]
    charts = [chart_with([m] * 8, [set()] * 8, lower=lo, mean=m, upper=up) for lo, m, up in cases]
    assert [spc.assurance(c, True, 4).key for c in charts] == ["fail", "pass", "hit_or_miss"]
    assert [spc.assurance(c, False, 4).key for c in charts] == ["pass", "fail", "hit_or_miss"]
    assert [spc.assurance(c, None, 4) for c in charts] == [None] * 3  # improvement_direction neutral
    assert spc.assurance(charts[0], True, None) is None  # no target


def test_a_target_on_a_limit_is_met_or_missed_not_hit_and_miss():
    # SQL v2.1: "Updated [AssuranceIcon] to be a pass/fail when the target is on a process limit"
    chart = chart_with([4] * 8, [set()] * 8, lower=3, mean=4, upper=5)
    assert spc.assurance(chart, True, 3).key == "pass" and spc.assurance(chart, True, 5).key == "fail"
    assert spc.assurance(chart, False, 5).key == "pass" and spc.assurance(chart, False, 3).key == "fail"


# --- NHS England SQL v2.4: sample metric M1 ----------------------------------------
# Weekly from 2021-01-04, 26 points each; target 0.95; higher is better; conflict rule 'Concern'.
WEEK = [f"2021-{m:02d}-{d:02d}" for m, d in [(1, 4), (1, 11), (1, 18), (1, 25), (2, 1), (2, 8), (2, 15), (2, 22)]]
WEEK += [f"2021-{m:02d}-{d:02d}" for m, d in [(3, 1), (3, 8), (3, 15), (3, 22), (3, 29), (4, 5), (4, 12), (4, 19)]]
WEEK += [f"2021-{m:02d}-{d:02d}" for m, d in [(4, 26), (5, 3), (5, 10), (5, 17), (5, 24), (5, 31), (6, 7), (6, 14)]]
WEEK += ["2021-06-21", "2021-06-28"]
M1 = {
    "TOTAL": [0.922, 0.928, 0.93, 0.926, 0.926, 0.923, 0.921, 0.918, 0.925, 0.91, 0.92, 0.924, 0.923]
    + [0.92, 0.925, 0.928, 0.927, 0.921, 0.918, 0.921, 0.925, 0.939, 0.929, 0.927, 0.925, 0.926],
    "Department A": [0.972, 0.965, 0.966, 0.974, 0.97, 0.971, 0.977, 0.97, 0.97, 0.968, 0.965, 0.96, 0.967]
    + [0.97, 0.981, 0.977, 0.976, 0.97, 0.973, 0.975, 0.977, 0.98, 0.978, 0.98, 0.973, 0.97],
    "Department B": [0.965, 0.956, 0.963, 0.952, 0.947, 0.951, 0.956, 0.958, 0.962, 0.965, 0.967, 0.961, 0.958]
    + [0.947, 0.952, 0.963, 0.961, 0.96, 0.957, 0.956, 0.955, 0.952, 0.959, 0.963, 0.954, 0.956],
    "Department C": [0.913, 0.911, 0.912, 0.909, 0.912, 0.923, 0.905, 0.923, 0.912, 0.905, 0.905, 0.898, 0.901]
    + [0.915, 0.91, 0.905, 0.912, 0.91, 0.907, 0.915, 0.912, 0.909, 0.92, 0.923, 0.924, 0.923],
    "Department D": [0.971, 0.973, 0.978, 0.979, 0.981, 0.985, 0.987, 0.991, 0.993, 0.987, 0.982, 0.98, 0.979]
    + [0.972, 0.964, 0.962, 0.958, 0.96, 0.961, 0.963, 0.964, 0.965, 0.966, 0.968, 0.97, 0.972],
}


def sql_chart(group: str) -> spc.XmR:
    return spc.xmr(M1[group])


def at(date: str) -> int:
    return WEEK.index(date)


def test_sql_sample_points_beyond_the_limits():
    chart = sql_chart("TOTAL")
    assert chart.rules[at("2021-03-08")] == {"outside_low"}  # 'Below lower process limit'
    assert chart.rules[at("2021-05-31")] == {"outside_high"}  # 'Above upper process limit'
    assert sum(bool(r) for r in chart.rules) == 2


def test_sql_sample_shifts():
    chart = sql_chart("Department A")
    below, above = at("2021-02-22"), at("2021-05-10")  # 'Start of seven points below/above mean'
    assert all("shift_low" in chart.rules[i] for i in range(below, below + 7))
    assert "shift_low" not in chart.rules[below - 1] and "shift_low" not in chart.rules[below + 7]
    assert all("shift_high" in chart.rules[i] for i in range(above, above + 7))
    assert "shift_high" not in chart.rules[above - 1] and "shift_high" not in chart.rules[above + 7]


def test_sql_sample_trends():
    chart = sql_chart("Department B")
    up, down = at("2021-02-01"), at("2021-04-19")  # 'Start of seven points increasing/decreasing'
    expected = [""] * up + ["trend_up"] * 7 + [""] * 4 + ["trend_down"] * 7 + [""] * 4
    assert rules(spc.trends(M1["Department B"])) == expected
    assert chart.rules[down] == {"trend_down"}


def test_sql_sample_two_of_three():
    chart = sql_chart("Department C")
    # 'Two out of three points within two-to-three sigma lines with the other point on the same side of
    # the mean' (2021-03-22 and 2021-03-29; 2021-03-15 is below the mean but not close)
    two = at("2021-03-22")
    assert [chart.rules[i] for i in (two - 1, two, two + 1)] == [set(), {"two_of_three_low"}, {"two_of_three_low"}]
    # 'Three out of three points within two-to-three sigma lines' (2021-06-14 to 2021-06-28)
    assert [chart.rules[i] for i in range(at("2021-06-14"), 26)] == [{"two_of_three_high"}] * 3
    assert sum(bool(r) for r in chart.rules) == 5


def test_sql_sample_rule_clashes():
    chart = sql_chart("Department D")
    # 'Start of decrease (concern) while still above mean (improvement)'
    fall = at("2021-03-01")
    assert {"trend_down", "shift_high"} <= chart.rules[fall]
    # 'Start of increase (improvement) while still below mean (concern)'
    rise = at("2021-04-26")
    assert {"trend_up", "shift_low"} <= chart.rules[rise]
    # the SQL's sample metric resolves a clash as 'Concern'
    assert spc.judge(chart, fall, True, clash="concern") == "concern_low"
    assert spc.judge(chart, rise, True, clash="concern") == "concern_low"
    assert spc.judge(chart, rise, True, clash="improvement") == "improvement_high"
    # a falling run still above the mean, not beyond a limit: a concern in both readings
    assert chart.cause(at("2021-03-22")) == "trend_down"
    assert spc.judge(chart, at("2021-03-22"), True) == "concern_low"
    assert spc.judge(chart, at("2021-03-22"), True, clash="concern") == "concern_low"


def test_sql_sample_variation_and_assurance_icons():
    # the SQL's last-point icons for M1 (conflict rule 'Concern', target 0.95)
    expected = {
        "TOTAL": ("common_cause", "fail"),
        "Department A": ("common_cause", "pass"),
        "Department B": ("common_cause", "hit_or_miss"),
        "Department C": ("improvement_high", "fail"),
        "Department D": ("concern_low", "pass"),
    }
    for group, (variation, assurance) in expected.items():
        chart = sql_chart(group)
        assert spc.judge(chart, chart.latest, True, clash="concern") == variation, group
        assert spc.assurance(chart, True, 0.95).key == assurance, group
    # The dashboard reads clashes by NHSRplotthedots' precedence: Department D ends in a rising run
    # below the mean, which the trend's own direction calls getting better.
    assert spc.variation(sql_chart("Department D"), True).key == "improvement_high"


def test_sql_sample_metric_with_no_better_direction():
    # M3 ('Count (for monitoring)', improvement 'Neither'): above the limit, then 2 of 3 high
    m3 = [2150, 2351, 2456, 2185, 2422, 2121, 2220, 2015, 1818, 1898, 1952, 2051, 2261, 2115, 3105, 2654]
    m3 += [2421, 2940, 2552, 2807]
    chart = spc.xmr(m3)
    assert spc.judge(chart, 14, None) == "neither_high" and spc.judge(chart, 8, None) == "neither_low"
    assert spc.variation(chart, None).key == "neither_high"
    assert spc.assurance(chart, None, 2000) is None


def test_the_clash_rule_is_checked():
    with pytest.raises(ValueError, match="clash must be"):
        spc.judge(sql_chart("Department D"), 0, True, clash="first")


# --- The cases and hand-worked series ---------------------------------------


def test_a_falling_trend_ending_above_the_mean_is_a_concern_when_higher_is_better():
    values = [10, 11, 10, 11, 10, 11, 10, 20, 19, 18, 17, 16, 15, 14]
    chart = spc.xmr(values)
    assert values[-1] > chart.mean and chart.rules[-1] == {"trend_down", "shift_high"}
    assert spc.variation(chart, higher_is_better=True) == spc.VARIATION["concern_low"]
    assert spc.variation(chart, higher_is_better=True).sentence.startswith("Getting worse")
    assert spc.variation(chart, higher_is_better=False).key == "improvement_low"


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
    assert chart.provisional  # 8 points are fewer than 12
    assert spc.variation(chart, True) == spc.VARIATION["common_cause"]
    assert spc.VARIATION["common_cause"].sentence == "No sign of change beyond the usual ups and downs."
    assert spc.PROVISIONAL_WORDS == "Limits are provisional: fewer than 12 quarters."


def test_a_point_on_the_mean_breaks_a_shift():
    # mean is exactly 5; the 5 in the middle breaks the run of lows into 3 + 3
    values = [4, 4, 4, 5, 4, 4, 4, 6, 6, 6, 6, 6, 6]
    chart = spc.xmr(values)
    assert chart.mean == pytest.approx(5)
    assert not any("shift_low" in r for r in chart.rules)
    unbroken = spc.xmr([4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6, 6])
    assert all("shift_low" in r for r in unbroken.rules[:7])
    assert not unbroken.provisional  # 13 points


def test_a_gap_is_left_out_of_the_limits_and_breaks_runs():
    values = [10, 12, 11, None, 13, 12, 11, 12, 13, 12]
    chart = spc.xmr(values)
    plotted = [v for v in values if v is not None]
    assert chart.points == 9 and chart.mean == pytest.approx(sum(plotted) / 9)
    # moving ranges only between neighbouring quarters: none across the gap
    assert chart.mean_moving_range == pytest.approx((2 + 1 + 1 + 1 + 1 + 1 + 1) / 7)
    assert chart.rules[3] == frozenset()
    # a rising run (or a run below the mean) that a hidden quarter interrupts is not 7 in a row
    rising = spc.xmr([1, 2, 3, 4, None, 5, 6, 7, 8, 9])
    assert not any(rising.rules[i] & {"trend_up"} for i in range(10))
    low = spc.xmr([1, 1, 1, None, 1, 1, 1, 1, 9, 9, 9])
    assert not any(low.rules[i] & {"shift_low"} for i in range(11))
    joined = spc.xmr([1, 1, 1, 1, 1, 1, 1, 9, 9, 9])
    assert all("shift_low" in r for r in joined.rules[:7])


def test_the_latest_point_is_the_latest_plotted_quarter():
    values = [10, 11, 10, 11, 10, 11, 10, 20, 19, 18, 17, 16, 15, 14, None, None]
    chart = spc.xmr(values)
    assert chart.latest == 13
    assert spc.variation(chart, True).key == "concern_low"
    assert spc.xmr([1, 2, None, None, None, None, None, None, 3, 4, 5]) is None  # 5 plotted


def test_signal_words_name_the_deciding_rule():
    chart = spc.xmr([10, 11, 10, 11, 10, 11, 10, 20, 19, 18, 17, 16, 15, 14])
    assert spc.signal(chart, 13, True) == (
        "Getting worse (lower): 7 or more quarters in a row, each lower than the one before"
    )
    assert spc.signal(chart, 7, True) == "Getting better (higher): above the usual range"
    calm = spc.xmr([10, 12, 11, 13, 12, 11, 12, 13])
    assert spc.signal(calm, 0, True) == ""


def test_a_flat_line_is_not_a_change_whatever_the_last_bit_of_its_mean():
    # nine quarters of exactly 80%: the float mean is a hair under 0.8, and the limits equal it
    chart = spc.xmr([0.8] * 9)
    assert sum([0.8] * 9) / 9 != 0.8  # the float sum is not exact: the case this guards
    assert not any(chart.rules) and spc.variation(chart, True) == spc.VARIATION["common_cause"]
