"""Static tables as one block of escaped HTML, and the rating looks as CSS classes, for the pages
whose tables are long (the overview's watch list and what changed: ~300 rows at national scale).

Why: `st.table` draws every cell through Streamlit's Markdown component (a React tree of its
own), and Streamlit's st.html sanitises whatever it is given with DOMPurify node by node; at
national scale the overview's tables and matrix were ~13,500 elements and 1.3 MB, ~3 CPU-s of
Chromium a visit, and twenty commissioners' browsers on two cores waited a minute. One static
table is parsed by the browser itself, and a rating cell carries a class instead of its style.

Everything shown is text: every header, cell and name goes through html.escape (people's and
providers' names, actions' words), never Markdown. A rating is still symbol + word + colour
(the class repeats what the words say), and a rating the data can't yet tell is striped and
outlined as dashboard.ui.cell_css draws it."""

from __future__ import annotations

import html

import pandas as pd

from audits import ratings, stats, words

LONG_ROWS = 12  # a longer table scrolls in a box of its own (dashboard.ui.LONG_TABLE_ROWS)


def rating_class(key: str, uncertain: bool = False) -> str:
    """The class of a cell showing rating `key` ('ls-r-green', with ' ls-u' when the data can't
    yet tell): rating_css() draws it."""
    return f"ls-r-{key}" + (" ls-u" if uncertain else "")


def rating_css() -> str:
    """One rule per rating look (tint, and text in the rating's own colour), and the stripes and
    dashed outline of a rating the data can't yet tell: what dashboard.ui.cell_css writes into
    each cell's style, written once."""
    rules = [
        f".ls-r-{look.rating} {{ background-color: {look.background}; color: {look.colour}; font-weight: 600; }}"
        for look in [*ratings.LOOKS.values(), *ratings.RANGES.values()]
    ]
    rules.append(
        ".ls-u { background-image: repeating-linear-gradient(135deg, transparent 0 7px, "
        "rgba(255, 255, 255, 0.8) 7px 11px); outline: 2px dashed currentColor; outline-offset: -3px; }"
    )
    return "\n".join(rules)


TABLE_CSS = """
.ls-table-wrap { overflow: auto; border: 1px solid #e6e6e6; border-radius: 0.5rem; margin-bottom: 1rem; }
.ls-table-wrap.ls-long { max-height: 29rem; }
.ls-table { border-collapse: collapse; width: 100%; font-size: 0.875rem; line-height: 1.4;
  color: #1e2230; background: #ffffff; }
.ls-table th, .ls-table td { border-bottom: 1px solid #e6e6e6; padding: 0.4rem 0.6rem; text-align: left;
  vertical-align: top; }
.ls-table thead th { font-weight: 600; background: #fafafa; position: sticky; top: 0; z-index: 1; }
.ls-table tbody tr:last-child td { border-bottom: none; }
.ls-table caption, .ls-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
"""


def style() -> str:
    """The <style> block a table's HTML starts with (the ratings' classes and the tables' look)."""
    return f"<style>{rating_css()}{TABLE_CSS}</style>"


def _text(value) -> str:
    return "" if stats.is_missing(value) else html.escape(str(value))


def _cell(value, rated: bool) -> str:
    if rated:
        key, uncertain = words.rating_key(value)
        if key is not None:
            return f'<td class="{rating_class(key, uncertain)}">{_text(value)}</td>'
    return f"<td>{_text(value)}</td>"


def table_html(frame: pd.DataFrame, name: str, rated: tuple[str, ...] = ()) -> str:
    """`frame` as one static HTML table named `name` (its caption, said by screen readers; the
    label of its scrolling box): column headers with scope, every value escaped text, the `rated`
    columns' rating words tinted by class. A table longer than LONG_ROWS scrolls in its own box
    (keyboard too: the box takes focus), so what follows stays near."""
    columns = [str(c) for c in frame.columns]
    tinted = [c in rated for c in columns]
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(v, t) for v, t in zip(row, tinted)) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    long = len(frame) > LONG_ROWS
    box = (
        f'<div class="ls-table-wrap ls-long" role="region" tabindex="0" aria-label="{html.escape(name)}">'
        if long
        else '<div class="ls-table-wrap">'
    )
    return (
        f'{style()}{box}<table class="ls-table">'
        f"<caption>{html.escape(name)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
