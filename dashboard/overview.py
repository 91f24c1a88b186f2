"""Page: overview for commissioners. Every provider against every standard for an
area and a period, how many met, what changed since the last quarter, and a way in
to each standard and each provider."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import ratings, spec
from dashboard import auth, data, ui

ORDER = ("green", "provisional", "amber", "red", "no_data")


def matrix(sr: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    cells = sr.assign(standard=sr["standard_id"].map(titles), shown=sr["shown"].map(ui.label))
    table = cells.pivot_table(index="provider_name", columns="standard", values="shown", aggfunc="first")
    table = table[[t for t in titles.values() if t in table.columns]]
    table.index.name = "Provider"
    table.columns.name = None
    return table.fillna("not audited")


def changes(now: pd.DataFrame, before: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    joined = now.merge(before[["provider_id", "standard_id", "shown"]], on=["provider_id", "standard_id"],
                       how="inner", suffixes=("", "_before"))
    moved = joined[joined["shown"] != joined["shown_before"]]
    return pd.DataFrame({
        "Provider": moved["provider_name"], "Standard": moved["standard_id"].map(titles),
        "Before": moved["shown_before"].map(ui.label), "Now": moved["shown"].map(ui.label),
    })


def render() -> None:
    auth.require_page(__file__)
    st.title("Overview")
    db = data.db()
    cat = data.catalogue(db)
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
    names = cat.providers.set_index("provider_id")
    titles = {s.id: s.title for s in data.standards(db, run_id)}
    sr = data.standard_results(db, run_id).merge(cat.providers, on="provider_id", how="left")
    if area != "All areas":
        sr = sr[sr["area"] == area]
    if sr.empty:
        ui.empty(f"No provider in {area} was audited for {period}.",
                 "choose another area or period, or ask the auditor to load that area's returns.")
        return

    st.subheader(f"{area}, {period}")
    counts = sr["shown"].value_counts()
    for column, rating in zip(st.columns(len(ORDER)), ORDER):
        column.metric(ratings.look(rating).label, int(counts.get(rating, 0)))
    st.caption(f"Counts of provider-standard pairs in {area} for {period} (audit run {run_id}). "
               f"\"{ratings.look('provisional').word}\" means {ratings.PROVISIONAL_EXPLANATION}.")

    table = matrix(sr, titles)
    st.table(ui.style_ratings(table, list(table.columns)), width="stretch")
    st.caption("Each cell is a standard's rating for a provider, as a symbol and a word; the colour only repeats it.")

    st.subheader("What changed since the last quarter")
    previous = spec.previous_period(period)
    if previous not in cat.runs:
        st.write(f"There is no audit of {previous} to compare with.")
    else:
        before = data.standard_results(db, cat.runs[previous])
        moved = changes(sr, before, titles)
        if moved.empty:
            st.write(f"No rating changed between {previous} and {period}.")
        else:
            st.table(ui.style_ratings(moved, ["Before", "Now"]), hide_index=True, width="stretch")

    st.subheader("Look closer")
    a, b = st.columns(2)
    with a:
        standard_id = st.selectbox("A standard", list(titles), format_func=titles.get, key="_ov_standard")
        if st.button("Open the standard", key="open_standard"):
            st.session_state["standard_id"] = standard_id
            st.switch_page("dashboard/standard.py")
    with b:
        provider_ids = sorted(sr["provider_id"].unique())
        provider_id = st.selectbox("A provider", provider_ids, key="_ov_provider",
                                   format_func=lambda p: f"{names.loc[p, 'provider_name']} ({p})")
        if st.button("Open the provider", key="open_provider"):
            st.session_state["provider_id"] = provider_id
            st.switch_page("dashboard/provider.py")


if __name__ == "__main__":
    render()
