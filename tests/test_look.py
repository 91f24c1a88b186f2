"""Contrast of every text style the dashboard draws, computed from the theme in
.streamlit/config.toml and the style sheets the app injects (dashboard/look.py, the matrix's in
dashboard/ui.py): WCAG AA, 4.5:1 for text, 3:1 for focus outlines. The same is measured on the
pages as drawn in Chromium by tests/browser/test_look_in_browser.py."""

from __future__ import annotations

import colorsys
import re

import pytest

from audits import ratings
from dashboard import look, ui

THEME = look.theme()
BACKGROUNDS = {"page": THEME["backgroundColor"], "sidebar and boxes": THEME["secondaryBackgroundColor"]}
# Streamlit's own dark theme, which a person can still choose in its settings menu
DARK = {"text": "#fafafa", "page": "#0e1117", "sidebar and boxes": "#262730"}


def test_the_formula_matches_known_ratios():
    assert look.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert look.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the familiar AA grey
    half = look.contrast("rgba(0, 0, 0, 0.5)", "#ffffff")  # black at half strength: grey 127.5
    assert look.contrast("#808080", "#fff") < half < look.contrast("#7f7f7f", "#fff")


def test_streamlits_own_faded_captions_would_fail_which_is_why_the_sheet_overrides_them():
    """Streamlit draws captions at 60% of its default text colour: under 4.5:1 on white."""
    assert look.contrast(look.mix("#31333f", 60), "#ffffff") < look.AA_TEXT
    assert "color-mix(in srgb, currentColor 80%, transparent)" in look.CSS


def test_the_theme_is_light_with_a_blue_accent_far_from_the_red_of_not_met():
    assert THEME["base"] == "light"
    accent_hue = colorsys.rgb_to_hsv(*[c / 255 for c in look.rgb(THEME["primaryColor"])[:3]])[0] * 360
    red_hue = colorsys.rgb_to_hsv(*[c / 255 for c in look.rgb(ratings.look("red").colour)[:3]])[0] * 360
    distance = min(abs(accent_hue - red_hue), 360 - abs(accent_hue - red_hue))
    assert 190 <= accent_hue <= 240, accent_hue  # a blue
    assert distance >= 120, distance


@pytest.mark.parametrize("where", list(BACKGROUNDS))
def test_every_text_style_of_the_theme_and_the_sheet_reaches_aa(where):
    background = BACKGROUNDS[where]
    text = THEME["textColor"]
    styles = {
        "body text and quotes (full strength)": text,
        "captions and a quote's teller": look.mix(text, look.CAPTION_STRENGTH),
        "links": THEME["linkColor"],
        "the accent as text (chosen tabs, page links)": THEME["primaryColor"],
    }
    for style, colour in styles.items():
        ratio = look.contrast(colour, background)
        assert ratio >= look.AA_TEXT, (style, where, round(ratio, 2))


def test_a_primary_buttons_label_reaches_aa_and_so_does_a_disabled_ones():
    assert look.contrast("#ffffff", THEME["primaryColor"]) >= look.AA_TEXT
    assert look.contrast(look.DISABLED_TEXT, look.DISABLED_BACKGROUND) >= look.AA_TEXT


@pytest.mark.parametrize("where", list(BACKGROUNDS))
def test_the_focus_outline_stands_out(where):
    assert look.contrast(look.FOCUS, BACKGROUNDS[where]) >= look.AA_NON_TEXT
    assert look.contrast(look.FOCUS, THEME["primaryColor"]) >= 1.5  # told apart from a blue button it circles


@pytest.mark.parametrize("where", ["page", "sidebar and boxes"])
def test_captions_stay_readable_if_a_person_switches_to_streamlits_dark_theme(where):
    assert look.contrast(look.mix(DARK["text"], look.CAPTION_STRENGTH), DARK[where]) >= look.AA_TEXT


def test_the_matrix_sheet_sets_its_own_colours_and_they_reach_aa():
    """The matrix is plain HTML: it fixes its text and backgrounds, so a dark theme cannot
    leave light text on its light header."""
    colours = dict(re.findall(r"(?<![-\w])(color|background):\s*(#[0-9a-f]{6})", ui.MATRIX_CSS))
    assert colours["color"] == "#1e2230"
    header = re.search(r"\.ls-matrix thead th \{[^}]*background: (#[0-9a-f]{6})", ui.MATRIX_CSS).group(1)
    for background in (colours["background"], header):
        assert look.contrast(colours["color"], background) >= look.AA_TEXT
    caption = re.search(r"color: (#[0-9a-f]{6}); font-size: 0.875rem", ui.rating_matrix_html(*_tiny())).group(1)
    assert look.contrast(caption, THEME["backgroundColor"]) >= look.AA_TEXT


def _tiny():
    import pandas as pd

    table = pd.DataFrame({"A standard": ["✔ Met"]}, index=pd.Index(["A provider"], name="Provider"))
    return table, "Ratings", "A caption"
