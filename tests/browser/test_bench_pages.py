"""The browser benchmark (bench/pages.py) in miniature, so it cannot rot: one role's every page,
cold and warm, and two concurrent overviews, on the small test store. Times are printed by the
benchmark itself, never asserted against a target here (speed is measured by hand: bench/README.md)."""

from __future__ import annotations

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from audits import accounts
from dashboard import auth

from support import dashboard_store
from support.browser import ROOT

sys.path.insert(0, str(ROOT))
from bench import pages  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_page_benchmark_times_every_page_and_concurrent_overviews(tmp_path, monkeypatch):
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db)
    read = []  # --read: a pause on each page, once it is idle and timed, before the next click
    monkeypatch.setattr(pages, "read_page", lambda seconds: read.append(seconds) or asyncio.sleep(seconds))
    measuring = pages.measure(
        db,
        dashboard_store.STANDARDS,
        ("commissioner",),
        repeat=1,
        sessions=2,
        rounds=1,
        log_dir=tmp_path,
        read=0.2,
        spread=0.5,
    )
    # a thread of its own: the other browser tests' sync Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as thread:
        result = thread.submit(asyncio.run, measuring).result()
    timed = result["pages"]["commissioner"]
    commissioner = accounts.Account("c", "C", "commissioner", None)
    assert list(timed) == [auth.PAGES[f][0] for f in auth.pages_for(commissioner)]  # every page of the menu
    assert all(t["cold"] > 0 and t["warm"] > 0 for t in timed.values()), timed
    # on the sign-in page (a person typing), then after every visit, cold and warm
    assert read == [0.2] * (1 + 2 * len(timed)) and result["read"] == 0.2
    # open on the Guide, both click Overview, each at its own moment within --spread's 0.5 s
    (loads,) = result["concurrent"]["rounds"]
    assert result["concurrent"]["spread"] == 0.5
    assert len(loads) == 2 and all(0 < t < float("inf") for t in loads)
    (fresh,) = result["concurrent"]["goto"]  # both load /overview afresh, for comparison
    assert len(fresh) == 2 and all(0 < t < float("inf") for t in fresh)
    cpu = result["concurrent"]["cpu"]
    assert cpu["server"] > 0 and cpu["browser"] > 0
    # the browser's split (Chromium, and Playwright's driver besides it) adds up to it, per click
    assert cpu["chromium"] > 0 and cpu["driver"] >= 0 and cpu["clicks"] == len(loads)
    # the same clicks from people each on their own computer: the server's part by two clients
    # without a browser (signed in by the cookie, or bench/crowd.py refuses), one browser's alone
    own = result["own"]
    (served,) = own["server_rounds"]
    assert len(served) == 2 and all(0 < t < 60 for t in served)
    assert len(own["alone"]) == 3 and all(0 < t < float("inf") for t in own["alone"])
    assert own["cpu"]["server_per_click"] > 0
    assert own["wait_p95"] == round(max(served) + own["alone"][0], 2)
    assert cpu["chromium"] + cpu["driver"] == pytest.approx(cpu["browser"], abs=0.11)
    # and each round's own, per click: the rounds' Chromium adds up to the whole
    (first,) = result["concurrent"]["round_cpu"]
    assert first["server"] > 0 and first["chromium"] * len(loads) == pytest.approx(cpu["chromium"], abs=0.11)
    assert pages.p95([1.0, 2.0, 3.0]) == 3.0 and pages.p95([float(i) for i in range(1, 101)]) == 95.0
    assert (ROOT / "bench" / "README.md").read_text().count("bench/pages.py") >= 2


CHARTS = """() => {
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
  return {loading: document.querySelectorAll('[data-testid=stSkeleton]').length, charts: charts.length,
          'all drawn': charts.every(c => c.querySelector('.main-svg'))};
}"""


def test_a_page_is_idle_only_once_its_charts_code_has_arrived_and_drawn(tmp_path):
    """A session's first chart: Streamlit loads Plotly's code (4.7 MB) only then, with a placeholder
    (stSkeleton) in the chart's place meanwhile. The benchmark's "idle" must wait for it and for the
    chart drawn, and the time must run to when the page was drawn, not to the server's last message:
    before, a first visit to a standard's page was timed before its charts existed, and their
    drawing was charged to the next page clicked."""
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db)
    names, password = pages.bench_accounts(db)

    async def first_standard_page() -> tuple[float, dict, float]:
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=pages.CHROMIUM, headless=True, args=pages.CHROMIUM_ARGS)
            try:
                with pages.serve(db, dashboard_store.STANDARDS, tmp_path / "server.log") as url:
                    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
                    page = await pages.open_page(context, url)
                    await pages.sign_in(page, names["auditor"], password)
                    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="A standard", exact=True)
                    clicked = time.perf_counter()
                    seconds = await pages.click_and_time(page, link)
                    returned = time.perf_counter() - clicked
                    drawn = await page.evaluate(CHARTS)
                    await context.close()
                    return seconds, drawn, returned
            finally:
                await browser.close()

    with ThreadPoolExecutor(1) as thread:
        seconds, drawn, returned = thread.submit(asyncio.run, first_standard_page()).result()
    assert drawn["loading"] == 0, drawn  # no element still waiting for its code
    assert drawn["charts"] >= 1 and drawn["all drawn"], drawn  # the funnel and the trend, each drawn
    # the time runs to the quiet stretch's start, which is before wait_idle returned (by IDLE_QUIET_MS)
    assert 0 < seconds <= returned - pages.IDLE_QUIET_MS / 1000 + 0.05, (seconds, returned)
