"""The factual accuracy check in words: the draft's state and each comment with its answer, as
the auditor's page (dashboard/draft.py) and the provider's (dashboard/factcheck.py) both show
them. The provider's words are shown as text."""

from __future__ import annotations

import streamlit as st

from audits import drafts, factcheck, words
from dashboard import pdfs


def comment_header(c: dict, titles: dict[str, str]) -> str:
    about = titles.get(c["standard_id"], c["standard_id"])
    if isinstance(c["measure_id"], str):
        about += f" (measure {c['measure_id']})"
    return f"Comment {c['comment_id']} on {about}, by {c['commented_by']}, {words.long_datetime(c['commented_at'])}"


def show_comment(c: dict, key: str, titles: dict[str, str]) -> None:
    """A comment in the provider's words (as text), its file to download, and its answer."""
    st.markdown(f"**{comment_header(c, titles)}**")
    st.text(c["comment"])
    if isinstance(c["file_type"], str):
        st.download_button(
            f"Download the {factcheck.FILE_KINDS[c['file_type']][0]} sent with it ({int(c['file_size']):,} bytes)",
            data=lambda cid=c["comment_id"]: pdfs.comment_file(cid),
            file_name=f"comment-{c['comment_id']}.{c['file_type']}",
            mime="application/octet-stream",
            on_click="ignore",
            key=f"file_{key}",
        )
    if isinstance(c["outcome"], str):
        st.caption(
            f"{factcheck.OUTCOMES[c['outcome']]}, by {c['answered_by']} on {words.long_datetime(c['answered_at'])}:"
        )
        st.text(c["answer"])


def draft_words(draft: dict | None) -> str:
    if draft is None:
        return "No draft has been shared yet."
    text = (
        f"Draft of {words.audit_run(draft['run_id'])} shared by {draft['shared_by']} on "
        f"{words.long_datetime(draft['shared_at'])}; "
    )
    if draft.get("closed_at") is not None:
        return text + f"the provider closed its check on {words.long_datetime(draft['closed_at'])}."
    if drafts.is_open(draft):
        return text + f"the provider may comment until the end of {words.long_date(draft['due_on'])}."
    return text + f"the check closed at the end of {words.long_date(draft['due_on'])}."
