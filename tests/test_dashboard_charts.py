"""The XmR chart as the dashboard draws and words it (dashboard/charts.py, and the trend
helpers of dashboard/standard.py): gaps stay gaps, the latest quarter read is named, the
icons carry words, and the method says outlier screening is off."""

import base64
import re

import pandas as pd

from audits import spc
from dashboard import charts
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


def test_every_audited_quarter_is_kept_as_a_row():
    history = pd.DataFrame({"period": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]})
    rows = pd.DataFrame({"period": ["2025-Q2", "2025-Q4"], "value": [0.5, 0.6], "suppressed": [False, False]})
    quarters = every_quarter(history, rows)
    assert list(quarters["period"]) == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert pd.isna(quarters["value"].iloc[1])
    assert gap_words(quarters, [False, False, False]) == "1 quarter(s) with no figure are gaps in the line."
    assert gap_words(quarters, [False, True, False]).startswith("1 quarter(s) are gaps in the line, as the figure is")


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
