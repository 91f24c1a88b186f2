"""The charts as the dashboard draws and words them (dashboard/charts.py, and the helpers of
dashboard/standard.py). The XmR chart: gaps stay gaps, the latest quarter read is named, the
icons carry words, and the method says outlier screening is off. The funnel plot: a provider
is outside the drawn funnel exactly when the table beside it says better or worse."""

import base64
import re

import numpy as np
import pandas as pd
import pytest

from audits import runs, spc, stats, store
from dashboard import charts
from dashboard import standard as standard_page
from dashboard.standard import every_quarter, gap_words, xmr_caption

PERIODS = [f"{y}-Q{q}" for y in (2023, 2024, 2025, 2026) for q in (1, 2, 3, 4)][:14]
# A gap in 2023-Q3, a falling run from 2024-Q3 (still above the average at first), and no
# figure for the last quarter, 2026-Q2.
VALUES = [0.62, 0.64, None, 0.61, 0.66, 0.63, 0.65, 0.64, 0.62, 0.55, 0.54, 0.52, 0.50, None]


def test_a_quarter_with_no_figure_is_a_gap_in_the_line_not_joined_across():
    chart = spc.xmr(VALUES)
    fig = charts.xmr(PERIODS, chart, True, "A measure", True)
    line = fig.data[0]
    assert list(line.x) == PERIODS  # every quarter keeps its place on the axis
    assert line.y[2] is None and line.y[-1] is None and line.connectgaps is False
    limits = [t for t in fig.data if t.name.startswith("Process limit")]
    assert [list(t.x) for t in limits] == [[PERIODS[0], PERIODS[-1]]] * 2
    assert list(fig.layout.xaxis.categoryarray) == PERIODS


def test_special_causes_are_marked_by_symbol_and_words_not_colour_alone():
    chart = spc.xmr(VALUES)
    fig = charts.xmr(PERIODS, chart, True, "A measure", True)
    marked = {t.name: t for t in fig.data if t.name.startswith("Special cause")}
    assert set(marked) == {"Special cause: getting better", "Special cause: getting worse"}
    assert marked["Special cause: getting better"].marker.symbol != marked["Special cause: getting worse"].marker.symbol
    # a falling run still above the average is marked as getting worse when higher is better
    worse = marked["Special cause: getting worse"]
    assert "2024-Q3" in worse.x and chart.values[PERIODS.index("2024-Q3")] > chart.mean
    assert "7 or more quarters in a row, each lower" in worse.text[list(worse.x).index("2024-Q3")]


def test_the_icons_name_the_latest_plotted_quarter_and_have_words():
    chart = spc.xmr(VALUES)
    page = charts.xmr_icons_html(chart, "A measure", PERIODS[chart.latest], True, (0.9, "met at >= 90%"))
    assert "Latest quarter plotted, 2026-Q1:" in page and "2026-Q2" not in page
    assert "Getting worse: lower than chance would explain (below the lower process limit)." in page
    assert "Against the target (met at &gt;= 90%):" in page and "Consistently misses the target" in page
    alts = re.findall(r'alt="([^"]+)"', page)
    assert alts == ["Getting worse (lower)", "Consistently misses the target"]
    svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1)).decode()
    assert svg.startswith("<svg") and ">L</text>" in svg  # MDC: a concern on the low side
    neither = charts.xmr_icons_html(chart, "A measure", "2026-Q1", None, (0.9, "met at = 90%"))
    assert "Against the target" not in neither and "Changed" in neither


def test_every_audited_quarter_is_kept_as_a_row_and_each_gap_says_its_own_reason():
    history = pd.DataFrame({"period": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]})
    rows = pd.DataFrame({"period": ["2025-Q2", "2025-Q4"], "value": [0.5, 0.6], "hidden": ["", ""], "reason": ["", ""]})
    quarters = every_quarter(history, rows)
    assert list(quarters["period"]) == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert pd.isna(quarters["value"].iloc[1])
    assert gap_words(quarters, ["", "", ""]) == "1 quarter(s) with no figure are gaps in the line."
    # a quarter of 330 people hidden so that a death count cannot be subtracted is not "fewer than 5"
    gaps = pd.DataFrame(
        {
            "period": ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"],
            "value": [0.5, None, None, 0.6],
            "hidden": ["", "all", "numerator", ""],
            "reason": ["", "linked", "small", ""],
        }
    )
    said = gap_words(gaps, ["", "all", "numerator", ""])
    assert "so that a small count cannot be worked out from other figures" in said
    assert said.startswith("2 quarter(s) are gaps in the line, as the figure is not shown (*): 1 because it would")
    assert "with no figure" not in said


