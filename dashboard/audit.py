"""Page (auditors): run the audit for a period and download the audit PDFs. Sharing the
draft, signing off and publishing follow on their own pages, in the order of the work."""

from __future__ import annotations

import streamlit as st

from audits import runs, store, tiers, words
from dashboard import auth, data, pdfs, ui


def run_section(account, db: str, cat: data.Catalogue) -> str | None:
    st.subheader("Run the audit")
    if not cat.return_periods:
        ui.empty("No returns are loaded yet.", "load the providers' returns on *Upload returns* first.")
        return None
    period = ui.remember("Period", list(reversed(cat.return_periods)), "period", "audit")
    if period in cat.runs:
        st.write(
            f"The latest audit of {period} is {words.audit_run(cat.runs[period])}. Run it again after loading "
            "a new return or evidence pack, or after the expert citizens approve a changed standard."
        )
    else:
        st.write(f"{period} has returns loaded but has not been audited yet.")
    if st.button(f"Run the audit for {period}", type="primary", key="run_audit"):
        with st.spinner("Running every approved standard…"):
            try:
                run_id = runs.run_audit(db, period, standards_dir=data.standards_dir(), run_by=account.username)
            except (store.StoreError, ValueError, RuntimeError) as error:
                st.error(str(error))
                return period
        data.clear()
        st.success(f"Audited {period}: {words.audit_run(run_id)}.")
        st.rerun()
    return period


@tiers.output(tiers.RESTRICTED, "the auditor's PDF download section (the PDFs are public)")
def pdf_section(db: str, cat: data.Catalogue, period: str) -> None:
    st.subheader("The audit PDFs, as they stand now")
    if period not in cat.runs:
        st.write("Run the audit for this period first.")
        return
    names = cat.providers.set_index("provider_id")["provider_name"]
    audited = sorted(data.standard_results(db, cat, period, None)["provider_id"].unique())
    provider_id = st.selectbox(
        "Provider", audited, key="_audit_pdf_provider", format_func=lambda p: f"{names.get(p, p)} ({p})"
    )
    pdfs.pdf_download(db, provider_id, period, f"Download the audit PDF of {provider_id} for {period}", "audit_pdf")
    st.caption(f"Every provider's PDF at once: `python -m audits reports --period {period} --out DIR`.")


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Run the audit")
    db = data.db()
    cat = data.catalogue(db)
    period = run_section(account, db, cat)
    if period:
        pdf_section(db, cat, period)
        st.caption("Next: share the draft with each provider (*Share the draft*), then sign off (*Sign off*).")


if __name__ == "__main__":
    render()
