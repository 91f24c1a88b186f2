"""The standard page's charts in Chromium on a phone: no Plotly toolbar over a title, every
title inside its chart, and each chart with its accessible name and its sentence in words."""

from __future__ import annotations

import pytest

from support import dashboard_store
from support.browser import settle, shoot

pytestmark = pytest.mark.browser


def test_charts_on_a_phone_keep_their_titles_clear_and_say_what_they_show(browser, app_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(app_url + "/standard?standard=warm-welcome&provider=P001")
        settle(page)
        page.get_by_label("Username", exact=True).fill("expert")
        page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        settle(page)
        charts = page.get_by_test_id("stPlotlyChart")
        expect(charts.first).to_be_visible()
        expect(charts.first.locator(".main-svg").first).to_be_visible()
        assert charts.count() >= 2
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            expect(chart.locator(".gtitle").first).to_be_visible()
            assert chart.locator(".modebar").count() == 0  # no toolbar to cover the title
            box, title = chart.bounding_box(), chart.locator(".gtitle").first.bounding_box()
            assert box["x"] <= title["x"] and title["x"] + title["width"] <= box["x"] + box["width"] + 1
            assert title["y"] >= box["y"] - 1  # not cut off at the top
            # an accessible name, and the sentence in words printed under the chart
            named = chart.get_attribute("aria-label") or ""
            assert chart.get_attribute("role") == "figure" and named.startswith(("Funnel plot of", "People")), named
        expect(page.get_by_text("The bands drawn: Met at 90% or more").first).to_be_visible()
        shoot(page, "phone-charts")
    finally:
        context.close()
