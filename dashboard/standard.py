"""Page: one standard. Its statement, why and voices in the group's words; each
measure across providers (a funnel plot for proportions, so providers of different
sizes are compared fairly); the trend for one provider, one chart for every role, with NHS
Making Data Count's usual range once there are enough quarters; and the stories beside the
numbers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from audits import sentences, stats, tiers, voices, words
from audits.standard_model import Measure
from dashboard import breakdowns_view, charts, data, downloads, over_time, stories_view, ui, viewer


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
    fig, said = None, ""
    if not (shown.empty and hidden.empty):
        if funnel:
            fig = charts.funnel(shown.assign(size=funnel_sizes(shown)), benchmark, measure, hidden, selected)
        else:
            fig = charts.intervals(shown, benchmark, measure, hidden, selected)
        said = words.across_providers_summary(measure, _records(rows), benchmark, funnel, selected)
    table = measure_table(rows, measure)
    caption = sentences.read_back(measure)  # what is counted and when it is met, as the workshop says it
    if funnel:
        caption += (
            f" The chart plots each provider's proportion against the number of people counted; "
            f"the lines are the benchmark ({words.value(measure, benchmark)}: {words.benchmark_scope(public_benchmark)}) and "
            "its 95% and 99.8% limits (PHE's funnel plot method), so a point outside the funnel differs from "
            "the benchmark by more than chance, exactly as the table's comparison says."
        )
    elif benchmark is not None:
        caption += " " + words.benchmark_note(public_benchmark)
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
        ui.table(ui.style_ratings(view.table, ["Rating"]), len(rows))
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


def chosen_provider(ids: list[str]) -> str | None:
    """The provider the page's choice below will show (a link's, the last chosen, or the first),
    so the charts above it ring the same provider."""
    ui.follow_link(ui.PROVIDER_LINK, "provider_id")
    current = st.session_state.get("provider_id")
    return current if current in ids else (ids[0] if ids else None)


@tiers.output(tiers.BY_CALLER, "the standard page: each row in the viewer's tier (dashboard.viewer)")
def render() -> None:
    view = viewer.open_results_page(__file__, ui.STANDARD_LINK, "standard_id")
    own, db, cat = view.own, view.db, view.cat
    st.title("A standard")
    st.write(
        "What a standard asks, in the words of the people with lived experience who wrote it; how "
        "each provider's figures compare; and what people using the services say about it."
    )
    if not cat.runs:
        ui.empty("There are no audit results yet.", ui.NO_RESULTS_NEXT)
        return
    left, right = st.columns(2)
    with right:
        period = ui.remember("Period", list(reversed(cat.periods)), "period", "standard")
    run_id = cat.runs[period]
    standards = {s.id: s for s in data.standards(db, run_id)}
    with left:
        standard_id = ui.remember(
            "Standard", list(standards), "standard_id", "standard", format_func=lambda s: standards[s].title
        )
    standard = standards[standard_id]
    providers = cat.providers
    ui.follow_link("area", "area")  # an overview cell names its area
    area = st.session_state.get("area", "All areas")
    if own:
        providers = providers[providers["provider_id"] == own]
    elif area != "All areas":
        providers = providers[providers["area"] == area]

    st.header(ui.md(standard.title))
    st.markdown(f"**What good looks like.** {ui.md(standard.statement)}")
    st.markdown(f"**Why it matters.** {ui.md(standard.why)}")
    for voice in standard.voices:
        ui.words_block(voice.quote.replace("\n", " "), voice.source)
    st.caption(
        f"Version {standard.version}, approved by {ui.md(standard.approved_by)} on {words.long_date(standard.approved_on)}."
    )

    results = standard_rows(db, cat, period, view.restricted, standard, providers)
    selected = own or chosen_provider(list(providers["provider_id"]))
    where = "your service" if own else ("all areas" if area == "All areas" else area)
    st.subheader(f"Each measure across providers, {period} ({where})")
    viewer.tier_note(view, results)
    if results.empty:
        ui.empty("No results for this standard in this period.", "choose another period or standard.")
    for measure in standard.measures:
        st.markdown(f"#### {ui.md(measure.label)}")
        across_providers(measure_rows(results, measure), measure, not view.auditor, selected)
    ui.footnote(results)

    st.subheader(f"Voices heard on this standard, {period}")
    heard, needed = data.heard(db, period)
    public = not view.auditor  # voices heard: exact for the auditor only (audits.voices.protect)
    voiced = pd.DataFrame(
        {
            "Provider": [f"{r.provider_name} ({r.provider_id})" for r in providers.itertuples()],
            # the auditor sees exact counts; everyone else as the public does (audits.voices.protect)
            "Voices heard": [
                words.voices_heard(heard.get((p, standard.id), {}), public) for p in providers["provider_id"]
            ],
            "Enough to tell?": [
                "Too few voices" if voices.too_few(heard.get((p, standard.id), {}), needed) else "Yes"
                for p in providers["provider_id"]
            ],
        }
    )
    ui.table(voiced, len(voiced))
    downloads.offer(
        downloads.voices_frame(providers, heard, standard.id, period, needed, public),
        f"{standard.id}-voices",
        title=f"Voices heard on {standard.title}, {period}",
    )
    st.caption(
        "People who told us about this standard this quarter and agreed to their story being used. "
        + words.too_few_voices(needed).replace("Too few voices: ", "Too few voices means ")
        + (" Counts of 1 to 4 people are not shown." if public else "")
    )

    st.subheader("Over time, and in people's words")
    ids = list(providers["provider_id"])
    if not ids:
        return
    names = providers.set_index("provider_id")["provider_name"]
    provider_id = own or ui.remember(
        "Provider", ids, "provider_id", "standard", format_func=lambda p: f"{names[p]} ({p})"
    )
    history = data.history(db, cat, view.restricted)
    for measure in standard.measures:
        over_time.trend(history, provider_id, standard, measure, names[provider_id])
    if not history.empty:
        ui.footnote(history[(history["provider_id"] == provider_id) & (history["standard_id"] == standard.id)])
    breakdowns_view.section(view, period, standard, provider_id, names[provider_id])
    stories_view.every_provider(
        providers,
        data.period_stories(db, period),
        standard.id,
        period,
        _ratings(view, period, standard.id),
        provider_id,
    )


def _ratings(view: viewer.Viewer, period: str, standard_id: str) -> dict[str, str]:
    """Each provider's rating of the standard in words, in the viewer's tier (beside its stories)."""
    sr = data.standard_results(view.db, view.cat, period, view.restricted)
    sr = sr[sr["standard_id"] == standard_id]
    return {p: words.rating(r, u) for p, r, u in zip(sr["provider_id"], sr["shown"], sr["uncertain"])}


if __name__ == "__main__":
    # run as the page: render through the imported module, so that its cached functions are the
    # ones dashboard.warm fills (Streamlit keys a cache by the function's module, here __main__)
    from dashboard import standard as page

    page.render()
