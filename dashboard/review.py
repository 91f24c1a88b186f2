"""Page (auditors): review the stories that screening held back because they may
contain personal details: clear them, approve a redacted version, or keep them out.
The words are shown only here, to the auditor, and never logged.

Below, the auditor tags each consented story to the standards it speaks to (the pack's
own column may be empty or wrong): that tagging is what pairs stories with figures in
the reports and on every page. Only words that may already be shown appear there."""

from __future__ import annotations

import streamlit as st

from audits import store, story_review, words
from dashboard import auth, data, ui

CHOICES = {
    "cleared": "Clear it: there are no personal details",
    "redacted": "Approve a redacted version",
    "kept_out": "Keep it out of every output",
}


@st.cache_data(ttl=data.SHORT, show_spinner=False)
def held(db: str, period: str):

    with store.reading(db) as con:
        return story_review.held_stories(con, period)


@st.cache_data(ttl=data.SHORT, show_spinner=False)
def taggable(db: str, period: str):

    with store.reading(db) as con:
        return story_review.taggable_stories(con, period)


@st.cache_data(ttl=data.SHORT, show_spinner=False)
def standard_titles(folder: str) -> dict[str, str]:

    return story_review.standard_titles(folder)


TAG_MESSAGE = "review_tag_message"  # the last saved tagging, shown after the page reruns


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
    review_held(db, period, account)
    tag_stories(db, period, cat, account)


def review_held(db: str, period: str, account) -> None:
    waiting = held(db, period)
    if waiting.empty:
        ui.empty(
            f"No story of {period} is waiting for review.",
            "nothing to do here: every consented story passed screening or has a decision. "
            "New evidence packs may bring more.",
        )
        return
    st.write(f"{len(waiting)} stories of {period} are held. Each stays out of every report and page until you decide.")
    for row in waiting.itertuples():
        with st.container(border=True):
            st.markdown(f"**{ui.md(row.provider_id)} · story {ui.md(row.story_id)}**: {ui.md(row.reason)}")
            st.text(row.story)
            with st.form(f"review_{row.provider_id}_{row.story_id}"):
                # no choice made for the auditor: a story flagged for a name must not be cleared by a
                # press of the button alone
                decision = st.radio(
                    "Your decision",
                    list(CHOICES),
                    format_func=CHOICES.get,
                    index=None,
                    key=f"d_{row.provider_id}_{row.story_id}",
                )
                redacted = st.text_area(
                    "Redacted words (only for a redacted version)",
                    value=row.story,
                    key=f"t_{row.provider_id}_{row.story_id}",
                )
                confirm = st.checkbox(
                    "I have checked: what screening still flags in the redacted words is not a personal detail",
                    key=f"c_{row.provider_id}_{row.story_id}",
                )
                submitted = st.form_submit_button("Record the decision")
                if submitted and decision is None:
                    st.error("Choose a decision first: clear it, approve a redacted version, or keep it out.")
                elif submitted:
                    try:
                        with store.writing(db) as con:
                            message = story_review.review_story(
                                con,
                                row.provider_id,
                                period,
                                row.story_id,
                                decision,
                                account.display_name,
                                redacted_text=redacted if decision == "redacted" else None,
                                accept_remaining_flags=confirm,
                            )
                    except (story_review.ReviewError, store.StoreError) as error:
                        st.error(str(error))
                    else:
                        data.clear()
                        st.success(message)
                        st.rerun()


def tag_stories(db: str, period: str, cat: data.Catalogue, account) -> None:
    """Tag each consented story of one provider to the standards it speaks to."""

    st.subheader("Tag stories to the standards they speak to")
    st.caption(
        "A standard green on its figures stays *Met (provisional)* until a consented story from a "
        "person using the service, or a family member, is tagged to it. Your tagging replaces the "
        "evidence pack's own list; saving none clears it."
    )
    if message := st.session_state.pop(TAG_MESSAGE, None):
        st.success(message)
    folder = data.standards_dir()
    try:
        titles = standard_titles(str(folder))
    except story_review.ReviewError as error:
        st.error(str(error))
        return
    table = taggable(db, period)
    if table.empty:
        ui.empty(f"No consented story of {period} to tag.", "load an evidence pack on *Upload returns*.")
        return
    names = dict(zip(cat.providers["provider_id"], cat.providers["provider_name"]))
    providers = list(dict.fromkeys(table["provider_id"]))
    provider = ui.remember(
        "Provider", providers, "tag_provider", "review", format_func=lambda p: f"{names.get(p, p)} ({p})"
    )
    for row in table[table["provider_id"] == provider].itertuples():
        key = f"{row.provider_id}_{row.story_id}"
        with st.container(border=True):
            st.markdown(f"**Story {ui.md(row.story_id)}**, told by {words.teller(row.teller)}: {ui.md(row.reason)}")
            if isinstance(row.text, str):
                st.text(row.text)
            elif row.status == "held":
                st.caption("Its words are above, waiting for your decision.")
            else:
                st.caption("Its words are kept out of every output, so they are not shown here.")
            if isinstance(row.tagged_by, str):
                st.caption(f"Tagged by {ui.md(row.tagged_by)} on {words.long_datetime(row.tagged_at)}.")
            elif row.standards:
                st.caption("Tagged as the evidence pack gave it.")
            else:
                st.caption("The evidence pack tagged it to no standard.")
            unknown = [sid for sid in row.standards if sid not in titles]
            if unknown:
                st.warning(
                    f"It is tagged with {ui.md(', '.join(unknown))}, which is not a standard in {ui.md(folder)}: "
                    "choose the standards it speaks to and save."
                )
            with st.form(f"tag_{key}"):
                chosen = st.multiselect(
                    "Standards this story speaks to",
                    list(titles),
                    default=[sid for sid in row.standards if sid in titles],
                    format_func=titles.get,
                    key=f"s_{key}",
                    placeholder="None: it speaks to no standard",
                )
                if st.form_submit_button("Save the tags"):
                    try:
                        with store.writing(db) as con:
                            message = story_review.tag_story(
                                con, row.provider_id, period, row.story_id, chosen, account.display_name, titles
                            )
                    except (story_review.ReviewError, store.StoreError) as error:
                        st.error(str(error))
                    else:
                        data.clear()
                        st.session_state[TAG_MESSAGE] = message
                        st.rerun()


if __name__ == "__main__":
    render()
