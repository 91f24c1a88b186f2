"""One measure across providers, as a standard's page shows it: the rows of the providers shown,
the funnel or interval chart, its sentence, the table, the download's rows and the caption, built
once per content of the rows (measure_view) and drawn (across_providers). A module of its own, not
the page's: Streamlit keys a cache by its function's module, and a page runs as __main__, so only
here are the views dashboard.warm builds at start the ones the page reads."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audits import sentences, stats, tiers, words
from audits.kinds import kind_of
from audits.standard_model import Measure
from dashboard import charts, data, downloads, ui


def measure_table(rows: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    records = _records(rows)
    return pd.DataFrame(
        {
            "Provider": rows["name"],
            "Rating": [words.result_rating(r) for r in records],
            "Figure": [words.figure(measure, r) for r in records],
            "95% interval": [words.interval(measure, r) for r in records],
            "Compared with the benchmark": [words.benchmark(measure, r)[1] for r in records],
        }
    )


def _records(rows: pd.DataFrame) -> list[dict]:
    """The rows as dicts, for the words of each (audits.words reads a row with [] and .get): a
    tenth of the time of iterrows, which built a Series per row."""
    return rows.to_dict("records")


def funnel_sizes(rows: pd.DataFrame) -> pd.Series:
    """Each provider's place on the funnel's axis: the rows its interval and its comparison
    with the benchmark were based on (the engine's n)."""
    return rows["denominator_rows"].where(rows["denominator_rows"].notna(), rows["denominator"]).astype(float)


def between_variance(rows: pd.DataFrame) -> float:
    """The variance between providers the rows' comparisons allowed for (the same on every row of
    a measure, beside the benchmark it goes with); 0 for rows kept before it was (their
    comparisons allowed for none)."""
    if "between_variance" not in rows:
        return 0.0
    kept = rows["between_variance"].dropna()
    return float(kept.iloc[0]) if not kept.empty else 0.0


def _hidden_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The providers whose figure is hidden: name, size when it is shown, and why (words)."""
    hidden = rows[[bool(h) for h in ui.hidden(rows)]]
    return pd.DataFrame(
        {
            "name": list(hidden["name"]),
            "size": [None if stats.is_missing(d) else float(d) for d in hidden["denominator_rows"]],
            "why": [words.hidden_why(r) for r in _records(hidden)],
        }
    )


@dataclass(frozen=True)
class MeasureView:
    """One measure across providers, built: the chart (None: nothing to draw) and the sentence
    that says it, the table, the download's rows and the caption. Shared between sessions by
    `measure_view`'s cache, so read only: nothing draws into it."""

    fig: go.Figure | None
    said: str
    chart_key: str
    table: pd.DataFrame
    download: pd.DataFrame
    caption: str


@tiers.output(tiers.BY_CALLER, "one measure across providers, built from the rows in each row's tier")
@st.cache_resource(max_entries=256, show_spinner=False)
def measure_view(rows: pd.DataFrame, measure: Measure, public_benchmark: bool, selected: str | None) -> MeasureView:
    """Built once per content of the rows (every figure and its `tier`, so the exact rows of one
    viewer and the public rows of another are two entries), the measure, the benchmark's tier and
    the ringed provider: a warm visit only draws it (building took ~2 CPU-s a national page)."""
    shown = rows[rows["value"].notna()]
    hidden = _hidden_rows(rows)
    benchmark = rows["benchmark"].dropna()
    benchmark = float(benchmark.iloc[0]) if not benchmark.empty else None
    funnel = measure.kind == "proportion" and benchmark is not None
    tau2 = between_variance(rows)
    fig, said = None, ""
    if not (shown.empty and hidden.empty):
        if funnel:
            fig = charts.funnel(shown.assign(size=funnel_sizes(shown)), benchmark, measure, hidden, selected, tau2)
        else:
            fig = charts.intervals(shown, benchmark, measure, hidden, selected, tau2)
        said = words.across_providers_summary(measure, _records(rows), benchmark, funnel, selected)
    table = measure_table(rows, measure)
    caption = sentences.read_back(measure)  # what is counted and when it is met, as the workshop says it
    if funnel:
        caption += (
            f" The chart plots each provider's proportion against the number of people counted; "
            f"the lines are the benchmark ({words.value(measure, benchmark)}: {words.benchmark_scope(public_benchmark)}) and "
            + (
                f"its 95% and 99.8% limits, {words.SPREAD} (PHE's funnel plot method, widened as Spiegelhalter "
                "advises where providers differ by more than chance), so a point outside the funnel stands out "
                "from the benchmark by more than chance and the usual spread between providers, exactly as the "
                "table's comparison says."
                if tau2
                else "its 95% and 99.8% limits (PHE's funnel plot method), so a point outside the funnel differs from "
                "the benchmark by more than chance, exactly as the table's comparison says."
            )
        )
    elif benchmark is not None:
        caption += " " + words.benchmark_note(public_benchmark)
        if kind_of(measure).compared:
            caption += (
                " The short lines above and below the benchmark at each provider are the limits its figure "
                "was compared with the benchmark by, at its size: 95% (the longer) and 99.8% (the shorter)"
                + (f", {words.SPREAD}" if tau2 else "")
                + ". A figure between its 95% lines is similar to the benchmark; past them, better or worse, "
                "exactly as the table's comparison says."
            )
    if any(words.rating_key(label)[1] for label in table["Rating"]):
        caption += " " + ui.UNCERTAIN_CAPTION
    if not hidden.empty:
        caption += " A grey band with an asterisk is a provider whose figure is not shown: " + ui.hidden_sentence(
            rows, "provider(s)"
        )
    key = f"{'funnel' if funnel else 'intervals'}_{measure.id}"
    return MeasureView(fig, said, key, table, downloads.results_frame(rows, measure), caption)


@tiers.output(tiers.BY_CALLER, "one measure across providers: chart, table and words, in each row's tier")
def across_providers(
    rows: pd.DataFrame, measure: Measure, public_benchmark: bool = True, selected: str | None = None
) -> None:
    """public_benchmark: the benchmark is the public one (the providers shown, pooled), as everyone
    but the auditor sees it (audits.disclosure). selected: the provider chosen on the page, ringed."""
    view = measure_view(rows, measure, public_benchmark, selected)
    chart_col, table_col = st.container(), st.container()
    with chart_col:
        if view.fig is None:
            st.write("No chart: no provider has a figure for this measure. The ratings are in the table.")
        else:
            charts.show(view.fig, view.said, view.chart_key)
    with table_col:
        ui.table(view.table, len(rows), name=measure.label, rated=("Rating",))
        downloads.offer(view.download, f"{measure.id}-providers", title=measure.label)
    st.caption(view.caption)


@tiers.output(tiers.BY_CALLER, "a standard's measure results of the providers shown, each row in the viewer's tier")
def standard_rows(
    db: str, cat: data.Catalogue, period: str, restricted: tuple[str, ...] | None, standard, providers: pd.DataFrame
) -> pd.DataFrame:
    """The standard's results of the providers the page shows, with their names (data.measure_results)."""
    results = data.measure_results(db, cat, period, restricted)
    results = results[(results["standard_id"] == standard.id) & results["provider_id"].isin(providers["provider_id"])]
    return results.merge(providers, on="provider_id").assign(name=lambda d: d["provider_name"])


def measure_rows(results: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """One measure's rows, in the order the table and the chart list providers."""
    return results[results["measure_id"] == measure.id].sort_values("name")


@tiers.output(tiers.BY_CALLER, "nothing shown: builds a first visit's measure views in the viewer's tier")
def prepare_first_visit(db: str, cat: data.Catalogue, period: str, restricted: tuple[str, ...] | None) -> int:
    """Build the measure views a first visit to the page shows (the quarter's first standard, all
    areas, the first provider ringed) for a viewer whose exact figures are `restricted`, exactly as
    render builds them, so they are in measure_view's cache (dashboard.warm): how many were built.
    Building one national funnel chart takes ~1 CPU-s."""
    standard = data.standards(db, cat.runs[period])[0]
    providers = cat.providers
    results = standard_rows(db, cat, period, restricted, standard, providers)
    selected = providers["provider_id"].iloc[0] if not providers.empty else None
    for measure in standard.measures:
        measure_view(measure_rows(results, measure), measure, restricted is not None, selected)
    return len(standard.measures)
