"""Page (peer interviewers): record a story, on a phone or a tablet, during or just after a visit.

One column, from top to bottom in the order of a conversation: the service and the day; who is
telling (a group, never a name); whether they agreed to their story being used, and how; their
story in their words; the standards it speaks to and whether it shows them happening; the
reference to give them; the interviewer's name, hours and whether to be named. The words are
screened for personal details as they are typed (each pause in the typing runs the page again),
when the box loses focus, and once more before saving: what screening found is highlighted here, on this
page only. Saving joins the story to the quarter's evidence pack by the same rules as a loaded
pack (audits.capture); the auditor then reviews it on *Review stories* as any other.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from audits import capture, guides, references, screening, spec, store
from dashboard import auth, data, ui

TELLERS = {
    "person_using_services": "Someone using the service",
    "family_member": "A family member",
    "staff": "A member of staff",
}
CONSENT = {"yes": "Yes, they agreed", "no": "No"}
USES = {
    "quoted": "Quoted: their own words may be printed",
    "summarised": "Summarised: only the auditor's summary is printed, never their words",
    "not_at_all": "Not at all: they are counted as a voice heard, and their words are shown nowhere",
}
STANCES = {
    "confirms": "Yes, it is happening",
    "contradicts": "No, it is not happening",
    "mixed": "Some of each",
}
SAVED = "capture_saved"
STORY = "capture_story_number"  # which story the form is on: its widgets are new for each story
# Bigger targets for a thumb: each choice gets room above and below it.
TOUCH_CSS = """<style>
[data-testid="stRadio"] label, [data-testid="stCheckbox"] label { padding: 0.4rem 0; min-height: 2.25rem; }
[data-testid="stRadio"] [role="radiogroup"] { gap: 0.1rem; }
[data-testid="stTextArea"] [data-testid="InputInstructions"] { display: none; }
</style>"""  # the story is screened as it is typed: no "Press Ctrl+Enter to apply" on a phone


STORY_LABEL = "Their story, in their words"
# Screening as they type: a component with nothing to show listens to the story box and, when
# the typing pauses, sends the words so the page runs again and screens them (audits.screening,
# the one screening, in Python), before the box loses focus. Without JavaScript, or in a test
# without a browser, the box is screened when it loses focus and again before saving.
TYPING = st.components.v2.component(
    "lived_standards_story_typing",
    js="""
