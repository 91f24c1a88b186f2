"""Plotly charts for the dashboard: each measure across providers (a funnel plot for a share,
each figure with its interval otherwise) and one provider's quarters over time.

Charts only draw figures the engine produced; the limits of a funnel plot are
audits.stats.funnel_limits, with the spread between providers the rows' comparisons allowed
for (their between_variance), the very test the engine's comparison with the benchmark uses,
so a point is outside the funnel exactly when the table beside it says better or worse. Markers take their symbol and colour from audits.ratings.

Every chart is read the same way, whoever looks: the measure's Met and Partly met bands are
drawn from its standard (named with symbol and words, never colour alone), the axis always
reaches the thresholds, the chosen provider is ringed and named (every other point is named on
hover, with its figure in the page's words), and a sentence says what the chart shows
(audits.words), as the chart's accessible name and as a caption under it (`show`). Over time
there is one chart for every role: the quarterly figure with its interval, to which NHS Making
Data Count's average and usual range are added once there are enough quarters for them.

Every chart draws the tier of figures it is handed (dashboard.viewer decides which): a provider
or a quarter whose figure is hidden (audits.disclosure) is still on the chart, as a grey band
with an asterisk where its place is known, or named under the chart where it is not, never
silently missing; and no figure goes to the browser with more decimals than people are shown.
"""

from __future__ import annotations

import base64
import html
import math
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audits import comparison, ratings, spc, stats, tiers, words
from audits.kinds import kind_of
from dashboard import ui

MARKERS = {
    "green": "circle",
    "provisional": "circle-open",
    "amber": "diamond",
    "red": "x",
    "no_data": "circle-open",
    "green_amber": "diamond-open",
    "amber_red": "diamond-open",
    "withheld": "circle-open",
}
HIDDEN_GREY = "#6b6b6b"
SHARE_DECIMALS = 3  # a share is shown to 0.1%
LABEL_ALL = 5  # with this many providers or fewer, every point is named on the chart itself
NAMED_ON_AXIS = 12  # a chart of each provider's figure names them under its axis up to this many
CHOSEN = "#111111"

# No toolbar: on a phone Plotly's toolbar sits over the chart's title, and the figures it could
# download are in the table beside every chart (with its own download).
CONFIG = {"displayModeBar": False, "responsive": True}


@tiers.output(tiers.BY_CALLER, "a chart and its sentence, drawn from figures already in the viewer's tier")
def show(fig: go.Figure, summary: str, key: str) -> None:
    """Draw a chart with its text equivalent: the summary's first sentence is the chart's
    accessible name, and the whole summary is printed under it for everyone to read."""
    st.plotly_chart(fig, width="stretch", key=key, config=CONFIG, alt=summary.split(". ")[0].rstrip(".") + ".")
    st.caption(ui.md(summary))


def shown(values, decimals: int):
    """Values rounded to the precision people are shown (None stays None): what goes to the
    browser is what the page says, never more."""
    return [None if stats.is_missing(v) else round(float(v), decimals) for v in values]


# --------------------------------------------------------------------------- the thresholds


@dataclass(frozen=True)
class Band:
    """Where a rating starts and ends on a chart's value axis (a share as a fraction), from the
    measure's thresholds; low == high for a threshold of exactly one value ("= 0")."""

    rating: str
    low: float
    high: float
    edge: float  # where the threshold itself is (the line drawn, labelled)
    text: str  # "✔ Met: 90% or more"


def bands(measure) -> list[Band]:
    """The Met band and, when the measure has one, the Partly met band."""
    green, amber = measure.green, measure.amber
    g = green.target
    out = []
    if green.op == "=":
        out.append(Band("green", g, g, g, _band_text("green", green)))
    elif green.higher_is_better:
        out.append(Band("green", g, math.inf, g, _band_text("green", green)))
    else:
        out.append(Band("green", -math.inf, g, g, _band_text("green", green)))
    if amber is not None:
        a = amber.target
        if amber.op == "=":
            low, high = a, a
        elif amber.higher_is_better:
            low, high = a, g
        else:
            low, high = g, a
        out.append(Band("amber", low, high, a, _band_text("amber", amber)))
    return out


def _band_text(rating: str, threshold) -> str:
    return f"{ratings.look(rating).label}: {words.threshold(threshold)}"


