"""Page: one provider. Every standard for that provider, how its figures moved over
the quarters, the quality of its returns, its stories and its audit PDF. A
provider's own account sees only this provider."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import ratings, tiers, voices, words
from dashboard import data, downloads, over_time, pdfs, stories_view, ui, viewer
from dashboard.standing import standing

KIND_WORDS = {"return": "Quarterly return", "pack": "Evidence pack of stories"}


def quality_table(submissions: pd.DataFrame) -> pd.DataFrame:
    """The current submissions in plain words: what came in, when, and how much was held back."""
    return pd.DataFrame(
        {
            "Quarter": submissions["period"],
            "What": submissions["kind"].map(KIND_WORDS).fillna(submissions["kind"]),
            "Sent as": submissions["form"],
            "Sent on": [words.long_date(v) or words.NO_FIGURE for v in submissions["submitted_on"]],
            "Loaded": [words.long_datetime(v) for v in submissions["loaded_at"]],
            "Loaded by": submissions["loaded_by"],
            "Rows loaded": [f"{v:,.0f}" for v in submissions["rows_loaded"]],
            "Rows held back": [f"{v:,.0f}" for v in submissions["rows_quarantined"]],
        }
    )


@tiers.output(tiers.BY_CALLER, "a provider's ratings over the quarters, in the viewer's tier")
def rating_history(db: str, cat: data.Catalogue, provider_id: str, standards, restricted) -> pd.DataFrame:
    """Each standard's rating for this provider in every audited quarter, oldest first, in the
    viewer's tier."""
    history = data.standard_history(db, cat, restricted)
    if history.empty:
        return pd.DataFrame()
    mine = history[history["provider_id"] == provider_id]
    shown = [words.rating(r, u) for r, u in zip(mine["shown"], mine["uncertain"])]
    table = mine.assign(shown=shown).pivot_table(index="standard_id", columns="period", values="shown", aggfunc="first")
    titles = {s.id: s.title for s in standards}
    table = table.reindex([s.id for s in standards if s.id in table.index]).rename(index=titles)
    table.index.name = "Standard"
    table.columns.name = None
    return table.fillna("not audited")


def measure_table(standard, mine: pd.DataFrame) -> pd.DataFrame:
    """One row a measure of the standard: its rating and figure for this provider (mine: the
    provider's results of the standard, by measure id), or 'not audited'."""
    rows = []
    for m in standard.measures:
        row = {
            "Measure": m.label,
            "Rating": "not audited",
            "Figure": "",
            "95% interval": "",
            "Compared with the benchmark": "",
        }
        if m.id in mine.index:
            r = mine.loc[m.id]
            row.update(
                {
                    "Rating": words.result_rating(r),
                    "Figure": words.figure(m, r),
                    "95% interval": words.interval(m, r),
                    "Compared with the benchmark": words.benchmark(m, r)[1],
                }
            )
        rows.append({**row, "Threshold": words.rules(m)})
    return pd.DataFrame(rows)


