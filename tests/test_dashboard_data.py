"""The dashboard's cached reads (dashboard/data.py): nothing stale about people's consent."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from audits import accounts, store, story_review

from support import dashboard_store
from support.apptest import every_table

# AppTest over a dashboard store built for each test: left out of make test-fast.
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent

APP = str(HERE.parent / "app.py")
STORY = "a peer met me at the door"  # S1 of P001, consented and tagged to warm-welcome


@pytest.fixture()
def env(tmp_path, monkeypatch):
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db, periods=dashboard_store.PERIODS[-2:])
    standards = tmp_path / "standards"
    shutil.copytree(dashboard_store.STANDARDS, standards)
    monkeypatch.setenv(store.DB_ENV, str(db))
    monkeypatch.setenv("LIVED_STANDARDS_DIR", str(standards))
    return db


def _words_on_screen(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "text", "html") for e in getattr(at, kind))


def test_a_story_kept_out_on_the_command_line_leaves_the_running_dashboard_at_once(env):
    """The same browser session, the same server: after the auditor keeps the story out (or it
    is withdrawn), the next rerun of the page no longer shows it; no restart needed."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = accounts.Account("commissioner", "Test commissioner", "commissioner", None)
    at.session_state["standard_id"] = "warm-welcome"
    at.session_state["provider_id"] = "P001"
    at.run()
    at.switch_page("dashboard/standard.py").run()
    assert STORY in _words_on_screen(at)
    with store.writing(env) as con:
        story_review.review_story(con, "P001", dashboard_store.PERIODS[-1], "S1", "kept_out", "A. Auditor")
    time.sleep(1.2)  # the stamp of what decides which stories show is re-read every second
    at.run()
    assert STORY not in _words_on_screen(at)


def test_why_a_story_row_was_held_back_never_reaches_the_page(env):
    """A phone number typed into the wrong column of a story without consent: the row is held
    back, and its reason (which may quote it) is counted, never shown, to anyone."""
    period = dashboard_store.PERIODS[-1]
    with store.writing(env) as con:
        con.execute(
            "INSERT INTO quarantine VALUES (?, 'P001', ?, 'stories', 'stories.csv', 5, 'S9', ?, '{}')",
            [f"P001-{period}-pack", period, "teller 'ring me on 07700 900456' is not one of the tellers"],
        )
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = accounts.Account("provider1", "Test provider", "provider", "P001")
    at.run()
    at.switch_page("dashboard/provider.py").run()
    tables = "\n".join(t.to_string() for t in every_table(at))  # st.table's and the static HTML tables
    assert "stories.csv" in tables  # the held-back row is counted ...
    assert "07700" not in tables + _words_on_screen(at)  # ... but its reason is not shown


HOSTILE = "**NOT MET** [Sign in again](http://evil.example) ![x](http://127.0.0.1:9/x.png) :red[FAILED]"


def test_names_and_words_from_files_are_shown_as_text_and_a_taken_name_hides_nobody(env):
    """A provider named with Markdown (a link, an image its readers' browsers would fetch,
    red text), and another provider taking the first one's name: every page shows the names as
    typed, escaped, and the overview keeps both providers apart by their codes."""
    with store.writing(env) as con:
        con.execute("UPDATE providers SET provider_name = ? WHERE provider_id = 'P003'", [HOSTILE])
        con.execute("UPDATE providers SET provider_name = 'Northgate Recovery Partnership' WHERE provider_id = 'P002'")
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = accounts.Account("commissioner", "Test commissioner", "commissioner", None)
    at.run()
    html = at.html[0].value
    assert "Northgate Recovery Partnership (P001)" in html and "Northgate Recovery Partnership (P002)" in html
    assert any("More than one provider uses the same name" in w.value for w in at.warning)
    for page, key, value in (("provider.py", "provider_id", "P003"), ("standard.py", "provider_id", "P003")):
        at.session_state[key] = value
        at.switch_page(f"dashboard/{page}").run()
        assert not at.exception
        rendered = [str(e.value) for kind in ("markdown", "caption", "header", "subheader") for e in getattr(at, kind)]
        rendered += [str(label.proto.label) for label in at.get("page_link")]
        with_name = [r for r in rendered if "NOT MET" in r]
        assert with_name, page
        for text in with_name:  # every Markdown character escaped: no link, image or colour
            assert "](" not in text and "**NOT" not in text and ":red[" not in text, text


def test_while_the_command_line_writes_a_page_says_the_store_is_busy_calmly(env, monkeypatch):
    """Another process holds the store to write (an ingest, a run): the page waits briefly, then
    says so in plain words and offers to try again, never a traceback."""
    import subprocess

    from dashboard import ui

    monkeypatch.setattr(ui, "BUSY_WAIT_SECONDS", 0.5)
    monkeypatch.setattr(ui, "BUSY_RETRIES", 0)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom audits import store\ncon = store.connect(sys.argv[1])\n"
            "print('holding', flush=True)\ntime.sleep(60)",
            str(env),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        at = AppTest.from_file(APP, default_timeout=30)
        at.session_state["account"] = accounts.Account("commissioner", "Test commissioner", "commissioner", None)
        at.run()
        assert not at.exception
        assert any("The store is busy" in i.value for i in at.info)
        assert [b.label for b in at.button if b.key == "busy_try_again"] == ["Try again"]
    finally:
        holder.kill()
        holder.wait()
    at.button(key="busy_try_again").click().run()
    assert not at.info or not any("busy" in i.value for i in at.info)
    assert "Overview" in [t.value for t in at.title]


def test_a_write_from_the_dashboard_forgets_the_live_state_and_keeps_what_runs_key(env, monkeypatch):
    """data.clear (after every write from a page) forgets the reads of the store's live state (the
    list of runs above all), so the page shows the write at once; the reads keyed by a run id stay
    cached (a run never changes; a new run has a new id), so the next visit is not cold again."""
    import streamlit as st

    from audits import runs
    from dashboard import data, viewer

    st.cache_data.clear()
    db = str(env)
    latest = []
    real_latest = runs.latest_run_ids
    monkeypatch.setattr(runs, "latest_run_ids", lambda con: latest.append(1) or real_latest(con))
    cat = data.catalogue(db)
    exact = data.measure_results(db, cat, cat.periods[-1], viewer.EVERY)
    reads = len(latest)
    assert reads
    data.catalogue(db)
    assert len(latest) == reads  # cached for a few seconds, written or not

    generation = data.generation()
    data.clear()
    assert data.generation() == generation + 1  # dashboard.warm warms again after a write

    def read_again(*args, **kwargs):
        raise AssertionError("a run's results were read again after a write")

    monkeypatch.setattr(runs, "read_results", read_again)
    again = data.catalogue(db)
    assert len(latest) == 2 * reads  # the live state is read again at once
    assert again.runs == cat.runs
    assert data.measure_results(db, again, again.periods[-1], viewer.EVERY).equals(exact)


def test_every_short_lived_cache_is_forgotten_by_a_write():
    """A read cached for a few seconds is a read of live state: it must be data.live's, or a page
    would show the state from before its own write for up to that long."""
    sources = [*(HERE.parent / "dashboard").glob("*.py"), HERE.parent / "app.py"]
    offenders = [f.name for f in sources if "cache_data(ttl" in f.read_text().replace(" ", "")]
    assert offenders == ["data.py"]  # data.live itself
    from dashboard import capture, data, review

    for read in (data.catalogue, data.evidence_stamp, data.readiness_board, review.held, capture.approved_standards):
        assert read in data._live
