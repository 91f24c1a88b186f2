"""The browser benchmark (bench/pages.py) in miniature, so it cannot rot: one role's every page,
cold and warm, and two concurrent overviews, on the small test store. Times are printed by the
benchmark itself, never asserted against a target here (speed is measured by hand: bench/README.md)."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from audits import accounts
from dashboard import auth

from support import dashboard_store
from support.browser import ROOT

sys.path.insert(0, str(ROOT))
from bench import pages  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_page_benchmark_times_every_page_and_concurrent_overviews(tmp_path):
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db)
    measuring = pages.measure(
        db, dashboard_store.STANDARDS, ("commissioner",), repeat=1, sessions=2, rounds=1, log_dir=tmp_path
    )
    # a thread of its own: the other browser tests' sync Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as thread:
        result = thread.submit(asyncio.run, measuring).result()
    timed = result["pages"]["commissioner"]
    commissioner = accounts.Account("c", "C", "commissioner", None)
    assert list(timed) == [auth.PAGES[f][0] for f in auth.pages_for(commissioner)]  # every page of the menu
    assert all(t["cold"] > 0 and t["warm"] > 0 for t in timed.values()), timed
    (loads,) = result["concurrent"]["rounds"]  # open on the Guide, both click Overview at once
    assert len(loads) == 2 and all(0 < t < float("inf") for t in loads)
    (fresh,) = result["concurrent"]["goto"]  # both load /overview afresh, for comparison
    assert len(fresh) == 2 and all(0 < t < float("inf") for t in fresh)
    assert result["concurrent"]["cpu"]["server"] > 0 and result["concurrent"]["cpu"]["browser"] > 0
    assert pages.p95([1.0, 2.0, 3.0]) == 3.0 and pages.p95([float(i) for i in range(1, 101)]) == 95.0
    assert (ROOT / "bench" / "README.md").read_text().count("bench/pages.py") >= 2
