"""The standards workshop in a real browser, as expert citizens use it (issue 13, Done when):
a new standard with two measures, a voice and thresholds made entirely through forms, its
preview, a draft saved, approved by a second expert citizen, and used by the next audit run.
Also: nothing is lost between the form and the YAML, leaving with unsaved changes asks first,
and the same steps on a phone."""

from __future__ import annotations

import pytest

from audits import runs, store

from support import dashboard_store
from support.browser import PAGE_TIMEOUT_MS, settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

TITLE = "People can walk in without an appointment"
NEW_ID = "people-can-walk-in-without-an-appointment"


def choose(page, scope, label: str, option: str) -> None:
    """Pick an option of a menu; a rerun that lands as the menu opens closes it, so try again."""
    for attempt in range(3):
        scope.get_by_role("combobox", name=label, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=4000)
            break
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            settle(page)
    settle(page)


def one(locator):
    """The element once a rerun has replaced the old one (a redrawn widget is briefly there twice)."""
    expect(locator).to_have_count(1)
    return locator


def type_into(page, scope, label: str, text: str) -> None:
    box = one(scope.get_by_label(label, exact=True))
    box.fill(text)
    box.press("Tab")
    settle(page)


def open_workshop(page, phone: bool = False) -> None:
    if phone:
        page.locator("[data-testid=stExpandSidebarButton]").click()
    page.get_by_role("link", name="Standards workshop").click()
    settle(page)
    if phone and page.locator("[data-testid=stSidebarCollapseButton]").is_visible():
        page.locator("[data-testid=stSidebarCollapseButton] button").click()
    expect(page.get_by_role("heading", name="Standards workshop")).to_be_visible()


def start_new(page, title: str) -> None:
    page.get_by_text("Start a new standard").click()
    type_into(page, page, "Title of the new standard", title)
    page.get_by_role("button", name="Start", exact=True).click()
    settle(page)
    expect(page.get_by_text("is ready to fill in")).to_be_visible()


def fill_first_measure(page) -> None:
    first = page.locator(".st-key-ws_measure_0")
    type_into(page, first, "What is measured, in a few plain words", "Sites where people can walk in")
    choose(page, first, "Who or what is counted", "Sites")
    choose(page, first, "About", "People can be seen without an appointment")
    type_into(page, first, "Met when the figure is: number", "75")
    type_into(page, first, "Partly met when the figure is: number", "50")
    type_into(page, first, "Too few to tell with fewer than this many sites", "1")
    expect(first.get_by_role("note")).to_contain_text(
        "Of all sites, the share where people can be seen without an appointment. Met at 75% or more, "
        "partly met at 50% or more, otherwise not met. Too few to tell with no sites."
    )


