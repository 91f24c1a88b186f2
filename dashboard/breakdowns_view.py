"""The standard page's breakdowns: one provider's figures of each people measure by sex, age
and ethnic group, so that a commissioner can see whether a standard is met for women as for men,
for Black and Asian people as for White people. Reads the breakdowns kept with the run (exact
for a provider the viewer may see exactly, the public ones otherwise); works nothing out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import breakdown_tables, breakdowns, disclosure_breakdowns, store, tiers, words
from audits.standard_model import Standard
from dashboard import downloads, ui, viewer


@st.cache_data(max_entries=64, show_spinner=False)
def _rows(db_file: str, run_id: str, provider_id: str, standard_id: str, exact: bool) -> pd.DataFrame:
    with store.reading(db_file) as con:
        if exact:
            return breakdowns.read(con, run_id, provider_id, standard_id)
        return disclosure_breakdowns.public(con, run_id, provider_id, standard_id)


@tiers.output(tiers.BY_CALLER, "one provider's breakdown tables and download rows of a standard, in its tier")
@st.cache_data(max_entries=64, show_spinner=False)
def _built(
    db_file: str, run_id: str, provider_id: str, standard: Standard, exact: bool
) -> tuple[dict[tuple[str, str], pd.DataFrame], pd.DataFrame, dict[str, str]]:
    """Every table of the section (by measure id and dimension), the download's rows, and whether
    each measure is broken down (breakdown_tables.not_broken_down), built once per read of `_rows`
    (keyed as it is: run, provider, standard and tier, exact or public)."""
    rows = _rows(db_file, run_id, provider_id, standard.id, exact)
    measures = [m for m in standard.measures if m.id in set(rows["measure_id"])]
    tables = {(m.id, d): breakdown_tables.table(rows, m, d) for m in measures for d in breakdowns.DIMENSIONS}
    broken = {
        m.id: breakdown_tables.not_broken_down(rows[rows["measure_id"] == m.id].to_dict("records")) for m in measures
    }
    return tables, downloads.breakdowns_frame(rows, measures, tiers.RESTRICTED if exact else tiers.PUBLIC), broken


@tiers.output(tiers.BY_CALLER, "one provider's measures of a standard by sex, age and ethnic group, in its tier")
def section(view: viewer.Viewer, period: str, standard: Standard, provider_id: str, name: str) -> None:
    """The breakdowns of one provider for one standard: a table per measure and dimension."""
    st.markdown(f"#### By sex, age and ethnic group: {ui.md(name)}, {period}")
    exact = view.tier(provider_id) == tiers.RESTRICTED
    run_id = view.cat.runs[period] if exact else view.cat.public_run(period)
    rows = _rows(view.db, run_id, provider_id, standard.id, exact)
    measures = [m for m in standard.measures if m.id in set(rows["measure_id"])]
    if not measures:
        st.write(
            "No breakdown for this standard: none of its measures counts people whose sex, age and ethnic "
            "group the return records (or the audit was run before breakdowns were kept)."
        )
        return
    if exact:
        ui.restricted_note()
    tables, download, broken = _built(view.db, run_id, provider_id, standard, exact)
    for measure in measures:
        st.markdown(f"**{ui.md(measure.label)}**")
        if broken[measure.id]:  # not broken down: said once, and no tabs when no group has a figure
            st.markdown(ui.md(words.NOT_BROKEN_DOWN))
            if broken[measure.id] == breakdown_tables.NO_TABLE:
                continue
        tabs = st.tabs([words.dimension(d) for d in breakdowns.DIMENSIONS])
        for tab, dimension in zip(tabs, breakdowns.DIMENSIONS):
            with tab:
                # one static HTML table each, named: three tabs of st.table per measure were ~80
                # Markdown cells of the page's first drawing (most of them in the tabs not open)
                ui.table(
                    tables[(measure.id, dimension)],
                    name=f"{measure.label}: {name}, by {words.dimension(dimension).lower()}, {period}",
                    static=True,
                )
    st.caption(words.BREAKDOWN_NOTE)
    ui.footnote(rows)
    downloads.offer(
        download,
        f"{provider_id}-{standard.id}-breakdowns",
        title=f"{name}: {standard.title}, by sex, age and ethnic group, {period}",
    )
