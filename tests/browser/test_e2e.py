"""End to end in a real browser: sign in, overview, a standard, a PDF, a bad upload,
a workshop edit with its preview."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import dashboard_store
from support.browser import FIXTURES, settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_commissioner_overview_standard_and_pdf(page, app_url):
    sign_in(page, app_url, "commissioner")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("What changed since the last quarter")).to_be_visible()
    expect(page.get_by_text("Met (provisional)").first).to_be_visible()
    matrix = page.get_by_role("region", name="Ratings of every provider against every standard", exact=False)
    expect(matrix.get_by_role("columnheader", name="A warm welcome within days")).to_be_visible()
    expect(matrix.get_by_role("rowheader", name="Northgate Recovery Partnership")).to_be_visible()
    shoot(page, "overview")

    # the link keeps the session: a plain link would reload the page and sign the person out
    page.get_by_role("link", name="A warm welcome within days").click()
    settle(page)
    expect(page.get_by_role("heading", name="A warm welcome within days")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.locator("[data-testid=stPlotlyChart]").first).to_be_visible()
    expect(page.get_by_text("A warm welcome makes all the difference.")).to_be_visible()
    shoot(page, "standard")

    page.get_by_role("link", name="A provider").click()
    settle(page)
    expect(page.get_by_role("heading", name="Every standard")).to_be_visible()
    shoot(page, "provider")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the audit PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "A warm welcome within days" in text


def test_a_provider_opens_from_the_overview_by_keyboard(page, app_url):
    sign_in(page, app_url, "commissioner")
    link = page.get_by_role("link", name="Hill Lane Project")
    link.focus()
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_role("heading", name="Hill Lane Project (P003)", exact=False)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_auditor_bad_upload_shows_the_message(page, app_url):
    sign_in(page, app_url, "auditor")
    page.get_by_role("link", name="Upload returns").click()
    settle(page)
    files = sorted(str(p) for p in (FIXTURES / "bad-return").iterdir())
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(files)
    expect(page.get_by_text("cannot be loaded")).to_be_visible(timeout=30_000)
    settle(page)
    expect(page.get_by_text("'2026-Q5' is not a quarter written like 2026-Q2").first).to_be_visible()
    expect(page.get_by_role("button", name="Load into the store")).to_have_count(0)
    shoot(page, "upload-bad")
    for name in ("Run the audit", "Review stories", "Share the draft", "Sign off", "Publish", "Readiness"):
        page.get_by_role("link", name=name).click()
        settle(page)
        shoot(page, name.lower().replace(" ", "-"))


def test_sign_in_and_the_overview_by_keyboard_alone(page, app_url):
    page.goto(app_url)
    settle(page)
    focused = (
        "(() => { const e = document.activeElement; return e.getAttribute('aria-label') || e.innerText || ''; })()"
    )
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "Username":
            break
    assert page.evaluate(focused) == "Username"
    page.keyboard.type("commissioner")
    page.keyboard.press("Tab")
    page.keyboard.type(dashboard_store.PASSWORD)
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    reached = set()
    for _ in range(70):  # past every page of the menu (shown whole), the filters and the matrix
        page.keyboard.press("Tab")
        reached.add(page.evaluate(focused).strip())
    assert {"Area", "Period", "Sign out"} <= reached
    assert any(r.endswith("A warm welcome within days") for r in reached)  # a standard's link
    assert any(r.endswith("Hill Lane Project") for r in reached)  # a provider's link
    assert any(r.startswith("Ratings of every provider") for r in reached)  # the matrix scrolls by keyboard
