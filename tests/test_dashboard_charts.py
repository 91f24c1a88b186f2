"""The charts as the dashboard draws and words them (dashboard/charts.py, and the helpers of
dashboard/standard.py). Over time: gaps stay gaps, the latest quarter read is named, the
icons carry words, and the method says outlier screening is off. The funnel plot: a provider
is outside the drawn funnel exactly when the table beside it says better or worse. Every chart:
Met and Partly met bands from the standard, an axis that reaches the thresholds, the chosen
provider ringed and named, a sentence in words, and nothing more precise than the page shows
in what a public viewer's browser gets."""

import base64
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from audits import runs, spc, stats, store, words
from audits.standard_model import Measure
from dashboard import charts, measure_views
from dashboard.over_time import every_quarter, gap_words, xmr_caption

from support import disclosure_attacker as attacker

PERIODS = [f"{y}-Q{q}" for y in (2023, 2024, 2025, 2026) for q in (1, 2, 3, 4)][:14]
# A gap in 2023-Q3, a falling run from 2024-Q3 (still above the average at first), and no
# figure for the last quarter, 2026-Q2.
VALUES = [0.62, 0.64, None, 0.61, 0.66, 0.63, 0.65, 0.64, 0.62, 0.55, 0.54, 0.52, 0.50, None]
SHARE = Measure(
    id="m", label="A measure", table="episodes", kind="proportion", count_if="true", green=">= 90%", amber=">= 75%"
)


def _quarters(values=VALUES, periods=PERIODS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": periods[: len(values)],
            "value": values,
            "numerator": [None if v is None else round(v * 80) for v in values],
            "denominator": 80.0,
            "ci_lower": [None if v is None else v - 0.1 for v in values],
            "ci_upper": [None if v is None else v + 0.1 for v in values],
            "benchmark": 0.6,
            "rating": ["red" if v is not None else "no_data" for v in values],
        }
    )


def _over_time(values=VALUES, measure=SHARE):
    return charts.over_time(_quarters(values), measure, spc.xmr(values), "Northgate")


def test_a_quarter_with_no_figure_is_a_gap_in_the_line_not_joined_across():
    fig = _over_time()
    line = fig.data[0]
    assert list(line.x) == PERIODS  # every quarter keeps its place on the axis
    assert line.y[2] is None and line.y[-1] is None and line.connectgaps is False
    limits = [t for t in fig.data if t.name.startswith("Usual range")]
    assert [list(t.x) for t in limits] == [[PERIODS[0], PERIODS[-1]]] * 2
    assert list(fig.layout.xaxis.categoryarray) == PERIODS


def test_special_causes_are_marked_by_symbol_and_words_not_colour_alone():
    chart = spc.xmr(VALUES)
    fig = _over_time()
    better, worse = charts.XMR_LOOKS["improvement"][0], charts.XMR_LOOKS["concern"][0]
    marked = {t.name: t for t in fig.data if "bigger than chance" in t.name}
    assert set(marked) == {better, worse}
    assert marked[better].marker.symbol != marked[worse].marker.symbol
    # a falling run still above the average is marked as getting worse when higher is better
    worse = marked[worse]
    assert "2024-Q3" in worse.x and chart.values[PERIODS.index("2024-Q3")] > chart.mean
    assert "7 or more quarters in a row, each lower" in worse.customdata[list(worse.x).index("2024-Q3")][1]
    # plain words on the chart; the technical terms only in the caption's help
    said = fig.to_json()
    for jargon in ("Special cause", "Process limit", "sigma", "Trial limit", "Mean"):
        assert jargon not in said
    assert "special cause" in charts.XMR_HELP and "two-sigma" in charts.XMR_HELP