def thresholds_of(measure) -> list[float]:
    return [b.edge for b in bands(measure)]


def value_range(measure, values, percent: bool, pad: float = 0.1) -> tuple[float, float]:
    """The value axis: every figure, interval and line given, and always the measure's
    thresholds, with a little room around them. A share stays within 0% to 100% and may start
    above 0% (so a small change can be seen); any other figure starts at 0."""
    points = [float(v) for v in values if not stats.is_missing(v) and math.isfinite(float(v))]
    points += thresholds_of(measure)
    low, high = min(points), max(points)
    room = (high - low) * pad or max(abs(high) * pad, 0.05 if percent else 1.0)
    low, high = max(0.0, low - room), high + room
    if not percent:
        low = 0.0  # a count, a number of days, a rate: from nothing, so sizes read true
        high = max(high, 5.0)  # room to read a scale of whole numbers, even when every figure is 0
    else:
        high = min(high, 1.02)
        low = 0.0 if low < 0.08 else low
    return round(low, 4), round(high, 4)


def _draw_bands(fig: go.Figure, measure, low: float, high: float, side: str = "right") -> None:
    """The Met and Partly met bands, tinted and labelled with symbol and words at the threshold
    line, and the words "Not met" where the rest of the axis is."""
    drawn = bands(measure)
    for band in drawn:
        look = ratings.look(band.rating)
        lo, hi = max(band.low, low), min(band.high, high)
        if band.low < band.high and hi > lo:
            fig.add_hrect(y0=lo, y1=hi, fillcolor=look.background, opacity=0.6, line_width=0, layer="below")
        if not low <= band.edge <= high:
            continue
        inside_above = band.low >= band.edge or band.low == band.high
        fig.add_hline(
            y=band.edge,
            line=dict(color=look.colour, width=1.5, dash="dot"),
            layer="below",
            annotation=dict(
                text=band.text,
                font=dict(color=look.colour, size=12),
                bgcolor="rgba(255,255,255,0.75)",
            ),
            annotation_position=f"{'top' if inside_above else 'bottom'} {side}",
        )
    green = drawn[0]
    if green.low == green.high:
        return
    worst = drawn[-1]
    red = ratings.look("red")
    if green.high == math.inf:  # higher is better: not met below the lowest band
        where, anchor = (low + min(worst.low, green.low)) / 2, "middle"
        visible = min(worst.low, green.low) > low + (high - low) * 0.08
    else:
        where, anchor = (high + max(worst.high, green.high)) / 2, "middle"
        visible = max(worst.high, green.high) < high - (high - low) * 0.08
    if visible:
        fig.add_annotation(
            x=1 if side == "right" else 0,
            xref="paper",
            xanchor=side,
            y=where,
            yanchor=anchor,
            text=red.label,
            showarrow=False,
            font=dict(color=red.colour, size=12),
            bgcolor="rgba(255,255,255,0.75)",
        )


# --------------------------------------------------------------------------- shared parts


def _hidden_band(fig, names: list[str], xs: list, low: float, high: float, why: list[str]) -> None:
    """Providers (or quarters) whose figure is hidden, each drawn as a grey band over the whole
    range of the axis at its place, marked with the asterisk of a hidden figure."""
    if not names:
        return
    middle, half = round((low + high) / 2, 4), round((high - low) / 2, 4)
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


TITLE_WIDTH = 44  # characters a line of a chart's title holds on a phone (Plotly does not wrap titles)
# Where a share's chart starts its plot: the room its value axis takes ("100%" and the axis title,
# as drawn in the dashboard's font). automargin still widens the margin if it needs more, but a
# margin that already fits spares Plotly its second layout and draw of the whole chart (a national
# funnel drew in about half the time in Chromium, measured with bench/pages.py); the chart is the same.
SHARE_LEFT = 84


