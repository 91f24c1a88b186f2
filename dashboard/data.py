"""Cached, read-only queries for the dashboard pages.

Each query opens a short-lived read-only connection (audits.store.reading) and
closes it at once, so the auditors' command line can ingest and run while the
dashboard is open. Results of an audit run never change (runs are append-only),
so anything keyed by a run id is cached for good; the list of runs and providers
is cached for a few seconds only. Everything here calls the audits package: the
dashboard never recomputes the engine's figures.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from audits import spec, stats, store
from audits.standard import Standard

SHORT = 5  # seconds: how stale the list of runs may be
STAMP_SECONDS = 1  # seconds: how long a withdrawn story may still show (the stamp is re-read after)


def db() -> str:
    return str(store.db_path())


@dataclass(frozen=True)
class Catalogue:
    runs: dict[str, str]  # period -> latest run id, periods in order
    providers: pd.DataFrame  # provider_id, provider_name, area
    return_periods: list[str]  # periods with a current return (may not be audited yet)

    @property
    def periods(self) -> list[str]:
        return list(self.runs)

    @property
    def areas(self) -> list[str]:
        return sorted(a for a in self.providers["area"].dropna().unique())


@st.cache_data(ttl=SHORT, show_spinner=False)
def catalogue(db_file: str) -> Catalogue:
    from audits import runs

    empty = pd.DataFrame(columns=["provider_id", "provider_name", "area"])
    try:
        with store.reading(db_file) as con:
            latest = runs.latest_run_ids(con)
            providers = con.execute("SELECT provider_id, provider_name, area FROM providers ORDER BY provider_id").df()
            returns = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT period FROM current_submissions WHERE kind = 'return' ORDER BY period"
                ).fetchall()
            ]
    except store.StoreMissing:
        return Catalogue({}, empty, [])
    return Catalogue(latest, providers, returns)


def clear() -> None:
    """After the auditor writes (upload, run, review, sign-off): forget every cached read."""
    st.cache_data.clear()


@st.cache_data(max_entries=32, show_spinner=False)
def standards(db_file: str, run_id: str) -> list[Standard]:
    """The standards exactly as they were audited in this run."""
    from audits import runs

    with store.reading(db_file) as con:
        return runs.run_standards(con, run_id)


@st.cache_data(max_entries=32, show_spinner=False)
def measure_results(db_file: str, run_id: str, public: bool) -> pd.DataFrame:
    """Every measure of every provider in the run; with counts of 1-4 people hidden unless
    the viewer is the auditor (suppression is done over the whole run, then filtered)."""
    from audits import runs

    with store.reading(db_file) as con:
        df = runs.read_results(con, run_id).drop(columns=["provider_name"], errors="ignore")
    return stats.suppress_results(df) if public else df


@st.cache_data(ttl=STAMP_SECONDS, show_spinner=False)
def evidence_stamp(db_file: str) -> str:
    """Changes whenever a pack, withdrawal, review or tagging changes which stories show
    (audits.stories.evidence_stamp): the key of every cached read that depends on stories."""
    from audits import stories

    with store.reading(db_file) as con:
        return stories.evidence_stamp(con)


@st.cache_data(max_entries=64, show_spinner=False)
def _standard_results(db_file: str, run_id: str, stamp: str, public: bool) -> pd.DataFrame:
    from audits import verdicts

    with store.reading(db_file) as con:
        shown = verdicts.shown_ratings(con, run_id).drop(columns=["provider_name"], errors="ignore")
    if public:
        shown = verdicts.uncertain_as_published(
            shown, measure_results(db_file, run_id, True), standards(db_file, run_id)
        )
    return shown


def standard_results(db_file: str, run_id: str, public: bool = False) -> pd.DataFrame:
    """Standard ratings per provider, with the rating people are shown in `shown`
    (audits.verdicts: green stays provisional until people's experience confirms it) and
    whether the data can tell it in `uncertain`, from the figures this viewer may see."""
    return _standard_results(db_file, run_id, evidence_stamp(db_file), public)


@st.cache_data(max_entries=32, show_spinner=False)
def _changes(db_file: str, run_id: str, previous_run_id: str, stamp: str) -> pd.DataFrame:
    from audits import changes as change_rule

    with store.reading(db_file) as con:
        return change_rule.of_run(con, run_id, previous=previous_run_id)


def changes(db_file: str, run_id: str, previous_run_id: str) -> pd.DataFrame:
    """Each provider's standards in the run with the change since the previous period's run
    (audits.changes: better or worse only when the figures moved by more than chance)."""
    return _changes(db_file, run_id, previous_run_id, evidence_stamp(db_file))


@st.cache_data(max_entries=128, show_spinner=False)
def _stories_for(db_file: str, provider_id: str, period: str, standard_id: str | None, stamp: str) -> pd.DataFrame:
    from audits import stories

    with store.reading(db_file) as con:
        return stories.printable_stories(con, provider_id, period, standard_id)


def stories_for(db_file: str, provider_id: str, period: str, standard_id: str | None = None) -> pd.DataFrame:
    """Only stories that may be shown: consent yes, not withdrawn, screening passed or cleared;
    a withdrawal or a decision made on the command line shows at once."""
    return _stories_for(db_file, provider_id, period, standard_id, evidence_stamp(db_file))


def _every_period(read, db_file: str, cat: Catalogue, *args) -> pd.DataFrame:
    """One cached read per audited period's latest run, as one frame."""
    frames = [read(db_file, run_id, *args) for run_id in cat.runs.values()]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def history(db_file: str, cat: Catalogue, public: bool) -> pd.DataFrame:
    """Measure results of the latest run of every audited period, one frame."""
    return _every_period(measure_results, db_file, cat, public)


def standard_history(db_file: str, cat: Catalogue, public: bool = False) -> pd.DataFrame:
    """Standard ratings (with 'shown') of the latest run of every audited period, one frame."""
    return _every_period(standard_results, db_file, cat, public)


@st.cache_data(ttl=SHORT, show_spinner=False)
def data_quality(db_file: str, provider_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The provider's current submissions, and rows held back counted by file and reason (a
    story row's reason is never shown: audits.findings.held_back)."""
    from audits import findings

    with store.reading(db_file) as con:
        submissions = con.execute(
            "SELECT period, kind, form, submitted_on, loaded_at, loaded_by, rows_loaded, rows_quarantined "
            "FROM current_submissions WHERE provider_id = ? ORDER BY period DESC, kind",
            [provider_id],
        ).df()
        held = findings.held_back(con, provider_id)
    quarantine = held.rename(columns={"file_name": "file", "reasons": "reason"})[["period", "file", "reason", "rows"]]
    return submissions, quarantine.sort_values(["period", "rows"], ascending=False, kind="stable")


def current_submission(db_file: str, kind: str, provider_id: str, period: str) -> dict | None:
    """The submission a new one of the same kind, provider and quarter would replace.
    Not cached: the command line may have loaded one a moment ago."""
    try:
        with store.reading(db_file) as con:
            row = con.execute(
                "SELECT submission_id, source, loaded_at, loaded_by FROM current_submissions "
                "WHERE kind = ? AND provider_id = ? AND period = ?",
                [kind, provider_id, period],
            ).fetchone()
    except store.StoreMissing:
        return None
    return None if row is None else dict(zip(("submission_id", "source", "loaded_at", "loaded_by"), row))


def counts_people(table: str) -> bool:
    return spec.TABLES[table].counts_people


STANDARDS_ENV = "LIVED_STANDARDS_DIR"


def standards_dir() -> Path:
    """The folder of standards files the workshop edits (standards/, or $LIVED_STANDARDS_DIR)."""
    return Path(os.environ.get(STANDARDS_ENV) or "standards")
