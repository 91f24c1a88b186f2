"""Small display helpers shared by the pages: people's text shown as text, ratings as symbol
+ word + colour, tables, choices remembered across pages, and empty states."""

from __future__ import annotations

import html
import re
import time

import pandas as pd
import streamlit as st

from audits import ratings, screening, stats, words
from dashboard import html_table

BY_LABEL = {look.label: look for look in [*ratings.LOOKS.values(), *ratings.RANGES.values()]}

# --------------------------------------------------------------------------- people's text as text

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WORD_JOINER = "\u2060"  # invisible: keeps a web or email address from becoming a link


def md(text) -> str:
    """People's text (a provider's or area's name, a story, a standard's words, a name) made
    safe to put into anything Streamlit shows as Markdown: headings, captions, labels, table
    cells. Every ASCII punctuation mark is escaped, so nothing becomes a link, an image (fetched
    by the reader's browser), a heading, coloured text, an icon or a formula; and a web or email
    address is kept from being made a link. Shown exactly as typed."""
    escaped = _PUNCTUATION.sub(r"\\\1", "" if stats.is_missing(text) else str(text))
    escaped = re.sub(r"\\:\\/\\/", "\\:" + _WORD_JOINER + "\\/\\/", escaped)
    escaped = re.sub(r"(?i)www\\\.", "www" + _WORD_JOINER + "\\.", escaped)
    return escaped.replace("\\@", _WORD_JOINER + "\\@" + _WORD_JOINER)


def words_block(text, caption: str | None = None) -> None:
    """A quote of people's own words (a story or a voice) as a block of plain text, with who
    told it underneath: full contrast, never Markdown."""
    lines = str(text).splitlines() or [""]
    st.markdown("\n".join("> " + md(line) for line in lines))
    if caption:
        st.caption(md(caption))


def highlighted(story: str) -> str:
    """A story as escaped HTML with what screening flags in <mark> (for st.html): text, never
    markup. The auditor's review and the peer interviewer's capture form show it so."""

    out, last = [], 0
    for _, start, end in screening.spans(story):
        out += [html.escape(story[last:start]), "<mark>", html.escape(story[start:end]), "</mark>"]
        last = end
    out.append(html.escape(story[last:]))
    return (
        '<div style="white-space: pre-wrap; font-family: inherit; border-left: 4px solid #9a4d00; '
        'padding: 0.25rem 0.75rem">' + "".join(out) + "</div>"
    )


def safe_frame(df: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of a table whose text cells are shown as text (st.table renders Markdown in
    cells). Columns in `keep` hold only the tool's own words (rating labels) and stay as they
    are, so they can still be tinted."""
    out = df.copy()
    for column in out.columns:
        if column not in keep and out[column].dtype == object:
            out[column] = [md(v) if isinstance(v, str) else v for v in out[column]]
    if out.index.dtype == object:
        out.index = [md(v) if isinstance(v, str) else v for v in out.index]
    return out


def cell_css(look: ratings.Look, uncertain: bool = False) -> str:
    """A rating cell: its tint, with symbol and word in the rating's own colour (every
    rating colour passes WCAG AA as text on its tint: tests/test_ratings.py). A rating the
    data can't yet tell is striped with white and outlined with a dashed line as well, and
    its words say so: the stripes only lighten the tint, so the text stays as legible."""
    css = f"background-color: {look.background}; color: {look.colour}; font-weight: 600"
    if uncertain:
        css += (
            "; background-image: repeating-linear-gradient(135deg, transparent 0 7px, "
            f"rgba(255, 255, 255, 0.8) 7px 11px); outline: 2px dashed {look.colour}; outline-offset: -3px"
        )
    return css


def rating_css(value) -> str:
    """The CSS of a cell holding a rating's words (words.rating), '' for anything else."""
    key, uncertain = words.rating_key(value)
    return "" if key is None else cell_css(ratings.look(key), uncertain)


