"""Helpers for the browser tests (tests/browser): waiting for a run to finish, screenshots
and signing in, in Debian's Chromium driven by playwright."""

from __future__ import annotations

import os
from pathlib import Path

from support import dashboard_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dashboard"
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")  # a folder: save a PNG of every page visited


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