def test_the_icons_name_the_latest_plotted_quarter_and_have_words():
    chart = spc.xmr(VALUES)
    page = charts.xmr_icons_html(chart, "A measure", PERIODS[chart.latest], True, (0.9, "met at >= 90%"))
    assert "Latest quarter plotted, 2026-Q1:" in page and "2026-Q2" not in page
    assert "Getting worse: lower than chance would explain (below the usual range)." in page
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
    from audits.standard_model import Measure

    measure = Measure(id="m", label="A measure", table="episodes", kind="proportion", count_if="true", green=">= 90%")
    chart = spc.xmr(VALUES)
    quarters = pd.DataFrame({"period": PERIODS, "value": VALUES})
    words = xmr_caption(chart, quarters, measure)
    assert "No unusually large change is left out of that average" in charts.XMR_HELP  # screening is off, said so
    assert "provisional" not in words  # 12 quarters plotted
    assert "2.66" not in words and "sigma" not in words and "change bigger than chance would give" in words
    assert "The latest quarter, 2026-Q2, has no figure on the chart, so the icons read the latest quarter " in words
    assert words.endswith("plotted, 2026-Q1.")
    shorter = spc.xmr(VALUES[3:])  # 10 quarters plotted
    assert charts.PROVISIONAL_RANGE in xmr_caption(shorter, quarters[3:], measure)


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
    quarters["numerator"], quarters["denominator"], quarters["rating"] = 40.0, 80.0, "red"
    line = charts.over_time(quarters, SHARE, None, "Northgate").data[0]
    assert list(line.x) == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert pd.isna(line.y[1]) and not line.connectgaps


# --------------------------------------------------------------------------- the funnel plot and the table


def _limit_lines(fig, name: str) -> tuple[tuple[list, list], tuple[list, list]]:
    """The lower and the upper line of a pair of limits, (x, y) each: one trace, the two lines
    broken by a gap (NaN, not connected)."""
    (trace,) = [t for t in fig.data if t.name == name or t.name.startswith(f"{name},<br>")]
    x, y = list(trace.x), list(trace.y)
    (gap,) = [i for i, v in enumerate(x) if np.isnan(v)]
    assert np.isnan(y[gap]) and not np.isnan(y).sum() - 1 and not trace.connectgaps
    return (x[:gap], y[:gap]), (x[gap + 1 :], y[gap + 1 :])


def _funnel_reading(fig, size: float, value: float) -> str:
    """Where a point lies on the drawn funnel: inside the 95% lines, between them and the
    99.8% lines, or outside both (read from the lines' own points at the provider's size)."""
    outside = {}
    for name in ("95% limits", "99.8% limits"):
        lower, upper = _limit_lines(fig, name)
        i = lower[0].index(size)
        outside[name] = not (lower[1][i] <= value <= upper[1][i])
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
    drawn = rows.assign(size=measure_views.funnel_sizes(rows), name=rows["provider_id"])
    # with the spread between providers the rows' comparisons allowed for, as the standard page reads it
    tau2 = measure_views.between_variance(rows)
    fig = charts.funnel(drawn, benchmark, SHARE.model_copy(update={"label": title}), tau2=tau2)
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
    spread = 0
    for case in range(150):
        # up to 29 providers: from 10 on, their spread usually widens the limits (stats.dispersion)
        sizes = rng.integers(1, 400, size=rng.integers(2, 30))
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
                "numerator": met.astype(float),
                "denominator": sizes.astype(float),
                "denominator_rows": pd.array(sizes, dtype="Int64"),
                "benchmark": benchmark,
                "rating": "green",
            }
        )
        tau2 = stats.dispersion(list(met / sizes), list(sizes.astype(float)), benchmark).tau2
        rows["between_variance"] = tau2
        spread += tau2 > 0
        rows["comparison"] = [stats.compare(v, n, benchmark, higher, tau2=tau2) for v, n in zip(met / sizes, sizes)]
        checked += _agree(rows, f"case {case}")
    assert checked > 900 and spread > 30


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


COUNT = Measure(id="c", label="Sites with no private waiting area", table="sites", kind="count", green="= 0")
RATE = Measure(
    id="r", label="Missed, then discharged, per 1,000", table="contacts", kind="rate", count_if="true", green="<= 20"
)


def _marks(fig, name: str) -> dict[str, tuple[float, float]]:
    """A provider's limit marks on the intervals chart of a rate: level -> (lower, upper)."""
    out = {}
    for level in ("95%", "99.8%"):
        (trace,) = [t for t in fig.data if t.name == f"{level} limits" or t.name.startswith(f"{level} limits,<br>")]
        low, high = [y for x, y in zip(trace.x, trace.y) if x == name]
        assert trace.mode == "markers" and trace.marker.symbol == "line-ew" and low <= high
        out[level] = (low, high)
    return out


def _marks_reading(marks: dict[str, tuple[float, float]], value: float) -> str:
    """Where a figure lies on its provider's marks: inside the 95% ones, between them and the
    99.8% ones, or outside both."""
    outside = {level: not (low <= value <= high) for level, (low, high) in marks.items()}
    if not outside["95%"]:
        return "inside"
    return "outside 99.8%" if outside["99.8%"] else "outside 95%"


