"""Driving the dashboard in Streamlit's AppTest, and reading back what a page sent,
for the tests/test_dashboard_*.py modules (one per page of dashboard/)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from audits import accounts

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DASHBOARD = ROOT / "dashboard"

ACCOUNTS = {
    "commissioner": accounts.Account("commissioner", "Test commissioner", "commissioner", None),
    "auditor": accounts.Account("auditor", "Test auditor", "auditor", None),
    "expert_citizen": accounts.Account("expert", "Test expert", "expert_citizen", None),
    "provider": accounts.Account("provider1", "Test provider", "provider", "P001"),
    "peer_interviewer": accounts.Account("interviewer", "Test interviewer", "peer_interviewer", None),
}


def signed_in(role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = ACCOUNTS[role]
    return at.run()


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (
            "markdown",
            "caption",
            "title",
            "header",
            "subheader",
            "info",
            "error",
            "warning",
            "success",
            "text",
        )
        for e in getattr(at, kind)
    ]
    return read_as_shown("\n".join(str(p) for p in parts))


def read_as_shown(markdown: str) -> str:
    """Markdown as a person reads it on the page: people's text is escaped (dashboard.ui.md),
    so take the escapes out again to compare with what was typed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def frames(at: AppTest):
    return [d.value.data if hasattr(d.value, "data") else d.value for d in at.table]


class _Cells(HTMLParser):
    """Rows of the first HTML table: header and data cells, in order, as text."""

    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.heads = [], None, {}

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""
            self.heads[(len(self.rows) - 1, len(self.rows[-1]))] = (tag, dict(attrs).get("scope"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.replace("\xa0", " ").strip())
            self.cell = None

    def handle_data(self, text):
        if self.cell is not None:
            self.cell += text


def html_matrix(at: AppTest) -> tuple[pd.DataFrame, dict]:
    """The overview's matrix, read back from the HTML the page sent: a frame indexed
    by the row headers, and the tag and scope of every cell."""
    parser = _Cells()
    parser.feed(at.html[0].value)
    head, *body = parser.rows
    frame = pd.DataFrame([r[1:] for r in body], index=[r[0] for r in body], columns=head[1:])
    return frame, parser.heads


class _Tables(HTMLParser):
    """Every static table (dashboard.html_table) of an HTML block: caption, headers, rows as text,
    and each data cell's class (its rating's look)."""

    def __init__(self):
        super().__init__()
        self.tables, self.text, self.row = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "ls-table" in (attrs.get("class") or ""):
            self.tables.append({"caption": "", "head": [], "rows": [], "classes": [], "scopes": []})
        elif not self.tables:
            return
        elif tag == "caption":
            self.text = ""
        elif tag == "tr":
            self.row = ([], [])
        elif tag in ("th", "td"):
            self.text = ""
            if tag == "th":
                self.tables[-1]["scopes"].append(attrs.get("scope"))
            else:
                self.row[1].append(attrs.get("class"))

    def handle_endtag(self, tag):
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "caption":
            table["caption"], self.text = self.text, None
        elif tag in ("th", "td") and self.text is not None:
            self.row[0].append((tag, self.text))
            self.text = None
        elif tag == "tr" and self.row is not None:
            cells, classes = self.row
            if all(t == "th" for t, _ in cells):
                table["head"] = [v for _, v in cells]
            else:
                table["rows"].append([v for _, v in cells])
                table["classes"].append(classes)
            self.row = None

    def handle_data(self, text):
        if self.text is not None:
            self.text += text


def read_tables(body: str) -> list[dict]:
    """The static tables (dashboard.html_table) of an HTML block: caption, head, rows (the text a
    person reads), classes (each data cell's) and scopes (each header cell's)."""
    parser = _Tables()
    parser.feed(body)
    return parser.tables


def html_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """The static HTML tables the page sent (dashboard.html_table), by caption: each a frame of
    the text a person reads, with `.attrs["classes"]` (each cell's class) and `.attrs["scopes"]`."""
    out = {}
    for block in at.html:
        for table in read_tables(str(block.value)):
            frame = pd.DataFrame(table["rows"], columns=table["head"])
            frame.attrs.update(classes=table["classes"], scopes=table["scopes"])
            out[table["caption"]] = frame
    return out


def every_table(at: AppTest) -> list[pd.DataFrame]:
    """Every table the page drew: st.table's frames, then the static HTML tables (a long table,
    dashboard.ui.HTML_TABLE_ROWS), in the order drawn within each kind."""
    return frames(at) + list(html_tables(at).values())


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def html_texts(at: AppTest) -> str:
    """What every st.html block on the page reads as, tags left out and entities read back
    (people's stories are drawn as escaped HTML: dashboard.stories_view)."""
    import html as html_lib

    return "\n".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", str(h.value))) for h in at.html)


class _Links(HTMLParser):
    """The overview matrix's headers and cells: each with its link, hover title, what a screen
    reader says (aria-hidden left out) and what the eye sees (screen-reader-only text left out)."""

    def __init__(self):
        super().__init__()
        self.cells, self.current, self.spans, self.row = [], None, [], -1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.row += 1
        elif tag in ("td", "th"):
            self.current = {
                "row": self.row,
                "tag": tag,
                "title": attrs.get("title"),
                "class": attrs.get("class"),
                "href": None,
                "said": "",
                "seen": "",
            }
            self.cells.append(self.current)
        elif tag == "a" and self.current is not None:
            self.current["href"] = attrs.get("href")
            self.current["title"] = self.current["title"] or attrs.get("title")
        elif tag == "span":
            if self.current is not None and attrs.get("class") in ("ls-met", "ls-count"):  # a line of its own
                self.current["said"] += " "
                self.current["seen"] += " "
            self.spans.append(
                ("hidden" if attrs.get("aria-hidden") == "true" else "")
                + ("sr" if attrs.get("class") == "ls-sr" else "")
            )

    def handle_endtag(self, tag):
        if tag == "span" and self.spans:
            self.spans.pop()
        elif tag in ("td", "th"):
            self.current = None

    def handle_data(self, text):
        if self.current is not None:
            if not any("hidden" in s for s in self.spans):
                self.current["said"] += text
            if not any("sr" in s for s in self.spans):
                self.current["seen"] += text


def overview_cells(at: AppTest, block: int = 0) -> list[dict]:
    """Every header and cell of the overview's matrix (the first st.html; the second, block 1, is
    the rest of a national view's providers once their fold is opened): row (0: the column
    headers), tag, link, hover title, and what a screen reader says (aria-hidden left out)."""
    parser = _Links()
    parser.feed(at.html[block].value)
    for cell in parser.cells:
        for key in ("said", "seen"):
            cell[key] = " ".join(cell[key].replace("\xa0", " ").split())
    return parser.cells


def workshop_at(standard: str = "peer-workforce", role: str = "expert_citizen", tab: str | None = None) -> AppTest:
    """The workshop open at a standard (and a tab), as an expert citizen unless told, with the
    YAML under Advanced open."""
    at = signed_in(role)
    at.session_state["ws_advanced"] = True
    if tab:
        at.session_state["ws_tab"] = tab
    at.switch_page("dashboard/workshop.py").run()
    widget(at.selectbox, "Standard").select(standard).run()
    return at


def widget(elements, label: str, nth: int = 0):
    return [e for e in elements if e.label == label][nth]
