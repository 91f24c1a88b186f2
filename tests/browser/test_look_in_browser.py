"""Look and feel in Chromium: the contrast of every piece of text as drawn (WCAG AA, 4.5:1), a
focus outline you can see, a 390 px phone whose menu closes after choosing and whose tables
scroll inside their box, a computer in dark mode, and no internal ids on screen."""

from __future__ import annotations

import re

import pytest

from dashboard import look

from support import dashboard_store
from support.browser import PAGE_TIMEOUT_MS, settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

# Every element with text of its own: its colour, the opacity it is drawn at, and the backgrounds
# behind it (nearest first, up to the first opaque one).
TEXTS = """() => {
  const out = [];
  const root = document.querySelector('[data-testid=stApp]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el) || el.closest('svg, script, style')) continue;
    seen.add(el);
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('[aria-hidden=true]') && !el.closest('[role=region]')) continue;
    let opacity = 1, backgrounds = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      opacity *= parseFloat(s.opacity);
      const bg = s.backgroundColor;
      if (bg && bg !== 'transparent' && !bg.endsWith(', 0)')) {
        backgrounds.push(bg);
        if (!bg.startsWith('rgba')) break;
      }
    }
    out.push({text: node.textContent.trim().slice(0, 60), colour: style.color, opacity, backgrounds,
              testid: (el.closest('[data-testid]') || {}).dataset?.testid || ''});
  }
  return out;
}"""

RUN_ID = re.compile(r"run-\d{8}-\d{6}-[0-9a-f]{6}")


def _contrast_failures(page) -> list[tuple[str, str, float]]:
    failures = []
    for item in page.evaluate(TEXTS):
        background = (255, 255, 255, 1.0)  # the page behind everything
        for layer in reversed(item["backgrounds"]):
            background = look.over(layer, background)
        r, g, b, a = look.rgb(item["colour"])
        ratio = look.contrast((r, g, b, a * item["opacity"]), background)
        if ratio < look.AA_TEXT:
            failures.append((item["testid"], item["text"], round(ratio, 2)))
    return failures


def _visit(page, app_url: str, link: str | None, name: str) -> None:
    if link:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
        settle(page)
    shoot(page, name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_as_drawn_reaches_aa_and_no_run_id_shows(browser, app_url, scheme):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page.goto(app_url)
        settle(page)
        failures = {"sign in": _contrast_failures(page)}
        shoot(page, f"{scheme}-sign-in")
        sign_in(page, app_url, "commissioner")
        for link in (None, "A standard", "A provider", "Readiness", "Action plans"):
            _visit(page, app_url, link, f"{scheme}-{(link or 'overview').lower().replace(' ', '-')}")
            failures[link or "Overview"] = _contrast_failures(page)
            assert not RUN_ID.search(page.inner_text("body")), link
        assert not any(failures.values()), {k: v for k, v in failures.items() if v}
    finally:
        context.close()


def test_no_run_id_on_the_auditors_pages(page, app_url):
    sign_in(page, app_url, "auditor")
    for link in ("Run the audit", "Share the draft", "Sign off", "Publish", "Review stories"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
        settle(page)
        assert not RUN_ID.search(page.inner_text("body")), link
        assert not _contrast_failures(page), (link, _contrast_failures(page))


def test_the_keyboards_focus_is_plainly_outlined(page, app_url):
    sign_in(page, app_url, "commissioner")
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="A standard", exact=True)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert outline[0] == "solid" and float(outline[1].rstrip("px")) >= 3, outline
    assert look.contrast(outline[2], "#ffffff") >= look.AA_NON_TEXT
    shoot(page, "focus")


def test_a_phone_menu_closes_after_choosing_and_nothing_spills_sideways(browser, app_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page.goto(app_url)
        settle(page)
        page.get_by_label("Username", exact=True).fill("commissioner")
        page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        settle(page)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        shoot(page, "phone-overview")
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        shoot(page, "phone-menu")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="A standard", exact=True).click()
        settle(page)
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        expect(page.get_by_role("heading", name="A standard", exact=True)).to_be_visible()
        wide = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollWidth")
        assert wide <= 390, wide  # the page itself never scrolls sideways: wide tables scroll in their box
        shoot(page, "phone-standard")
        page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="A provider", exact=True).click()
        settle(page)
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        assert page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollWidth") <= 390
        shoot(page, "phone-provider")
        # the link of the page already shown: no new page comes, and the menu still closes
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="A provider", exact=True).click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        expect(page.get_by_role("heading", name="A provider", exact=True)).to_be_visible()
    finally:
        context.close()


def test_the_sign_in_page_fits_a_phone(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(app_url)
        settle(page)
        expect(page.get_by_label("Username", exact=True)).to_be_visible()
        page.get_by_label("Username", exact=True).fill("commissioner")
        page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
        shoot(page, "phone-sign-in")
    finally:
        context.close()
