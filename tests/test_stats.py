"""Wilson intervals, Fingertips comparisons and suppression, against published values."""

from __future__ import annotations

import math

import duckdb
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
    low95, high95 = stats.wilson(x, n)
    low998, high998 = stats.wilson(x, n, stats.Z998)
    return stats.compare(x / n, low95, high95, low998, high998, benchmark, higher_is_better)


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


def test_compare_without_direction_or_interval_is_not_compared():
    assert _compare(0.30, None) == "not_compared"
    assert stats.compare(None, None, None, None, None, 0.3, True) == "not_compared"
    assert stats.compare(0.5, math.nan, math.nan, math.nan, math.nan, 0.3, True) == "not_compared"


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
