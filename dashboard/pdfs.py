"""The files a page offers for download beside the figures: a provider's audit PDF (built only
when its button is pressed), the draft as it was shared for the factual accuracy check, and a
file a provider sent with a comment (offered, never opened here)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from audits import drafts, factcheck, report, store, tiers
from dashboard import data


@tiers.output(tiers.PUBLIC, "a provider's audit PDF (written to be published)")
def pdf_bytes(db: str, provider_id: str, period: str) -> bytes:
    """Build the audit PDF only when the button is pressed (audits.report); it never names the
    other providers of the run, so a provider's own account may download it (audits.findings)."""
    report.report_file_name(provider_id, period)  # refuses an id that could not name a file
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "audit.pdf"  # no id in the path: the name the person sees is pdf_download's
        report.build_report(db, provider_id, period, out)
        return out.read_bytes()


def pdf_download(db: str, provider_id: str, period: str, label: str, key: str) -> None:
    """The audit PDF's download button; a plain message instead when the provider's id could
    not name a file safely (audits.report.report_file_name checks it again)."""
    try:
        file_name = report.report_file_name(provider_id, period)
    except report.ReportError as error:
        st.error(str(error), icon=":material/block:")
        return
    st.download_button(
        label,
        data=lambda: pdf_bytes(db, provider_id, period),
        file_name=file_name,
        mime="application/pdf",
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )


def comment_file(comment_id: str) -> bytes:
    with store.reading(data.db()) as con:
        return factcheck.file_of(con, comment_id)[1]


def draft_pdf(draft_id: str) -> bytes:
    with store.reading(data.db()) as con:
        return drafts.pdf_of(con, draft_id)


def draft_withheld(draft_id: str) -> str | None:
    with store.reading(data.db()) as con:
        return drafts.withheld(con, draft_id)
