"""Page: one standard. Its statement, why and voices in the group's words; each
measure across providers (a funnel plot for proportions, so providers of different
sizes are compared fairly); the trend for one provider, as an XmR chart when there
are enough quarters; and the stories beside the numbers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import sentences, spc, stats, tiers, voices, words
from audits.kinds import kind_of
from audits.standard import Measure, Standard
from dashboard import breakdowns_view, charts, data, ui, viewer


def measure_table(rows: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Provider": rows["name"],
            "Rating": [words.result_rating(r) for _, r in rows.iterrows()],
            "Figure": [words.figure(measure, r) for _, r in rows.iterrows()],
            "95% interval": [words.interval(measure, r) for _, r in rows.iterrows()],
            "Compared with the benchmark": [words.benchmark(measure, r)[1] for _, r in rows.iterrows()],
        }
    )


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
            "why": [words.hidden_why(r) for _, r in hidden.iterrows()],
        }
    )


@tiers.output(tiers.BY_CALLER, "one measure across providers: chart, table and words, in each row's tier")
def across_providers(rows: pd.DataFrame, measure: Measure, public_benchmark: bool = True) -> None:
    """public_benchmark: the benchmark is the public one (the providers shown, pooled), as everyone
    but the auditor sees it (audits.disclosure)."""
    shown = rows[rows["value"].notna()]
    hidden = _hidden_rows(rows)
    benchmark = rows["benchmark"].dropna()
    benchmark = float(benchmark.iloc[0]) if not benchmark.empty else None
    decimals = kind_of(measure).shown_decimals
    chart_col, table_col = st.container(), st.container()
    with chart_col:
        if shown.empty and hidden.empty:
            st.write("No chart: no provider has a figure for this measure. The ratings are in the table.")
        elif measure.kind == "proportion" and benchmark is not None:
            st.plotly_chart(
                charts.funnel(shown.assign(size=funnel_sizes(shown)), benchmark, measure.label, hidden),
                width="stretch",
                key=f"funnel_{measure.id}",
            )
        else:
            st.plotly_chart(
                charts.intervals(shown, benchmark, measure.label, kind_of(measure).percent, hidden, decimals),
                width="stretch",
                key=f"intervals_{measure.id}",
            )
    table = measure_table(rows, measure)
    with table_col:
        ui.table(ui.style_ratings(table, ["Rating"]), len(rows))
    caption = sentences.read_back(measure)  # what is counted and when it is met, as the workshop says it
    if measure.kind == "proportion" and benchmark is not None:
        caption += (
            f" The chart plots each provider's proportion against the number of people counted; "
            f"the lines are the benchmark ({benchmark:.1%}: {words.benchmark_scope(public_benchmark)}) and "
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
    st.caption(caption)


def quarter_table(rows: pd.DataFrame, measure: Measure, hidden: list[str]) -> pd.DataFrame:
    """The trend's figures, one row a quarter, beside its chart."""
    return pd.DataFrame(
        {
            "Quarter": list(rows["period"]),
            "Figure": [words.figure(measure, r) for _, r in rows.iterrows()],
            "95% interval": [words.interval(measure, r) for _, r in rows.iterrows()],
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
    """The method of an XmR chart in plain words, and what its icons read."""
    parts = [f"XmR chart (NHS Making Data Count): average {words.value(measure, chart.mean)}.", spc.METHOD_WORDS]
    if chart.provisional:
        parts.append(spc.PROVISIONAL_WORDS)
    last = quarters["period"].iloc[-1]
    if chart.latest != len(quarters) - 1:
        parts.append(
            f"The latest quarter, {last}, has no figure on the chart, so the icons read the latest quarter "
            f"plotted, {quarters['period'].iloc[chart.latest]}."
        )
    return " ".join(parts)


@tiers.output(tiers.BY_CALLER, "one provider's trend of a measure, in the viewer's tier")
def trend(history: pd.DataFrame, provider_id: str, standard: Standard, measure: Measure) -> None:
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
    quarters = every_quarter(history, rows)
    hidden = ui.hidden(quarters)
    periods = list(quarters["period"])
    percent = kind_of(measure).percent
    hib = measure.green.higher_is_better
    chart = spc.xmr([None if stats.is_missing(v) else float(v) for v in quarters["value"]])
    table = quarter_table(quarters, measure, hidden)
    chart_col, table_col = st.columns([3, 2], vertical_alignment="center")
    with chart_col:
        if chart is None:
            st.plotly_chart(charts.trend(quarters, measure.label, percent), width="stretch", key=f"trend_{measure.id}")
        else:
            st.plotly_chart(
                charts.xmr(periods, chart, hib, measure.label, percent), width="stretch", key=f"xmr_{measure.id}"
            )
            table["Signal"] = [
                spc.signal(chart, i, hib) or ("none" if chart.values[i] is not None else "")
                for i in range(len(periods))
            ]
    with table_col:
        ui.table(table)
    gaps = gap_words(quarters, hidden)
    if chart is None:
        st.caption(
            f"Figure each quarter with its 95% interval and the benchmark. {shown} quarters have a "
            f"figure; an XmR chart needs at least {spc.MIN_POINTS}." + (" " + gaps if gaps else "")
        )
    else:
        target = (measure.green.target, f"met at {measure.green.text}")
        st.html(charts.xmr_icons_html(chart, measure.label, periods[chart.latest], hib, target))
        st.caption(xmr_caption(chart, quarters, measure) + (" " + gaps if gaps else ""))
    st.divider()


def show_stories(told: pd.DataFrame) -> None:
    if told.empty:
        st.write(
            "No consented story speaks to this standard for this provider and quarter yet. "
            "Stories come from the evidence packs that expert citizens groups and auditors gather."
        )
        return
    for _, story in told.iterrows():
        ui.words_block(
            story["text"],
            f"Told by {words.teller(story['teller'])} on "
            f"{words.long_date(story['gathered_on'])}; gathered{words.gathered_by(story)}"
            + (" (personal details removed by the auditor)" if story["redacted"] else "")
            + (f". {words.SUMMARY_NOTE}" if story.get("summarised") else ""),
        )


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

    results = data.measure_results(db, cat, period, view.restricted)
    results = results[(results["standard_id"] == standard.id) & results["provider_id"].isin(providers["provider_id"])]
    results = results.merge(providers, on="provider_id").assign(name=lambda d: d["provider_name"])
    where = "your service" if own else ("all areas" if area == "All areas" else area)
    st.subheader(f"Each measure across providers, {period} ({where})")
    viewer.tier_note(view, results)
    if results.empty:
        ui.empty("No results for this standard in this period.", "choose another period or standard.")
    for measure in standard.measures:
        st.markdown(f"#### {ui.md(measure.label)}")
        across_providers(results[results["measure_id"] == measure.id].sort_values("name"), measure, not view.auditor)
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
        trend(history, provider_id, standard, measure)
    if not history.empty:
        ui.footnote(history[(history["provider_id"] == provider_id) & (history["standard_id"] == standard.id)])
    breakdowns_view.section(view, period, standard, provider_id, names[provider_id])
    st.markdown(f"#### In the words of people using {ui.md(names[provider_id])}, {period}")
    show_stories(data.stories_for(db, provider_id, period, standard.id))


if __name__ == "__main__":
    render()
