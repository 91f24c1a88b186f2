"""Warm the shared cached reads once when the server starts, so that the first visit after a
start is as quick as any later one.

At national scale the first overview after a start read both quarters' public ratings (~1 s a
run), the changes between them (~1 s), the quarter's stories (~0.5 s) and built the overview's
pieces (~2 s) while the first commissioner waited. Those reads are the same for everyone
(dashboard.data caches them per run, and dashboard.overview_pieces per viewer key), so one
background thread reads them for the latest quarter and the one before, for the auditor, for
the public tier and for each commissioner account's areas, when the server starts (serve.py's
lifespan: before anyone opens a page), or at its first script run when it was started as
`streamlit run app.py`; and again after a write from the dashboard (dashboard.data.clear), so the
next visit after a review or a run finds the new state's reads cached too.

The thread calls only the cached functions the pages call, with the same arguments, so it can
neither show nor change anything: a page that asks while a read is under way waits for it
(Streamlit computes a cached value once) and then takes it from the cache. Streamlit's caches
work without a script run (they are the server's), but say so in a warning per call from a
thread without one: those warnings are dropped for this thread only. Nothing runs under
AppTest or a bare `python` (no Streamlit server: tests stay as they were)."""

from __future__ import annotations

import logging
import threading
import time

from streamlit import runtime
from streamlit.logger import get_logger

from audits import accounts, spec, store, tiers
from dashboard import data, measure_views, overview_pieces, viewer, workshop_preview

THREAD = "lived-standards-warm"
QUIET_SECONDS = 20  # after a write, warm again once the dashboard has not written for this long
PERIODS = 2  # the latest audited quarter and the one before (what a first visit shows and compares)
_log = get_logger(__name__)  # Streamlit's logger: its level and format, in the server's log


class _OnlyOtherThreads(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warming thread only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


def viewers(db: str, cat: data.Catalogue) -> list[tuple[str, ...] | None]:
    """The restricted sets (dashboard.viewer) the overview is worth warming for: the auditor's
    (None), the public tier's (), and each active commissioner account's areas."""
    with store.reading(db) as con:
        rows = con.execute(
            "SELECT DISTINCT areas FROM accounts WHERE role = 'commissioner' AND disabled_at IS NULL"
        ).fetchall()
    sets: list[tuple[str, ...] | None] = [viewer.EVERY, ()]
    for (areas,) in rows:
        account = accounts.Account("", "", "commissioner", None, tuple(areas or ()))
        restricted = viewer.restricted_providers(account, cat.providers)
        if restricted not in sets:
            sets.append(restricted)
    return sets


def _exact_kinds(cat: data.Catalogue) -> list[tuple[str, ...] | None]:
    """One viewer of each kind of read behind data.measure_results: the auditor's exact figures,
    the public's, and exact figures beside the public benchmark (a commissioner's area or a
    provider's own: every such viewer shares the same cached reads, whatever its providers)."""
    own = tuple(cat.providers["provider_id"].iloc[:1])
    return [viewer.EVERY, (), own] if own else [viewer.EVERY, ()]


@tiers.output(tiers.BY_CALLER, "nothing shown: fills each viewer key's cache with the pages' own reads")
def warm(db: str) -> dict:
    """Read every shared cached read of the latest quarters once: what was warmed, and how long
    it took (seconds of wall time and of this thread's CPU)."""
    started, cpu = time.perf_counter(), time.thread_time()
    cat = data.catalogue(db)
    periods = list(reversed(cat.periods))[:PERIODS]
    every = viewers(db, cat)
    for period in periods:
        previous = spec.previous_period(period)
        data.standards(db, cat.runs[period])
        data.period_stories(db, period)
        data.heard(db, period)
        for restricted in _exact_kinds(cat):
            data.standard_results(db, cat, period, restricted)
            data.measure_results(db, cat, period, restricted)
            if previous in cat.runs:
                data.changes(db, cat, period, previous, restricted)
        for restricted in every:
            overview_pieces.finished(db, cat, period, overview_pieces.ALL_AREAS, restricted)
    # the first visit to the other pages people open first: a standard (its charts, ~1 CPU-s
    # each) for each viewer, then the workshop's preview (~8 CPU-s)
    views = sum(measure_views.prepare_first_visit(db, cat, periods[0], r) for r in every) if periods else 0
    previews = workshop_preview.prepare_first_visit(db, cat)
    return {
        "periods": periods,
        "viewers": len(every),
        "measure_views": views,
        "previews": previews,
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.thread_time() - cpu, 2),
    }


def _run(db: str, after_write: bool = False) -> None:
    # an auditor reviewing stories writes every few seconds, each write a new evidence stamp:
    # warming after each would keep a core busy for nothing, so wait for the writes to stop
    while after_write and (left := QUIET_SECONDS - (time.monotonic() - data.last_write())) > 0:
        time.sleep(left)
    with _lock:  # the state warmed is the one from here: a write while waiting needs no other run
        _started[db] = (threading.current_thread(), data.generation())
    try:
        done = warm(db)
    except (store.StoreMissing, store.StoreBusy) as error:
        _log.info("Nothing warmed: %s", error)
    except Exception:  # noqa: BLE001 - warming is a courtesy: a page reads for itself if it failed
        _log.exception("Warming the dashboard's cached reads failed; pages will read for themselves")
    else:
        _log.info("Warmed the dashboard's cached reads: %s", done)


_started: dict[str, tuple[threading.Thread, int]] = {}  # store -> its warming thread, data.generation() it warmed
_lock = threading.Lock()
_quiet = _OnlyOtherThreads()


def served() -> bool:
    """Whether a real Streamlit server runs in this process: AppTest puts a stand-in runtime in
    place (a MagicMock of the Runtime class) that it never takes away, under which tests must not
    have a thread reading their stores in the background."""
    return runtime.exists() and type(runtime.Runtime.instance()) is runtime.Runtime


def start(db: str) -> threading.Thread | None:
    """Start warming db's cached reads in the background, once per server process and store, and
    again after the dashboard has written (data.clear bumps data.generation), once the last warming
    is over and no write has come for QUIET_SECONDS: called by the server's start (serve.py's lifespan) and by every script run (app.py),
    it costs a dictionary look-up when there is nothing to do. Nothing under AppTest or without a
    Streamlit server (served)."""
    if not served():
        return None
    with _lock:
        thread, generation = _started.get(db, (None, None))
        if thread is not None and (thread.is_alive() or generation == data.generation()):
            return thread
        logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
        if _quiet not in logger.filters:
            logger.addFilter(_quiet)
        thread = threading.Thread(target=_run, args=(db, thread is not None), name=THREAD, daemon=True)
        _started[db] = (thread, data.generation())
        thread.start()
        return thread
