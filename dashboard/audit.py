"""Page (auditors): run the audit for a period, record the sign-off, and download
the audit PDFs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from audits import store
from dashboard import auth, data, ui
from dashboard.provider import pdf_bytes


DECLARATION = ("I declare that I and the organisation I audit for are independent of this provider: we are "
               "not employed or paid by it, we do not commission it, we hold no stake in its contracts, and "
               "these findings are ours, made from the returns and stories listed in the report.")


def record_signoff(db: str, provider_id: str, period: str, run_id: str, name: str, organisation: str,
                   signed_by: str) -> None:
    """Keep the auditor's sign-off with the run it vouches for (append-only)."""
    with store.writing(db) as con:
        con.execute("INSERT INTO signoffs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [provider_id, period, run_id, name.strip(), organisation.strip(), DECLARATION,
                     signed_by, dt.datetime.now()])


def signoffs(db: str, period: str):
    with store.reading(db) as con:
        return con.execute(
            "SELECT provider_id AS Provider, name AS Name, organisation AS Organisation, run_id AS Run, "
            "signed_at AS \"Signed at\" FROM signoffs WHERE period = ? ORDER BY signed_at DESC", [period]).df()


def run_section(account, db: str, cat: data.Catalogue) -> str | None:
    st.subheader("1. Run the audit")
    if not cat.return_periods:
        ui.empty("No returns are loaded yet.", "load the providers' returns on *Upload returns* first.")
        return None
    period = ui.remember("Period", list(reversed(cat.return_periods)), "period", "audit")
    if period in cat.runs:
        st.write(f"The latest audit of {period} is run **{cat.runs[period]}**. Run it again after loading "
                 "a new return or evidence pack, or after the expert citizens approve a changed standard.")
    else:
        st.write(f"{period} has returns loaded but has not been audited yet.")
    if st.button(f"Run the audit for {period}", type="primary", key="run_audit"):
        from audits import runs

        with st.spinner("Running every approved standard…"):
            try:
                run_id = runs.run_audit(db, period, standards_dir=data.standards_dir(), run_by=account.username)
            except (store.StoreBusy, ValueError, RuntimeError) as error:
                st.error(str(error))
                return period
        data.clear()
        st.success(f"Audited {period}: run {run_id}.")
        st.rerun()
    return period


def signoff_section(account, db: str, cat: data.Catalogue, period: str) -> None:
    st.subheader("2. Sign off")
    if period not in cat.runs:
        st.write("Run the audit for this period first; a sign-off vouches for one audit run.")
        return
    run_id = cat.runs[period]
    audited = sorted(data.standard_results(db, run_id)["provider_id"].unique())
    names = cat.providers.set_index("provider_id")["provider_name"]
    with st.form("signoff", clear_on_submit=False):
        provider_id = st.selectbox("Provider", audited, format_func=lambda p: f"{names.get(p, p)} ({p})")
        name = st.text_input("Your name", value=account.display_name)
        organisation = st.text_input("Your organisation")
        agreed = st.checkbox(DECLARATION)
        submitted = st.form_submit_button("Record the sign-off")
    if submitted:
        missing = [w for w, v in (("your name", name), ("your organisation", organisation)) if not v.strip()]
        if missing or not agreed:
            st.error("To sign off, give " + " and ".join(missing or []) +
                     (" and " if missing and not agreed else "") +
                     ("tick the declaration of independence" if not agreed else "") + ".")
        else:
            try:
                record_signoff(db, provider_id, period, run_id, name, organisation, account.username)
            except store.StoreBusy as error:
                st.error(str(error))
            else:
                st.success(f"Signed off {names.get(provider_id, provider_id)} for {period} (run {run_id}).")
    done = signoffs(db, period)
    if done.empty:
        st.write(f"No sign-off recorded for {period} yet.")
    else:
        st.table(done, hide_index=True, width="stretch")


def pdf_section(db: str, cat: data.Catalogue, period: str) -> None:
    st.subheader("3. The audit PDFs")
    if period not in cat.runs:
        st.write("Run the audit for this period first.")
        return
    names = cat.providers.set_index("provider_id")["provider_name"]
    audited = sorted(data.standard_results(db, cat.runs[period])["provider_id"].unique())
    provider_id = st.selectbox("Provider", audited, key="_audit_pdf_provider",
                               format_func=lambda p: f"{names.get(p, p)} ({p})")
    st.download_button(f"Download the audit PDF of {provider_id} for {period}",
                       data=lambda: pdf_bytes(db, provider_id, period), file_name=f"audit-{provider_id}-{period}.pdf",
                       mime="application/pdf", on_click="ignore", icon=":material/download:", key="audit_pdf")
    st.caption(f"Every provider's PDF at once: `python -m audits reports --period {period} --out DIR`.")


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Run the audit and sign off")
    db = data.db()
    cat = data.catalogue(db)
    period = run_section(account, db, cat)
    if period:
        signoff_section(account, db, cat, period)
        pdf_section(db, cat, period)


if __name__ == "__main__":
    render()
