"""Page (auditors): share the draft with a provider for its factual accuracy check, then answer
each comment: accepted (saying the change made) or not accepted (saying why). The provider's
words are shown as text; a file it sent is only offered for download, never opened here."""

from __future__ import annotations

import streamlit as st

from audits import drafts, factcheck, findings, store, tiers
from dashboard import auth, comments, data, pdfs, ui


@tiers.output(tiers.RESTRICTED, "an auditor's page over the exact results")
def render() -> None:
    account = auth.require_page(__file__)
    st.title("Share the draft")
    st.write(
        "Share the draft audit with the provider for a factual accuracy check, as CQC does: the provider sees "
        "the draft PDF and its figures and may say, standard by standard, where a fact is wrong, within the "
        "working days the setting allows. Answer every comment before you sign off."
    )
    db = data.db()
    cat = data.catalogue(db)
    if not cat.runs:
        ui.empty("No audit has been run yet.", "run the audit on *Run the audit* first.")
        return
    period = ui.remember("Period", list(reversed(cat.periods)), "period", "draft")
    names = cat.providers.set_index("provider_id")["provider_name"]
    audited = sorted(data.standard_results(db, cat, period, None)["provider_id"].unique())
    provider_id = ui.remember(
        "Provider", audited, "provider_id", "draft", format_func=lambda p: f"{names.get(p, p)} ({p})"
    )
    with store.reading(db) as con:
        draft = drafts.latest(con, provider_id, period)
        said = factcheck.comments(con, period, provider_id)
    if message := st.session_state.pop("draft_message", None):
        st.success(message)
    st.write(comments.draft_words(draft))
    if draft is not None:
        if draft["run_id"] != cat.runs[period]:
            st.warning("The audit has been run again since this draft was shared: share the new draft.")
        ui.pdf_button(
            "Download the draft as shared",
            lambda: pdfs.draft_pdf(draft["draft_id"]),
            f"draft-{provider_id}-{period}.pdf",
            "draft_pdf",
            pdfs.draft_withheld(draft["draft_id"]),
        )
    if st.button(
        f"Share the {'new ' if draft else ''}draft with {names.get(provider_id, provider_id)}",
        type="primary" if draft is None else "secondary",
        key="share_draft",
    ):
        try:
            with store.writing(db) as con:
                message = drafts.share(con, provider_id, period, account.display_name)
        except (drafts.DraftError, findings.FindingsError, store.StoreError) as error:
            st.error(str(error))
        else:
            data.clear()
            st.session_state["draft_message"] = message
            st.rerun()

    st.subheader("The provider's comments")
    titles = {s.id: s.title for s in data.standards(db, cat.runs[period])}
    if said.empty:
        st.write("No comment yet.")
        return
    waiting = int(said["outcome"].isna().sum())
    st.write(f"{len(said)} comment(s); {waiting} waiting for your answer.")
    for i, c in enumerate(said.to_dict("records")):
        with st.container(border=True):
            comments.show_comment(c, str(i), titles)
            if isinstance(c["outcome"], str):
                continue
            with st.form(f"answer_{c['comment_id']}"):
                outcome = st.radio(
                    "Your answer",
                    list(factcheck.OUTCOMES),
                    format_func=factcheck.OUTCOMES.get,
                    index=None,
                    key=f"o_{c['comment_id']}",
                )
                text = st.text_area("The change made, or why it is not accepted", key=f"a_{c['comment_id']}")
                if st.form_submit_button("Record the answer"):
                    try:
                        with store.writing(db) as con:
                            message = factcheck.answer(con, c["comment_id"], outcome or "", text, account.display_name)
                    except (factcheck.FactcheckError, store.StoreError) as error:
                        st.error(str(error))
                    else:
                        data.clear()
                        st.session_state["draft_message"] = message
                        st.rerun()


if __name__ == "__main__":
    render()
