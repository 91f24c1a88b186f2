"""Page: overview for commissioners. Every provider against every standard for an
area and a period, how many met, what changed since the last quarter, and a way in
to each standard and each provider."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import ratings, spec, tiers, words
from dashboard import data, ui, viewer

ORDER = ("green", "provisional", "amber", "red", "no_data")
SHOWN_AS_RANGE = tuple(ratings.RANGES)
INTRO = (
    "How each provider is doing against the standards that people with lived experience wrote, "
    "as judged by the independent audit. Choose an area and a quarter; open a standard or a provider "
    "to see the figures and the stories of the people using the service behind each rating."
)


def matrix(sr: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    cells = sr.assign(standard=sr["standard_id"].map(titles), shown=sr["shown"].map(words.rating))
    table = cells.pivot_table(index="provider_name", columns="standard", values="shown", aggfunc="first")
    table = table[[t for t in titles.values() if t in table.columns]]
    table.index.name = "Provider"
    table.columns.name = None
    return table.fillna("not audited")


def changes(now: pd.DataFrame, before: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    joined = now.merge(
        before[["provider_id", "standard_id", "shown"]],
        on=["provider_id", "standard_id"],
        how="inner",
        suffixes=("", "_before"),
    )
    moved = joined[joined["shown"] != joined["shown_before"]]
    return pd.DataFrame(
        {
            "Provider": moved["provider_name"],
            "Standard": moved["standard_id"].map(titles),
            "Before": moved["shown_before"].map(words.rating),
            "Now": moved["shown"].map(words.rating),
            "Change": [words.change(n, b, short=True) for b, n in zip(moved["shown_before"], moved["shown"])],
        }
    ).sort_values(["Change", "Provider"], key=lambda c: c.map(CHANGE_ORDER) if c.name == "Change" else c, kind="stable")


# Worse first, as a commissioner reads them.
CHANGE_ORDER = {
    words.CHANGE_WORSE: 0,
    words.CHANGE_TOO_FEW: 1,
    words.CHANGE_UNCLEAR: 2,
    words.CHANGE_NONE: 2,
    words.CHANGE_NOT_SHOWN: 2,
    words.CHANGE_RATED: 3,
    words.CHANGE_BETTER: 4,
}


@tiers.output(tiers.BY_CALLER, "the overview of ratings: each provider in the viewer's tier (dashboard.viewer)")
def render() -> None:
    view = viewer.open_results_page(__file__)
    st.title("Overview")
    st.write(INTRO)
    db, cat = view.db, view.cat
    if not cat.runs:
        ui.empty("There are no audit results yet.", ui.NO_RESULTS_NEXT)
        return
    left, right = st.columns(2)
    with left:
        area = ui.remember("Area", ["All areas"] + cat.areas, "area", "overview")
    with right:
        periods = list(reversed(cat.periods))
        period = ui.remember("Period", periods, "period", "overview")
    run_id = cat.runs[period]
    titles = {s.id: s.title for s in data.standards(db, run_id)}
    sr = data.standard_results(db, cat, period, view.restricted).merge(cat.providers, on="provider_id", how="left")
    if area != "All areas":
        sr = sr[sr["area"] == area]
    if sr.empty:
        ui.empty(
            f"No provider in {area} was audited for {period}.",
            "choose another area or period, or ask the auditor to load that area's returns.",
        )
        return

    st.subheader(f"{area}, {period}")
    viewer.tier_note(view, sr)
    counts = sr["shown"].value_counts()
    ranged = int(sr["shown"].isin(SHOWN_AS_RANGE).sum())
    for column, rating in zip(st.columns(len(ORDER) + bool(ranged)), ORDER + (("withheld",) if ranged else ())):
        if rating == "withheld":
            column.metric(f"Not shown in full{words.HIDDEN_MARK}", ranged)
        else:
            column.metric(ratings.look(rating).label, int(counts.get(rating, 0)))
    st.caption(
        f"Counts of provider-standard pairs in {area} for {period} (audit run {run_id}). "
        f'"{ratings.look("provisional").word}" means {ratings.PROVISIONAL_EXPLANATION}.'
    )

    table = matrix(sr, titles)
    st.html(
        ui.rating_matrix_html(
            table,
            f"Ratings of every provider against every standard, {area}, {period}",
            "Each row is a provider, each column a standard; each cell is the standard's rating for that "
            "provider, as a symbol and a word (the colour only repeats it). Scroll inside the table for more "
            "providers or standards; the headers stay in view.",
        )
    )
    ui.footnote(sr)

    st.subheader("Look closer")
    st.caption(
        "Each link opens that standard's or provider's page, with its figures, trends and stories. "
        "Links follow the order of the table above."
    )
    st.markdown("**Open a standard**")
    with st.container(horizontal=True, gap="small", key="open_standards"):
        for standard_id, title in titles.items():
            if title in table.columns:
                st.page_link(
                    "dashboard/standard.py",
                    label=title,
                    icon=":material/checklist:",
                    query_params={ui.STANDARD_LINK: standard_id},
                )
    st.markdown("**Open a provider**")
    ids = sr.drop_duplicates("provider_name").set_index("provider_name")["provider_id"]
    box = st.container(height=260, border=False) if len(table) > ui.LONG_TABLE_ROWS else st.container()
    with box, st.container(horizontal=True, gap="small", key="open_providers"):
        for name in table.index:
            st.page_link(
                "dashboard/provider.py",
                label=name,
                icon=":material/apartment:",
                query_params={ui.PROVIDER_LINK: ids[name]},
            )

    st.subheader("What changed since the last quarter")
    previous = spec.previous_period(period)
    if previous not in cat.runs:
        st.write(f"There is no audit of {previous} to compare with.")
    else:
        before = data.standard_results(db, cat, previous, view.restricted)
        moved = changes(sr, before, titles)
        if moved.empty:
            st.write(f"No rating changed between {previous} and {period}.")
        else:
            tally = moved["Change"].value_counts()
            worse, better = int(tally.get(words.CHANGE_WORSE, 0)), int(tally.get(words.CHANGE_BETTER, 0))
            other = len(moved) - worse - better
            st.write(
                f"{len(moved)} rating(s) changed between {previous} and {period}: {worse} worse, "
                f"{better} better"
                + (f", {other} to or from too few to tell" if other else "")
                + ". The worse come first."
            )
            ui.table(ui.style_ratings(moved, ["Before", "Now"]), len(moved))


if __name__ == "__main__":
    render()
