"""Page (peer interviewers and auditors): take a story back by the reference the person kept.

The person gives their reference (to the auditor, or to an interviewer who is with them); the
page says which story it points at, without its words, so they can be sure it is theirs; then,
once it is confirmed, the story is withdrawn for good: it leaves every page and report at once,
in every quarter (audits.withdrawals). There is no undo.
"""

from __future__ import annotations

import streamlit as st

from audits import store, withdrawals
from dashboard import auth, data, ui

DONE = "withdraw_done"
ROUND = "withdraw_round"  # each withdrawal starts with new, empty widgets


def key(name: str) -> str:
    return f"withdraw_{st.session_state.get(ROUND, 0)}_{name}"


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Take a story back")
    st.write(
        "When someone changes their mind about their story, it comes out of every report and page, in every "
        "quarter, as soon as you record it here. It is for good: nobody can put it back."
    )
    if done := st.session_state.pop(DONE, None):
        st.success(done, icon=":material/check_circle:")
    typed = st.text_input(
        "Their reference", key=key("reference"), placeholder="for example KMTR-HWAX-CEPN", max_chars=40
    )
    if not typed.strip():
        st.caption("Twelve letters in three groups of four, from the slip or card they were given.")
        return
    db = data.db()
    try:
        with store.reading(db) as con:
            found = withdrawals.look_up(con, typed)
    except withdrawals.WithdrawalError as error:
        st.error(str(error))
        return
    except store.StoreMissing as error:
        st.error(str(error))
        return
    if found.already:
        st.info(found.summary(), icon=":material/info:")
        return
    not_loaded = False
    if found.stories.empty:
        st.warning(
            f"No story has the reference {found.reference} yet. Check it letter by letter with them.",
            icon=":material/search_off:",
        )
        not_loaded = st.checkbox(
            "Their story is on a paper sheet that is not loaded yet: record the withdrawal now, so it is never shown",
            key=key("not_loaded"),
        )
        if not not_loaded:
            return
    else:
        st.markdown(f"**The reference {found.reference} is for:** {ui.md(found.summary())}")
    sure = st.checkbox("They want their story taken back, and I have told them it cannot be undone", key=key("sure"))
    if st.button("Take the story back for good", type="primary", disabled=not sure, key=key("go")):
        try:
            with store.writing(db) as con:
                message = withdrawals.withdraw(con, found.reference, account.display_name, not_loaded)
        except (withdrawals.WithdrawalError, store.StoreError) as error:
            st.error(str(error))
            return
        data.clear()
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        st.session_state[DONE] = message
        st.rerun()


if __name__ == "__main__":
    render()
