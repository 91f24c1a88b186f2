"""Browser tests: the real app in a real headless Chromium (Debian's /usr/bin/chromium,
driven by the playwright package; never a browser downloaded by a test tool).

The app runs as `streamlit run serve.py` (serving app.py) in a subprocess over a store built with
real audit runs (tests/support/dashboard_store.py; support.browser.serve).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.browser import PAGE_TIMEOUT_MS, serve

# an expectation waits as long as a page may take to draw on a shared machine (it returns as soon as it holds)
pytest.importorskip("playwright.sync_api").expect.set_options(timeout=PAGE_TIMEOUT_MS // 2)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def app_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="session")
def app_url(app_folder):
    with serve(app_folder) as url:
        yield url


@pytest.fixture(scope="session")
def app_files(app_folder, app_url) -> tuple[Path, Path]:
    """The store and the standards folder the app under test uses (a test may audit with them)."""
    return app_folder / "audit.duckdb", app_folder / "standards"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's (apt-get install -y chromium).")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()
