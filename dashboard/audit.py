"""Page (auditors): run the audit for a period, record the sign-off, and download
the audit PDFs."""

from __future__ import annotations

import streamlit as st

from audits import signoffs, store, tiers
from dashboard import auth, data, ui
from dashboard.provider import pdf_bytes


def record_signoff(
    db: str, provider_id: str, period: str, run_id: str, name: str, organisation: str, confirmed: bool, signed_by: str
) -> str:
    """Keep the auditor's sign-off with the run it vouches for (audits.signoffs validates it)."""
    with store.writing(db) as con:
        return signoffs.record_signoff(
            con, provider_id, period, run_id, name, organisation, signoffs.DECLARATION if confirmed else None, signed_by
        )


def signoff_table(db: str, period: str):
    with store.reading(db) as con:
        done = signoffs.signoffs_for(con, period)
    return done[["provider_id", "name", "organisation", "run_id", "signed_at"]].rename(
        columns={
            "provider_id": "Provider",
            "name": "Name",
            "organisation": "Organisation",
            "run_id": "Run",
            "signed_at": "Signed at (UTC)",
        }
    )


def run_section(account, db: str, cat: data.Catalogue) -> str | None:
    st.subheader("1. Run the audit")
    if not cat.return_periods:
        ui.empty("No returns are loaded yet.", "load the providers' returns on *Upload returns* first.")
        return None
    period = ui.remember("Period", list(reversed(cat.return_periods)), "period", "audit")
    if period in cat.runs:
        st.write(
            f"The latest audit of {period} is run **{cat.runs[period]}**. Run it again after loading "
            "a new return or evidence pack, or after the expert citizens approve a changed standard."
        )
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


@tiers.output(tiers.RESTRICTED, "the auditor's sign-off form, over the exact results")
def signoff_section(account, db: str, cat: data.Catalogue, period: str) -> None:
    st.subheader("2. Sign off")
    if period not in cat.runs:
        st.write("Run the audit for this period first; a sign-off vouches for one audit run.")
        return
    run_id = cat.runs[period]
    audited = sorted(data.standard_results(db, cat, period, None)["provider_id"].unique())
    names = cat.providers.set_index("provider_id")["provider_name"]
    with st.form("signoff", clear_on_submit=False):
        provider_id = st.selectbox("Provider", audited, format_func=lambda p: f"{names.get(p, p)} ({p})")
        name = st.text_input("Your name", value=account.display_name)
        organisation = st.text_input("Your organisation")
        agreed = st.checkbox(signoffs.DECLARATION)
        submitted = st.form_submit_button("Record the sign-off")
    if submitted:
        try:
            message = record_signoff(db, provider_id, period, run_id, name, organisation, agreed, account.username)
        except (signoffs.SignoffError, store.StoreBusy) as error:
            st.error(str(error))
        else:
            data.clear()
            st.success(message.replace(provider_id, f"{names.get(provider_id, provider_id)} ({provider_id})", 1))
    done = signoff_table(db, period)
    if done.empty:
        st.write(f"No sign-off recorded for {period} yet.")
    else:
        st.table(done, hide_index=True, width="stretch")


@tiers.output(tiers.RESTRICTED, "the auditor's PDF download section (the PDFs are public)")
def pdf_section(db: str, cat: data.Catalogue, period: str) -> None:
    st.subheader("3. The audit PDFs")
    if period not in cat.runs:
        st.write("Run the audit for this period first.")
        return
    names = cat.providers.set_index("provider_id")["provider_name"]
    audited = sorted(data.standard_results(db, cat, period, None)["provider_id"].unique())
    provider_id = st.selectbox(
        "Provider", audited, key="_audit_pdf_provider", format_func=lambda p: f"{names.get(p, p)} ({p})"
    )
    st.download_button(
        f"Download the audit PDF of {provider_id} for {period}",
        data=lambda: pdf_bytes(db, provider_id, period),
        file_name=f"audit-{provider_id}-{period}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/download:",
        key="audit_pdf",
    )
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
