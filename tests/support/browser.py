"""Helpers for the browser tests (tests/browser): the dashboard served over a store of its own,
waiting for a run to finish, screenshots and signing in, in Debian's Chromium driven by playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support import dashboard_store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dashboard"
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")  # a folder: save a PNG of every page visited
# how long a test waits for the app's run to end: not a measure of speed (bench/pages.py times
# pages), and on a shared 2-core machine a first run over a fresh store can pass 30 s
PAGE_TIMEOUT_MS = 60_000


def settle(page) -> None:
    """Wait until the app has finished its current run."""
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector("[data-test-script-state=notRunning]", state="attached")
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-test-script-state=notRunning]", state="attached")


def shoot(page, name: str) -> None:
    """A PNG of the whole page. Streamlit scrolls its main block, not the document, so
    full_page alone gives only the window: grow the window to the content first."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        height = page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 160)})
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
        page.set_viewport_size(size)


def sign_in(page, url: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    settle(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    expect(page.get_by_text("Sign out")).to_be_visible()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    folder: Path,
    periods: list[str] = dashboard_store.PERIODS,
    env: dict | None = None,
    args: tuple[str, ...] = (),
    port: int | None = None,
    db: Path | None = None,
):
    """The dashboard over a store of its own (built in `folder`, unless `db` names one), on a
    free port (or `port`), with more `streamlit run` options in `args`: its address."""
    if db is None:
        db = folder / "audit.duckdb"
        dashboard_store.build_store(db, periods=periods)
    standards = folder / "standards"
    shutil.copytree(dashboard_store.STANDARDS, standards)
    port = port or _free_port()
    env = dict(os.environ, LIVED_STANDARDS_DB=str(db), LIVED_STANDARDS_DIR=str(standards), **(env or {}))
    log = open(folder / "streamlit.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "serve.py"),
            "--server.headless=true",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
            *args,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The dashboard did not start:\n" + (folder / "streamlit.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