export default function ({ data, setStateValue }) {
  let box = null, timer = null, retry = null;
  const send = () => setStateValue("words", box.value);
  const typed = () => { clearTimeout(timer); timer = setTimeout(send, data.pause); };
  const left = () => { clearTimeout(timer); send(); };
  const attach = (tries) => {
    box = document.querySelector(`textarea[aria-label="${CSS.escape(data.label)}"]`);
    if (box) { box.addEventListener("input", typed); box.addEventListener("blur", left); }
    else if (tries > 0) retry = setTimeout(() => attach(tries - 1), 200);
  };
  attach(10);
  return () => {
    clearTimeout(timer); clearTimeout(retry);
    if (box) { box.removeEventListener("input", typed); box.removeEventListener("blur", left); }
  };
}
""",
)
PAUSE_MS = 600  # how long a pause in typing before the words are screened


def key(name: str) -> str:
    """A widget of the visit (service, day, name, group): kept from one story to the next."""
    return f"capture_{name}"


def story_key(name: str) -> str:
    """A widget of one person's story: new, and empty, for each story (Streamlit keeps a widget's
    value as long as its key lives, so the next story gets new keys)."""
    return f"capture_{st.session_state.get(STORY, 0)}_{name}"


@data.live()
def approved_standards(folder: str) -> dict[str, str]:
    """id -> title of the approved standards a story may speak to."""

    return {s.id: s.title for s in guides.kit_standards(folder)}


def reference() -> str:
    """The reference for the story being recorded: made once, kept until it is saved."""
    if story_key("reference") not in st.session_state:
        st.session_state[story_key("reference")] = references.make()
    return st.session_state[story_key("reference")]


def forget_story() -> None:
    """After saving: an empty form and a new reference for the next person (the service, the day,
    the name and the group stay, as the next conversation is usually on the same visit)."""
    done = f"capture_{st.session_state.get(STORY, 0)}_"
    for name in [n for n in st.session_state if str(n).startswith(done)]:
        del st.session_state[name]
    st.session_state[STORY] = st.session_state.get(STORY, 0) + 1


def screening_note(words: str, saved_words: str) -> bool:
    """What screening finds in the words as typed so far, shown where it is; True when what
    would be saved (the box's value) holds something flagged, so the save asks for a check."""
    if not words.strip():
        return False
    flags = screening.screen(words)
    if not flags:
        st.caption("✔ Checked: no names, phone numbers, addresses or other personal details found.")
    else:
        st.warning(
            f"This may hold {screening.reasons(flags)}, highlighted below. Take it out, or say it another way "
            "('my keyworker', 'the helpline', 'my street').",
            icon=":material/warning:",
        )
        st.html(ui.highlighted(words))
    return bool(screening.screen(saved_words)) if saved_words != words else bool(flags)


def reference_card(ref: str) -> None:
    letters = "".join(f"<span>{part}</span>" for part in ref.split("-"))
    st.html(
        '<div role="group" aria-label="Their reference" style="border: 2px solid #2b4c7e; border-radius: 0.5rem; '
        'padding: 0.75rem 1rem; background: #f4f4f0">'
        '<div style="font-size: 0.95rem">Their reference, to take their story back later:</div>'
        '<div style="font-size: 1.9rem; font-weight: 700; letter-spacing: 0.12em; font-family: monospace; '
        f'display: flex; gap: 0.6em; flex-wrap: wrap">{letters}</div></div>'
    )
    st.caption(
        "Read it out, or write it on a card for them. With it they can take their story back at any time, for good, "
        "by telling the auditor or any peer interviewer. It is not made from anything about them."
    )


def render() -> None:
    account = auth.require_page(__file__)
    st.title("Record a story", anchor=False)
    st.html(TOUCH_CSS)
    st.caption("One person's story at a time. Their agreement comes first; never write a name.")
    if saved := st.session_state.pop(SAVED, None):
        st.success(saved, icon=":material/check_circle:")
        # Save is tapped at the foot of a long page: a toast says it there too, without scrolling
        st.toast(saved.split(":", 1)[0] + ".", icon=":material/check_circle:", duration="long")
    db = data.db()
    cat = data.catalogue(db)
    if cat.providers.empty:
        ui.empty("No service is in the store yet.", "the auditor loads the providers' returns first.")
        return
    try:
        titles = approved_standards(str(data.standards_dir()))
    except ValueError as error:
        st.error(str(error))
        return

    st.subheader("1. Where and when", anchor=False)
    names = dict(zip(cat.providers["provider_id"], cat.providers["provider_name"]))
    provider_id = st.selectbox(
        "Service you visited",
        list(names),
        index=None,
        format_func=lambda p: f"{names[p]} ({p})",
        key=key("provider"),
        placeholder="Choose the service",
    )
    today = store.now().date()
    day = st.date_input("Day you heard it", value=today, max_value=today, format="DD/MM/YYYY", key=key("day"))
    if isinstance(day, dt.date):
        start, end = spec.parse_period(spec.period_of(day))
        st.caption(f"It goes into the audit of {start:%B} to {end:%B %Y}.")

    st.subheader("2. Who is telling", anchor=False)
    teller = st.radio(
        "Who is telling? (never a name)", list(TELLERS), index=None, format_func=TELLERS.get, key=story_key("teller")
    )

    st.subheader("3. Their agreement", anchor=False)
    consent = st.radio(
        "Did they agree to their story being used?",
        list(CONSENT),
        index=None,
        format_func=CONSENT.get,
        key=story_key("consent"),
    )
    use, story, flagged, checked = None, "", False, True
    if consent == "yes":
        use = st.radio(
            "How may their words be used?", list(USES), index=None, format_func=USES.get, key=story_key("use")
        )
    st.subheader("4. Their story", anchor=False)
    if consent is None:
        st.caption("First say whether they agreed: their story is written down only if they did.")
    if consent == "yes":
        story = st.text_area(
            STORY_LABEL,
            height=220,
            max_chars=capture.MAX_WORDS,
            key=story_key("story"),
            placeholder="Write what they told you, as they said it. No names, phone numbers or addresses.",
            help="It is checked for personal details as you write, and again before it is saved.",
        )
        typing = TYPING(
            key=story_key("typing"),
            data={"label": STORY_LABEL, "pause": PAUSE_MS},
            default={"words": None},
            on_words_change=lambda: None,
            height=0,
        )
        # The words as typed so far: the box's own value when it has just changed (it lost the
        # focus, or Save was tapped), else what the typing sent (newer, while the box has focus).
        sent = typing.words if typing is not None else None
        words = story if story != st.session_state.get(story_key("seen")) or sent is None else sent
        st.session_state[story_key("seen")] = story
        flagged = screening_note(words[: capture.MAX_WORDS], story)
        if flagged:
            checked = st.checkbox(
                "I have checked: what is highlighted is not a personal detail (the auditor will check again)",
                key=story_key("checked"),
            )
    elif consent == "no":
        st.info(
            "Do not write their story down. You can still save the conversation, so that your time is counted.",
            icon=":material/block:",
        )

    st.subheader("5. The standards it speaks to", anchor=False)
    chosen: dict[str, str | None] = {}
    for sid, title in titles.items():
        if st.checkbox(ui.md(title), key=story_key(f"tag_{sid}")):
            chosen[sid] = st.radio(
                f"Does their story say this is happening? ({ui.md(title)})",
                list(STANCES),
                index=None,
                format_func=STANCES.get,
                key=story_key(f"stance_{sid}"),
                label_visibility="visible",
            )
    if not chosen:
        st.caption("Tick each standard their story speaks to. It may speak to none.")

    st.subheader("6. Their reference", anchor=False)
    ref = reference()
    reference_card(ref)

    st.subheader("7. You", anchor=False)
    name = st.text_input("Your name", value=account.display_name, key=key("name"), help="Kept for credit and pay.")
    credit = st.checkbox("Name me in the published report", key=key("credit"))
    hours = st.number_input(
        "Hours you spent on this story (the conversation, travel, writing it up)",
        min_value=0.0,
        max_value=24.0,
        step=0.25,
        value=None,
        key=story_key("hours"),
        placeholder="for example 1.5",
    )
    group = st.text_input(
        "Your group, as it should appear on the report",
        key=key("group"),
        placeholder="for example Northshire Expert Citizens Group",
    )

    if not st.button("Save the story", type="primary", icon=":material/save:", width="stretch", key=story_key("save")):
        return
    if flagged and not checked:
        st.error(
            "Screening still finds something that may be a personal detail: take it out, or tick that you checked."
        )
        return
    missing_stance = [titles[sid] for sid, stance in chosen.items() if stance is None]
    if missing_stance:
        st.error("Say whether their story shows it happening: " + "; ".join(ui.md(t) for t in missing_stance) + ".")
        return
    captured = capture.Captured(
        provider_id=provider_id or "",
        gathered_on=day if isinstance(day, dt.date) else today,
        teller=teller or "",
        consent=consent or "",
        use_of_words=use,
        story=story or "",
        standards=chosen,
        reference=ref,
        interviewer=name or "",
        credit=credit,
        hours=hours,
        gathered_by=group or "",
    )
    try:
        with store.writing(db) as con:
            joined = capture.add_story(
                con, captured, f"story capture on the dashboard (account {account.username})", set(titles)
            )
    except (capture.CaptureError, store.StoreError) as error:
        st.error(str(error))
        return
    data.clear()
    forget_story()
    st.session_state[SAVED] = (
        f"Saved as story {joined.story_ids[0]} of {names[captured.provider_id]}, {captured.period}. "
        f"Their reference is {ref}: make sure they have it. The auditor reviews it next."
    )
    st.rerun()


if __name__ == "__main__":
    render()
