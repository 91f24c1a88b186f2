"""dashboard.chart_code in Chromium: on the sign-in page, while the person types, the browser fetches
Plotly's code and runs it, drawing nothing; once signed in it draws one tiny chart off screen, then
removes it; the first page with charts works as before, with the very module Streamlit's chart
element uses, fetched once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard import chart_code

from support import dashboard_store
from support.browser import settle, sign_in

pytestmark = pytest.mark.browser


def test_plotlys_code_is_fetched_on_the_sign_in_page_and_rehearsed_once_signed_in(page, app_url):
    fetched, errors = [], []
    page.on("request", lambda r: fetched.append(r.url) if "PlotlyChart." in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url)
    settle(page)
    # nothing signed in yet: the module is fetched and, once the page has been drawn for a moment,
    # run (while the person reads and types), but nothing is drawn before signing in
    page.wait_for_function("document.querySelector('link[rel=modulepreload][href*=PlotlyChart]')")
    page.wait_for_function("window.lsChartRun === true && typeof window.Plotly === 'object'")
    page.wait_for_timeout(1500)
    assert [u.rsplit("/", 1)[-1] for u in fetched] == [chart_code.module_name()]
    assert page.evaluate("window.lsChartCode") is True  # no rehearsal before signing in
    assert not page.locator(".js-plotly-plot").count()
    assert page.get_by_label("Username", exact=True).is_visible()  # the sign-in page as it was

    page.get_by_label("Username", exact=True).fill("auditor")
    page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    expect(page.get_by_text("Sign out")).to_be_visible()
    # signed in, the page drawn: the module runs and the tiny chart is drawn off screen and removed
    page.wait_for_function("window.lsChartCode === 'rehearsed'")
    gone = "() => !document.querySelector('body > div[aria-hidden=true]') && !document.querySelector('.js-plotly-plot')"
    page.wait_for_function(gone)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="A standard", exact=True).click()
    settle(page)
    charts = page.locator("[data-testid=stPlotlyChart]")
    expect(charts.first).to_be_visible()
    expect(charts.first.locator(".main-svg").first).to_be_attached()
    # drawn by the same Plotly (one module instance), at the page's width, with every trace
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].map(
             g => ({traces: g.data.length, width: g._fullLayout.width, same: !!window.Plotly}))"""
    )
    assert drawn and all(d["traces"] > 0 and d["width"] > 500 and d["same"] for d in drawn), drawn
    assert [u.rsplit("/", 1)[-1] for u in fetched] == [chart_code.module_name()]  # fetched once
    assert errors == []


def test_a_click_on_a_standards_page_at_once_after_signing_in_runs_the_module_and_draws(page, app_url):
    """A person who opens a standard's page as soon as they are signed in: the module has run (on
    the sign-in page, or at the latest at the click, while the server builds the page); the charts
    draw with that one module, fetched once, no rehearsal follows (the page's own charts did that
    work), and nothing fails."""
    fetched, errors = [], []
    page.on("request", lambda r: fetched.append(r.url) if "PlotlyChart." in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url)
    settle(page)
    page.get_by_label("Username", exact=True).fill("commissioner")
    page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="A standard", exact=True)
    link.click()
    page.wait_for_function("window.lsChartRun === true")
    settle(page)
    charts = page.locator("[data-testid=stPlotlyChart]")
    expect(charts.first.locator(".main-svg").first).to_be_attached()
    assert page.evaluate("typeof window.Plotly") == "object"
    page.wait_for_timeout(1500)  # the page drawn for longer than the rehearsal would wait
    assert page.evaluate("window.lsChartCode") is True  # no rehearsal: the page's charts did that work
    assert [u.rsplit("/", 1)[-1] for u in fetched] == [chart_code.module_name()]  # fetched once
    assert errors == []


def test_a_session_on_the_guide_runs_the_select_box_code_before_its_first_overview(browser, app_url):
    """A session signed in by its cookie, opened on the Guide (no select box on it): once the page
    has been drawn for a moment the select box's code is fetched and run, so the first overview
    (two select boxes) fetches no element code at its click, and draws its choices."""
    first = browser.new_context()
    page = first.new_page()
    sign_in(page, app_url, "commissioner")
    cookies = [c for c in first.cookies() if c["name"] == "ls_session"]
    first.close()
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    fetched, errors = [], []
    page.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]) if "/static/js/" in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url + "/guide")
    settle(page)
    (name,) = chart_code.element_names()
    page.wait_for_function(f"performance.getEntriesByType('resource').some(e => e.name.endsWith('{name}'))")
    page.wait_for_timeout(1000)
    assert fetched.count(name) == 1
    before = len(fetched)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Overview", exact=True).click()
    settle(page)
    expect(page.get_by_test_id("stSelectbox").first).to_be_visible()
    assert fetched[before:] == []  # nothing more to fetch at the click: every element's code is there
    assert errors == []
    context.close()


def test_a_person_who_starts_on_the_form_first_is_not_held_up_the_module_waits_for_signing_in(page, app_url):
    """The module arrives only once the person is typing (held back here): it is not run on the
    sign-in page then (it would hold up their typing, or the first page after a quick press of Sign
    in), but once signed in, as before; fetched once, nothing fails."""
    held, fetched, errors = [], [], []
    page.route("**/PlotlyChart.*.js", lambda route: held.append(route))
    page.on("request", lambda r: fetched.append(r.url) if "PlotlyChart." in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url)
    settle(page)
    page.get_by_label("Username", exact=True).fill("auditor")
    page.wait_for_function("document.querySelector('link[rel=modulepreload][href*=PlotlyChart]')")
    assert held, "the module's fetch was not seen"
    held[0].continue_()
    page.wait_for_timeout(1500)
    assert page.evaluate("[window.lsChartRun, typeof window.Plotly]") == [None, "undefined"]
    page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    page.wait_for_function("window.lsChartRun === true && typeof window.Plotly === 'object'")
    assert [u.rsplit("/", 1)[-1] for u in fetched] == [chart_code.module_name()]  # fetched once
    assert errors == []