@tiers.output(tiers.BY_CALLER, "one standard's measures of a provider: table and download rows, in the rows' tier")
@st.cache_data(max_entries=512, show_spinner=False)
def standard_detail(rows: pd.DataFrame, standard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table of a standard's measures for one provider and its download's rows, built once per
    content of the rows (every figure and its `tier`: one viewer's exact rows and another's public
    ones are two entries) and the standard: eleven of them were built on every visit."""
    table = measure_table(standard, rows.set_index("measure_id"))
    return table, downloads.results_frame(rows, standard.measures)


def progress(db: str, provider_id: str, period: str) -> None:
    """Where this provider's audit of the period stands: sign-off (or out of date), the draft
    and its factual accuracy check, the provider's reply, and actions from earlier audits."""

    st.subheader("Where the audit stands")
    found = standing(db, provider_id, period)
    if found is None:
        return
    so = found.signoff or found.earlier_signoff
    if found.signoff_status == "signed":
        st.success(
            f"Signed off by {so['name']}, {so['organisation']}, on {words.long_datetime(so['signed_at'])}.",
            icon=":material/verified:",
        )
    elif found.signoff_status == "out_of_date":
        st.warning(
            f"Signed off by {so['name']} on {words.long_datetime(so['signed_at'])}, but out of date: sign again. "
            "Since then: " + "; ".join(found.out_of_date) + ".",
            icon=":material/history:",
        )
    else:
        st.info("Not yet signed off by the independent auditor.", icon=":material/pending:")
    st.write(found.factcheck)
    st.write("The provider's reply: " + ("sent." if found.reply else "none yet."))
    if not found.actions.empty:
        late = int((found.actions["status"] == "overdue").sum())
        done = int((found.actions["status"] == "done").sum())
        st.write(
            f"Actions from earlier audits: {len(found.actions)} ({done} done, {late} overdue). See *Action plans*."
        )


@tiers.output(tiers.BY_CALLER, "the provider page, in the viewer's tier for that provider (dashboard.viewer)")
def render() -> None:
    view = viewer.open_results_page(__file__, ui.PROVIDER_LINK, "provider_id")
    own, db, cat = view.own, view.db, view.cat
    st.title("Your service" if own else "A provider")
    st.write(
        f"Every standard for {'your service' if own else 'one provider'}: its rating this quarter and over time, the figures and the "
        "stories of the people using the service behind each rating, how sound its returns were, and "
        "the independent audit report to download."
    )
    if not cat.runs:
        ui.empty("There are no audit results yet.", ui.NO_RESULTS_NEXT)
        return
    providers = cat.providers
    if own:
        providers = providers[providers["provider_id"] == own]
    if providers.empty:
        ui.empty(
            f"There are no results for {own} yet.",
            "the independent auditor loads your quarterly return and runs the audit; "
            "check with them that your return was received.",
        )
        return
    names = providers.set_index("provider_id")["provider_name"]
    left, right = st.columns(2)
    with left:
        provider_id = own or ui.remember(
            "Provider", list(names.index), "provider_id", "provider", format_func=lambda p: f"{names[p]} ({p})"
        )
    with right:
        period = ui.remember("Period", list(reversed(cat.periods)), "period", "provider")
    run_id = cat.runs[period]
    standards = data.standards(db, run_id)
    sr = data.standard_results(db, cat, period, view.restricted)
    sr = sr[sr["provider_id"] == provider_id].set_index("standard_id")
    results = data.measure_results(db, cat, period, view.restricted)
    results = results[results["provider_id"] == provider_id]
    area = providers.set_index("provider_id").loc[provider_id, "area"]
    st.header(f"{ui.md(names[provider_id])} ({ui.md(provider_id)}), {ui.md(area)}, {period}")
    viewer.tier_note(view, results)
    if sr.empty:
        ui.empty(
            f"{ui.md(names[provider_id])} was not audited for {period}.",
            "choose another period; a provider is audited once its return for the quarter is loaded.",
        )
        return

    st.subheader("Every standard")
    heard, needed = data.heard(db, period)
    public = not view.auditor  # voices heard: exact for the auditor only (audits.voices.protect)
    rows = []
    for s in standards:
        shown = sr.loc[s.id, "shown"] if s.id in sr.index else "no_data"
        unsure = bool(sr.loc[s.id, "uncertain"]) if s.id in sr.index else False
        counts = heard.get((provider_id, s.id), {})
        rows.append(
            {
                "Standard": s.title,
                "Rating": words.rating(shown, unsure),
                # the auditor sees exact counts; everyone else as the public does (audits.voices.protect)
                "Voices heard": words.voices_heard(counts, public)
                + (" · too few voices" if voices.too_few(counts, needed) else ""),
            }
        )
    summary = pd.DataFrame(rows)
    # one static HTML table (ui.table's static): st.table drew each of its cells through
    # Streamlit's Markdown component, on the page a provider lands on when signing in
    ui.table(summary, name=f"Ratings of {names[provider_id]}, {period}", rated=("Rating",), static=True)
    downloads.offer(
        downloads.ratings_frame(sr.reset_index(), {s.id: s.title for s in standards}),
        f"{provider_id}-standards",
        title=f"Ratings of {names[provider_id]}, {period}",
    )
    st.write(words.people_heard(heard.get((provider_id, None), {}), public))
    st.caption(
        f'A standard\'s rating is its worst rated measure. "{ratings.look("provisional").word}" '
        f"means {ratings.PROVISIONAL_EXPLANATION}. "
        + ui.UNCERTAIN_CAPTION
        + " "
        + words.benchmark_note(not view.auditor)
        + " Voices heard: people who told us about it this quarter and agreed to their story being used. "
        f'"Too few voices": {words.too_few_voices(needed).split(": ", 1)[1]}'
        + (" Counts of 1 to 4 people are not shown." if public else "")
    )

    st.subheader("Over the quarters")
    rated = rating_history(db, cat, provider_id, standards, view.restricted)
    if rated.shape[1] < 2:
        st.write("Only one quarter has been audited so far, so there is no change to show yet.")
    else:
        st.html(
            ui.rating_matrix_html(
                rated,
                f"Ratings of {names[provider_id]} over the quarters",
                "Each row is a standard, each column an audited quarter, oldest first. Open a standard "
                "below and switch on its trend to see the figures behind the ratings.",
            )
        )
        history = data.standard_history(db, cat, view.restricted)
        downloads.offer(
            downloads.ratings_frame(history[history["provider_id"] == provider_id], {s.id: s.title for s in standards}),
            f"{provider_id}-ratings-over-time",
            title=f"Ratings of {names[provider_id]} over the quarters",
        )

    st.subheader("Each standard in detail, in people's words")
    told = data.period_stories(db, period)
    for s in standards:
        label = words.rating(sr.loc[s.id, "shown"], sr.loc[s.id, "uncertain"]) if s.id in sr.index else ""
        # the stories open under each standard, beside its rating; the figures one click away.
        # Heading, rating (and the line saying there is no story) in one Markdown element: three
        # each for eleven standards were a third of the Markdown a provider's first page drew
        mine = stories_view.of(told, provider_id, s.id)
        st.markdown(
            f"#### {ui.md(s.title)}\n\nRating: **{ui.md(label or words.rating('no_data'))}**"
            + (f"\n\n{stories_view.NO_STORY}" if mine.empty else "")
        )
        if not mine.empty:
            stories_view.show(mine)
        # built only when opened (a rerun): eleven tables, download menus and switches folded on
        # every visit cost the server and, above all, the browser time nobody asked for
        figures = st.expander(
            "The figures behind this rating: measures, thresholds and trend", key=f"figures_{s.id}", on_change="rerun"
        )
        if not figures.open:
            continue
        with figures:
            st.markdown(f"**What good looks like.** {ui.md(s.statement)}")
            table, download = standard_detail(results[results["standard_id"] == s.id], s)
            st.table(ui.style_ratings(table, ["Rating"]), hide_index=True, width="stretch")
            downloads.offer(download, f"{provider_id}-{s.id}", title=s.title)
            if st.toggle("Show the trend over quarters", key=f"trend_{s.id}"):
                history = data.history(db, cat, view.restricted)
                for m in s.measures:
                    over_time.trend(history, provider_id, s, m, names[provider_id])
    ui.footnote(pd.concat([results, sr.reset_index()[["rating"]]], ignore_index=True))

    st.subheader("Quality of the returns")
    submissions, quarantine = data.data_quality(db, provider_id)
    ui.table(quality_table(submissions), name=f"Returns of {names[provider_id]}", static=True)  # as above
    if quarantine.empty:
        st.write("No rows of the current returns were held back.")
    else:
        st.write("Rows held back from the current returns (kept in the store with their reasons, not counted):")
        ui.table(quarantine.rename(columns=str.capitalize))

    progress(db, provider_id, period)

    st.subheader("The audit report")
    st.write(
        f"The independent audit report of {ui.md(names[provider_id])} for {period}: every standard with its "
        "figures, the stories beside them, the data quality and the method, as a PDF. The report is "
        "written to be published, so its figures are the public ones: counts of fewer than 5 people, and "
        "figures that would give one away, are not shown (*)."
    )
    pdfs.pdf_download(db, provider_id, period, "Download the audit PDF", "pdf")


if __name__ == "__main__":
    render()
