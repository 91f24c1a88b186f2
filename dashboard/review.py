"""Page (auditors): review the stories that screening held back because they may
contain personal details: clear them, approve a redacted version, or keep them out.
The words are shown only here, to the auditor, and never logged; what screening flagged
is highlighted, and clearing a flagged story needs the auditor to tick that they read it
and the flagged words are not a personal detail. Every decision stays listed with who and
when, and can be undone while the audit is not signed off.

Below, the auditor tags each consented story to the standards it speaks to (the pack's
own column may be empty or wrong), marking what it says of each: confirms, contradicts or
mixed. A contradiction is answered by saying why the rating stands. That tagging is what
pairs stories with figures in the reports and on every page. Only words that may already
be shown appear there."""

from __future__ import annotations

import re

import streamlit as st

from audits import screening, store, story_review, words
from audits.verdicts import STANCES
from dashboard import auth, data, ui

CHOICES = {
    "cleared": "Clear it: there are no personal details",
    "redacted": "Approve a redacted version",
    "kept_out": "Keep it out of every output",
}


@data.live()
def held(db: str, period: str):
    with store.reading(db) as con:
        return story_review.held_stories(con, period)


@data.live()
def taggable(db: str, period: str):
    with store.reading(db) as con:
        return story_review.taggable_stories(con, period)


@data.live()
def standard_titles(folder: str) -> dict[str, str]:
    return story_review.standard_titles(folder)


TAG_MESSAGE = "review_tag_message"  # the last saved tagging, shown after the page reruns
REVIEW_MESSAGE = "review_message"  # the last decision, shown after the page reruns
STANCE_WORDS = {"confirms": "Confirms the figures", "contradicts": "Contradicts the figures", "mixed": "Mixed"}


def code(text: str) -> str:
    """People's words inside a widget label, as a Markdown code span: shown literally, never as
    Markdown, a link or HTML (a fence longer than any run of backticks in the words)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def flagged_words(story: str) -> str:
    """The words screening flagged, each once, in reading order."""
    seen = []
    for flag in screening.screen(story):
        part = " ".join(story[flag.start : flag.end].split())
        if part not in seen:
            seen.append(part)
    return ", ".join(seen)


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
    if message := st.session_state.pop(REVIEW_MESSAGE, None):
        st.success(message)
    review_held(db, period, account)
    decided(db, period, account)
    tag_stories(db, period, cat, account)


def decided(db: str, period: str, account) -> None:
    """Every decision that stands, with who and when, and a way to undo it."""
    with store.reading(db) as con:
        done = story_review.decisions(con, period)
    if done.empty:
        return
    st.subheader("Decisions made")
    st.caption("Each stays here with who made it and when. Undo one while the audit is not signed off.")
    for row in done.to_dict("records"):
        confirmed = (
            f" They confirmed what screening flagged ({row['flagged']}) is not a personal detail."
            if row["flagged"] and row["decision"] == "cleared"
            else ""
        )
        left, right = st.columns([5, 1])
        left.markdown(
            f"**{row['provider_id']} · story {row['story_id']}**: {story_review.DECISION_WORDS[row['decision']]}"
            f" by {row['reviewed_by']} on {words.long_datetime(row['reviewed_at'])}.{confirmed}"
        )
        if right.button("Undo", key=f"undo_{row['provider_id']}_{row['story_id']}"):
            try:
                with store.writing(db) as con:
                    message = story_review.undo_decision(
                        con, row["provider_id"], period, row["story_id"], account.display_name
                    )
            except (story_review.ReviewError, store.StoreError) as error:
                st.error(str(error))
            else:
                data.clear()
                st.session_state[REVIEW_MESSAGE] = message
                st.rerun()


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
            st.html(ui.highlighted(row.story))
            st.caption("Highlighted: what screening flagged.")
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
                    f"I have read it: {code(flagged_words(row.story))} is not a personal detail "
                    "(needed to clear it, or to approve a redacted version that still holds it)",
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
                        st.session_state[REVIEW_MESSAGE] = message
                        st.rerun()


def tag_stories(db: str, period: str, cat: data.Catalogue, account) -> None:
    """Tag each consented story of one provider to the standards it speaks to."""

    st.subheader("Tag stories to the standards they speak to")
    st.caption(
        "Mark what each story says of each standard it speaks to. A standard green on its figures stays "
        "*Met (provisional)* until a consented story from a person using the service, or a family member, "
        "confirms it; a story that contradicts it makes it *Partly met: people's experience differs* until "
        "you say why the rating stands. Your tagging replaces the evidence pack's own list; saving none clears it."
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
            chosen = st.multiselect(
                "Standards this story speaks to",
                list(titles),
                default=[sid for sid in row.standards if sid in titles],
                format_func=titles.get,
                key=f"s_{key}",
                placeholder="None: it speaks to no standard",
            )
            stances = {}
            for sid in chosen:
                given = row.stances.get(sid)
                stances[sid] = st.radio(
                    f"What it says of {titles[sid]}",
                    list(STANCES),
                    index=list(STANCES).index(given) if given in STANCES else None,
                    format_func=STANCE_WORDS.get,
                    horizontal=True,
                    key=f"st_{key}_{sid}",
                )
            if st.button("Save the tags", key=f"save_{key}"):
                try:
                    with store.writing(db) as con:
                        message = story_review.tag_story(
                            con,
                            row.provider_id,
                            period,
                            row.story_id,
                            chosen,
                            account.display_name,
                            titles,
                            {sid: v for sid, v in stances.items() if v},
                        )
                except (story_review.ReviewError, store.StoreError) as error:
                    st.error(str(error))
                else:
                    data.clear()
                    st.session_state[TAG_MESSAGE] = message
                    st.rerun()
            for sid, stance in row.stances.items():
                if stance == "contradicts":
                    answer_contradiction(db, period, row, sid, titles, account)


def answer_contradiction(db: str, period: str, row, sid: str, titles: dict, account) -> None:
    """A contradiction stays open (the green shows as people's experience differs) until the
    auditor says why the rating stands."""
    given = row.answers.get(sid)
    with st.form(f"answer_{row.provider_id}_{row.story_id}_{sid}"):
        if given:
            st.caption(f"Answered: the rating of {titles.get(sid, sid)} stands because:")
            st.text(given["answer"])
        else:
            st.caption(
                f"This story contradicts {titles.get(sid, sid)}. Until you say why the rating stands, a green shows "
                "as Partly met: people's experience differs."
            )
        why = st.text_area("Why the rating stands (empty: the contradiction stays open)", key=f"w_{row.story_id}_{sid}")
        if st.form_submit_button("Save the answer"):
            try:
                with store.writing(db) as con:
                    message = story_review.answer_contradiction(
                        con, row.provider_id, period, row.story_id, sid, why, account.display_name
                    )
            except (story_review.ReviewError, store.StoreError) as error:
                st.error(str(error))
            else:
                data.clear()
                st.session_state[TAG_MESSAGE] = message
                st.rerun()


if __name__ == "__main__":
    render()
