"""How the dashboard looks beyond Streamlit's theme: readable small text, focus you can see,
and a phone layout that works.

The theme itself (a light base and an NHS-blue accent, far in hue from the red of "✖ Not met")
is `.streamlit/config.toml`'s [theme]. What the theme cannot set is injected here, once per run,
as one style sheet: captions and quotes at full strength (Streamlit draws them at 60% of the
text colour, 3.9:1 on white, under WCAG AA's 4.5:1), a thick outline around whatever has the
keyboard's focus, and the rules that keep a 390 px phone usable. Colours that must hold in any
theme are mixed from the text colour in use (currentColor), so a person who switches
Streamlit to its dark theme can still read them. tests/test_look.py computes the contrast of
every text style from the theme and this sheet; tests/browser/test_look_in_browser.py measures it again
in Chromium on the pages as drawn.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import streamlit as st

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"

AA_TEXT = 4.5  # WCAG 2.2 AA for text
AA_NON_TEXT = 3.0  # ... for focus outlines and other parts of controls

CAPTION_STRENGTH = 80  # % of the text colour a caption or a quote's teller is drawn at
FOCUS = "#003087"  # NHS dark blue: the focus outline, 10:1 on white
PHONE = 640  # px: narrower than this is a phone
DISABLED_TEXT, DISABLED_BACKGROUND = "#4b4f5c", "#e6e9ee"  # a control that cannot be used yet

CSS = f"""<style>
/* small text at a strength people can read (WCAG AA), in any theme */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] small, [data-testid="stTooltipHoverTarget"] + small {{
  color: color-mix(in srgb, currentColor {CAPTION_STRENGTH}%, transparent);
}}
[data-testid="stCaptionContainer"] {{ color: inherit; opacity: 1; }}
[data-testid="stMarkdownContainer"] blockquote {{ color: inherit; opacity: 1; }}
[data-testid="stMarkdownContainer"] blockquote p {{ color: inherit; opacity: 1; }}

/* a control that cannot be used yet still says what it is, legibly: grey and dashed, not faded */
button:disabled, button:disabled * {{
  color: {DISABLED_TEXT} !important; background-color: {DISABLED_BACKGROUND} !important; opacity: 1 !important;
}}
button:disabled {{ border: 1px dashed {DISABLED_TEXT} !important; cursor: not-allowed; }}

/* the keyboard's focus, plainly visible on links, page links, buttons and fields */
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, [role="link"]:focus-visible,
[role="tab"]:focus-visible, [role="region"]:focus-visible, summary:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible, [data-testid="stPageLink-NavLink"]:focus-visible,
input:focus-visible, textarea:focus-visible, [role="combobox"]:focus-visible {{
  outline: 3px solid {FOCUS} !important; outline-offset: 2px !important; border-radius: 4px;
}}

/* a phone: tables scroll sideways inside their own box, charts keep their title clear */
@media (max-width: {PHONE}px) {{
  [data-testid="stTable"], [data-testid="stMarkdownContainer"] table {{ display: block; overflow-x: auto; }}
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none; }}
  [data-testid="stMainBlockContainer"] {{ padding-left: 1rem; padding-right: 1rem; }}
}}
</style>"""


def apply() -> None:
    """Inject the style sheet (a style-only st.html takes no room on the page)."""
    st.html(CSS)


# The menu closed if it is open over the page on a phone (a function of the window's, so that
# both scripts below use one definition).
_CLOSER = """window.lsCloseMenu = window.lsCloseMenu || function () {{
  if (!window.matchMedia('(max-width: {phone}px)').matches) return;
  const bar = document.querySelector('[data-testid=stSidebar]');
  const close = document.querySelector('[data-testid=stSidebarCollapseButton] button')
    || document.querySelector('[data-testid=stSidebar] button[aria-label="Collapse sidebar"]');
  if (bar && bar.getAttribute('data-collapsed') === 'false' && close) close.click();
}};"""

_CLOSE_MENU = "<script>\n/* {page} */\n" + _CLOSER + "\nwindow.lsCloseMenu();\n</script>"

# A tap on the link of the page already shown starts no new page, so the script above never
# comes: the menu would stay open over the page. This listener (once a window) closes it on any
# tap of a menu link, after the link has done its work.
_MENU_TAPS = (
    "<script>\n"
    + _CLOSER
    + """
if (!window.lsMenuTaps) {{
  window.lsMenuTaps = true;
  document.addEventListener('click', (event) => {{
    if (event.target.closest('[data-testid=stSidebarNav] a')) setTimeout(window.lsCloseMenu, 0);
  }});
}}
</script>"""
)


def close_menu_on_phone(page: str) -> None:
    """On a phone the menu covers the page: close it once a page has been chosen from it, the
    page already shown included. The page-change script is sent only when the page changes (its
    name in the script makes it new, so it runs); the tap listener on every run (unchanged, it
    is not run again)."""
    with st.sidebar:
        st.html(_MENU_TAPS.format(phone=PHONE), unsafe_allow_javascript=True)
    if st.session_state.get("_look_page") == page:
        return
    first = "_look_page" not in st.session_state
    st.session_state["_look_page"] = page
    if not first:
        with st.sidebar:
            st.html(_CLOSE_MENU.format(page=page.replace("*", ""), phone=PHONE), unsafe_allow_javascript=True)


# --------------------------------------------------------------------------- contrast (WCAG 2.x)


def theme() -> dict[str, str]:
    """The [theme] of .streamlit/config.toml."""
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"]


def rgb(colour: str) -> tuple[float, float, float, float]:
    """'#rrggbb', '#rgb', 'rgb(r, g, b)', 'rgba(r, g, b, a)' or 'color(srgb r g b / a)' as red,
    green, blue (0-255) and alpha."""
    colour = colour.strip().lower()
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        values = [int(digits[i : i + 2], 16) for i in (0, 2, 4)]
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (*values, alpha)
    inside = colour[colour.index("(") + 1 : colour.rindex(")")].replace("/", ",").replace(" ", ",")
    parts = [p for p in inside.split(",") if p]
    if colour.startswith("color(srgb"):  # what browsers compute for color-mix(): channels 0-1
        parts = [str(float(p) * 255) for p in parts[1:4]] + parts[4:]
    alpha = float(parts[3].rstrip("%")) / (100 if parts[3].endswith("%") else 1) if len(parts) > 3 else 1.0
    return (float(parts[0]), float(parts[1]), float(parts[2]), alpha)


def over(top: str | tuple, bottom: str | tuple) -> tuple[float, float, float, float]:
    """A colour (perhaps see-through) laid over another, as the eye sees it."""
    t = rgb(top) if isinstance(top, str) else top
    b = rgb(bottom) if isinstance(bottom, str) else bottom
    a = t[3]
    return (t[0] * a + b[0] * (1 - a), t[1] * a + b[1] * (1 - a), t[2] * a + b[2] * (1 - a), 1.0)


def mix(colour: str, percent: float) -> tuple[float, float, float, float]:
    """color-mix(in srgb, colour percent%, transparent)."""
    r, g, b, a = rgb(colour)
    return (r, g, b, a * percent / 100)


def luminance(colour: str | tuple) -> float:
    """WCAG 2.x relative luminance of an opaque sRGB colour."""
    r, g, b, _ = rgb(colour) if isinstance(colour, str) else colour
    lin = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(text: str | tuple, background: str | tuple) -> float:
    """The contrast ratio of text on a background, the text laid over it first if see-through."""
    text = over(text, background)
    light, dark = sorted((luminance(text), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
