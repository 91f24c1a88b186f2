"""Page: the visit kit, for visits on paper or without a connection.

The interview guides (one page per approved standard) and blank capture sheets as one PDF, the
workbook the sheets are typed into afterwards, and, for the peer interviewer or the auditor, a
place to load that workbook: its stories join the quarter's evidence pack by the same rules as
any pack (audits.capture), and it says every problem at once, as the upload page does.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from audits import capture, guides, returns, spec, store, templates
from dashboard import auth, data

MAX_BYTES = 5 * 1024 * 1024
JOINED = "visit_joined"


def kit_pdf(folder: str, provider_name: str | None, period: str | None, sheets: int) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = guides.visit_pdf(
            guides.kit_standards(Path(folder)),
            Path(tmp) / "kit.pdf",
            provider_name=provider_name,
            period=period,
            sheets=sheets,
        )
        return out.read_bytes()


def workbook_bytes(folder: str, values: dict[str, str]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        notes = guides.workbook_notes(guides.kit_standards(Path(folder)))
        return templates.write_workbook(Path(tmp) / "visit.xlsx", "pack", values, notes).read_bytes()


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Visit kit")
    st.write(
        "For a visit on paper, or where there is no connection: the interview guides for every standard and blank "
        "story capture sheets, each sheet with its own reference to tear off for the person. Type the sheets into "
        "the workbook afterwards and load it below."
    )
    db = data.db()
    cat = data.catalogue(db)
    folder = str(data.standards_dir())
    try:
        count = len(guides.kit_standards(Path(folder)))
    except guides.KitError as error:
        st.error(str(error))
        return
    names = dict(zip(cat.providers["provider_id"], cat.providers["provider_name"]))
    provider_id = st.selectbox(
        "Service you will visit (printed on each page)",
        list(names),
        index=None,
        format_func=lambda p: f"{names[p]} ({p})",
        placeholder="Any service",
        key="visit_provider",
    )
    this_quarter = spec.period_of(store.now().date())
    quarters = [this_quarter, spec.previous_period(this_quarter)]
    period = st.selectbox("Quarter of the visit", quarters, key="visit_period")
    sheets = st.number_input("Blank capture sheets", min_value=0, max_value=50, value=4, step=1, key="visit_sheets")
    name = names.get(provider_id) if provider_id else None
    st.download_button(
        f"Download the guides ({count} standards) and {sheets} capture sheets (PDF)",
        data=lambda: kit_pdf(folder, name, period, int(sheets)),
        file_name=f"visit-kit-{provider_id or 'any'}-{period}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/print:",
        key="visit_pdf",
        width="stretch",
    )
    values = {"provider_id": provider_id or "", "period": period, "gathered_by": ""}
    st.download_button(
        "Download the workbook to type the sheets into (.xlsx)",
        data=lambda: workbook_bytes(folder, {k: v for k, v in values.items() if v}),
        file_name=f"visit-{provider_id or 'any'}-{period}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/table:",
        key="visit_xlsx",
        width="stretch",
    )
    if account.role not in ("peer_interviewer", "auditor"):
        return

    st.subheader("Load a typed-up workbook")
    if joined := st.session_state.pop(JOINED, None):
        st.success(joined, icon=":material/check_circle:")
    upload = st.file_uploader("The filled-in workbook", type=["xlsx"], key="visit_upload")
    if upload is None:
        st.caption("Its stories join the quarter's evidence pack; the auditor reviews them as any other.")
        return
    if upload.size > MAX_BYTES:
        st.error(
            f"{upload.name} is larger than 5 MB: a workbook of stories is much smaller. Check it is the right file."
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workbook.xlsx"
        path.write_bytes(upload.getvalue())
        validation = returns.validate(path)
    st.text(validation.report().replace(str(path), upload.name))
    if validation.blocking:
        return
    if st.button("Add these stories to the evidence pack", type="primary", key="visit_join"):
        try:
            with store.writing(db) as con:
                joined = capture.join_validation(con, validation, upload.name, account.display_name)
        except (capture.CaptureError, store.StoreError) as error:
            st.error(str(error))
            return
        data.clear()
        st.session_state[JOINED] = joined.summary()
        st.rerun()


if __name__ == "__main__":
    render()