def test_expert_citizens_make_a_standard_in_forms_and_approve_it_as_a_group(page, app_url, app_files):
    db, standards = app_files
    sign_in(page, app_url, "expert")
    open_workshop(page)
    shoot(page, "workshop-open")
    start_new(page, TITLE)
    type_into(
        page, page, "What good looks like", "At most sites, people can be seen the same day without an appointment."
    )
    type_into(
        page,
        page,
        "Why it matters",
        "Fixed appointments are a barrier for people juggling other appointments and costs.",
    )
    page.get_by_role("button", name="Add a voice").click()
    settle(page)
    voice = page.locator(".st-key-ws_voices_0")
    type_into(
        page,
        voice,
        "The words, exactly as they were said or written",
        "Too many barriers to appointments - the times and (physically) getting there. Services need to be more flexible!",
    )
    type_into(page, voice, "Where they come from: the group and the year", "Expert Link National Advisory Panel, 2020")
    fill_first_measure(page)
    page.get_by_role("button", name="Add a measure").click()
    settle(page)
    second = page.locator(".st-key-ws_measure_1")
    type_into(page, second, "What is measured, in a few plain words", "People offered a choice of how to take part")
    choose(page, second, "About", "Offered a peer supporter or navigator")
    type_into(page, second, "Met when the figure is: number", "80")
    expect(second.get_by_role("note")).to_contain_text(
        "Of everyone in treatment at any time in the quarter, the share offered a peer supporter or navigator. "
        "Met at 80% or more"
    )
    expect(page.get_by_text("This standard is not in the latest audit")).to_be_visible()
    shoot(page, "workshop-new-standard")
    type_into(page, page, "What changed, in a few words (optional)", "A new standard on walking in")
    page.get_by_role("button", name="Save as a draft").click()
    settle(page)
    expect(page.get_by_text(f"Saved “{TITLE}” as draft version 1")).to_be_visible()
    page.get_by_role("tab", name="Approve").click()
    settle(page)
    expect(
        page.get_by_text("A new standard: “People can walk in without an appointment”, with 2 measures.")
    ).to_be_visible()
    page.get_by_role("button", name="I approve this version").click()
    settle(page)
    expect(page.get_by_text("Waiting for 1 more expert citizen").first).to_be_visible()
    shoot(page, "workshop-first-approval")
    assert (standards / "drafts" / f"{NEW_ID}.yaml").exists() and not (standards / f"{NEW_ID}.yaml").exists()

    page.get_by_role("button", name="Sign out").click()
    settle(page)
    sign_in(page, app_url, "expert2")
    open_workshop(page)
    choose(page, page, "Standard", TITLE)
    page.get_by_role("tab", name="Approve").click()
    settle(page)
    expect(page.get_by_text("approved by Test expert.")).to_be_visible()
    page.get_by_role("button", name="I approve this version").click()
    settle(page)
    expect(page.get_by_text("is approved by Test expert and Test expert2")).to_be_visible()
    shoot(page, "workshop-approved")
    page.get_by_role("tab", name="Versions and ratings").click()
    settle(page)
    expect(page.get_by_text("A new standard on walking in")).to_be_visible()
    shoot(page, "workshop-versions")

    run_id = runs.run_audit(db, "2026-Q2", standards, run_by="test")  # the next audit run
    with store.reading(db) as con:
        audited = {s.id: s for s in runs.run_standards(con, run_id)}
    assert audited[NEW_ID].version == 1 and len(audited[NEW_ID].measures) == 2
    assert audited[NEW_ID].approved_by == "2 members of the expert citizens group, in the standards workshop"


def test_nothing_is_lost_between_the_form_and_the_yaml_and_leaving_asks_first(page, app_url):
    sign_in(page, app_url, "expert")
    open_workshop(page)
    choose(page, page, "Standard", "A warm welcome within days")
    first = page.locator(".st-key-ws_measure_0")
    type_into(page, first, "Met when the figure is: number", "85")
    page.get_by_text("Advanced: the standard as a text file (YAML)").click()
    settle(page)
    yaml = page.locator(".st-key-ws_yaml textarea")
    assert 'green: ">= 85%"' in yaml.input_value()  # the form's change is in the YAML
    yaml.fill(yaml.input_value().replace("title: A warm welcome within days", "title: A warm welcome, quickly"))
    yaml.press("Tab")
    settle(page)
    expect(one(page.get_by_label("Title", exact=True))).to_have_value("A warm welcome, quickly")
    expect(one(first.get_by_label("Met when the figure is: number", exact=True))).to_have_value(
        "85"
    )  # and the form's is kept
    shoot(page, "workshop-yaml")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)  # as when the tab is closed: the browser asks first
    for _ in range(20):
        if asked:
            break
        page.wait_for_timeout(250)
    assert asked == ["beforeunload"] and not page.is_closed()


def test_the_workshop_on_a_phone(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page.goto(app_url)
        settle(page)
        page.get_by_label("Username", exact=True).fill("expert")
        page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        settle(page)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()  # the menu is folded away on a phone
        open_workshop(page, phone=True)
        start_new(page, "Drop-in on a phone")
        fill_first_measure(page)
        type_into(page, page, "What good looks like", "People can be seen the same day.")
        type_into(page, page, "Why it matters", "Appointments are a barrier.")
        expect(page.get_by_text("This standard is not in the latest audit")).to_be_visible()
        shoot(page, "workshop-phone")
        page.get_by_role("button", name="Save as a draft").click()
        settle(page)
        expect(page.get_by_text("Saved “Drop-in on a phone” as draft version 1")).to_be_visible()
    finally:
        context.close()
