"""Page (a provider's account): the draft of your audit, shared for a factual accuracy check.
Read the draft and its figures, say where a fact is wrong (standard by standard, with a file if
you wish) within the window, close the check when you have no more comments, and write the
reply that is published with the audit."""

from __future__ import annotations

import streamlit as st

from audits import drafts, factcheck, runs, store, words
from dashboard import auth, comments, data, pdfs, ui

FILE_TYPES = sorted(factcheck.FILE_KINDS)


def render() -> None:
    account = auth.require_page(__file__)
    own = auth.visible_provider(account)
    st.title("Check the draft")
    st.write(
        "Before the audit of your service is signed off and published, the independent auditor shares a draft "
        "with you. Check the facts: say where a figure or a fact is wrong, standard by standard. The auditor "
        "answers every comment. You cannot change the auditor's judgement or people's stories."
    )
    db = data.db()
    with store.reading(db) as con:
        shared = con.execute(
            "SELECT DISTINCT period FROM drafts WHERE provider_id = ? ORDER BY period DESC", [own]
        ).fetchall()
    periods = [p[0] for p in shared]
    if not periods:
        ui.empty("No draft has been shared with you yet.", "the auditor shares it once the audit has run.")
        return
    period = ui.remember("Period", periods, "period", "factcheck")
    with store.reading(db) as con:
        draft = drafts.latest(con, own, period)
        said = factcheck.comments(con, period, own)
        standards = runs.run_standards(con, draft["run_id"])
        reply = factcheck.latest_reply(con, own, period)
    if message := st.session_state.pop("factcheck_message", None):
        st.success(message)
    st.write(comments.draft_words(draft))
    ui.pdf_button(
        "Download the draft PDF",
        lambda: pdfs.draft_pdf(draft["draft_id"]),
        f"draft-{own}-{period}.pdf",
        "draft_pdf",
        pdfs.draft_withheld(draft["draft_id"]),
    )
    st.caption("The figures of every standard are also on *A provider*, for the same quarter.")

    st.subheader("Comment on a fact")
    if drafts.is_open(draft):
        titles = {s.id: s.title for s in standards if s.audited}
        measures = {s.id: {m.id: m.label for m in s.measures} for s in standards}
        standard_id = st.selectbox("Standard", list(titles), format_func=titles.get, key="fc_standard")
        with st.form("comment", clear_on_submit=True):
            options = [""] + list(measures[standard_id])
            measure_id = st.selectbox(
                "Measure (or the standard as a whole)",
                options,
                format_func=lambda m: measures[standard_id].get(m, "The standard as a whole"),
            )
            text = st.text_area("Which fact is wrong, and what it should be", max_chars=factcheck.MAX_TEXT)
            upload = st.file_uploader(
                f"A file as evidence (optional; at most {factcheck.MAX_FILE_BYTES // 1024 // 1024} MB)", type=FILE_TYPES
            )
            if st.form_submit_button("Send the comment", type="primary"):
                try:
                    with store.writing(db) as con:
                        cid = factcheck.comment(
                            con,
                            own,
                            period,
                            standard_id,
                            measure_id or None,
                            text,
                            account.display_name,
                            file_name=upload.name if upload else None,
                            file_bytes=upload.getvalue() if upload else None,
                        )
                except (factcheck.FactcheckError, store.StoreError) as error:
                    st.error(str(error))
                else:
                    data.clear()
                    st.session_state["factcheck_message"] = f"Comment {cid} sent to the auditor."
                    st.rerun()
        if st.button("We have no more comments: close the check", key="close_check"):
            with store.writing(db) as con:
                message = drafts.close(con, own, period, account.display_name)
            data.clear()
            st.session_state["factcheck_message"] = message
            st.rerun()
    else:
        st.write("The check is closed: no more comments can be sent on this draft.")

    st.subheader("Your comments and the auditor's answers")
    if said.empty:
        st.write("No comment sent.")
    for i, c in enumerate(said.to_dict("records")):
        with st.container(border=True):
            comments.show_comment(c, str(i), {s.id: s.title for s in standards})
            if not isinstance(c["outcome"], str):
                st.caption("Waiting for the auditor's answer.")

    st.subheader("Your reply, published with the audit")
    st.write(
        "As Healthwatch publishes a provider's response with its report, your reply is published beside the "
        "signed audit. Leave it empty and the page says you did not reply. Do not name anyone."
    )
    if reply:
        st.caption(f"Saved by {reply['replied_by']} on {words.long_datetime(reply['replied_at'])}.")
    with st.form("reply"):
        text = st.text_area("Your reply", value=reply["reply"] if reply else "", max_chars=factcheck.MAX_TEXT)
        if st.form_submit_button("Save the reply"):
            try:
                with store.writing(db) as con:
                    message = factcheck.reply(con, own, period, text, account.display_name)
            except (factcheck.FactcheckError, store.StoreError) as error:
                st.error(str(error))
            else:
                data.clear()
                st.session_state["factcheck_message"] = message
                st.rerun()


if __name__ == "__main__":
    render()