def style_ratings(df: pd.DataFrame, columns: list[str]):
    """A Styler that tints rating cells (striped and outlined when the data can't yet tell);
    the cells themselves hold symbol and words. Every other text cell is shown as text
    (safe_frame)."""
    return safe_frame(df, keep=tuple(columns)).style.map(rating_css, subset=columns)


UNCERTAIN_CAPTION = (
    f"A striped cell with a dashed outline, “Met {words.UNCERTAIN}” for example, means {words.UNCERTAIN_EXPLANATION}."
)


LONG_TABLE_ROWS = 12


HTML_TABLE_ROWS = 20  # a named table longer than this is one static HTML table (dashboard.html_table)


def table(
    data, rows: int | None = None, name: str | None = None, rated: tuple[str, ...] = (), static: bool = False
) -> None:
    """A static table, its text shown as text; a long one (150 providers at national scale)
    scrolls inside a box of its own, so the chart above and what follows stay within reach.
    `rated`: the columns whose rating words are tinted. A named frame of more than
    HTML_TABLE_ROWS rows, or any named frame when `static`, is drawn as one escaped static HTML
    table captioned `name`: st.table renders each of its cells through the browser's Markdown
    component (2-3 CPU-s of Chromium a visit for the readiness board's ~1,800), the HTML table is
    parsed once. `static` is for the short tables of the pages people land on or open first (a
    provider's ratings, a standard's breakdowns: ~80 Markdown cells in three tabs)."""
    if isinstance(data, pd.DataFrame) and name is not None and (static or len(data) > HTML_TABLE_ROWS):
        st.html(html_table.table_html(data, name, rated))
        return
    if isinstance(data, pd.DataFrame):
        data = style_ratings(data, list(rated)) if rated else safe_frame(data)
    rows = len(data.data if hasattr(data, "data") else data) if rows is None else rows
    if rows > LONG_TABLE_ROWS:
        with st.container(height=470, border=False):
            st.table(data, hide_index=True, width="stretch")
    else:
        st.table(data, hide_index=True, width="stretch")


MATRIX_CSS = """<style>
.ls-matrix-wrap { overflow: auto; max-height: 38rem; border: 1px solid #e6e6e6; border-radius: 0.5rem;
  position: relative; }
.ls-matrix { border-collapse: collapse; font-size: 0.8125rem; line-height: 1.3; width: 100%;
  color: #1e2230; background: #ffffff; }
.ls-matrix th, .ls-matrix td { border-bottom: 1px solid #e6e6e6; border-right: 1px solid #f0f0f0;
  padding: 0.3rem 0.35rem; text-align: left; }
.ls-matrix thead th { vertical-align: bottom; font-weight: 600; min-width: 4.6rem; max-width: 8rem;
  background: #fafafa; hyphens: none; position: sticky; top: 0; z-index: 2; }
.ls-matrix thead th:first-child, .ls-matrix tbody th { position: sticky; left: 0; z-index: 1;
  min-width: 7rem; max-width: 11rem; background: #ffffff; font-weight: 600; }
.ls-matrix thead th:first-child { background: #fafafa; z-index: 3; }
.ls-matrix td { vertical-align: middle; }
.ls-matrix .ls-unsure { display: block; font-weight: 400; font-size: 0.75rem; }
.ls-matrix .ls-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
</style>"""


