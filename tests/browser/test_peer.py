"""A peer interviewer records a story on a phone, and the person takes it back, in a real browser.

On a phone-sized window (390 × 844) the interviewer signs in, records a consented story with a
phone number in it, sees screening's warning with the number highlighted, takes it out and
saves. The auditor sees the story on *Review stories*; the PDF prints it beside its standard;
the voices heard show beside the rating; withdrawing it by the person's reference takes it out
of the PDF and the dashboard at once."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from support import dashboard_store
from support.browser import PAGE_TIMEOUT_MS, serve, settle, shoot

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TOLD = "The peer who met me at the door had been through it too, and rang me back the next day."
WITH_NUMBER = TOLD + " Ring me on 07700 900 123 if you want to hear more."
STANDARD = "People with lived experience work in every team"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("peer")
    with serve(folder, periods=["2026-Q1", "2026-Q2"]) as url:
        yield url


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    settle(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)


def blur(page) -> None:
    """Leave the box, as a thumb does by tapping elsewhere: Streamlit runs the page again."""
    page.locator("h1").first.click()
    settle(page)


def pdf_text(page) -> str:
    from pypdf import PdfReader

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the audit PDF").click()
    data = Path(download.value.path()).read_bytes()
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def provider_page(page) -> None:
    page.get_by_role("link", name="A provider", exact=True).click()
    settle(page)
    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name="2026-Q2").click()
    settle(page)


def test_a_story_recorded_on_a_phone_reaches_the_pdf_and_leaves_it_when_taken_back(browser, app, tmp_path):
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    page = phone.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    sign_in(page, app, "interviewer")
    expect(page.get_by_role("heading", name="Record a story")).to_be_visible()
    shoot(page, "peer-capture-empty")

    page.get_by_role("combobox", name="Service you visited").click()
    page.get_by_role("option", name="Northgate Recovery Partnership (P001)").click()
    settle(page)
    for part, value in (("day", "10"), ("month", "06"), ("year", "2026")):
        field = page.get_by_role("spinbutton", name=f"{part}, Day you heard it")
        field.click()
        page.keyboard.type(value)
    blur(page)
    expect(page.get_by_text("It goes into the audit of April to June 2026.")).to_be_visible()
    page.get_by_text("Someone using the service").click()
    settle(page)
    page.get_by_text("Yes, they agreed").click()
    settle(page)
    page.get_by_text("Quoted: their own words may be printed").click()
    settle(page)
    box = page.get_by_role("textbox", name="Their story, in their words")
    box.click()
    box.press_sequentially(WITH_NUMBER, delay=15)
    # screened as they type: the warning comes while the box still has the focus
    expect(page.get_by_text("This may hold a phone number", exact=False)).to_be_visible()
    expect(page.locator("mark", has_text="07700 900 123")).to_be_visible()
    expect(box).to_be_focused()
    expect(box).to_have_value(WITH_NUMBER)  # nothing typed is lost when the page runs again
    expect(page.get_by_text("Press Ctrl+Enter to apply")).to_be_hidden()  # no keyboard shortcut on a phone
    shoot(page, "peer-capture-flagged")
    for _ in range(len(WITH_NUMBER) - len(TOLD)):  # take the number out, as a thumb would
        page.keyboard.press("Backspace")
    expect(page.get_by_text("Checked: no names, phone numbers", exact=False)).to_be_visible()
    expect(page.locator("mark")).to_have_count(0)
    expect(box).to_have_value(TOLD)
    blur(page)

    page.get_by_text(STANDARD, exact=True).click()
    settle(page)
    page.get_by_text("Yes, it is happening").click()
    settle(page)
    card = page.get_by_role("group", name="Their reference").inner_text()
    reference = "-".join(re.findall(r"\b[A-Z]{4}\b", card))
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}-[A-Z]{4}", reference), card
    page.get_by_label("Hours you spent on this story", exact=False).fill("1.5")
    page.get_by_label("Your group, as it should appear on the report").fill("Northshire Peer Interviewers")
    blur(page)
    shoot(page, "peer-capture-filled")
    page.get_by_role("button", name="Save the story").click()
    settle(page)
    saved = page.get_by_text("Saved as story C1 of Northgate Recovery Partnership, 2026-Q2")
    expect(saved.first).to_be_visible()
    expect(page.get_by_test_id("stToast")).to_contain_text("Saved as story C1")  # seen at the foot of the page too
    expect(page.get_by_text(reference, exact=False).first).to_be_visible()
    # ready for the next person: nothing of this story left on the form, and a new reference
    expect(page.get_by_role("radio", name="Someone using the service")).not_to_be_checked()
    expect(page.get_by_role("radio", name="Yes, they agreed")).not_to_be_checked()
    assert reference.replace("-", "") not in page.get_by_role("group", name="Their reference").inner_text().replace(
        " ", ""
    )
    shoot(page, "peer-capture-saved")
    phone.close()

    desk = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = desk.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    sign_in(page, app, "auditor")
    page.get_by_role("link", name="Review stories", exact=True).click()
    settle(page)
    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name="2026-Q2").click()
    settle(page)
    expect(page.get_by_text("Story C1", exact=False)).to_be_visible()
    expect(page.get_by_text(TOLD)).to_be_visible()

    provider_page(page)
    expect(page.get_by_text("2 people using the service").first).to_be_visible()  # S1 and C1: the auditor's exact view
    html = page.content()
    assert TOLD in html  # in people's words, under its standard
    text = pdf_text(page)
    section = text[text.index(f"{STANDARD} Standard peer-workforce") :]
    section = (
        section[: section.index("A warm welcome within days Standard")]
        if "A warm welcome within days Standard" in section
        else section
    )
    assert TOLD in section  # printed beside its standard
    assert (
        "Voices heard on this standard: * people using the service (not shown: it would reveal fewer than 5 people)"
        in text
    )

    page.get_by_role("link", name="Take a story back", exact=True).click()
    settle(page)
    page.get_by_label("Their reference").fill(reference.lower().replace("-", " "))
    blur(page)
    expect(page.get_by_text("told story C1", exact=False)).to_be_visible()
    page.get_by_text("They want their story taken back", exact=False).click()
    settle(page)
    page.get_by_role("button", name="Take the story back for good").click()
    settle(page)
    expect(page.get_by_text("Withdrawn for good", exact=False)).to_be_visible()
    shoot(page, "peer-withdrawn")

    provider_page(page)
    assert TOLD not in page.content()
    assert TOLD not in pdf_text(page)
    desk.close()
