"""Plotly charts for the dashboard: funnel plots, intervals, XmR and trend lines.

Charts only draw figures the engine produced; the limits of a funnel plot are
audits.stats.funnel_limits, the very test the engine's comparison with the
benchmark uses, so a point is outside the funnel exactly when the table beside it
says better or worse. Markers take their symbol and colour from
audits.ratings, and every chart on a page has a table or caption beside it.

Every chart draws the tier of figures it is handed (dashboard.viewer decides which): a provider
whose figure is hidden (audits.disclosure) is still on the chart, as a grey band with an
asterisk where its size is shown, or named under the chart where it is not, never silently
missing; and no figure goes to the browser with more decimals than people are shown.
"""

from __future__ import annotations

import base64
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from audits import ratings, spc, stats, tiers, words

MARKERS = {"green": "circle", "provisional": "circle-open", "amber": "diamond", "red": "x", "no_data": "circle-open"}
HIDDEN_GREY = "#6b6b6b"
SHARE_DECIMALS = 3  # a share is shown to 0.1%


def shown(values, decimals: int):
    """Values rounded to the precision people are shown (None stays None): what goes to the
    browser is what the page says, never more."""
    return [None if stats.is_missing(v) else round(float(v), decimals) for v in values]


def _hidden_band(fig, names: list[str], xs: list, low: float, high: float, why: list[str]) -> None:
    """Providers whose figure is hidden, each drawn as a grey band over the whole range of the
    axis at its place, marked with the asterisk of a hidden figure."""
    if not names:
        return
    middle, half = (low + high) / 2, (high - low) / 2
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=[middle] * len(xs),
            mode="markers",
            name=f"Figure {words.NOT_SHOWN.lower()}",
            text=[f"{n}: {words.NOT_SHOWN.lower()}, {w}" for n, w in zip(names, why)],
            hovertemplate="%{text}<extra></extra>",
            marker=dict(symbol="asterisk-open", size=12, color=HIDDEN_GREY, line=dict(width=2, color=HIDDEN_GREY)),
            error_y=dict(type="constant", value=half, color="rgba(107,107,107,0.35)", thickness=7, width=0),
        )
    )


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


@tiers.output(tiers.BY_CALLER, "a funnel plot of a measure's shares, in the tier of the rows given")
def funnel(df: pd.DataFrame, benchmark: float, title: str, hidden: pd.DataFrame | None = None) -> go.Figure:
    """Each provider's proportion against its size, with the 95% and 99.8% limits
    around the benchmark (stats.funnel_limits). `hidden`: providers whose figure is not shown
    (name, size when shown, why), drawn as grey bands at their size, or named under the chart.
    The lines pass through every provider's own size exactly, so no point sits on the wrong side
    of a line drawn between two sampled sizes."""
    fig = go.Figure()
    hidden = hidden if hidden is not None else pd.DataFrame(columns=["name", "size", "why"])
    # drawn as given, so the lines agree with the table's comparison: a public benchmark comes rounded
    # as shown (audits.disclosure), the auditor's is exact
    benchmark = float(benchmark)
    sized = hidden[hidden["size"].notna()]
    n_max = max([float(df["size"].max()) if not df.empty else 0.0, *sized["size"].astype(float), 10.0])
    grid = [
        np.linspace(1, 50, 50),
        np.linspace(50, n_max * 1.1, 200),
        df["size"].dropna().to_numpy(float),
        sized["size"].to_numpy(float),
    ]
    sizes = np.unique(np.concatenate(grid))
    for z, name, dash in ((stats.Z95, "95% limits", "dash"), (stats.Z998, "99.8% limits", "dot")):
        bounds = [stats.funnel_limits(benchmark, n, z) for n in sizes]
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
            name=f"Benchmark {benchmark:.1%}",
            hoverinfo="skip",
            line=dict(color="#2166ac", width=2),
        )
    )
    _rating_traces(fig, df.assign(value=shown(df["value"], SHARE_DECIMALS)), "size", "value", "name")
    _hidden_band(fig, list(sized["name"]), list(sized["size"].astype(float)), 0.0, 1.0, list(sized["why"]))
    fig = _layout(fig, title, "Proportion", True)
    fig.update_xaxes(title="People counted (size of the provider)", rangemode="tozero")
    fig.update_yaxes(range=[0, 1.02])
    unsized = hidden[hidden["size"].isna()]
    if not unsized.empty:
        _not_drawn(fig, list(unsized["name"]))
        # room for a legend line per provider not placed, below the axis title
        fig.update_layout(height=400 + 24 * len(unsized), legend=dict(y=-0.16 - 0.02 * len(unsized), yanchor="top"))
    return fig