def _layout(
    fig: go.Figure, title: str, y_title: str, percent: bool, y_range: tuple[float, float], subtitle: str = ""
) -> go.Figure:
    lines = textwrap.wrap(title, TITLE_WIDTH) or [""]
    top = 48 + 19 * len(lines) + (22 if subtitle else 0)
    fig.update_layout(
        title=dict(
            text="<br>".join(html.escape(line) for line in lines),
            subtitle=dict(text=html.escape(subtitle), font=dict(size=13, color="#444444")),
            font=dict(size=15),
            x=0.01,
            xanchor="left",
        ),
        font=FONT,
        height=380 + top,
        margin=dict(l=SHARE_LEFT if percent else 10, r=10, t=top, b=10),
        # the legend at the foot of the figure, whatever its height (in the plot's own terms, a
        # phone's short plot put it over the axis's title)
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
        plot_bgcolor="white",
        hoverlabel=dict(bgcolor="white"),
        # no default template: every colour is set here, and the browser is not sent Plotly's
        # whole template (colour scales of charts never drawn) with every chart
        template="none",
    )
    fig.update_yaxes(
        title=y_title, tickformat=".0%" if percent else ",~g", gridcolor="#e5e5e5", range=list(y_range), fixedrange=True
    )
    fig.update_xaxes(gridcolor="#eeeeee", fixedrange=True, automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _rating_traces(
    fig, df: pd.DataFrame, x: str, y: str, error: bool = False, label: bool = False, chosen: str | None = None
) -> None:
    """One trace per rating present (symbol + word + colour), each point named on hover with its
    figure in words (`said`), and on the chart itself when `label` (the chosen one is named by
    its ring: _chosen)."""
    present = [r for r in [*ratings.LOOKS, *ratings.RANGES] if (df["rating"] == r).any()]
    for rating in present:
        part = df[df["rating"] == rating]
        look = ratings.look(rating)
        trace = dict(
            x=part[x],
            y=part[y],
            mode="markers+text" if label else "markers",
            name=look.label,
            text=[n if p != chosen else "" for n, p in zip(part["name"], part["provider_id"])] if label else None,
            textposition="top center",
            textfont=dict(size=12, color="#222222"),
            cliponaxis=False,  # a name near the edge is written in full, past the axis
            customdata=np.stack([part["name"], part["said"]], axis=-1),
            marker=dict(
                symbol=MARKERS.get(rating, "circle-open"),
                size=11,
                color=look.colour,
                line=dict(width=1.5, color=look.colour),
            ),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra>" + look.label + "</extra>",
        )
        if error:
            trace["error_y"] = dict(
                type="data",
                symmetric=False,
                array=part[y + "_plus"],
                arrayminus=part[y + "_minus"],
                color="#888888",
                thickness=1,
            )
        fig.add_trace(go.Scatter(**trace))


def _chosen(fig, df: pd.DataFrame, x: str, y: str, selected: str | None) -> None:
    """The chosen provider: a black ring round its point, named in the legend and the subtitle
    (a long name written beside the point would run off a phone's screen or over a label)."""
    if selected is None or "provider_id" not in df:
        return
    row = df[df["provider_id"] == selected]
    if row.empty or stats.is_missing(row[y].iloc[0]):
        return
    fig.add_trace(
        go.Scatter(
            x=row[x],
            y=row[y],
            mode="markers",
            name=f"{row['name'].iloc[0]} (chosen)",
            cliponaxis=False,
            marker=dict(symbol="circle-open", size=22, color=CHOSEN, line=dict(width=2.5, color=CHOSEN)),
            hoverinfo="skip",
        )
    )


def _legend_name(name: str) -> str:
    """A long legend entry over two lines, broken after its first comma ("95% limits," over
    "allowing for the usual spread between providers"): a legend entry is never wrapped, and a
    phone cut it off."""
    head, comma, rest = name.partition(", ")
    return f"{head},<br>{rest}" if comma else name


def _ringed(points: pd.DataFrame, selected: str | None) -> str:
    """The subtitle naming the chosen provider (its name on the chart may not fit a phone)."""
    chosen = points[points["provider_id"] == selected] if selected is not None else points.iloc[0:0]
    if chosen.empty or stats.is_missing(chosen["value"].iloc[0]):
        return ""
    return "Ringed: " + html.unescape(str(chosen["name"].iloc[0]))


def _said(df: pd.DataFrame, measure) -> list[str]:
    """Each row's figure as the table beside the chart says it."""
    return [words.figure(measure, r) for r in df.to_dict("records")]


def _no_hidden(hidden: pd.DataFrame | None) -> pd.DataFrame:
    return hidden if hidden is not None else pd.DataFrame(columns=["name", "size", "why"])


# --------------------------------------------------------------------------- across providers


def _points(df: pd.DataFrame, measure, decimals: int) -> pd.DataFrame:
    """The rows as drawn: figures rounded as shown, names escaped, each figure said in words."""
    out = df.copy()
    out["said"] = [html.escape(s) for s in _said(df, measure)]
    for column in ("value", "ci_lower", "ci_upper"):
        out[column] = shown(df[column], decimals) if column in df else None
    out["name"] = [html.escape(str(n)) for n in df["name"]]
    if "provider_id" not in out:
        out["provider_id"] = out["name"]
    return out


@tiers.output(tiers.BY_CALLER, "a funnel plot of a measure's shares, in the tier of the rows given")
def funnel(
    df: pd.DataFrame,
    benchmark: float,
    measure,
    hidden: pd.DataFrame | None = None,
    selected: str | None = None,
    tau2: float | None = 0.0,
) -> go.Figure:
    """Each provider's proportion against its size, with the 95% and 99.8% limits
    around the benchmark (stats.funnel_limits) and the measure's Met and Partly met bands.
    `tau2`: the variance between providers the rows' comparisons allowed for (their
    between_variance: the engine's, or disclosure control's for a public benchmark), so the
    limits drawn are the very limits of the table's comparison; named "allowing for the usual
    spread between providers" when there is one.
    `hidden`: providers whose figure is not shown (name, size when shown, why), drawn as grey
    bands at their size, or named under the chart. `selected`: the chosen provider's id, ringed
    and named. The lines pass through every provider's own size exactly, so no point sits on
    the wrong side of a line drawn between two sampled sizes."""
    fig = go.Figure()
    hidden = _no_hidden(hidden)
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
    for z, level, dash in ((stats.Z95, "95%", "dash"), (stats.Z998, "99.8%", "dot")):
        name = _legend_name(words.limits_name(level, tau2))
        bounds = [stats.funnel_limits(benchmark, n, z, tau2) for n in sizes]
        # the lower and the upper line as one trace, broken by a gap (NaN, kept as a gap:
        # connectgaps is off): drawn the same, with one legend entry, but Plotly lays out and
        # draws one trace instead of two (national scale: ~380 points each). Numpy arrays, so
        # the figure still sends them as packed binary. The legend group keeps the legend's
        # layout as it was (a legend with groups is ordered and spaced by group).
        gap = np.array([np.nan])
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([sizes, gap, sizes]),
                y=np.concatenate([[b[0] for b in bounds], gap, [b[1] for b in bounds]]),
                mode="lines",
                name=name,
                legendgroup=name,
                hoverinfo="skip",
                line=dict(color="#555555", dash=dash, width=1),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0, n_max * 1.1],
            y=[benchmark, benchmark],
            mode="lines",
            name=f"Benchmark {words.value(measure, benchmark)}",
            hoverinfo="skip",
            line=dict(color="#2166ac", width=2),
        )
    )
    points = _points(df, measure, SHARE_DECIMALS)
    _rating_traces(fig, points, "size", "value", label=len(points) <= LABEL_ALL, chosen=selected)
    _chosen(fig, points, "size", "value", selected)
    names = [html.escape(str(n)) for n in sized["name"]]
    _hidden_band(fig, names, list(sized["size"].astype(float)), 0.0, 1.0, list(sized["why"]))
    fig = _layout(fig, measure.label, "Proportion", True, (0.0, 1.02), _ringed(points, selected))
    _draw_bands(fig, measure, 0.0, 1.02, side="left")  # the right is where the large providers are
    fig.update_xaxes(title="People counted (size of the provider)", range=[0, round(n_max * 1.12, 1)])
    unsized = hidden[hidden["size"].isna()]
    if not unsized.empty:
        lines = _not_drawn(fig, list(unsized["name"]))
        # room for a legend line per entry of providers not placed
        fig.update_layout(height=fig.layout.height + 24 * lines)
    return fig