def rating_matrix_html(table: pd.DataFrame, name: str, caption: str) -> str:
    """A rating table as plain HTML: real row and column headers for screen readers,
    headers that wrap to stay legible, and headers and first column that stay put
    while a long table (150 providers) scrolls inside its own box, so what follows
    it on the page stays near. The symbol never wraps away from its word."""

    def cell(value) -> str:
        key, uncertain = words.rating_key(value)
        if key is None:
            return f"<td>{html.escape(str(value))}</td>"
        look = ratings.look(key)
        # the symbol never wraps away from its word; the words wrap in narrow columns
        # narrow cells show the short words; a screen reader hears all of them
        said = html.escape(words.UNCERTAIN.removesuffix(words.UNCERTAIN_SHORT))
        unsure = (
            f' <span class="ls-sr">{said}</span><span class="ls-unsure">{html.escape(words.UNCERTAIN_SHORT)}</span>'
            if uncertain
            else ""
        )
        return f'<td style="{cell_css(look, uncertain)}">{look.symbol}&nbsp;{html.escape(look.word)}{unsure}</td>'

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
    """A select box whose choice is kept when moving between pages, and, for the choices in
    LINKED, in the page's address too: a refresh or a copied link shows the same choice."""
    if not options:
        return None
    param = LINKED.get(state_key)
    if param:
        follow_link(param, state_key)
    current = st.session_state.get(state_key)
    index = options.index(current) if current in options else 0
    choice = st.selectbox(
        label_text, options, index=index, format_func=format_func, key=f"_{page}_{state_key}", **kwargs
    )
    st.session_state[state_key] = choice
    if param and choice is not None:
        st.query_params[param] = str(choice)
        st.session_state[f"_shown_{param}"] = str(choice)
    return choice


STANDARD_LINK, PROVIDER_LINK = "standard", "provider"  # query parameters of the overview's links


# choices kept in the address (state key -> query parameter), so a refresh or a pasted link
# shows the same standard, provider, period and area
LINKED = {"standard_id": STANDARD_LINK, "provider_id": PROVIDER_LINK, "period": "period", "area": "area"}


def follow_link(param: str, state_key: str) -> None:
    """A link (the overview's st.page_link, a refresh, a pasted address) names its standard,
    provider, period or area in the address: take it as the page's choice, unless it is the
    choice this page itself last put there (so choosing another on the page is not undone).
    The page still checks the choice against what this person may see."""
    value = st.query_params.get(param)
    if value and value != st.session_state.get(f"_shown_{param}"):
        st.session_state[state_key] = value


BUSY_WAIT_SECONDS = 3.0  # how long a page waits for the command line before saying the store is busy
BUSY_RETRIES = 20  # then it stops trying by itself (a minute) and offers a button


def store_busy() -> None:
    """The auditors' command line is writing (loading returns, running the audit): say so
    calmly, and try the page again by itself every few seconds for a while."""
    tries = st.session_state.get("_busy_tries", 0) + 1
    st.session_state["_busy_tries"] = tries
    st.info(
        "The store is busy: the independent auditor is loading returns or running the audit. "
        "Nothing is wrong, and nothing you did is lost.",
        icon=":material/hourglass_top:",
    )
    if tries <= BUSY_RETRIES:
        st.caption("This page will try again by itself in a few seconds.")
        time.sleep(BUSY_WAIT_SECONDS)
        st.rerun()
    st.caption("It is still busy. Try again in a minute.")
    if st.button("Try again", key="busy_try_again"):
        st.session_state["_busy_tries"] = 0
        st.rerun()


def store_free() -> None:
    """A page that read the store: the next busy spell starts counting its tries afresh."""
    st.session_state.pop("_busy_tries", None)


def pdf_button(label: str, make, file_name: str, key: str, withheld: str | None = None) -> None:
    """A button that builds a kept PDF only when pressed; or, when the PDF is no longer given out
    (it printed a story withdrawn since: audits.withdrawals), the plain reason instead."""
    if withheld:
        st.info(withheld, icon=":material/block:")
        return
    st.download_button(
        label,
        data=make,
        file_name=file_name,
        mime="application/pdf",
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )


def empty(message: str, next_step: str) -> None:
    """Nothing to show yet, and what to do next (the tool's own words: Markdown allowed)."""
    st.info(f"{message}\n\n**What to do next:** {next_step}", icon=":material/info:")


NO_RESULTS_NEXT = (
    "an independent auditor loads the providers' returns on the *Upload returns* page and "
    "runs the audit on *Run the audit* (or, for a demo, run `make run`)."
)
