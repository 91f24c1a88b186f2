"""dashboard.warm: the shared cached reads of the latest two quarters read once in the background
when the server starts, so that the first visit finds them cached; never under AppTest or bare."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import streamlit as st

from audits import accounts, store
from dashboard import data, overview_pieces, viewer, warm

pytestmark = pytest.mark.slow  # the dashboard's small store, its overviews built


def test_warming_fills_the_caches_a_first_overview_reads(env, monkeypatch):
    db_file, _ = env
    with store.writing(db_file) as con:
        accounts.create_account(con, "c-south", "a-long-password-1", "commissioner", None, "South", areas=["Southvale"])
    st.cache_data.clear()
    db = data.db()
    done = warm.warm(db)
    cat = data.catalogue(db)
    assert done["periods"] == list(reversed(cat.periods))[:2]
    south = viewer.restricted_providers(accounts.Account("x", "", "commissioner", None, ("Southvale",)), cat.providers)
    assert south in warm.viewers(db, cat)

    # a first visit after warming builds nothing: every viewer's overview comes from the cache
    def built(*args, **kwargs):
        raise AssertionError("built again: not warmed")

    monkeypatch.setattr(overview_pieces, "build", built)
    for period in done["periods"]:
        for restricted in (viewer.EVERY, (), south):
            assert overview_pieces.finished(db, cat, period, overview_pieces.ALL_AREAS, restricted) is not None
    # a key not warmed (one area) is built when asked, as before
    with pytest.raises(AssertionError, match="not warmed"):
        overview_pieces.finished(db, cat, cat.periods[-1], "Southvale", ())


def test_nothing_is_warmed_without_a_streamlit_server():
    before = {t.name for t in threading.enumerate()}
    assert warm.start("no-such-store.duckdb") is None  # AppTest and bare Python have no runtime
    assert warm.THREAD not in {t.name for t in threading.enumerate()} - before


def test_the_server_warms_its_caches_when_it_starts_before_anyone_opens_a_page(dashboard_files, tmp_path):
    """`streamlit run serve.py` (make run, the browser tests, bench/pages.py): the warming runs in
    the server's start (st.App's lifespan), with no session at all: nothing but the health check
    is asked of the server here, and the health check opens no session."""
    from support import browser

    db, _ = dashboard_files
    shutil.copy(db, tmp_path / "audit.duckdb")
    log = tmp_path / "streamlit.log"
    with browser.serve(tmp_path, db=tmp_path / "audit.duckdb"):
        deadline = time.monotonic() + 90
        while "Warmed the dashboard's cached reads" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        text = log.read_text()
    assert "Warmed the dashboard's cached reads: {'periods': ['2026-Q2', '2026-Q1']" in text, text
    assert "Nothing warmed" not in text and "failed" not in text


def test_a_first_visit_to_a_standard_and_to_the_workshop_after_warming_builds_nothing(env, monkeypatch):
    """The warming builds what the first visit to a standard's page (its measure views) and to the
    workshop (the first standard's preview) would build, with the very keys the pages use: the
    visits then build no chart and run no preview."""
    from audits import preview as impact
    from dashboard import charts

    from support.apptest import signed_in

    st.cache_data.clear()
    st.cache_resource.clear()
    done = warm.warm(data.db())
    assert done["measure_views"] > 0 and done["previews"] == 2

    def built(*args, **kwargs):
        raise AssertionError("built again: not warmed")

    for name in ("funnel", "intervals"):
        monkeypatch.setattr(charts, name, built)
    monkeypatch.setattr(impact, "impact_preview", built)
    for role in ("expert_citizen", "auditor"):
        at = signed_in(role)
        at.switch_page("dashboard/standard.py").run()
        assert not at.exception, "\n".join(at.exception[0].stack_trace)
        assert at.get("plotly_chart")  # the charts are drawn, from the cache
        at.switch_page("dashboard/workshop.py").run()
        assert not at.exception, at.exception
        assert "would change rating" in " ".join(str(m.value) for m in at.markdown)
    # the test can fail: another standard's charts were not warmed
    at.session_state["standard_id"] = data.standards(data.db(), data.catalogue(data.db()).runs[done["periods"][0]])[
        -1
    ].id
    at.switch_page("dashboard/standard.py").run()
    assert at.exception


def test_nothing_is_warmed_under_apptest(env):
    """AppTest leaves a stand-in runtime in place: the app's script must not start a thread
    reading the test's store in the background."""
    from support.apptest import signed_in

    signed_in("auditor")
    assert not warm.served()
    assert warm.start(data.db()) is None


def test_a_write_warms_again_once_the_writes_have_stopped(monkeypatch):
    """After a write from the dashboard the next script run warms again (the new state's reads),
    one warming at a time, and only once no write has come for QUIET_SECONDS: an auditor reviewing
    a story every few seconds does not keep a core warming."""
    warmed = []
    monkeypatch.setattr(warm, "served", lambda: True)
    monkeypatch.setattr(warm, "warm", lambda db: warmed.append(time.monotonic()) or {})
    # 2 s of quiet against the 0.3 s the test waits in them: a test machine under load may stall
    # for a moment without the warming ending before the second write
    monkeypatch.setattr(warm, "QUIET_SECONDS", 2.0)
    monkeypatch.setattr(warm, "_started", {})
    first = warm.start("a.duckdb")
    first.join(5)
    assert len(warmed) == 1
    assert warm.start("a.duckdb") is first  # nothing written: nothing to warm
    data.clear()
    second = warm.start("a.duckdb")
    assert second is not first and second.is_alive()
    time.sleep(0.3)
    data.clear()  # another write while it waits: it waits longer, and no other warming starts
    written = time.monotonic()
    assert warm.start("a.duckdb") is second
    second.join(10)
    assert len(warmed) == 2 and warmed[1] - written >= 1.95
    assert warm.start("a.duckdb") is second  # that warming saw the last write