NAMED_NOT_DRAWN = 5  # providers not placed named one by one in the legend; more are one entry


def _not_drawn(fig: go.Figure, names: list[str]) -> int:
    """Providers that cannot be placed (figure and size both hidden): each still on the chart, as
    a marked entry of the legend, with the asterisk of a hidden figure. More than NAMED_NOT_DRAWN
    (national scale: thirty or more in the public tier) are one entry that counts them: a legend of
    one line per provider made the chart 1,200 px tall; the table beside it names each, with why.
    The number of legend lines added."""
    marker = dict(symbol="asterisk-open", size=12, color=HIDDEN_GREY, line=dict(width=2, color=HIDDEN_GREY))
    if len(names) > NAMED_NOT_DRAWN:
        entries = [f"{words.whole(len(names))} providers {words.NOT_SHOWN.lower()}, not on the chart"]
    else:
        entries = [f"{html.escape(str(name))}: {words.NOT_SHOWN.lower()}, not on the chart" for name in names]
    for entry in entries:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=entry, marker=marker, hoverinfo="skip"))
    return len(entries)


@tiers.output(tiers.BY_CALLER, "a measure's figure for each provider with its interval, in the tier given")
def intervals(
    df: pd.DataFrame,
    benchmark: float | None,
    measure,
    hidden: pd.DataFrame | None = None,
    selected: str | None = None,
    tau2: float | None = 0.0,
) -> go.Figure:
    """Each provider's figure with its 95% interval (when it has one), the benchmark and the
    measure's Met and Partly met bands; for a figure compared with the benchmark (a rate per
    1,000), the limits it was compared by at that provider's size (`_limit_marks`). `hidden`:
    providers whose figure is not shown (name, why), drawn as grey bands. `selected`: the chosen
    provider's id, ringed and named. `tau2`: as `funnel`'s, to name the limits."""
    kind = kind_of(measure)
    decimals = kind.shown_decimals
    points = _points(df, measure, decimals)
    points["value_plus"] = (points["ci_upper"].astype(float) - points["value"].astype(float)).fillna(0)
    points["value_minus"] = (points["value"].astype(float) - points["ci_lower"].astype(float)).fillna(0)
    benchmark = None if benchmark is None or pd.isna(benchmark) else round(float(benchmark), decimals)
    marks = _limit_marks(points, measure, decimals)
    low, high = value_range(
        measure,
        [*points["value"], *points["ci_lower"], *points["ci_upper"], benchmark, *(y for _, ys in marks for y in ys)],
        kind.percent,
    )
    fig = go.Figure()
    for (level, size, width), (names, ys) in zip(LIMIT_MARKS, marks):
        if names:
            fig.add_trace(
                go.Scatter(
                    x=names,
                    y=ys,
                    mode="markers",
                    name=_legend_name(words.limits_name(level, tau2)),
                    marker=dict(symbol="line-ew", size=size, line=dict(width=width, color=LIMIT_COLOUR)),
                    hovertemplate="<b>%{x}</b><br>" + level + " limits at this provider's size: %{y}<extra></extra>",
                )
            )
    _rating_traces(fig, points, "name", "value", error=kind.has_interval)
    _chosen(fig, points, "name", "value", selected)
    hidden = _no_hidden(hidden)
    if not hidden.empty:
        names = [html.escape(str(n)) for n in hidden["name"]]
        _hidden_band(fig, names, names, low, high, list(hidden["why"]))
    if benchmark is not None:
        fig.add_hline(
            y=benchmark,
            line=dict(color="#2166ac", width=2),
            annotation_text=f"Benchmark {words.value(measure, benchmark)}",
            annotation_position="top left",
            annotation_font=dict(color="#2166ac", size=12),
        )
    fig = _layout(
        fig,
        measure.label,
        "Proportion" if kind.percent else "Figure",
        kind.percent,
        (low, high),
        _ringed(points, selected),
    )
    _draw_bands(fig, measure, low, high)
    # names over two or three short lines, level, so they neither run into the legend nor tilt;
    # more providers than fit are not written under the axis (150 names were one grey smear):
    # each point is named on hover, the chosen one above the chart, every one in the table
    providers = len(points) + len(hidden)
    named = providers <= NAMED_ON_AXIS
    fig.update_xaxes(
        title=None if named else f"{providers} providers, a point each: the name on hover and in the table",
        type="category",
        tickmode="array",
        tickvals=list(points["name"]) + [html.escape(str(n)) for n in hidden["name"]],
        ticktext=[
            "<br>".join(html.escape(line) for line in textwrap.wrap(html.unescape(str(n)), 18))
            for n in [*points["name"], *hidden["name"]]
        ],
        tickangle=0,
        showticklabels=named,
    )
    return fig


