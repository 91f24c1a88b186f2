"""Page (auditors): review the stories that screening held back because they may
contain personal details: clear them, approve a redacted version, or keep them out.
The words are shown only here, to the auditor, and never logged."""

from __future__ import annotations

import streamlit as st

from audits import store
from dashboard import auth, data, ui

CHOICES = {"cleared": "Clear it: there are no personal details",
           "redacted": "Approve a redacted version",
           "kept_out": "Keep it out of every output"}


@st.cache_data(ttl=data.SHORT, show_spinner=False)
def held(db: str, period: str):
    from audits import stories

    with store.reading(db) as con:
        return stories.held_stories(con, period)


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Review stories held by screening")
    db = data.db()
    cat = data.catalogue(db)
    periods = sorted(set(cat.return_periods) | set(cat.periods), reverse=True)
    if not periods:
        ui.empty("No returns or evidence packs are loaded yet.", "load them on *Upload returns*.")
        return
    period = ui.remember("Period", periods, "period", "review")
    waiting = held(db, period)
    if waiting.empty:
        ui.empty(f"No story of {period} is waiting for review.",
                 "nothing to do here: every consented story passed screening or has a decision. "
                 "New evidence packs may bring more.")
        return
    st.write(f"{len(waiting)} stories of {period} are held. Each stays out of every report and page until you decide.")
    for row in waiting.itertuples():
        with st.container(border=True):
            st.markdown(f"**{row.provider_id} · story {row.story_id}**: {row.reason}")
            st.text(row.story)
            with st.form(f"review_{row.provider_id}_{row.story_id}"):
                # no choice made for the auditor: a story flagged for a name must not be cleared by a
                # press of the button alone
                decision = st.radio("Your decision", list(CHOICES), format_func=CHOICES.get, index=None,
                                    key=f"d_{row.provider_id}_{row.story_id}")
                redacted = st.text_area("Redacted words (only for a redacted version)", value=row.story,
                                        key=f"t_{row.provider_id}_{row.story_id}")
                confirm = st.checkbox("I have checked: what screening still flags in the redacted words is not "
                                      "a personal detail", key=f"c_{row.provider_id}_{row.story_id}")
                submitted = st.form_submit_button("Record the decision")
                if submitted and decision is None:
                    st.error("Choose a decision first: clear it, approve a redacted version, or keep it out.")
                elif submitted:
                    from audits import stories

                    try:
                        with store.writing(db) as con:
                            message = stories.review_story(
                                con, row.provider_id, period, row.story_id, decision, account.display_name,
                                redacted_text=redacted if decision == "redacted" else None,
                                accept_remaining_flags=confirm)
                    except (stories.ReviewError, store.StoreBusy) as error:
                        st.error(str(error))
                    else:
                        data.clear()
                        st.success(message)
                        st.rerun()


if __name__ == "__main__":
    render()
