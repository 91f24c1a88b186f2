"""One provider's figures of a measure over the quarters: the chart over time (the same for
every role), its table of figures, its download, and NHS Making Data Count's usual range and
icons in plain words. The standard page and the provider page both show it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audits import spc, stats, tiers, words
from audits.standard_model import Measure, Standard
from dashboard import charts, downloads, ui


def quarter_table(rows: pd.DataFrame, measure: Measure, hidden: list[str]) -> pd.DataFrame:
    """The trend's figures, one row a quarter, beside its chart."""
    return pd.DataFrame(
        {
            "Quarter": list(rows["period"]),
            "Figure": [words.figure(measure, r) for r in rows.to_dict("records")],
            "95% interval": [words.interval(measure, r) for r in rows.to_dict("records")],
        }
    )


def every_quarter(history: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The provider's rows for every audited quarter from its first to its last, in order. A
    quarter without a row is kept with no figure, so that a chart shows it as a gap instead of
    joining the quarters either side of it."""
    periods = sorted(history["period"].unique())
    span = periods[periods.index(rows["period"].min()) : periods.index(rows["period"].max()) + 1]
    return rows.set_index("period").reindex(span).rename_axis("period").reset_index()


def gap_words(quarters: pd.DataFrame, hidden: list[str]) -> str:
    """Why quarters are gaps in the line, in plain words: each hidden quarter for its own reason
    (a quarter of 330 people is never said to be hidden 'because fewer than 5')."""
    no_figure = sum(stats.is_missing(v) and not h for v, h in zip(quarters["value"], hidden))
    parts = []
    gaps = ui.hidden_sentence(quarters, "quarter(s) are gaps in the line, as the figure is not shown")
    if gaps:
        parts.append(gaps)
    if no_figure:
        parts.append(f"{no_figure} quarter(s) with no figure are gaps in the line.")
    return " ".join(parts)


def xmr_caption(chart: spc.XmR, quarters: pd.DataFrame, measure: Measure) -> str:
    """How the usual range is made and what its icons read, in plain words (the technical words
    are in the caption's help: charts.XMR_HELP)."""
    parts = [
        f"The average of the quarters plotted is {words.value(measure, chart.mean)}. The usual range is where "
        "the figure would fall by chance alone, worked out from how much it moved from one quarter to the next. "
        "A quarter outside it, or a long run on one side of the average or in one direction, is a change bigger "
        "than chance would give, and is marked.",
    ]
    if chart.provisional:
        parts.append(charts.PROVISIONAL_RANGE)
    last = quarters["period"].iloc[-1]
    if chart.latest != len(quarters) - 1:
        parts.append(
            f"The latest quarter, {last}, has no figure on the chart, so the icons read the latest quarter "
            f"plotted, {quarters['period'].iloc[chart.latest]}."
        )
    return " ".join(parts)


@dataclass(frozen=True)
class TrendView:
    """One provider's trend of a measure, built: the chart and its sentence, the table, the
    download's rows, and the usual range's icons (None before there are enough quarters) and
    caption. Shared between sessions by `trend_view`'s cache, so read only."""

    fig: go.Figure
    said: str
    table: pd.DataFrame
    download: pd.DataFrame
    icons: str | None
    caption: str


@tiers.output(tiers.BY_CALLER, "one provider's trend of a measure, built from its rows in their tier")
@st.cache_resource(max_entries=256, show_spinner=False)
def trend_view(rows: pd.DataFrame, periods: tuple[str, ...], measure: Measure, name: str) -> TrendView:
    """Built once per content of the provider's rows (every figure and its `tier`: one viewer's
    exact quarters and another's public ones are two entries), the audited quarters, the measure
    and the name: a warm visit only draws it (building took ~0.6 CPU-s a chart at national scale)."""
    quarters = every_quarter(pd.DataFrame({"period": list(periods)}), rows)
    hidden = ui.hidden(quarters)
    shown = int(rows["value"].notna().sum())
    periods = list(quarters["period"])
    hib = measure.green.higher_is_better
    chart = spc.xmr([None if stats.is_missing(v) else float(v) for v in quarters["value"]])
    table = quarter_table(quarters, measure, hidden)
    target = (measure.green.target, f"met at {measure.green.text}")
    variation = assurance = None
    if chart is not None:
        variation = f"Latest quarter plotted, {periods[chart.latest]}: {spc.variation(chart, hib).sentence}"
        icon = spc.assurance(chart, hib, target[0])
        assurance = f"Against the target: {icon.sentence}" if icon is not None else None
        table["Signal"] = [
            spc.signal(chart, i, hib) or ("none" if chart.values[i] is not None else "") for i in range(len(periods))
        ]
    said = words.over_time_summary(measure, quarters.to_dict("records"), name, variation, assurance)
    fig = charts.over_time(quarters, measure, chart, name, hidden)
    gaps = gap_words(quarters, hidden)
    if chart is None:
        icons = None
        caption = (
            f"Each quarter's figure with its 95% interval and the benchmark. {shown} quarters have a figure; "
            f"the usual range (NHS Making Data Count) is drawn from {spc.MIN_POINTS}." + (" " + gaps if gaps else "")
        )
    else:
        icons = charts.xmr_icons_html(chart, measure.label, periods[chart.latest], hib, target)
        caption = xmr_caption(chart, quarters, measure) + (" " + gaps if gaps else "")
    return TrendView(fig, said, table, downloads.results_frame(rows, measure), icons, caption)


@tiers.output(tiers.BY_CALLER, "one provider's trend of a measure, in the viewer's tier")
def trend(history: pd.DataFrame, provider_id: str, standard: Standard, measure: Measure, name: str = "") -> None:
    """One chart for every role: the quarters with their intervals, and the usual range of NHS
    Making Data Count once there are enough quarters for it."""
    rows = history[
        (history["provider_id"] == provider_id)
        & (history["standard_id"] == standard.id)
        & (history["measure_id"] == measure.id)
    ].sort_values("period")
    shown = int(rows["value"].notna().sum())
    if shown < 2:
        left_out = ui.hidden_sentence(rows, "quarter(s) left out, as the figure is not shown")
        st.write(
            f"{measure.label}: fewer than two quarters with a figure, so there is no trend to draw yet."
            + (" " + left_out if left_out else "")
        )
        return
    view = trend_view(rows, tuple(sorted(history["period"].unique())), measure, name or provider_id)
    chart_col, table_col = st.columns([3, 2], vertical_alignment="center")
    with chart_col:
        charts.show(view.fig, view.said, f"trend_{measure.id}")
    with table_col:
        ui.table(view.table)
        downloads.offer(
            view.download,
            f"{provider_id}-{standard.id}-{measure.id}-quarters",
            title=f"{measure.label}, {name or provider_id}, over the quarters",
        )
    if view.icons is not None:
        st.html(view.icons)
    st.caption(view.caption, help=charts.XMR_HELP)
    st.divider()
