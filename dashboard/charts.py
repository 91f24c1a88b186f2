"""Plotly charts for the dashboard: funnel plots, intervals, XmR and trend lines.

Charts only draw figures the engine produced; the limits of a funnel plot are the
Wilson interval of the benchmark at each size (audits.stats.wilson), the same
formula the engine uses. Markers take their symbol and colour from
audits.ratings, and every chart on a page has a table or caption beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from audits import ratings, spc, stats

MARKERS = {"green": "circle", "provisional": "circle-open", "amber": "diamond", "red": "x", "no_data": "circle-open"}
FONT = dict(family="Source Sans Pro, sans-serif", size=14)


def _layout(fig: go.Figure, title: str, y_title: str, percent: bool) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=15)),
        font=FONT,
        height=380,
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", y=-0.2),
        plot_bgcolor="white",
    )
    fig.update_yaxes(title=y_title, tickformat=".0%" if percent else None, gridcolor="#e5e5e5", rangemode="tozero")
    fig.update_xaxes(gridcolor="#eeeeee")
    return fig


def _rating_traces(fig, df: pd.DataFrame, x: str, y: str, hover: str, error: dict | None = None) -> None:
    for rating in ("green", "amber", "red", "no_data"):
        part = df[df["rating"] == rating]
        if part.empty:
            continue
        look = ratings.look(rating)
        trace = dict(
            x=part[x],
            y=part[y],
            mode="markers",
            name=look.label,
            text=part[hover],
            marker=dict(symbol=MARKERS[rating], size=11, color=look.colour, line=dict(width=1.5, color=look.colour)),
            hovertemplate="%{text}<br>%{y}<extra>" + look.label + "</extra>",
        )
        if error is not None:
            trace["error_y"] = dict(
                type="data",
                symmetric=False,
                array=part[y + "_plus"],
                arrayminus=part[y + "_minus"],
                color="#888888",
                thickness=1,
            )
        fig.add_trace(go.Scatter(**trace))


def funnel(df: pd.DataFrame, benchmark: float, title: str) -> go.Figure:
    """Each provider's proportion against its size, with the 95% and 99.8% limits
    around the all-provider benchmark."""
    fig = go.Figure()
    n_max = max(float(df["size"].max()), 10.0)
    sizes = np.unique(np.concatenate([np.linspace(1, 50, 50), np.linspace(50, n_max * 1.1, 200)]))
    for z, name, dash in ((stats.Z95, "95% limits", "dash"), (stats.Z998, "99.8% limits", "dot")):
        bounds = [stats.wilson(benchmark * n, n, z) for n in sizes]
        for k in (0, 1):
            fig.add_trace(
                go.Scatter(
                    x=sizes,
                    y=[b[k] for b in bounds],
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=(k == 0),
                    hoverinfo="skip",
                    line=dict(color="#555555", dash=dash, width=1),
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[0, n_max * 1.1],
            y=[benchmark, benchmark],
            mode="lines",
            name=f"Benchmark (all providers) {benchmark:.1%}",
            hoverinfo="skip",
            line=dict(color="#2166ac", width=2),
        )
    )
    _rating_traces(fig, df, "size", "value", "name")
    fig = _layout(fig, title, "Proportion", True)
    fig.update_xaxes(title="People counted (size of the provider)", rangemode="tozero")
    fig.update_yaxes(range=[0, 1.02])
    return fig


def intervals(df: pd.DataFrame, benchmark: float | None, title: str, percent: bool) -> go.Figure:
    """Each provider's figure with its 95% interval (when it has one), and the benchmark."""
    df = df.copy()
    df["value_plus"] = (df["ci_upper"] - df["value"]).fillna(0)
    df["value_minus"] = (df["value"] - df["ci_lower"]).fillna(0)
    fig = go.Figure()
    _rating_traces(fig, df, "name", "value", "name", error={} if percent else None)
    if benchmark is not None and not pd.isna(benchmark):
        fig.add_hline(
            y=benchmark,
            line=dict(color="#2166ac", width=2),
            annotation_text="Benchmark (all providers)",
            annotation_position="top left",
        )
    fig = _layout(fig, title, "Proportion" if percent else "Figure", percent)
    fig.update_xaxes(title=None, tickangle=-30)
    return fig


def xmr(periods: list[str], chart: spc.XmR, title: str, percent: bool) -> go.Figure:
    """An NHS Making Data Count XmR chart: the series, mean, process limits and signals."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=chart.values,
            mode="lines+markers",
            name="Quarterly figure",
            line=dict(color="#4d4d4d"),
            marker=dict(size=8, color="#4d4d4d"),
        )
    )
    flagged = [i for i, s in enumerate(chart.signals) if s]
    if flagged:
        fig.add_trace(
            go.Scatter(
                x=[periods[i] for i in flagged],
                y=[chart.values[i] for i in flagged],
                mode="markers",
                name="Special cause (see table)",
                marker=dict(size=15, symbol="square-open", color="#b35806", line=dict(width=2.5)),
            )
        )
    limit_word = "Trial limit" if chart.trial else "Process limit"
    for y, name, dash in (
        (chart.mean, "Mean", "solid"),
        (chart.upper, f"{limit_word} (upper)", "dash"),
        (chart.lower, f"{limit_word} (lower)", "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[periods[0], periods[-1]],
                y=[y, y],
                mode="lines",
                name=name,
                hoverinfo="skip",
                line=dict(color="#2166ac" if name == "Mean" else "#777777", dash=dash, width=1.5),
            )
        )
    return _layout(fig, title, "Proportion" if percent else "Figure", percent)


def trend(df: pd.DataFrame, title: str, percent: bool) -> go.Figure:
    """A plain line with 95% intervals, when there are too few quarters for an XmR chart."""
    plus = (df["ci_upper"] - df["value"]).fillna(0)
    minus = (df["value"] - df["ci_lower"]).fillna(0)
    fig = go.Figure(
        go.Scatter(
            x=df["period"],
            y=df["value"],
            mode="lines+markers",
            name="Quarterly figure",
            line=dict(color="#4d4d4d"),
            marker=dict(size=8),
            error_y=dict(type="data", symmetric=False, array=plus, arrayminus=minus, color="#888888")
            if percent
            else None,
        )
    )
    if "benchmark" in df and df["benchmark"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=df["period"],
                y=df["benchmark"],
                mode="lines",
                name="Benchmark (all providers)",
                line=dict(color="#2166ac", dash="dash"),
            )
        )
    return _layout(fig, title, "Proportion" if percent else "Figure", percent)
