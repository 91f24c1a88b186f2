"""Wilson intervals, Fingertips comparisons and suppression, against published values."""

from __future__ import annotations

import math
import random

import duckdb
import numpy as np
import pandas
import pytest

from audits import stats


def one(sql: str) -> tuple:
    with duckdb.connect() as con:
        return con.execute(sql).fetchone()


REFERENCE = [  # x, n, lower, upper (PHE/OHID Fingertips Wilson score, 95%)
    (20, 100, 0.1333669333310325, 0.28882916559315885),
    (222, 3215, 0.060791690363636595, 0.078339566813836331),
]


@pytest.mark.parametrize("x, n, lower, upper", REFERENCE)
def test_wilson_matches_reference_values(x, n, lower, upper):
    low, high = stats.wilson(x, n)
    assert low == pytest.approx(lower, abs=1e-12)
    assert high == pytest.approx(upper, abs=1e-12)


@pytest.mark.parametrize("x, n, lower, upper", REFERENCE)
def test_wilson_sql_is_the_same_formula(x, n, lower, upper):
    low_sql, high_sql = stats.wilson_sql("x", "n")
    low, high = one(f"SELECT {low_sql}, {high_sql} FROM (SELECT {x}::DOUBLE AS x, {n}::DOUBLE AS n)")
    assert low == pytest.approx(lower, abs=1e-12)
    assert high == pytest.approx(upper, abs=1e-12)


def test_wilson_none_of_a_hundred_starts_at_zero():
    low, high = stats.wilson(0, 100)
    assert low == pytest.approx(0.0, abs=1e-12) and low >= 0
    assert 0.03 < high < 0.04
    low_sql, _ = stats.wilson_sql("x", "n")
    assert one(f"SELECT {low_sql} FROM (SELECT 0.0 AS x, 100.0 AS n)")[0] == pytest.approx(0, abs=1e-12)


def test_wilson_all_of_a_hundred_ends_at_one_and_empty_has_no_interval():
    assert stats.wilson(100, 100)[1] == pytest.approx(1.0, abs=1e-12)
    assert all(math.isnan(v) for v in stats.wilson(0, 0))
    low_sql, high_sql = stats.wilson_sql("x", "n")
    assert one(f"SELECT {low_sql}, {high_sql} FROM (SELECT 0.0 AS x, 0.0 AS n)") == (None, None)


def test_wider_interval_at_99_8_percent():
    low95, high95 = stats.wilson(20, 100)
    low998, high998 = stats.wilson(20, 100, stats.Z998)
    assert low998 < low95 and high998 > high95


# value 0.5 of 100: 95% about 0.404-0.596, 99.8% about 0.350-0.650
def _compare(benchmark, higher_is_better=True, x=50, n=100):
    return stats.compare(x / n, n, benchmark, higher_is_better)


@pytest.mark.parametrize(
    "benchmark, higher_is_better, expected",
    [
        (0.55, True, "similar"),
        (0.45, False, "similar"),
        (0.38, True, "better"),
        (0.62, True, "worse"),
        (0.30, True, "best"),
        (0.70, True, "worst"),
        (0.38, False, "worse"),
        (0.70, False, "best"),
    ],
)
def test_compare_each_outcome(benchmark, higher_is_better, expected):
    assert _compare(benchmark, higher_is_better) == expected


def test_compare_without_direction_figure_or_size_is_not_compared():
    assert _compare(0.30, None) == "not_compared"
    assert stats.compare(None, 100, 0.3, True) == "not_compared"
    assert stats.compare(0.5, math.nan, 0.3, True) == "not_compared"
    assert stats.compare(0.5, 0, 0.3, True) == "not_compared"
    assert stats.compare(0.5, 100, None, True) == "not_compared"


def test_a_rate_per_thousand_compares_as_its_share():
    assert stats.compare(500.0, 100, 380.0, True, scale=1000) == _compare(0.38) == "better"