@pytest.mark.slow
def test_a_rate_chart_marks_the_limits_each_figure_was_compared_by_and_agrees_with_the_table():
    """A rate per 1,000 is compared with the benchmark as a share is, by the funnel's limits at the
    provider's size, widened for the spread between providers: the chart marks those very limits
    at each provider (not only its own interval, which the widened limits can reach past), so a
    reader of the chart and of the table comes to the same comparison."""
    rng = np.random.default_rng(15)
    checked = spread = outside_own = 0
    for case in range(60):
        sizes = rng.integers(20, 3000, size=rng.integers(3, 25))
        truth = rng.uniform(0.005, 0.2)
        met = rng.binomial(sizes, rng.uniform(truth / 3, min(1.0, truth * 3), size=len(sizes)))
        benchmark = met.sum() / sizes.sum()
        tau2 = stats.dispersion(list(met / sizes), list(sizes.astype(float)), benchmark).tau2
        spread += tau2 > 0
        lower, upper = zip(*(stats.wilson(k, n) for k, n in zip(met, sizes)))
        rows = pd.DataFrame(
            {
                "provider_id": [f"P{i}" for i in range(len(sizes))],
                "name": [f"Provider {i}" for i in range(len(sizes))],
                "value": 1000 * met / sizes,
                "ci_lower": 1000 * np.array(lower),
                "ci_upper": 1000 * np.array(upper),
                "numerator": met.astype(float),
                "denominator": sizes.astype(float),
                "denominator_rows": pd.array(sizes, dtype="Int64"),
                "benchmark": 1000 * benchmark,
                "between_variance": tau2,
                "rating": "green",
            }
        )
        rows["comparison"] = [
            stats.compare(1000 * k / n, n, 1000 * benchmark, False, 1000, tau2) for k, n in zip(met, sizes)
        ]
        fig = charts.intervals(rows, 1000 * benchmark, RATE, tau2=tau2)
        for row in rows.itertuples():
            marks, value = _marks(fig, row.name), round(row.value, 1)
            if min(abs(value - y) for pair in marks.values() for y in pair) < 0.1:
                continue  # on a mark at the page's precision: only clear cases are read
            reading = _marks_reading(marks, value)
            assert reading == TABLE_READING[row.comparison], (case, row)
            checked += 1
            outside_own += row.comparison == "similar" and not (row.ci_lower <= 1000 * benchmark <= row.ci_upper)
    assert checked > 300 and spread > 10 and outside_own  # the benchmark past a similar provider's own interval
    # a kind not compared gets no marks
    none = charts.intervals(rows, 1000 * benchmark, RATE.model_copy(update={"kind": "count"}))
    assert not [t for t in none.data if t.name and "limits" in t.name]


def _three_rated(names=("Northgate", "Riverside", "Hill Lane")) -> pd.DataFrame:
    """Three providers' figures of a share, one of each rating, as a funnel draws them."""
    return pd.DataFrame(
        {
            "provider_id": ["P1", "P2", "P3"],
            "name": list(names),
            "value": [0.8, 0.95, 0.5],
            "numerator": [64.0, 57.0, 20.0],
            "denominator": [80.0, 60.0, 40.0],
            "size": [80.0, 60.0, 40.0],
            "rating": ["amber", "green", "red"],
        }
    )


def test_each_pair_of_limits_is_one_trace_of_two_lines_one_legend_entry_and_no_hover():
    rows = _three_rated()
    fig = charts.funnel(rows, 0.78, SHARE)
    for name, z, dash in (("95% limits", stats.Z95, "dash"), ("99.8% limits", stats.Z998, "dot")):
        (trace,) = [t for t in fig.data if t.name == name]
        assert trace.showlegend is not False and trace.hoverinfo == "skip" and trace.line.dash == dash
        assert (
            not trace.connectgaps
        )  # the gap breaks the line: no stroke from the lower line's end to the upper's start
        (lx, ly), (ux, uy) = _limit_lines(fig, name)
        # both lines pass through every provider's own size, from the smallest size to the largest
        assert lx == ux and lx == sorted(lx) and {40.0, 60.0, 80.0} <= set(lx)
        bounds = [stats.funnel_limits(0.78, n, z) for n in lx]
        assert ly == [b[0] for b in bounds] and uy == [b[1] for b in bounds]
        assert all(lo < hi for lo, hi in zip(ly[1:], uy[1:], strict=True))


# --------------------------------------------------------------------------- what every chart shows