def test_the_caption_says_how_limits_are_made_and_which_quarter_is_read():
    from audits.standard import Measure

    measure = Measure(id="m", label="A measure", table="episodes", kind="proportion", count_if="true", green=">= 90%")
    chart = spc.xmr(VALUES)
    quarters = pd.DataFrame({"period": PERIODS, "value": VALUES})
    words = xmr_caption(chart, quarters, measure)
    assert "No unusually large change is left out of that average" in words  # screening is off, said so
    assert "provisional" not in words  # 12 quarters plotted
    assert "The latest quarter, 2026-Q2, has no figure on the chart, so the icons read the latest quarter " in words
    assert words.endswith("plotted, 2026-Q1.")
    shorter = spc.xmr(VALUES[3:])  # 10 quarters plotted
    assert "Limits are provisional: fewer than 12 quarters." in xmr_caption(shorter, quarters[3:], measure)


def test_a_hidden_quarter_is_a_gap_in_the_trend_not_a_quarter_skipped():
    quarters = pd.DataFrame(
        {
            "period": ["2025-Q1", "2025-Q2", "2025-Q3"],
            "value": [0.5, float("nan"), 0.7],
            "ci_lower": [0.4, float("nan"), 0.6],
            "ci_upper": [0.6, float("nan"), 0.8],
            "benchmark": [0.55, 0.56, 0.57],
        }
    )
    line = charts.trend(quarters, "A measure", True).data[0]
    assert list(line.x) == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert pd.isna(line.y[1]) and not line.connectgaps


# --------------------------------------------------------------------------- the funnel plot and the table


def _funnel_reading(fig, size: float, value: float) -> str:
    """Where a point lies on the drawn funnel: inside the 95% lines, between them and the
    99.8% lines, or outside both (read from the lines' own points at the provider's size)."""
    outside = {}
    for name in ("95% limits", "99.8% limits"):
        lower, upper = [t for t in fig.data if t.name == name]
        i = list(lower.x).index(size)
        outside[name] = not (lower.y[i] <= value <= upper.y[i])
    if not outside["95% limits"]:
        return "inside"
    return "outside 99.8%" if outside["99.8% limits"] else "outside 95%"


TABLE_READING = {
    "similar": "inside",
    "better": "outside 95%",
    "worse": "outside 95%",
    "best": "outside 99.8%",
    "worst": "outside 99.8%",
}


def _agree(rows: pd.DataFrame, title: str) -> int:
    """Draw the funnel as the standard page does and check every provider against the table's
    comparison; the number of rows checked."""
    benchmark = float(rows["benchmark"].dropna().iloc[0])
    drawn = rows.assign(size=standard_page.funnel_sizes(rows), name=rows["provider_id"])
    fig = charts.funnel(drawn, benchmark, title)
    checked = 0
    for row in drawn.itertuples():
        if row.comparison not in TABLE_READING:
            continue
        assert _funnel_reading(fig, row.size, row.value) == TABLE_READING[row.comparison], (title, row)
        checked += 1
    return checked


@pytest.mark.slow
def test_the_funnel_and_the_table_agree_on_random_providers():
    rng = np.random.default_rng(14)
    checked = 0
    for case in range(150):
        sizes = rng.integers(1, 400, size=rng.integers(2, 12))
        if case % 5 == 0:
            sizes[0] = rng.integers(1, 6)  # tiny providers, where the two funnels differed most
        truth = rng.uniform(0.02, 0.98)
        met = rng.binomial(sizes, rng.uniform(max(0.0, truth - 0.3), min(1.0, truth + 0.3), size=len(sizes)))
        met[rng.integers(len(sizes))] = 0 if case % 3 == 0 else met[0]  # 0 people met (0 withdrawals)
        benchmark = met.sum() / sizes.sum()
        higher = bool(case % 2)
        rows = pd.DataFrame(
            {
                "provider_id": [f"P{i}" for i in range(len(sizes))],
                "value": met / sizes,
                "denominator": sizes.astype(float),
                "denominator_rows": pd.array(sizes, dtype="Int64"),
                "benchmark": benchmark,
                "rating": "green",
            }
        )
        rows["comparison"] = [stats.compare(v, n, benchmark, higher) for v, n in zip(met / sizes, sizes)]
        checked += _agree(rows, f"case {case}")
    assert checked > 900


@pytest.mark.slow
def test_the_funnel_and_the_table_agree_on_every_row_of_the_fixture_store(dashboard_files):
    db, _ = dashboard_files  # the run's one dashboard store, only read
    with store.reading(db) as con:
        every = pd.concat([runs.read_results(con, r) for r in runs.latest_run_ids(con).values()])
    compared = every[every["comparison"].isin(list(TABLE_READING))]
    seen = set(compared["comparison"])
    assert "similar" in seen and seen - {"similar"}  # points inside the funnel and outside it
    checked = 0
    for (run_id, measure_id), rows in compared.groupby(["run_id", "measure_id"]):
        checked += _agree(rows, f"{run_id} {measure_id}")
    assert checked == len(compared) > 40
