"""Page: the guide to the standards (docs/standards-guide.md), inside the app, for everyone who
reads or changes a standard. It is the project's own text, shown as written; links to other
files of the project are shown as their words, since the app cannot open them."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from dashboard import auth

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "standards-guide.md"
_FILE_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://)[^)]+\)")


def guide_text(path: Path = GUIDE) -> str:
    """The guide as the page shows it: links to the project's own files become their words."""
    return _FILE_LINK.sub(r"\1", path.read_text(encoding="utf-8"))


def render() -> None:
    account = auth.require_page(__file__)
    if account.role in auth.PAGES["dashboard/workshop.py"][2]:
        st.page_link("dashboard/workshop.py", label="Back to the standards workshop", icon=":material/arrow_back:")
    st.markdown(guide_text())


if __name__ == "__main__":
    render()