def _rects(fig) -> list[tuple[float, float]]:
    return [(s.y0, s.y1) for s in fig.layout.shapes if s.type == "rect"]


def _labels(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def test_the_met_and_partly_met_bands_are_drawn_and_named_from_the_standard():
    fig = _over_time([0.6 + 0.01 * i for i in range(12)], SHARE)  # every quarter not met
    assert (0.9, fig.layout.yaxis.range[1]) in _rects(fig) and (0.75, 0.9) in _rects(fig)
    assert {"✔ Met: 90% or more", "◐ Partly met: 75% or more", "✖ Not met"} <= set(_labels(fig))
    # lower is better: Met below the threshold, Partly met above it, Not met above both
    days = Measure(
        id="d", label="Days waited", table="episodes", kind="median", value="1", green="<= 14", amber="<= 21"
    )
    low, high = charts.value_range(days, [10, 30], percent=False)
    assert [(b.rating, b.low, b.high) for b in charts.bands(days)] == [
        ("green", float("-inf"), 14.0),
        ("amber", 14.0, 21.0),
    ]
    drawn = charts.intervals(
        pd.DataFrame(
            {
                "provider_id": ["P1"],
                "name": ["North"],
                "value": [30.0],
                "rating": ["red"],
                "numerator": [None],
                "denominator": [40.0],
            }
        ),
        None,
        days,
        selected="P1",
    )
    assert (low, 14.0) in _rects(drawn) and (14.0, 21.0) in _rects(drawn)
    assert "✔ Met: 14 or less" in _labels(drawn)
    # exactly a number: a line, not a band
    none = Measure(id="z", label="Deaths", table="episodes", kind="count", green="= 0")
    assert [(b.low, b.high) for b in charts.bands(none)] == [(0.0, 0.0)]


def test_the_axis_always_reaches_the_thresholds():
    # figures of 60% to 80% under a 90% target: the axis goes past 90%, not stopping at 80%
    fig = _over_time([0.6 + 0.02 * i for i in range(10)], SHARE)
    low, high = fig.layout.yaxis.range
    assert high > 0.9 and low < 0.6
    # a count far above a "<= 5" threshold still shows the threshold
    count = Measure(id="c", label="Complaints", table="episodes", kind="count", green="<= 5")
    assert charts.value_range(count, [40, 55], percent=False)[0] <= 5
    # the funnel's share axis is the whole 0% to 100%
    rows = pd.DataFrame(
        {
            "provider_id": ["P1"],
            "name": ["North"],
            "value": [0.5],
            "size": [40.0],
            "rating": ["red"],
            "numerator": [20.0],
            "denominator": [40.0],
        }
    )
    assert list(charts.funnel(rows, 0.5, SHARE).layout.yaxis.range) == [0.0, 1.02]


def test_points_are_named_the_chosen_provider_ringed_and_names_are_text():
    rows = _three_rated(["Northgate", "River <a href='x'>side</a>", "Hill Lane"])
    fig = charts.funnel(rows, 0.78, SHARE, selected="P1")
    chosen = next(t for t in fig.data if t.name.endswith("(chosen)"))
    assert list(chosen.y) == [0.8] and fig.layout.title.subtitle.text == "Ringed: Northgate"
    points = [t for t in fig.data if t.customdata is not None]
    named = {c[0]: c[1] for t in points for c in t.customdata}
    assert named["Northgate"] == "80.0% (64 of 80 people)"  # on hover, as the table says it
    # a name is shown as text, never as a link or markup
    assert "River &lt;a href=&#x27;x&#x27;&gt;side&lt;/a&gt;" in named and "<a " not in fig.to_json()
    # with few providers every point is named on the chart (the chosen one by its ring)
    labels = [x for t in points for x in (t.text or ())]
    assert sorted(labels) == sorted(["", "River &lt;a href=&#x27;x&#x27;&gt;side&lt;/a&gt;", "Hill Lane"])


def test_a_chart_of_many_providers_names_them_on_hover_not_in_a_smear_under_its_axis():
    def chart(n: int):
        rows = pd.DataFrame(
            {
                "provider_id": [f"P{i}" for i in range(n)],
                "name": [f"Beacon Recovery Partnership {i}" for i in range(n)],
                "value": [float(i % 4) for i in range(n)],
                "rating": ["green" if i % 4 == 0 else "red" for i in range(n)],
                "numerator": [None] * n,
                "denominator": [None] * n,
            }
        )
        return charts.intervals(rows, None, COUNT, selected="P1")

    few, many = chart(charts.NAMED_ON_AXIS), chart(150)
    assert few.layout.xaxis.showticklabels and few.layout.xaxis.title.text is None
    assert not many.layout.xaxis.showticklabels
    assert many.layout.xaxis.title.text == "150 providers, a point each: the name on hover and in the table"
    named = {c[0] for t in many.data if t.customdata is not None for c in t.customdata}
    assert len(named) == 150 and many.layout.title.subtitle.text == "Ringed: Beacon Recovery Partnership 1"


def test_a_hidden_quarter_is_a_marked_band_not_only_a_gap():
    quarters = _quarters([0.5, None, 0.6, 0.7], PERIODS[:4]).assign(
        hidden=["", "all", "", ""], reason=["", "small", "", ""]
    )
    fig = charts.over_time(quarters, SHARE, None, "Hill Lane", ["", "all", "", ""])
    band = next(t for t in fig.data if t.name == f"Figure {words.NOT_SHOWN.lower()}")
    assert list(band.x) == [PERIODS[1]] and "fewer than 5 people" in band.text[0]


def test_every_chart_has_a_sentence_in_words():
    rows = pd.DataFrame(
        {
            "provider_id": ["P1", "P2", "P3"],
            "name": ["Northgate", "Riverside", "Hill Lane"],
            "value": [0.8, 0.95, None],
            "numerator": [64.0, 57.0, None],
            "denominator": [80.0, 60.0, 4.0],
            "rating": ["amber", "green", "no_data"],
            "comparison": ["similar", "better", "not_compared"],
            "hidden": ["", "", "all"],
            "reason": ["", "", "small"],
        }
    )
    said = words.across_providers_summary(SHARE, (r for _, r in rows.iterrows()), 0.85, True, "P1")
    assert said.startswith("Funnel plot of A measure, 3 providers: 1 Partly met, 1 Met.")
    assert "The bands drawn: Met at 90% or more; Partly met at 75% or more." in said
    assert "Benchmark 85.0%; compared with it: 1 similar, 1 better." in said
    assert "1 provider figure not shown* (a grey band on the chart)." in said
    assert said.endswith("Northgate (ringed): 80.0% (64 of 80 people), Partly met.")
    over = words.over_time_summary(SHARE, (r for _, r in _quarters().iterrows()), "Northgate", "Latest: x.")
    assert over.startswith("A measure at Northgate, 2023-Q1 to 2026-Q2. 62.0% in 2023-Q1, 50.0% in 2026-Q1.")
    assert "Ratings of the 12 quarters with a figure: 12 Not met." in over and over.endswith("Latest: x.")


def _numbers(value) -> list[float]:
    """Every number anywhere in a figure's JSON (typed binary arrays decoded)."""
    if isinstance(value, dict) and "bdata" in value:
        return _numbers(attacker.values(value))
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    return []


@pytest.mark.slow
def test_a_public_viewers_browser_gets_no_figure_more_precise_than_shown(env):
    """The expert citizen's standard page: every chart's JSON as sent, against the exact
    figures of the same run (the engine's benchmark, the hidden provider's figure)."""
    from streamlit.testing.v1 import AppTest

    from support.apptest import ACCOUNTS, APP, no_exception

    db, _ = env
    with store.reading(db) as con:
        exact = pd.concat([runs.read_results(con, r) for r in runs.latest_run_ids(con).values()])
    exact = exact[exact["standard_id"] == "warm-welcome"]
    secrets = {float(v) for c in ("value", "ci_lower", "ci_upper", "benchmark") for v in exact[c].dropna()}
    secrets = {v for v in secrets if round(v, 3) != v}  # figures more precise than the page shows
    assert secrets
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = ACCOUNTS["expert_citizen"]
    at.run()
    at.session_state["standard_id"] = "warm-welcome"
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) >= 2
    for spec in specs:
        sent = _numbers(spec)
        assert not [n for n in sent if any(abs(n - s) < 1e-12 for s in secrets)]
        # the figures drawn are at the page's precision: every point's value, interval and benchmark
        drawn = [
            y
            for t in spec["data"]
            if t.get("mode") != "lines"  # a line drawn (limits, benchmark) is worked out from what is shown
            for y in attacker.values(t.get("y"))
            if y is not None
        ]
        assert drawn and all(round(float(y), 4) == float(y) for y in drawn)
        # the words on hover are the page's words: no hidden provider's figure
        assert "2 of 4" not in json.dumps(spec)
    assert all(c.proto.alt for c in at.get("plotly_chart"))  # each chart has an accessible name


