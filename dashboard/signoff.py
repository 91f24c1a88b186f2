"""Page (auditors): sign off one provider's audit, after the stories are reviewed and the
provider's factual accuracy check is over. Shows why signing is refused while it is, each
sign-off as signed or "out of date: sign again" (with what changed), and every signed PDF
exactly as signed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import signed, signoffs, store, tiers, words
from dashboard import auth, data, ui
from dashboard.standing import Standing, standing

UNSIGNED = Standing(None, None, "unsigned", [], "", None, pd.DataFrame())


def provider_state(db: str, provider_id: str, period: str) -> tuple[Standing, list[str]]:
    """The sign-off's state (as audits.findings.gather says it, gathered only when someone signed:
    gathering took ~7 s a visit at national scale) and what still stops a sign-off."""
    found = standing(db, provider_id, period) or UNSIGNED
    with store.reading(db) as con:
        return found, signoffs.not_ready(con, provider_id, period)


def state_words(found: Standing) -> str:
    """The sign-off as everywhere shows it: not signed, signed by whom and when, or out of date."""
    if found.signoff_status == "unsigned":
        return "Not signed off yet."
    so = found.signoff or found.earlier_signoff
    who = f"Signed off by {so['name']}, {so['organisation']}, on {words.long_datetime(so['signed_at'])}"
    if found.signoff_status == "out_of_date":
        return f"{who}. {signed.OUT_OF_DATE}: " + "; ".join(found.out_of_date) + "."
    return who + ". Nothing has changed since."


@tiers.output(tiers.RESTRICTED, "an auditor's page over the exact results")
def render() -> None:
    account = auth.require_page(__file__)
    st.title("Sign off")
    st.write(
        "Put your name to one provider's audit and declare your independence. Signing keeps the PDF exactly "
        "as signed; if anything in it changes afterwards, the sign-off says *out of date: sign again*."
    )
    db = data.db()
    cat = data.catalogue(db)
    if not cat.runs:
        ui.empty("No audit has been run yet.", "run the audit on *Run the audit* first.")
        return
    period = ui.remember("Period", list(reversed(cat.periods)), "period", "signoff")
    run_id = cat.runs[period]
    audited = sorted(data.standard_results(db, cat, period, None)["provider_id"].unique())
    names = cat.providers.set_index("provider_id")["provider_name"]
    provider_id = ui.remember(
        "Provider", audited, "provider_id", "signoff", format_func=lambda p: f"{names.get(p, p)} ({p})"
    )
    found, problems = provider_state(db, provider_id, period)
    if found.signoff_status == "out_of_date":
        st.warning(state_words(found), icon=":material/history:")
    elif found.signoff_status == "signed":
        st.success(state_words(found), icon=":material/verified:")
    if message := st.session_state.pop("signoff_message", None):
        st.success(message)
    if problems:
        st.warning("Not ready to sign: " + "; ".join(problems) + ".", icon=":material/block:")
    with st.form("signoff", clear_on_submit=False):
        name = st.text_input("Your name", value=account.display_name)
        organisation = st.text_input("Your organisation")
        agreed = st.checkbox(signoffs.DECLARATION)
        submitted = st.form_submit_button("Record the sign-off", type="primary", disabled=bool(problems))
    if submitted:
        try:
            with store.writing(db) as con:
                message = signoffs.record_signoff(
                    con,
                    provider_id,
                    period,
                    run_id,
                    name,
                    organisation,
                    signoffs.DECLARATION if agreed else None,
                    account.username,
                )
        except (signoffs.SignoffError, store.StoreError) as error:
            st.error(str(error))
        else:
            data.clear()
            st.session_state["signoff_message"] = message
            st.rerun()

    st.subheader("Signed versions")
    with store.reading(db) as con:
        versions = signed.versions(con, period, provider_id)
        withheld = [signed.withheld(con, provider_id, period, at) for at in versions["signed_at"]]
    if versions.empty:
        st.write(f"No signed version of {names.get(provider_id, provider_id)} for {period} yet.")
        return
    for i, v in enumerate(versions.to_dict("records")):
        label = "latest" if i == 0 else "earlier"
        st.markdown(
            f"**Signed {words.long_datetime(v['signed_at'])}** by {v['name']} ({label}), {words.audit_run(v['run_id'])}, "
            f"SHA-256 `{v['pdf_sha256']}`"
        )
        ui.pdf_button(
            "Download this signed PDF",
            lambda at=v["signed_at"]: signed_bytes(db, provider_id, period, at),
            f"audit-{provider_id}-{period}-signed-{v['signed_at']:%Y%m%d-%H%M%S}.pdf",
            f"signed_{i}",
            withheld[i],
        )


def signed_bytes(db: str, provider_id: str, period: str, signed_at) -> bytes:
    with store.reading(db) as con:
        return signed.signed_pdf(con, provider_id, period, signed_at)[0]


if __name__ == "__main__":
    render()
