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
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from audits import (
    actions,
    disclosure,
    findings,
    readiness,
    runs,
    settings,
    spec,
    store,
    stories,
    tiers,
    verdicts,
    voices,
)
from audits import changes as change_rule
from audits.standard_model import Standard

SHORT = 5  # seconds: how stale the list of runs may be
STAMP_SECONDS = 1  # seconds: how long a withdrawn story may still show (the stamp is re-read after)


def db() -> str:
    return str(store.db_path())


@dataclass(frozen=True)
class Catalogue:
    runs: dict[str, str]  # period -> latest run id, periods in order (exact figures)
    providers: pd.DataFrame  # provider_id, provider_name, area
    return_periods: list[str]  # periods with a current return (may not be audited yet)
    public_runs: dict[str, str] | None = None  # period -> the run its public figures come from

    def public_run(self, period: str) -> str:
        """The run whose public figures the quarter shows: its release (audits.disclosure), or
        its latest run before anything is released."""
        return (self.public_runs or {}).get(period) or self.runs[period]

    @property
    def periods(self) -> list[str]:
        return list(self.runs)

    @property
    def areas(self) -> list[str]:
        return sorted(a for a in self.providers["area"].dropna().unique())


_live: list = []  # the cached reads of the store's live state (dashboard.data.live)
_generation = 0  # how many times the dashboard has written (dashboard.warm warms again after one)
_last_write = 0.0  # time.monotonic() of the last write


def live(ttl: int = SHORT):
    """Cache a read of the store's live state (the runs, submissions, held stories, overdue actions,
    the evidence stamp ...) for a few seconds, and forget it at once when the dashboard writes
    (clear). Every other cached read is keyed by what it reads: a run id (runs never change),
    the evidence stamp, a content hash; a write changes those keys, so the entries of the state
    before stay right for the keys they have and need not be forgotten."""

    def cache(read):
        cached = st.cache_data(ttl=ttl, show_spinner=False)(read)
        _live.append(cached)
        return cached

    return cache


def clear() -> None:
    """After someone writes from the dashboard (upload, run, review, sign-off, publish, a standard
    saved): forget the live state's reads, so the page shows the write at once. The reads keyed
    by run, stamp or content stay: the next visit is warm for everything the write did not change,
    and dashboard.warm reads the new state's shared reads again in the background."""
    global _generation, _last_write
    for cached in _live:
        cached.clear()
    _generation += 1
    _last_write = time.monotonic()


def generation() -> int:
    """Changes each time the dashboard writes (clear)."""
    return _generation


def last_write() -> float:
    """When the dashboard last wrote (time.monotonic(); 0 if never)."""
    return _last_write


@live()
def catalogue(db_file: str) -> Catalogue:
    empty = pd.DataFrame(columns=["provider_id", "provider_name", "area"])
    try:
        with store.reading(db_file) as con:
            latest = runs.latest_run_ids(con)
            public = disclosure.public_run_ids(con)
            providers = con.execute("SELECT provider_id, provider_name, area FROM providers ORDER BY provider_id").df()
            returns = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT period FROM current_submissions WHERE kind = 'return' ORDER BY period"
                ).fetchall()
            ]
    except store.StoreMissing:
        return Catalogue({}, empty, [])
    return Catalogue(latest, providers, returns, public)


@st.cache_data(max_entries=32, show_spinner=False)
def standards(db_file: str, run_id: str) -> list[Standard]:
    """The standards exactly as they were audited in this run."""

    with store.reading(db_file) as con:
        return runs.run_standards(con, run_id)


@st.cache_data(max_entries=32, show_spinner=False)
def _public_measures(db_file: str, run_id: str) -> pd.DataFrame:
    with store.reading(db_file) as con:
        return disclosure.public_results(con, run_id).drop(columns=["provider_name"], errors="ignore")


@st.cache_data(max_entries=32, show_spinner=False)
def _exact_measures(db_file: str, run_id: str, auditor: bool) -> pd.DataFrame:
    """Exact figures: the auditor's with the engine's benchmark; anyone else's beside the public
    benchmark (the engine's pools hidden counts of providers that are not theirs)."""

    with store.reading(db_file) as con:
        df = runs.read_results(con, run_id) if auditor else disclosure.restricted_results(con, run_id)
    return df.drop(columns=["provider_name"], errors="ignore")