# The limits a figure was compared with the benchmark by, marked above and below the benchmark at
# each provider: (level, marker length, line width), the 95% ones longer and bolder than the
# 99.8% ones, so the two differ without colour, as the legend names them.
LIMIT_MARKS = (("95%", 26, 2.5), ("99.8%", 14, 1.5))
LIMIT_COLOUR = "#2166ac"  # the benchmark's blue: they are its limits (the grey lines are each figure's interval)


def _limit_marks(points: pd.DataFrame, measure, decimals: int) -> list[tuple[list, list]]:
    """For each of LIMIT_MARKS, (provider names, limits), a lower and an upper limit a provider,
    on the measure's scale at the page's precision: the comparison's own (audits.comparison), so
    a figure between a provider's 95% marks is "similar" in the table, and one past them better
    or worse. Nothing for a kind not compared, nor for a figure not compared (hidden, no benchmark)."""
    scale = kind_of(measure).scale
    marks: list[tuple[list, list]] = [([], []) for _ in LIMIT_MARKS]
    for row in points.to_dict("records"):
        found = comparison.limits(measure, row)
        for (names, ys), pair in zip(marks, found or ()):
            for limit in pair:
                names.append(row["name"])
                ys.append(round(limit * scale, decimals))
    return marks


# --------------------------------------------------------------------------- over time

