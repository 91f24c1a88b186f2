"""The rating colours: readable as text (WCAG AA) wherever they are used, and told apart."""

from __future__ import annotations

import pytest

from audits import ratings
from dashboard import look

WHITE = "#ffffff"
AA_TEXT = 4.5


contrast = look.contrast  # WCAG 2.x, the one formula (dashboard/look.py)


def test_the_formula_matches_known_ratios():
    assert contrast("#000000", WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the familiar AA grey


@pytest.mark.parametrize("rating", list(ratings.LOOKS))
def test_every_colour_passes_aa_as_text_on_white_and_on_its_own_tint(rating):
    look = ratings.look(rating)
    assert contrast(look.colour, WHITE) >= AA_TEXT, (rating, round(contrast(look.colour, WHITE), 2))
    assert contrast(look.colour, look.background) >= AA_TEXT, (rating, round(contrast(look.colour, look.background), 2))


def test_the_colours_and_tints_are_all_different():
    looks = list(ratings.LOOKS.values())
    assert len({look.colour for look in looks}) == len(looks)
    assert len({look.background for look in looks}) == len(looks)
    assert len({look.symbol for look in looks}) == len(looks)  # the symbol tells them apart without colour


@pytest.mark.parametrize("rating", list(ratings.LOOKS))
def test_the_dashboards_rating_cells_are_readable(rating):
    """The overview matrix and rating tables write each rating in its colour on its tint."""
    from dashboard import ui

    style = dict(part.strip().split(": ") for part in ui.cell_css(ratings.look(rating)).split(";") if part.strip())
    assert contrast(style["color"], style["background-color"]) >= AA_TEXT
