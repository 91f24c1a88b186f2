"""The standards workshop in a real browser: how long one change takes to show its preview.

    .venv/bin/python bench/workshop.py                  # the shared national store (bench/common.py)
    .venv/bin/python bench/workshop.py --providers 3    # a quick try
    .venv/bin/python bench/workshop.py --db FILE        # another loaded and audited store

A copy of the store (with a bench expert-citizen account) and of the standards folder is
served by `streamlit run serve.py`; Debian's Chromium signs in, opens the workshop and changes the
first measure's "Met when" number again and again. Each "keystroke" is timed from the change
being committed (Tab) to the page having finished its rerun with the new preview shown: the
form, the read-back sentence, the check of the standard and the preview of every provider.
The preview alone (audits.preview.impact_preview, no browser) is timed too. Target (issue 13):
the preview within about 1.5 s of a change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from bench import common  # noqa: E402

PASSWORD = "bench-password-1"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settle(page) -> None:
    page.wait_for_selector("[data-test-script-state=notRunning]", state="attached")
    page.wait_for_timeout(50)
    page.wait_for_selector("[data-test-script-state=notRunning]", state="attached")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store to copy (default: the shared one in --work)")
    common.add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=10, help="changes to time")
    args = parser.parse_args()
    if args.db is None:
        args.db = common.national_store(args.work, args.standards, args.providers, args.fresh)[0]

    from playwright.sync_api import sync_playwright

    from audits import accounts, preview, store
    from audits import standard_edit as se
    from audits.standard_files import parse_standard_text
    from audits.workshop import sources

    work = Path(tempfile.mkdtemp(prefix="bench-workshop-"))
    db, standards = work / "audit.duckdb", work / "standards"
    shutil.copy(args.db, db)
    shutil.copytree(args.standards, standards, ignore=shutil.ignore_patterns("drafts"))
    with store.writing(db) as con:
        accounts.create_account(con, "bench-expert", PASSWORD, "expert_citizen", replace=True)
        providers = con.execute("SELECT count(*) FROM providers").fetchone()[0]
    first = next(iter(sources(standards).values()))
    print(f"store {args.db}: {providers} providers; standard '{first.title}'")

    with store.reading(db) as con:
        started = time.perf_counter()
        base = preview.baseline(con, first.id)
        print(f"preview baseline (read once per standard): {time.perf_counter() - started:.2f} s")
        for kept in (False, True):
            timings = []
            for n in range(args.repeat):
                text = se.edit(first.text, ("measures", 0, "green"), f"{first.standard.measures[0].green.op} {80 + n}%")
                standard, _ = parse_standard_text(text, first.path.name)
                started = time.perf_counter()
                preview.impact_preview(con, standard, base=base if kept else None)
                timings.append(time.perf_counter() - started)
            said = "with the baseline kept, as the workshop does" if kept else "reading the run each time"
            print(f"impact_preview, {said}: median {statistics.median(timings):.2f} s, max {max(timings):.2f} s")

    port = _free_port()
    env = dict(os.environ, LIVED_STANDARDS_DB=str(db), LIVED_STANDARDS_DIR=str(standards))
    log = open(work / "streamlit.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless=true",
         f"--server.port={port}", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(url)
            _settle(page)
            page.get_by_label("Username", exact=True).fill("bench-expert")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            _settle(page)
            started = time.perf_counter()
            page.get_by_role("link", name="Standards workshop").click()
            _settle(page)
            page.get_by_role("heading", name="What it would do to every provider").wait_for()
            print(f"workshop opened (cold): {time.perf_counter() - started:.2f} s")
            box = page.locator(".st-key-ws_measure_0").get_by_label("Met when the figure is: number", exact=True)
            keystrokes = []
            for n in range(args.repeat):
                box.fill(str(80 + n))
                started = time.perf_counter()
                box.press("Tab")
                page.wait_for_selector("[data-test-script-state=running]", state="attached", timeout=10_000)
                _settle(page)
                page.get_by_text(f"Met at {80 + n}% or more").first.wait_for()
                page.get_by_text("would change rating").wait_for()
                keystrokes.append(time.perf_counter() - started)
            browser.close()
        print(
            f"one change to its preview, in the browser ({args.repeat} changes): median "
            f"{statistics.median(keystrokes):.2f} s, max {max(keystrokes):.2f} s"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