# Making Data Count's colours for points that changed by more than chance (blue better, orange
# worse, purple for a measure with no better direction), each with its own marker and words:
# never colour alone. The technical name ("special cause") is only in the help of the caption.
XMR_LOOKS = {
    "improvement": ("Getting better: a change bigger than chance would give", "#005eb8", "circle"),
    "concern": ("Getting worse: a change bigger than chance would give", "#b35806", "square"),
    "neither": ("Changed: a change bigger than chance would give", "#5b2a86", "diamond"),
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
AVERAGE = "Average of the quarters plotted"
USUAL_RANGE = "Usual range: the ups and downs chance alone gives"
USUAL_RANGE_PROVISIONAL = f"Usual range, provisional (fewer than {spc.PROVISIONAL_BELOW} quarters)"
WITHIN = "Within the usual ups and downs"
PROVISIONAL_RANGE = (
    f"The usual range is provisional: it needs {spc.PROVISIONAL_BELOW} quarters to settle, and fewer are plotted."
)
# The technical words, for those who know them: only in the help of the chart's caption.
XMR_HELP = (
    "In technical terms: an XmR chart (statistical process control), as NHS England's Making Data Count "
    "draws it. The usual range lies between the process limits, the mean ± 2.66 × the mean moving range; "
    "a marked quarter is special cause variation, the rest common cause variation. The 2-of-3 rule uses "
    "near lines two thirds of the way to each limit (the 'two-sigma' lines). Fewer than "
    f"{spc.PROVISIONAL_BELOW} points give trial (provisional) limits, and fewer than {spc.MIN_POINTS} no "
    "limits at all. " + spc.METHOD_WORDS
)


@tiers.output(tiers.BY_CALLER, "one provider's quarters of a measure, in the tier given")
def over_time(
    quarters: pd.DataFrame, measure, chart: spc.XmR | None, name: str, hidden: list[str] | None = None
) -> go.Figure:
    """One provider's quarters, the same chart for every role: the quarterly figure with its 95%
    interval, the benchmark and the Met and Partly met bands; once there are enough quarters for
    NHS Making Data Count (`chart`, audits.spc), its average and usual range, and each quarter that
    moved by more than chance marked better, worse or changed. A quarter with no figure is a gap
    in the line, never joined across; a hidden one is a grey band with an asterisk.
    quarters: period, value, ci_lower, ci_upper, benchmark (and hidden, reason)."""
    kind = kind_of(measure)
    decimals = kind.shown_decimals
    hib = measure.green.higher_is_better
    periods = list(quarters["period"])
    # lists, not a frame's columns: a gap stays None (a frame would make it NaN)
    df = {c: shown(quarters[c], decimals) for c in ("value", "ci_lower", "ci_upper", "benchmark") if c in quarters}
    hidden = hidden if hidden is not None else [""] * len(df)
    lines = [] if chart is None else shown([chart.mean, chart.upper, chart.lower], decimals)
    extent = [*df["value"], *lines]
    if kind.has_interval:
        extent += [*df.get("ci_lower", []), *df.get("ci_upper", [])]
    value = df["value"]
    if "benchmark" in df:
        extent += list(df["benchmark"])
    low, high = value_range(measure, extent, kind.percent)
    said = [html.escape(words.figure(measure, r)) for _, r in quarters.iterrows()]
    signals = [
        (spc.signal(chart, i, hib) or WITHIN) if chart is not None and chart.values[i] is not None else ""
        for i in range(len(periods))
    ]
    plus = minus = None
    if kind.has_interval and "ci_lower" in df:
        plus = [0 if v is None or u is None else round(u - v, decimals) for v, u in zip(value, df["ci_upper"])]
        minus = [0 if v is None or lo is None else round(v - lo, decimals) for v, lo in zip(value, df["ci_lower"])]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=value,
            mode="lines+markers",
            name="Quarterly figure" + (" with its 95% interval" if kind.has_interval else ""),
            connectgaps=False,
            line=dict(color="#4d4d4d"),
            marker=dict(size=8, color="#4d4d4d"),
            customdata=np.stack([said, signals], axis=-1),
            hovertemplate="<b>%{x}</b>: %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            error_y=dict(type="data", symmetric=False, array=plus, arrayminus=minus, color="#9a9a9a", thickness=1)
            if plus is not None
            else None,
        )
    )
    if chart is not None:
        kinds = [spc.judge(chart, i, hib).split("_")[0] for i in range(len(periods))]
        for key, (label, colour, symbol) in XMR_LOOKS.items():
            marked = [i for i, k in enumerate(kinds) if k == key and chart.values[i] is not None]
            if marked:
                fig.add_trace(
                    go.Scatter(
                        x=[periods[i] for i in marked],
                        y=[value[i] for i in marked],
                        mode="markers",
                        name=label,
                        customdata=[[said[i], signals[i]] for i in marked],
                        hovertemplate="<b>%{x}</b>: %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
                        marker=dict(size=14, symbol=symbol, color=colour, line=dict(width=1.5, color="white")),
                    )
                )
        mean, upper, lower = lines
        limit = USUAL_RANGE_PROVISIONAL if chart.provisional else USUAL_RANGE
        for y, label, dash, show_legend in (
            (mean, AVERAGE, "solid", True),
            (upper, limit, "dash", True),
            (lower, limit, "dash", False),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[periods[0], periods[-1]],
                    y=[y, y],
                    mode="lines",
                    name=label,
                    legendgroup=label,
                    showlegend=show_legend,
                    hoverinfo="skip",
                    line=dict(color="#2166ac" if label == AVERAGE else "#777777", dash=dash, width=1.5),
                )
            )
    if any(b is not None for b in df.get("benchmark", [])):
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=df["benchmark"],
                mode="lines",
                name="Benchmark",
                hoverinfo="skip",
                line=dict(color="#2166ac", dash="dot", width=1),
            )
        )
    gaps = [i for i, h in enumerate(hidden) if h]
    if gaps:
        _hidden_band(
            fig,
            [periods[i] for i in gaps],
            [periods[i] for i in gaps],
            low,
            high,
            [words.hidden_why(quarters.iloc[i]) for i in gaps],
        )
    fig = _layout(fig, measure.label, "Proportion" if kind.percent else "Figure", kind.percent, (low, high), name)
    _draw_bands(fig, measure, low, high)
    # "Q2" over "2024": nine quarters fit a phone without turning their names on end
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=periods,
        tickmode="array",
        tickvals=periods,
        ticktext=[_quarter_tick(p) for p in periods],
        tickangle=0,
    )
    return fig


def _quarter_tick(period: str) -> str:
    """'2024-Q2' as 'Q2' over '2024'."""
    year, _, quarter = str(period).partition("-")
    return f"{quarter}<br>{year}" if quarter else str(period)


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
    """What the usual range shows, as Making Data Count icons with words: the variation icon of
    the latest plotted quarter (named) and, with a target, the assurance icon. target: (value,
    as written)."""

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
