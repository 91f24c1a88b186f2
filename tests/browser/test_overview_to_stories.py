"""The commissioner's 30-second read in Chromium: the overview's matrix fits a 1440 px screen
with no sideways scroll, and a cell opens that provider's stories of that standard, scrolled into
view, signed in all the way; the same on a 390 px phone (the matrix scrolls in its own box, the
page never does), in the light and the dark colour scheme of the computer."""

from __future__ import annotations

import pytest

from support import dashboard_store
from support.browser import settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

STORY = "Someone rang me back the next day & a peer met me at the door <the first time> anyone had."
CELL = ".ls-overview td a[href*='provider=P001'][href*='standard=warm-welcome']"


def _matrix(page):
    return page.get_by_role("region", name="Ratings of every provider against every standard", exact=False)


def _widths(page) -> dict:
    return page.evaluate(
        "() => { const w = document.querySelector('.ls-matrix-wrap');"
        " const main = document.querySelector('[data-testid=stMain]');"
        " return {matrix: w.scrollWidth, box: w.clientWidth, page: main.scrollWidth, window: window.innerWidth}; }"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overview_at_1440_fits_and_a_cell_lands_on_that_providers_stories(browser, app_url, scheme):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        sign_in(page, app_url, "commissioner")
        matrix = _matrix(page)
        expect(matrix).to_be_visible()
        # short labels to the eye, the full title for screen readers and on hover
        header = matrix.get_by_role("columnheader", name="A warm welcome within days")
        expect(header).to_be_visible()
        expect(header).to_have_attribute("title", "A warm welcome within days")
        expect(header.get_by_text("Warm welcome", exact=True)).to_be_visible()
        widths = _widths(page)
        assert widths["matrix"] <= widths["box"], widths  # no sideways scroll at 1440 px
        expect(page.get_by_text("Look closer")).to_have_count(0)  # the 19 links are gone: cells link
        shoot(page, f"overview-1440-{scheme}")

        cell = page.locator(CELL)
        expect(cell).to_contain_text("Met")
        with page.expect_navigation():  # a plain link: the page loads again, the session cookie keeps it signed in
            cell.click()
        settle(page)
        expect(page.get_by_text("Signed in as")).to_be_visible()
        assert "/standard?" in page.url and "provider=P001" in page.url and page.url.endswith("#stories-p001")
        expect(page.get_by_role("heading", name="A warm welcome within days", exact=True)).to_be_visible()
        heading = page.get_by_role("heading", name="Northgate Recovery Partnership (P001)")
        expect(heading).to_be_visible()
        story = page.get_by_text(STORY, exact=True)
        expect(story).to_be_visible()
        expect(story).to_be_in_viewport()  # the link scrolled to that provider's stories
        colour = story.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).opacity]")
        assert colour == ["rgb(30, 34, 48)", "1"], colour  # the text colour itself: full contrast
        shoot(page, f"landing-1440-{scheme}")
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overview_on_a_phone_scrolls_the_matrix_in_its_box_and_a_cell_still_lands(browser, app_url, scheme):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme=scheme
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(app_url)
        settle(page)
        page.get_by_label("Username", exact=True).fill("commissioner")
        page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        settle(page)
        expect(_matrix(page)).to_be_visible()
        widths = _widths(page)
        assert widths["page"] <= widths["window"], widths  # the page never scrolls sideways
        shoot(page, f"overview-390-{scheme}")
        with page.expect_navigation():
            page.locator(CELL).tap()
        settle(page)
        expect(page.get_by_text(STORY, exact=True)).to_be_in_viewport()
        shoot(page, f"landing-390-{scheme}")
    finally:
        context.close()
