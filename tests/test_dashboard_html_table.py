"""dashboard/html_table.py: the overview's long tables as one static HTML table each (st.table drew
every cell through its Markdown component in the browser), every value escaped text, ratings still
symbol + word + colour (by class), headers with scope and a caption for screen readers."""

from __future__ import annotations

import pandas as pd

from audits import ratings, words
from dashboard import html_table, ui

from support.apptest import read_tables

HOSTILE = '<script>alert(1)</script> **NOT MET** [Sign in](http://evil.example) & "quotes"'


def _read(body: str) -> dict:
    tables = read_tables(body)
    assert len(tables) == 1
    return tables[0]


def test_every_value_is_escaped_text_and_ratings_are_tinted_by_class():
    frame = pd.DataFrame(
        {
            "Provider": [HOSTILE, "Riverside Together"],
            "Before": [words.rating("amber"), words.rating("green")],
            "Now": [words.rating("green", True), HOSTILE],
            "Count": ["3", None],
        }
    )
    body = html_table.table_html(frame, "Moves <of> the quarter", rated=("Before", "Now"))
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    table = _read(body)
    assert table["caption"] == "Moves <of> the quarter"  # read back as typed: escaped, not markup
    assert table["head"] == ["Provider", "Before", "Now", "Count"] and table["scopes"] == ["col"] * 4
    assert table["rows"] == [
        [HOSTILE, "◐ Partly met", f"✔ Met {words.UNCERTAIN}", "3"],
        ["Riverside Together", "✔ Met", HOSTILE, ""],
    ]
    # a rating's words are tinted by their class; anything else in a rated column is not
    assert table["classes"] == [[None, "ls-r-amber", "ls-r-green ls-u", None], [None, "ls-r-green", None, None]]
    assert 'role="region"' not in body  # short: no scrolling box of its own


def test_the_classes_draw_what_the_inline_styles_drew():
    css = html_table.rating_css()
    for look in [*ratings.LOOKS.values(), *ratings.RANGES.values()]:
        rule = f".ls-r-{look.rating} {{ background-color: {look.background}; color: {look.colour}; font-weight: 600; }}"
        assert rule in css
        assert ui.cell_css(look).startswith(
            f"background-color: {look.background}; color: {look.colour}; font-weight: 600"
        )
    # stripes and a dashed outline in the rating's own colour (the text's: currentColor), as ui.cell_css
    assert "repeating-linear-gradient(135deg, transparent 0 7px, rgba(255, 255, 255, 0.8) 7px 11px)" in css
    assert "outline: 2px dashed currentColor" in css


def test_a_long_table_scrolls_in_a_box_the_keyboard_reaches():
    frame = pd.DataFrame({"Provider": [f"P{i}" for i in range(html_table.LONG_ROWS + 1)]})
    body = html_table.table_html(frame, "Watch list")
    assert '<div class="ls-table-wrap ls-long" role="region" tabindex="0" aria-label="Watch list">' in body
    assert len(_read(body)["rows"]) == html_table.LONG_ROWS + 1