def _not_drawn(fig: go.Figure, names: list[str]) -> None:
    """Providers that cannot be placed (figure and size both hidden): each still on the chart, as
    a marked entry of the legend, with the asterisk of a hidden figure."""
    for name in names:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"{name}: figure and size {words.NOT_SHOWN.lower()}, not placed",
                marker=dict(symbol="asterisk-open", size=12, color=HIDDEN_GREY, line=dict(width=2, color=HIDDEN_GREY)),
                hoverinfo="skip",
            )
        )


@tiers.output(tiers.BY_CALLER, "a measure's figure for each provider with its interval, in the tier given")
def intervals(
    df: pd.DataFrame,
    benchmark: float | None,
    title: str,
    percent: bool,
    hidden: pd.DataFrame | None = None,
    decimals: int = SHARE_DECIMALS,
) -> go.Figure:
    """Each provider's figure with its 95% interval (when it has one), and the benchmark.
    `hidden`: providers whose figure is not shown (name, why), drawn as grey bands."""
    df = df.copy()
    for column in ("value", "ci_lower", "ci_upper"):
        df[column] = shown(df[column], decimals) if column in df else None
    df["value_plus"] = (df["ci_upper"].astype(float) - df["value"].astype(float)).fillna(0)
    df["value_minus"] = (df["value"].astype(float) - df["ci_lower"].astype(float)).fillna(0)
    fig = go.Figure()
    _rating_traces(fig, df, "name", "value", "name", error={} if percent else None)
    if hidden is not None and not hidden.empty:
        top = 1.0 if percent else max([1.0, *df["value"].dropna().astype(float)])
        _hidden_band(fig, list(hidden["name"]), list(hidden["name"]), 0.0, top, list(hidden["why"]))
    if benchmark is not None and not pd.isna(benchmark):
        benchmark = round(float(benchmark), decimals)
        fig.add_hline(
            y=benchmark,
            line=dict(color="#2166ac", width=2),
            annotation_text="Benchmark",
            annotation_position="top left",
        )
    fig = _layout(fig, title, "Proportion" if percent else "Figure", percent)
    fig.update_xaxes(title=None, tickangle=-30)
    return fig


# Making Data Count's colours for special causes (blue better, orange worse, purple for a
# measure with no better direction), each with its own marker and words: never colour alone.
XMR_LOOKS = {
    "improvement": ("Special cause: getting better", "#005eb8", "circle"),
    "concern": ("Special cause: getting worse", "#b35806", "square"),
    "neither": ("Special cause: changed", "#5b2a86", "diamond"),
}
ICON_LOOKS = {  # icon key: colour and the letter in the circle (MDC: H high, L low; P pass, F fail)
    "common_cause": ("#4d4d4d", "~"),
    "improvement_high": ("#005eb8", "H"),
    "improvement_low": ("#005eb8", "L"),
    "concern_high": ("#b35806", "H"),
    "concern_low": ("#b35806", "L"),
    "neither_high": ("#5b2a86", "H"),
    "neither_low": ("#5b2a86", "L"),
    "pass": ("#005eb8", "P"),
    "fail": ("#b35806", "F"),
    "hit_or_miss": ("#4d4d4d", "?"),
}