def _unplaced(n: int) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"Provider {i}" for i in range(n)], "size": [None] * n, "why": ["small"] * n})


def test_a_few_providers_not_placed_are_named_in_the_legend_many_are_counted_in_one_line():
    rows = pd.DataFrame(
        {
            "provider_id": ["P1"],
            "name": ["Northgate"],
            "value": [0.8],
            "numerator": [64.0],
            "denominator": [80.0],
            "size": [80.0],
            "rating": ["amber"],
        }
    )
    few = charts.funnel(rows, 0.78, SHARE, _unplaced(charts.NAMED_NOT_DRAWN))
    entries = [t.name for t in few.data if t.name and "not on the chart" in t.name]
    assert entries == [f"Provider {i}: not shown*, not on the chart" for i in range(charts.NAMED_NOT_DRAWN)]
    # national scale: 33 of 150 providers hidden with their size made a 33-line legend, 1,258 px tall
    many = charts.funnel(rows, 0.78, SHARE, _unplaced(33))
    entries = [t.name for t in many.data if t.name and "not on the chart" in t.name]
    assert entries == ["33 providers not shown*, not on the chart"]
    assert many.layout.height == few.layout.height - 24 * (charts.NAMED_NOT_DRAWN - 1)


def test_a_shares_chart_starts_with_room_for_its_axis_and_still_widens_if_it_needs_more():
    """A share's value axis ("100%" and its title) takes SHARE_LEFT px in the dashboard's font: a
    chart that starts with that margin is drawn once, where one starting at 10 px was laid out and
    drawn again by Plotly's automargin (the same chart: pixel-identical screenshots, pages5.md).
    automargin stays on, so a wider label (another font, a phone) still gets its room."""
    rows = pd.DataFrame(
        {
            "provider_id": ["P1", "P2"],
            "name": ["North", "South"],
            "value": [0.5, 0.7],
            "size": [40.0, 60.0],
            "rating": ["red", "amber"],
            "numerator": [20.0, 42.0],
            "denominator": [40.0, 60.0],
        }
    )
    count = Measure(id="c", label="Complaints", table="episodes", kind="count", green="<= 5")
    counted = _quarters([3.0, 4.0, 6.0], PERIODS).assign(ci_lower=None, ci_upper=None, benchmark=None)
    shares = [charts.funnel(rows, 0.6, SHARE), _over_time()]
    for fig in [*shares, charts.over_time(counted, count, None, "Northgate")]:
        assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin
    assert [fig.layout.margin.l for fig in shares] == [charts.SHARE_LEFT] * 2
    assert (
        charts.over_time(counted, count, None, "Northgate").layout.margin.l == 10
    )  # a count's axis: as wide as its figures


