"""Wilson intervals, Fingertips comparisons and suppression, against published values."""

from __future__ import annotations

import math

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