@tiers.output(tiers.BY_CALLER, "an XmR chart of one provider's quarters, in the tier given")
def xmr(periods: list[str], chart: spc.XmR, higher_is_better: bool | None, title: str, percent: bool) -> go.Figure:
    """An NHS Making Data Count XmR chart: every quarter in order (a quarter with no figure is a
    gap in the line, never joined across), the mean, the process limits, and each special cause
    point marked better, worse or changed."""
    decimals = SHARE_DECIMALS if percent else 1
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=shown(chart.values, decimals),
            mode="lines+markers",
            name="Quarterly figure",
            connectgaps=False,
            line=dict(color="#4d4d4d"),
            marker=dict(size=8, color="#4d4d4d"),
            text=[spc.signal(chart, i, higher_is_better) or "No special cause" for i in range(len(periods))],
            hovertemplate="%{x}: %{y}<br>%{text}<extra></extra>",
        )
    )
    kinds = [spc.judge(chart, i, higher_is_better).split("_")[0] for i in range(len(periods))]
    for kind, (name, colour, symbol) in XMR_LOOKS.items():
        marked = [i for i, k in enumerate(kinds) if k == kind and chart.values[i] is not None]
        if marked:
            fig.add_trace(
                go.Scatter(
                    x=[periods[i] for i in marked],
                    y=shown([chart.values[i] for i in marked], decimals),
                    mode="markers",
                    name=name,
                    text=[spc.signal(chart, i, higher_is_better) for i in marked],
                    hovertemplate="%{x}: %{y}<br>%{text}<extra></extra>",
                    marker=dict(size=13, symbol=symbol, color=colour, line=dict(width=1.5, color="white")),
                )
            )
    limit = "Process limit, provisional" if chart.provisional else "Process limit"
    for y, name, dash in (
        (chart.mean, "Mean", "solid"),
        (chart.upper, f"{limit} (upper)", "dash"),
        (chart.lower, f"{limit} (lower)", "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[periods[0], periods[-1]],
                y=shown([y, y], decimals),
                mode="lines",
                name=name,
                hoverinfo="skip",
                line=dict(color="#2166ac" if name == "Mean" else "#777777", dash=dash, width=1.5),
            )
        )
    fig = _layout(fig, title, "Proportion" if percent else "Figure", percent)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=periods)
    return fig


def icon_img(icon: spc.Icon) -> str:
    """A Making Data Count icon as a small image: a letter in a coloured ring, drawn as SVG and
    given as a data URI (st.html keeps images but drops inline SVG), with the label as its alt
    text; the words always stand beside it."""
    colour, letter = ICON_LOOKS[icon.key]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="30" viewBox="0 0 30 30">'
        f'<circle cx="15" cy="15" r="12.5" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
        f'<text x="15" y="20" text-anchor="middle" font-family="sans-serif" font-size="14" font-weight="700" '
        f'fill="{colour}">{letter}</text></svg>'
    )
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return f'<img src="{source}" alt="{html.escape(icon.label)}" width="30" height="30" style="flex: none">'


def xmr_icons_html(
    chart: spc.XmR, name: str, period: str, higher_is_better: bool | None, target: tuple[float, str] | None
) -> str:
    """What an XmR chart shows, as Making Data Count icons with words: the variation icon of the
    latest plotted quarter (named) and, with a target, the assurance icon. target: (value, as
    written)."""

    def line(icon: spc.Icon, context: str, words: str) -> str:
        return (
            '<div style="display: flex; align-items: center; gap: 0.6rem; margin: 0.25rem 0">'
            f"{icon_img(icon)}<span><strong>{html.escape(context)}</strong> {html.escape(words)}</span></div>"
        )

    variation = spc.variation(chart, higher_is_better)
    cause = chart.cause(chart.latest)
    why = f" ({spc.RULE_WORDS[cause]})." if cause else "."
    lines = [line(variation, f"Latest quarter plotted, {period}:", variation.sentence[:-1] + why)]
    assurance = spc.assurance(chart, higher_is_better, None if target is None else target[0])
    if assurance is not None:
        lines.append(line(assurance, f"Against the target ({target[1]}):", assurance.sentence))
    return f'<div role="group" aria-label="{html.escape(name)}: what the chart shows">{"".join(lines)}</div>'


@tiers.output(tiers.BY_CALLER, "a trend line of one provider's quarters, in the tier given")
def trend(df: pd.DataFrame, title: str, percent: bool) -> go.Figure:
    """A plain line with 95% intervals, when there are too few quarters for an XmR chart."""
    decimals = SHARE_DECIMALS if percent else 1
    df = df.assign(**{c: shown(df[c], decimals) for c in ("value", "ci_lower", "ci_upper", "benchmark") if c in df})
    plus = (df["ci_upper"].astype(float) - df["value"].astype(float)).fillna(0)
    minus = (df["value"].astype(float) - df["ci_lower"].astype(float)).fillna(0)
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
                name="Benchmark",
                line=dict(color="#2166ac", dash="dash"),
            )
        )
    return _layout(fig, title, "Proportion" if percent else "Figure", percent)