def test_the_funnel_draws_the_limits_allowing_for_the_spread_between_providers_and_says_so():
    rows = _three_rated()
    fig = charts.funnel(rows, 0.78, SHARE, tau2=0.004)
    for level, z in (("95%", stats.Z95), ("99.8%", stats.Z998)):
        name = f"{level} limits,<br>allowing for the usual spread between providers"  # over two lines
        (lx, ly), (_, uy) = _limit_lines(fig, name)
        bounds = [stats.funnel_limits(0.78, n, z, 0.004) for n in lx]
        assert ly == [b[0] for b in bounds] and uy == [b[1] for b in bounds]
        # wider than chance alone: 0.78 − z·sqrt(0.78 × 0.22 / 80 + 0.004) at 80 people (the upper
        # line is cut at 100%)
        i = lx.index(80.0)
        assert 0.78 - ly[i] == pytest.approx(z * math.sqrt(0.78 * 0.22 / 80 + 0.004))
    # the standard page reads it from the rows: a run kept before migration 0062 has none (NULL), and
    # its comparisons were made by the plain limits, which are then drawn
    assert measure_views.between_variance(rows.assign(between_variance=0.004)) == 0.004
    assert measure_views.between_variance(rows.assign(between_variance=float("nan"))) == 0.0
    assert measure_views.between_variance(rows) == 0.0
    # none (0, or a run kept before there was one): the plain limits, named as ever
    for none in (0.0, None, float("nan")):
        names = {t.name for t in charts.funnel(rows, 0.78, SHARE, tau2=none).data}
        assert {"95% limits", "99.8% limits"} <= names
