"""Small display helpers shared by the pages: ratings as symbol + word + colour,
figures in plain words, choices remembered across pages, and empty states."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from audits import ratings, words

BY_LABEL = {look.label: look for look in [*ratings.LOOKS.values(), *ratings.RANGES.values()]}


def cell_css(look: ratings.Look) -> str:
    """A rating cell: its tint, with symbol and word in the rating's own colour (every
    rating colour passes WCAG AA as text on its tint: tests/test_ratings.py)."""
    return f"background-color: {look.background}; color: {look.colour}; font-weight: 600"


def style_ratings(df: pd.DataFrame, columns: list[str]):
    """A Styler that tints rating cells; the cells themselves hold symbol and word."""

    def cell(value):
        look = BY_LABEL.get(value)
        return "" if look is None else cell_css(look)

    return df.style.map(cell, subset=columns)


LONG_TABLE_ROWS = 12


def table(data, rows: int) -> None:
    """A static table; a long one (150 providers at national scale) scrolls inside a box
    of its own, so the chart above and what follows stay within reach."""
    if rows > LONG_TABLE_ROWS:
        with st.container(height=470, border=False):
            st.table(data, hide_index=True, width="stretch")
    else:
        st.table(data, hide_index=True, width="stretch")


MATRIX_CSS = """<style>
.ls-matrix-wrap { overflow: auto; max-height: 38rem; border: 1px solid #e6e6e6; border-radius: 0.5rem; }
.ls-matrix { border-collapse: collapse; font-size: 0.8125rem; line-height: 1.3; width: 100%; }
.ls-matrix th, .ls-matrix td { border-bottom: 1px solid #e6e6e6; border-right: 1px solid #f0f0f0;
  padding: 0.3rem 0.35rem; text-align: left; }
.ls-matrix thead th { vertical-align: bottom; font-weight: 600; min-width: 4.6rem; max-width: 8rem;
  background: #fafafa; hyphens: none; position: sticky; top: 0; z-index: 2; }
.ls-matrix thead th:first-child, .ls-matrix tbody th { position: sticky; left: 0; z-index: 1;
  min-width: 7rem; max-width: 11rem; background: #ffffff; font-weight: 600; }
.ls-matrix thead th:first-child { background: #fafafa; z-index: 3; }
.ls-matrix td { vertical-align: middle; }
</style>"""


def rating_matrix_html(table: pd.DataFrame, name: str, caption: str) -> str:
    """A rating table as plain HTML: real row and column headers for screen readers,
    headers that wrap to stay legible, and headers and first column that stay put
    while a long table (150 providers) scrolls inside its own box, so what follows
    it on the page stays near. The symbol never wraps away from its word."""

    def cell(value) -> str:
        look = BY_LABEL.get(value)
        if look is None:
            return f"<td>{html.escape(str(value))}</td>"
        # the symbol never wraps away from its word; the words wrap in narrow columns
        return f'<td style="{cell_css(look)}">{look.symbol}&nbsp;{html.escape(look.word)}</td>'

    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(str(index))}</th>{"".join(cell(v) for v in row)}</tr>'
        for index, row in zip(table.index, table.itertuples(index=False))
    )
    return (
        f'{MATRIX_CSS}<div class="ls-matrix-wrap" role="region" tabindex="0" aria-label="{html.escape(name)}">'
        f'<table class="ls-matrix">'
        f'<thead><tr><th scope="col">{html.escape(str(table.index.name or ""))}</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        f'<p style="color: #6b6b6b; font-size: 0.875rem; margin-top: 0.4rem">{html.escape(caption)}</p>'
    )


def hidden(rows: pd.DataFrame) -> list[str]:
    """What disclosure control hid of each row ('' nothing, 'numerator', 'all'): the public
    figures say (audits.disclosure); exact figures have nothing hidden."""
    if "hidden" not in rows.columns:
        return [""] * len(rows)
    return [v if isinstance(v, str) else "" for v in rows["hidden"]]


def hidden_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many rows are hidden for each reason ('small', 'linked', 'earlier')."""
    out: dict[str, int] = {}
    for level, reason in zip(hidden(rows), rows["reason"] if "reason" in rows.columns else [""] * len(rows)):
        if level:
            out[reason or "small"] = out.get(reason or "small", 0) + 1
    return out


def hidden_sentence(rows: pd.DataFrame, what: str) -> str:
    """'2 quarter(s) are gaps in the line, as the figure is not shown (*): 1 because it would reveal
    fewer than 5 people; 1 hidden so that a small count cannot be worked out from other figures.'
    Each hidden row counted under its own reason ('' when nothing is hidden)."""
    counts = hidden_counts(rows)
    if not counts:
        return ""
    parts = [
        f"{n} {'because ' if reason == 'small' else ''}{words.HIDDEN_WHY[reason]}"
        for reason, n in sorted(counts.items(), key=lambda x: x[0] != "small")
    ]
    return f"{sum(counts.values())} {what} ({words.HIDDEN_MARK}): " + "; ".join(parts) + "."


def footnote(rows: pd.DataFrame) -> None:
    """The footnote under anything public with a figure hidden or a rating shown as a range."""
    ranged = "rating" in rows.columns and rows["rating"].isin(list(ratings.RANGES)).any()
    if any(hidden(rows)) or ranged:
        st.caption(words.HIDDEN_FOOTNOTE)


def restricted_note(text: str = "") -> None:
    """The label on exact figures: restricted, never for publication."""
    st.warning(words.RESTRICTED_NOTE + (f" {text}" if text else ""), icon=":material/lock:")


def remember(label_text: str, options: list, state_key: str, page: str, format_func=str, **kwargs):
    """A select box whose choice is kept when moving between pages."""
    if not options:
        return None
    current = st.session_state.get(state_key)
    index = options.index(current) if current in options else 0
    choice = st.selectbox(
        label_text, options, index=index, format_func=format_func, key=f"_{page}_{state_key}", **kwargs
    )
    st.session_state[state_key] = choice
    return choice


STANDARD_LINK, PROVIDER_LINK = "standard", "provider"  # query parameters of the overview's links


def follow_link(param: str, state_key: str) -> None:
    """A link from the overview (st.page_link, which keeps the session) names its
    standard or provider in the address; take it as the page's choice once, then drop it
    from the address so choosing another on the page is not undone on the next rerun.
    The page still checks the choice against what this person may see."""
    value = st.query_params.get(param)
    if value:
        st.session_state[state_key] = value
        del st.query_params[param]


def empty(message: str, next_step: str) -> None:
    st.info(f"{message}\n\n**What to do next:** {next_step}", icon=":material/info:")


NO_RESULTS_NEXT = (
    "an independent auditor loads the providers' returns on the *Upload returns* page and "
    "runs the audit on *Run and sign off* (or, for a demo, run `make run`)."
)