# PHEindicatormethods' funnel limits for proportions (tests/testthat/testdata_funnel_prop_outputs.csv
# of the R package, which reproduces PHE's funnel plot tool): baseline 80.642448%, limits in
# percent at 95% (0.025 each side) and 99.8% (0.001 each side), clamped at 0 and 100.
FUNNEL_REFERENCE = [  # population, lower 95, upper 95, lower 99.8, upper 99.8
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (50, 69.691035, 91.593861, 63.375595, 97.909301),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize("n, low95, high95, low998, high998", FUNNEL_REFERENCE)
def test_funnel_limits_match_phe_funnel_tool_reference_values(n, low95, high95, low998, high998):
    baseline = 0.80642448
    got = [v * 100 for v in stats.funnel_limits(baseline, n) + stats.funnel_limits(baseline, n, stats.Z998)]
    assert got == pytest.approx([low95, high95, low998, high998], abs=2e-6)


@pytest.mark.slow
def test_inside_the_funnel_is_exactly_the_benchmark_inside_the_wilson_interval():
    """The score-test funnel and the Fingertips comparison are one test, on 100,000 random
    providers, including 0 and all of n; the Wilson interval of the benchmark (the funnel
    drawn before) disagrees with it."""
    rng = np.random.default_rng(14)
    n = rng.integers(1, 2000, size=100_000)
    x = rng.binomial(n, rng.uniform(0, 1, size=n.size))
    x[:2000] = 0
    x[2000:4000] = n[2000:4000]
    benchmark = rng.uniform(0.001, 0.999, size=n.size)
    old_way = 0
    for xi, ni, b in zip(x.tolist(), n.tolist(), benchmark.tolist()):
        for z in (stats.Z95, stats.Z998):
            low, high = stats.wilson(xi, ni, z)
            lower, upper = stats.funnel_limits(b, ni, z)
            assert (low <= b <= high) == (lower <= xi / ni <= upper), (xi, ni, b, z)
            w_low, w_high = stats.wilson(b * ni, ni, z)
            old_way += (low <= b <= high) != (w_low <= xi / ni <= w_high)
    assert old_way > 1000


# Newcombe RG (1998), Statistics in Medicine 17:873-890, Table II, method 10: the hybrid score
# interval of p1 - p2, to four decimals.
NEWCOMBE_TABLE_II = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize("x1, n1, x2, n2, lower, upper", NEWCOMBE_TABLE_II)
def test_newcombe_matches_the_published_table(x1, n1, x2, n2, lower, upper):
    low, high = stats.newcombe_counts(x1, n1, x2, n2)
    assert (low, high) == pytest.approx((lower, upper), abs=5e-5)


def test_newcombe_from_recorded_intervals_and_a_missing_figure():
    # what audits.changes does: the two Wilson intervals the runs recorded
    p1, p2 = 56 / 70, 48 / 80
    assert stats.newcombe(p1, *stats.wilson(56, 70), p2, *stats.wilson(48, 80)) == stats.newcombe_counts(56, 70, 48, 80)
    assert all(math.isnan(v) for v in stats.newcombe(0.5, math.nan, 0.6, 0.4, 0.3, 0.5))


@pytest.mark.parametrize("n, ranks", [(5, None), (6, (1, 6)), (10, (2, 9)), (20, (6, 15)), (100, (40, 61))])
def test_median_interval_ranks(n, ranks):
    # Campbell and Gardner (1988): n/2 - 1.96 sqrt(n)/2 and 1 + n/2 + 1.96 sqrt(n)/2, rounded;
    # 100 values give the 40th and 61st
    assert stats.median_ranks(n) == ranks


def test_median_ranks_sql_is_the_same_formula():
    low_sql, high_sql = stats.median_ranks_sql("n")
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT n, {low_sql}, {high_sql} FROM range(0, 2000) t(n) ORDER BY n").fetchall()
    assert [(low, high) for _, low, high in rows] == [stats.median_ranks(n) or (None, None) for n, _, _ in rows]


def _results(rows):
    columns = [
        "run_id",
        "provider_id",
        "standard_id",
        "measure_id",
        "numerator",
        "denominator",
        "value",
        "ci_lower",
        "ci_upper",
        "rating",
        "numerator_rows",
        "denominator_rows",
    ]
    return pandas.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- the spread between providers
# Worked by hand: benchmark B = 0.5 and 100 rows each, so s² = B(1 − B)/n = 0.25/100 = 0.0025
# (s = 0.05) and w = 1/s² = 400 for every provider; a share of 0.5 + k·0.05 has z = k.
# For ten such providers: Σw = 4,000, Σw² = 10 × 160,000 = 1,600,000, Σw²/Σw = 400, so the
# denominator of tau² is Σw − Σw²/Σw = 3,600.


def _shares(zs, n=100, benchmark=0.5):
    s = math.sqrt(benchmark * (1 - benchmark) / n)
    return [benchmark + z * s for z in zs]


def test_no_overdispersion_gives_no_spread_and_the_plain_limits():
    # z = ±0.5 (five each): the 10th and 90th percentiles are −0.5 and 0.5, phi = 0.25;
    # I·phi = 2.5 is not above I − 1 = 9, so tau² = 0
    got = stats.dispersion(_shares([-0.5, 0.5] * 5), [100] * 10, 0.5)
    assert got.phi == pytest.approx(0.25) and got.tau2 == 0.0 and got.providers == 10
    for n in (10, 100, 1000):
        plain = stats.funnel_limits(0.5, n)
        assert stats.funnel_limits(0.5, n, stats.Z95, got.tau2) == plain
        assert stats.funnel_limits(0.5, n, stats.Z95, math.nan) == plain  # a run kept before it: none


def test_overdispersion_by_hand():
    # z: −3, −2, −2, −1, 0, 0, 1, 2, 2, 3 (shares 0.35 … 0.65). Percentiles by linear
    # interpolation over the 10 sorted z: the 10th at place 9 × 0.1 = 0.9, −3 + 0.9 × (−2 − −3)
    # = −2.1; the 90th at place 8.1, 2 + 0.1 × (3 − 2) = 2.1. Winsorised: −3 → −2.1, 3 → 2.1.
    # phi = (2 × 2.1² + 4 × 2² + 2 × 1²) / 10 = (8.82 + 16 + 2) / 10 = 2.682.
    # I·phi = 26.82 > 9: tau² = (26.82 − 9) / 3,600 = 17.82 / 3,600 = 0.00495.
    got = stats.dispersion(_shares([-3, -2, -2, -1, 0, 0, 1, 2, 2, 3]), [100] * 10, 0.5)
    assert got.phi == pytest.approx(2.682)
    assert got.tau2 == pytest.approx(0.00495)
    # the limits at n = 100: 0.5 ± z·sqrt(0.0025 + 0.00495) = 0.5 ± z × 0.0863134…
    half = stats.Z95 * math.sqrt(0.00745)
    low, high = stats.funnel_limits(0.5, 100, stats.Z95, got.tau2)
    assert (low, high) == (pytest.approx(0.5 - half), pytest.approx(0.5 + half))
    assert half == pytest.approx(0.169171, abs=1e-6)
    # 0.35 (z = −3) was worse by chance alone (below 0.5 − 1.96 × 0.05 = 0.402, above
    # 0.5 − 3.09 × 0.05 = 0.345); allowing for the spread it is similar (above 0.331)
    assert stats.compare(0.35, 100, 0.5, True) == "worse"
    assert stats.compare(0.35, 100, 0.5, True, tau2=got.tau2) == "similar"
    # far enough out it is still named: 0.5 − 3.09 × 0.0863 = 0.233
    assert stats.compare(0.2, 100, 0.5, True, tau2=got.tau2) == "worst"
    assert stats.compare(0.25, 100, 0.5, True, tau2=got.tau2) == "worse"
    # a rate per 1,000 compares as its share (tau² on the share scale)
    assert stats.compare(350, 100, 500, True, 1000, got.tau2) == "similar"


def test_winsorising_keeps_one_extreme_provider_from_setting_the_spread():
    # n = 10,000 each: s² = 0.000025, w = 40,000, Σw = 400,000, Σw²/Σw = 40,000, denominator
    # 360,000. z: −3, −2, −2, −1, 0, 0, 1, 2, 2, 30. 10th percentile −2.1 (as above); 90th at
    # place 8.1: 2 + 0.1 × (30 − 2) = 4.8. Winsorised squares: 4.41 + 4 + 4 + 1 + 0 + 0 + 1 + 4
    # + 4 + 23.04 = 45.45, phi = 4.545 (the 30 itself would have made it 92.7).
    # tau² = (45.45 − 9) / 360,000 = 0.00010125.
    got = stats.dispersion(_shares([-3, -2, -2, -1, 0, 0, 1, 2, 2, 30], 10_000), [10_000] * 10, 0.5)
    assert got.phi == pytest.approx(4.545)
    assert got.tau2 == pytest.approx(0.00010125)
    # and the extreme provider stays far outside: 0.5 + 3.09 × sqrt(0.000025 + 0.00010125) = 0.5347
    assert stats.compare(0.65, 10_000, 0.5, True, tau2=got.tau2) == "best"


def test_providers_of_different_sizes_weigh_by_their_size():
    # five of 100 rows (s = 0.05, w = 400) at 0.4 / 0.6 and five of 400 (s = 0.025, w = 1,600)
    # at 0.45 / 0.55: every z is ±2, so nothing is winsorised and phi = 4. Σw = 5 × 400 + 5 ×
    # 1,600 = 10,000; Σw² = 5 × 160,000 + 5 × 2,560,000 = 13,600,000, Σw²/Σw = 1,360; tau² =
    # (10 × 4 − 9) / (10,000 − 1,360) = 31 / 8,640 = 0.0035880
    shares = [0.4, 0.6, 0.4, 0.6, 0.4, 0.55, 0.45, 0.55, 0.45, 0.55]
    got = stats.dispersion(shares, [100] * 5 + [400] * 5, 0.5)
    assert got.phi == pytest.approx(4.0)
    assert got.tau2 == pytest.approx(31 / 8640)


def test_fewer_than_ten_providers_get_no_allowance():
    # nine providers, z −3 … 3: percentiles at places 0.8 and 7.2, −2.2 and 2.2; phi = (2 × 4.84
    # + 4 × 4 + 2 × 1) / 9 = 27.68 / 9 = 3.0756: given, but tau² stays 0 below MIN_PROVIDERS
    got = stats.dispersion(_shares([-3, -2, -2, -1, 0, 1, 2, 2, 3]), [100] * 9, 0.5)
    assert stats.MIN_PROVIDERS == 10
    assert got.phi == pytest.approx(27.68 / 9) and got.tau2 == 0.0 and got.providers == 9


def test_no_spread_without_a_benchmark_between_0_and_1_or_without_figures():
    assert stats.dispersion([0.0] * 12, [50] * 12, 0.0).tau2 == 0.0
    assert stats.dispersion([1.0] * 12, [50] * 12, 1.0).tau2 == 0.0
    empty = stats.dispersion([], [], 0.5)
    assert math.isnan(empty.phi) and (empty.tau2, empty.providers) == (0.0, 0)
    # a missing figure or a size of 0 is left out: the ten others as in test_overdispersion_by_hand
    shares = _shares([-3, -2, -2, -1, 0, 0, 1, 2, 2, 3]) + [math.nan, 0.5]
    got = stats.dispersion(shares, [100] * 10 + [100, 0], 0.5)
    assert got.providers == 10 and got.tau2 == pytest.approx(0.00495)


def test_inside_the_widened_funnel_is_exactly_compare_with_the_same_spread():
    """The chart's lines and the table's word are one test with tau² as well (random providers)."""
    rng = random.Random(13)
    for _ in range(20_000):
        b, n, tau2 = rng.uniform(0.02, 0.98), rng.randint(1, 3000), rng.choice([0.0, rng.uniform(0, 0.02)])
        share = rng.random()
        said = stats.compare(share, n, b, True, tau2=tau2)
        low95, high95 = stats.funnel_limits(b, n, stats.Z95, tau2)
        low998, high998 = stats.funnel_limits(b, n, stats.Z998, tau2)
        inside95, inside998 = low95 <= share <= high95, low998 <= share <= high998
        assert (said == "similar") == inside95
        assert (said in ("best", "worst")) == (not inside998)