def _by_tier(public: pd.DataFrame, exact: pd.DataFrame, restricted: tuple[str, ...] | None) -> pd.DataFrame:
    """Exact rows for the restricted providers, public rows for the rest, each marked with its tier."""
    if restricted is None:
        return exact.assign(tier=tiers.RESTRICTED)
    mine = exact[exact["provider_id"].isin(restricted)].assign(tier=tiers.RESTRICTED)
    others = public[~public["provider_id"].isin(restricted)].assign(tier=tiers.PUBLIC)
    frames = [f for f in (mine, others) if not f.empty]
    if not frames:
        return others
    return pd.concat(frames, ignore_index=True).sort_values(["provider_id"], kind="stable").reset_index(drop=True)


@tiers.output(tiers.BY_CALLER, "every provider's measure results of a quarter, each row in the viewer's tier")
def measure_results(db_file: str, cat: Catalogue, period: str, restricted: tuple[str, ...] | None) -> pd.DataFrame:
    """Every measure of every provider in the quarter: exact figures (from the latest run) for the
    providers in `restricted` (None: all, for the auditor), the public figures (from the run the
    quarter publishes) for the others. A `tier` column says which each row is."""
    public = _public_measures(db_file, cat.public_run(period)) if restricted is not None else None
    exact = _exact_measures(db_file, cat.runs[period], restricted is None) if restricted != () else None
    if exact is None:
        return public.assign(tier=tiers.PUBLIC)
    return _by_tier(public, exact, restricted)


@live(STAMP_SECONDS)
def evidence_stamp(db_file: str) -> str:
    """Changes whenever a pack, withdrawal, review or tagging changes which stories show
    (audits.stories.evidence_stamp): the key of every cached read that depends on stories."""

    with store.reading(db_file) as con:
        return stories.evidence_stamp(con)


@st.cache_data(max_entries=64, show_spinner=False)
def _exact_standards(db_file: str, run_id: str, stamp: str) -> pd.DataFrame:
    with store.reading(db_file) as con:
        return verdicts.shown_ratings(con, run_id).drop(columns=["provider_name"], errors="ignore")


@tiers.output(tiers.PUBLIC, "a run's public standard ratings, read once for the pages and what changed")
@st.cache_data(max_entries=64, show_spinner=False)
def _public_standards(db_file: str, run_id: str, stamp: str) -> pd.DataFrame:
    with store.reading(db_file) as con:
        return disclosure.public_standard_ratings(con, run_id).drop(columns=["provider_name"], errors="ignore")


@tiers.output(tiers.BY_CALLER, "every provider's standard ratings of a quarter, each row in the viewer's tier")
def standard_results(db_file: str, cat: Catalogue, period: str, restricted: tuple[str, ...] | None) -> pd.DataFrame:
    """Standard ratings per provider, with the rating people are shown in `shown` (audits.verdicts:
    green stays provisional until people's experience confirms it) and whether the data can tell
    it in `uncertain`: exact for the providers in `restricted` (None: all), public (merged or
    withheld where a band would give a small count away, uncertainty from the public figures
    alone: audits.disclosure) for the others, with a `tier` column."""
    stamp = evidence_stamp(db_file)
    public = _public_standards(db_file, cat.public_run(period), stamp) if restricted is not None else None
    exact = _exact_standards(db_file, cat.runs[period], stamp) if restricted != () else None
    if exact is None:
        return public.assign(tier=tiers.PUBLIC)
    return _by_tier(public, exact, restricted)


@st.cache_data(max_entries=32, show_spinner=False)
def _exact_changes(db_file: str, run_id: str, previous_run_id: str, stamp: str) -> pd.DataFrame:
    with store.reading(db_file) as con:
        return change_rule.of_run(con, run_id, previous=previous_run_id)


@st.cache_data(max_entries=32, show_spinner=False)
def _public_changes(db_file: str, run_id: str, previous_run_id: str, stamp: str) -> pd.DataFrame:
    # both quarters' public ratings from their cached reads (the overview has just read them):
    # reading them again cost ~1.3 s each at national scale
    shown = _public_standards(db_file, run_id, stamp)
    before = _public_standards(db_file, previous_run_id, stamp)
    with store.reading(db_file) as con:
        return disclosure.public_changes(con, run_id, shown, before, previous_run_id)


