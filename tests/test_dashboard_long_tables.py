"""The long tables of the standard page, the readiness board, the workshop's preview, peer work
and the action plans (dashboard.ui.table): beyond ui.HTML_TABLE_ROWS rows they are one static
HTML table (dashboard.html_table) instead of st.table, for the browser's sake. The same page at
the same tier must show the same words, figures and ratings either way: each page is drawn twice,
once as st.table and once with every named table as HTML, and the two read back alike."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from audits import stats, words
from dashboard import ui

from support.apptest import ACCOUNTS, APP, frames, html_tables, no_exception, read_as_shown, widget, workshop_at

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow

PAGES = [
    ("expert_citizen", "dashboard/standard.py", {"standard_id": "warm-welcome"}),
    ("auditor", "dashboard/standard.py", {"standard_id": "warm-welcome"}),
    ("provider", "dashboard/standard.py", {"standard_id": "warm-welcome"}),
    ("expert_citizen", "dashboard/readiness.py", {}),
    ("commissioner", "dashboard/readiness.py", {}),
    ("provider", "dashboard/readiness.py", {}),
]
RATED = ("Rating", "Now", "With this change")


def page(role: str, path: str, state: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["account"] = ACCOUNTS[role]
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(path).run()
    no_exception(at)
    return at


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A st.table's frame as a person reads it: Markdown escapes out, blanks for missing."""
    return frame.map(lambda v: "" if stats.is_missing(v) else read_as_shown(str(v)).strip()).reset_index(drop=True)


@pytest.mark.parametrize(("role", "path", "state"), PAGES, ids=[f"{r}-{p.split('/')[-1]}" for r, p, _ in PAGES])
def test_a_long_table_as_html_reads_as_its_st_table_did(shared_env, monkeypatch, role, path, state):
    first = page(role, path, state)
    before = [as_read(f) for f in frames(first)]
    static = html_tables(first)  # drawn as HTML at any length (ui.table's static: the breakdowns)
    monkeypatch.setattr(ui, "HTML_TABLE_ROWS", 0)  # every named table drawn as a long one
    at = page(role, path, state)
    drawn = html_tables(at)
    assert all(drawn[name].equals(table) for name, table in static.items())
    after = {name: table for name, table in drawn.items() if name not in static}
    assert after, "no table was drawn as HTML"
    left = [f for f in frames(at)]
    assert len(before) == len(left) + len(after)  # every table is drawn once, one way or the other
    for name, table in after.items():
        assert name, "a static table has a caption a screen reader says"
        assert set(table.attrs["scopes"]) == {"col"}
        match = [b for b in before if list(b.columns) == list(table.columns) and b.equals(table)]
        assert match, f"{name!r} does not read as any st.table of the page before:\n{table}"
        tinted(table)


def tinted(table: pd.DataFrame) -> None:
    """Every rating in a rated column is tinted by its class (symbol + word + colour as before);
    nothing else in the table is."""
    for at_column, column in enumerate(table.columns):
        for row, text in enumerate(table[column]):
            key, uncertain = words.rating_key(text)
            cls = table.attrs["classes"][row][at_column] or ""
            if key is not None and column in RATED:
                assert f"ls-r-{key}" in cls and (("ls-u" in cls) == uncertain), (text, cls)
            else:
                assert "ls-r-" not in cls, (column, text, cls)


def test_the_workshops_preview_as_html_reads_as_its_st_table_did(env, monkeypatch):
    def preview() -> AppTest:
        at = workshop_at()
        widget(at.number_input, "Met when the figure is: number").set_value(10.0).run()
        widget(at.number_input, "Partly met when the figure is: number").set_value(5.0).run()
        no_exception(at)
        return at

    [before] = [as_read(f) for f in frames(preview()) if "With this change" in f.columns]
    monkeypatch.setattr(ui, "HTML_TABLE_ROWS", 0)
    at = preview()
    assert not [f for f in frames(at) if "With this change" in f.columns]
    after = html_tables(at)["Each provider's rating with this change"]
    assert before.equals(after), (before, after)
    assert "ls-r-" in " ".join(c or "" for row in after.attrs["classes"] for c in row)
    tinted(after)


def test_a_provider_sees_only_its_own_row_of_the_board_as_html(shared_env, monkeypatch):
    monkeypatch.setattr(ui, "HTML_TABLE_ROWS", 0)
    at = page("provider", "dashboard/readiness.py", {})
    [board] = html_tables(at).values()
    assert len(board) == 1 and board.iloc[0, 0].endswith("(P001)")
