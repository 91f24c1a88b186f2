"""dashboard.warm: the shared cached reads of the latest two quarters read once in the background
when the server starts, so that the first visit finds them cached; never under AppTest or bare."""

from __future__ import annotations

import threading

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
    warm.start.clear()
    before = {t.name for t in threading.enumerate()}
    assert warm.start("no-such-store.duckdb") is None  # AppTest and bare Python have no runtime
    assert warm.THREAD not in {t.name for t in threading.enumerate()} - before