@tiers.output(tiers.BY_CALLER, "each provider's change of rating since the previous quarter, in the viewer's tier")
def changes(
    db_file: str, cat: Catalogue, period: str, previous: str, restricted: tuple[str, ...] | None
) -> pd.DataFrame:
    """Each provider's standards in the quarter with the change since the previous quarter
    (audits.changes: better or worse only when the figures moved by more than chance): from exact
    figures for the providers in `restricted` (None: all), from the public figures of both
    quarters for the others (so that no move rests on a hidden figure), with a `tier` column."""
    stamp = evidence_stamp(db_file)
    public = (
        _public_changes(db_file, cat.public_run(period), cat.public_run(previous), stamp)
        if restricted is not None
        else None
    )
    exact = _exact_changes(db_file, cat.runs[period], cat.runs[previous], stamp) if restricted != () else None
    if exact is None:
        return public.assign(tier=tiers.PUBLIC)
    return _by_tier(public, exact, restricted)


@st.cache_data(max_entries=16, show_spinner=False)
def _story_table(db_file: str, period: str, stamp: str) -> pd.DataFrame:
    """The quarter's story table (audits.stories.story_table), read once for the stories shown
    and the voices heard (~0.5 s a read at national scale: screening every story)."""
    with store.reading(db_file) as con:
        return stories.story_table(con, period)


@st.cache_data(max_entries=32, show_spinner=False)
def _period_stories(db_file: str, period: str, stamp: str) -> pd.DataFrame:
    return stories.printable_of(_story_table(db_file, period, stamp))


def period_stories(db_file: str, period: str) -> pd.DataFrame:
    """Every provider's stories of a quarter that may be shown (audits.stories: consent yes, not
    withdrawn, screening passed or cleared), in one read: the overview counts them per cell and
    a standard's page shows them under each provider."""
    return _period_stories(db_file, period, evidence_stamp(db_file))


@st.cache_data(max_entries=64, show_spinner=False)
def _heard(db_file: str, period: str, stamp: str) -> tuple[dict, int]:
    told = _story_table(db_file, period, stamp)
    with store.reading(db_file) as con:
        return voices.heard(told), settings.get(con, "voices_needed")


def heard(db_file: str, period: str) -> tuple[dict, int]:
    """People heard in a quarter by (provider_id, standard_id or None) and group (audits.voices),
    exact: a page words them for its viewer's tier (audits.words.voices_heard). With the setting
    voices_needed, for the too-few words."""
    return _heard(db_file, period, evidence_stamp(db_file))


def _every_period(read, db_file: str, cat: Catalogue, restricted) -> pd.DataFrame:
    """One cached read per audited period, as one frame."""
    frames = [read(db_file, cat, period, restricted) for period in cat.runs]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@tiers.output(tiers.BY_CALLER, "measure results of every audited quarter, each row in the viewer's tier")
def history(db_file: str, cat: Catalogue, restricted: tuple[str, ...] | None) -> pd.DataFrame:
    """Measure results of every audited period (as measure_results), one frame."""
    return _every_period(measure_results, db_file, cat, restricted)


@tiers.output(tiers.BY_CALLER, "standard ratings of every audited quarter, each row in the viewer's tier")
def standard_history(db_file: str, cat: Catalogue, restricted: tuple[str, ...] | None) -> pd.DataFrame:
    """Standard ratings (with 'shown') of every audited period (as standard_results), one frame."""
    return _every_period(standard_results, db_file, cat, restricted)


@live()
def data_quality(db_file: str, provider_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The provider's current submissions, and rows held back counted by file and reason (a
    story row's reason is never shown: audits.findings.held_back)."""

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


@tiers.output(tiers.BY_CALLER, "overdue agreed actions, as the viewer may see them (audits.actions.as_seen)")
@live()
def overdue_actions(db_file: str, restricted: tuple[str, ...] | None) -> pd.DataFrame:
    """Every agreed action past its day and not reported done that a viewer whose exact figures
    are those of `restricted` may see (audits.actions): read at most every few seconds, as the
    list of runs is, so that the overview's many visits share one read."""
    with store.reading(db_file) as con:
        return actions.as_seen(con, actions.overdue(con), restricted)


@live()
def readiness_board(db: str, period: str):
    # the quarter's story table from its cache (keyed by the evidence stamp, as every page's
    # stories are): ~0.45 of the board's 1 CPU-s at national scale, paid on every visit (5 s cache)
    told = _story_table(db, period, evidence_stamp(db))
    with store.reading(db) as con:
        return readiness.board(con, period, told)
