"""The standards workshop's cached reads: every standard of the folder, a working copy checked,
and what a change would do to every provider's rating (the impact preview). A module of its own,
not the page's: Streamlit keys a cache by its function's module, and a page runs as __main__, so
only here is the preview dashboard.warm builds at start the one the page reads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import preview as impact
from audits import store, tiers, workshop
from audits.preview import PreviewError
from audits.standard_files import parse_standard_text
from dashboard import data


@st.cache_data(max_entries=4, show_spinner=False)
def _sources(folder: str, stamp: tuple) -> dict[str, workshop.Source]:
    return workshop.sources(folder)


def sources(folder) -> dict[str, workshop.Source]:
    """Every standard of the folder, read again only when a file changed."""
    return _sources(str(folder), workshop.stamp(folder))


@st.cache_data(max_entries=64, show_spinner=False)
def parsed(text: str, file_name: str):
    """A working copy checked as the audit would check it (cached: a rerun that changed nothing
    else does not read it again)."""
    return parse_standard_text(text, file_name)


# --------------------------------------------------------------------------- the preview


@st.cache_data(max_entries=16, show_spinner=False)
def baseline(db: str, run_id: str, period: str, standard_id: str, stamp: str, public: bool):
    """What the preview compares with, read once per standard, run and state of the stories."""

    with store.reading(db) as con:
        return impact.baseline(con, standard_id, period, public)


@st.cache_data(max_entries=32, show_spinner=False)
@tiers.output(tiers.BY_CALLER, "a draft standard's ratings of every provider: exact for the auditor, else public")
def preview(
    db: str, run_id: str, period: str, text: str, file_name: str, stamp: str, public: bool = True
) -> pd.DataFrame:
    """Every provider's shown rating now and with the edited standard (audits.preview): only
    the edited standard's measures run on each change; as the public may see them (a merged
    band or none where a band would give a small count away) unless the viewer is the auditor
    (see docs/disclosure.md for what several previews can still narrow)."""

    standard, _ = parsed(text, file_name)
    base = baseline(db, run_id, period, standard.id, stamp, public)
    with store.reading(db) as con:
        return impact.impact_preview(con, standard, period, base, public=public)


@tiers.output(tiers.BY_CALLER, "nothing shown: builds the first standard's preview, public and exact")
def prepare_first_visit(db: str, cat: data.Catalogue) -> int:
    """Build the preview a first visit to the workshop shows (the first standard as saved, against
    the latest audit), as everyone but the auditor sees it and as the auditor does, so it is in
    preview's cache (dashboard.warm): re-running disclosure control for it took ~8 CPU-s at
    national scale, paid by the first person to open the workshop. How many were built."""
    found = sources(data.standards_dir())
    if not found or not cat.runs:
        return 0
    standard_id, source = next(iter(found.items()))
    period = cat.periods[-1]
    stamp = data.evidence_stamp(db)
    text, file_name = source.text, f"{standard_id}.yaml"
    if parsed(text, file_name)[1]:
        return 0  # a standard with problems shows them, not a preview
    try:
        for public in (True, False):
            preview(db, cat.runs[period], period, text, file_name, stamp, public)
    except PreviewError:
        return 0  # the page says why; nothing to keep
    return 2
