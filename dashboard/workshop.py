"""Page (expert citizens): the standards workshop. Change a standard, or start a new one,
through forms in plain words; see what it would do to every provider's rating before saving;
save it as a draft; approve it as a group; follow its versions and the ratings each gave.

The actions are in audits (audits.workshop saves and approves, audits.versions words the
history, audits.preview runs the preview); this page draws them. The form and the YAML under
"Advanced" are two views of one working copy (dashboard.workshop_state), kept for the whole
session, so switching views, standards or pages loses nothing; closing or reloading the browser
with unsaved changes asks first. A draft is never audited until the group approves it.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from audits import preview as impact
from audits import standard_edit, store, words, workshop
from audits.preview import PreviewError
from audits.standard_files import StandardProblem
from dashboard import auth, data, ui
from dashboard import workshop_form as wf
from dashboard import workshop_history as wh
from dashboard import workshop_state as ws
from dashboard.workshop_preview import parsed, preview, sources

EDITORS = ("expert_citizen",)  # who may save and approve; auditors may read and preview
TABS = ("Change it", "Approve", "Versions and ratings")
CHOICE = "ws_chosen"  # the standard being worked on, kept across pages (not a widget's state)


# --------------------------------------------------------------------------- problems, where they are

MEASURE_FIELDS = {
    "id": "short name (under Advanced)",
    "label": "what is measured",
    "table": "who or what is counted",
    "where": "which are looked at",
    "count_if": "which count",
    "value": "the number taken from each row",
    "weight": "how each is counted",
    "kind": "what is worked out",
    "green": "met when",
    "amber": "partly met when",
    "min_count": "too few to tell",
}


def places(text: str) -> list[tuple[int, str]]:
    """(first line, the form's name for it) of every field of the YAML, in line order."""
    try:
        doc = standard_edit.load(text)
    except standard_edit.EditError:
        return []
    out = []
    for key in doc:
        line = doc.lc.key(key)[0] + 1
        if key in ("measures", "voices") and isinstance(doc[key], list):
            out.append((line, wf.words_of(key, None).label if key in wf.FIELDS else key.capitalize()))
            for i, item in enumerate(doc[key]):
                if not hasattr(item, "lc"):
                    continue
                for sub in item:
                    what = (
                        MEASURE_FIELDS.get(sub, sub) if key == "measures" else wf.FIELDS.get(sub, wf.Words(sub)).label
                    )
                    one = "Measure" if key == "measures" else "Voice"
                    out.append((item.lc.key(sub)[0] + 1, f"{one} {i + 1}: {what}"))
        else:
            words_ = wf.FIELDS.get(key)
            out.append((line, words_.label if words_ else key))
    return sorted(out)


def where(text: str, line: int | None) -> str:
    found = [label for first, label in places(text) if line is not None and first <= line]
    return found[-1] if found else "The standard"


_PLAIN = [
    (
        re.compile(r'amber "([^"]+)" can never be reached with green "([^"]+)".*'),
        r"partly met at “\1” can never happen when met is at “\2”: partly met must be the lower bar, "
        r"between met and not met.",
    ),
    (re.compile(r"^'(\w+)' is missing from the standard\..*"), r"\1 is empty: write it in."),
    (re.compile(r"^(\w+) is empty: write it in"), r"this is empty: write it in"),
]


def plain(message: str) -> str:
    """A loader's message with the YAML words a form user never sees said plainly."""
    for pattern, replacement in _PLAIN:
        message = pattern.sub(replacement, message)
    return message[:1].upper() + message[1:]


def show_problems(problems: list[StandardProblem], text: str) -> None:
    count = len(problems)
    lines = [f"**{count} thing{'s' if count != 1 else ''} to fix** before this can be previewed or saved:"]
    for p in problems:
        at = f" (line {p.line} of the YAML)" if p.line else ""
        lines.append(f"- **{ui.md(where(text, p.line))}**{at}: {ui.md(plain(p.message))}")
    st.error("\n".join(lines), icon=":material/error:")


# --------------------------------------------------------------------------- the preview (dashboard.workshop_preview)


def show_preview(df: pd.DataFrame, period: str) -> None:
    changed = int(df["changed"].sum())
    n = len(df)
    if df["current_rating"].isna().all():  # a new standard, or one the latest audit did not use
        st.markdown(
            f"**This standard is not in the latest audit ({period}).** With it, the {n} provider"
            f"{'s' if n != 1 else ''} would be rated as below. Ratings are shown as on the overview: "
            "a Met not yet confirmed by people's experience is Met (provisional)."
        )
    else:
        st.markdown(
            f"**{changed} of {n} provider{'s' if n != 1 else ''} would change rating**, going by the latest "
            f"audit ({period}). Ratings are shown as on the overview: a Met not yet confirmed by people's "
            "experience is Met (provisional)."
        )
    table = pd.DataFrame(
        {
            "Provider": df["provider_name"].fillna(df["provider_id"]),
            "Now": [words.rating(r) if isinstance(r, str) else "Not in the latest audit" for r in df["current_rating"]],
            "With this change": df["new_rating"].map(words.rating),
        }
    )
    if df["current_rating"].isna().all():
        table = table.drop(columns=["Now"])
    if changed:
        table["Why"] = df["why"]
    # the providers whose rating would change come first, so a long list starts with them
    table = table.iloc[(~df["changed"]).argsort(kind="stable")]
    rated = tuple(c for c in ("Now", "With this change") if c in table.columns)
    ui.table(table, len(table), name="Each provider's rating with this change", rated=rated)
    ui.footnote(pd.DataFrame({"rating": list(df["new_rating"]) + list(df["current_rating"].dropna())}))
    if (df["new_rating"] == "withheld").any():
        st.caption(impact.NOT_SHOWN_NOTE)


def preview_section(text: str, file_name: str) -> None:
    db = data.db()
    cat = data.catalogue(db)
    st.subheader("What it would do to every provider's rating")
    if not cat.runs:
        st.write("No audit has been run yet, so there are no ratings to compare with.")
        return
    period = cat.periods[-1]

    try:
        public = auth.current().role != "auditor"
        stamp = data.evidence_stamp(db)
        show_preview(preview(db, cat.runs[period], period, text, file_name, stamp, public), period)
    except PreviewError as error:
        st.warning(str(error), icon=":material/warning:")


# --------------------------------------------------------------------------- saving


def _save(folder, standard_id: str, account, note_key: str) -> None:
    text = ws.work(standard_id)["text"]
    try:
        with store.writing(data.db()) as con:
            outcome = workshop.save_draft(con, folder, text, account, st.session_state.get(note_key))
    except (workshop.WorkshopError, store.StoreError) as error:
        ws.flash("error", str(error))
        return
    saved = workshop.draft_path(folder, outcome.standard_id).read_text(encoding="utf-8")
    if outcome.standard_id != standard_id:  # a new standard whose short name was changed under Advanced
        ws.copies()[outcome.standard_id] = ws.copies().pop(standard_id)
        choose(outcome.standard_id)
    ws.saved(outcome.standard_id, saved)
    st.session_state[note_key] = ""
    ws.flash("success", outcome.message)
    data.clear()


def _discard(standard_id: str) -> None:
    new = ws.work(standard_id)["new"]
    ws.discard(standard_id)
    ws.flash("info", "The new standard was not kept." if new else "Your unsaved changes were put aside.")
    if new:
        choose(None)


def save_section(folder, standard_id: str, account, valid: bool) -> None:
    dirty = ws.dirty(standard_id)
    st.subheader("Save it")
    if not dirty:
        st.caption("There is nothing new to save.")
        return
    st.write(
        "You have unsaved changes. Save them as a draft: a draft is never audited until the group approves "
        "it on the Approve tab."
    )
    note_key = f"ws_note|{standard_id}"
    st.text_input("What changed, in a few words (optional)", key=note_key, max_chars=300)
    row = st.container(horizontal=True, gap="medium")
    row.button(
        "Save as a draft",
        type="primary",
        disabled=not valid,
        key="ws_save",
        on_click=_save,
        args=(folder, standard_id, account, note_key),
        help=None if valid else "Fix the things listed above first.",
    )
    row.button("Put my changes aside", key="ws_discard", on_click=_discard, args=(standard_id,))


# --------------------------------------------------------------------------- starting a new standard


def choose(standard_id: str | None) -> None:
    """Open a standard in the workshop from an action (a new one, a renamed one)."""
    st.session_state[CHOICE] = standard_id
    st.session_state["ws_pick"] = st.session_state.get("ws_pick", 0) + 1  # the menu starts afresh at it


def _start(found: dict, title_key: str, from_key: str) -> None:
    title = " ".join(str(st.session_state.get(title_key) or "").split())
    if not title:
        ws.flash("error", "Give the new standard a title first.")
        return
    wanted = standard_edit.slug(title)
    taken = set(found) | set(ws.copies())
    standard_id, n = wanted, 2
    while standard_id in taken:
        standard_id, n = f"{wanted}-{n}", n + 1
    copy_from = st.session_state.get(from_key)
    if copy_from and copy_from in found:
        text = standard_edit.copy_of(found[copy_from].text, standard_id, title)
    else:
        text = standard_edit.blank(standard_id, title)
    ws.open_copy(standard_id, text, new=True)["title"] = title
    ws.mark_unsaved()
    choose(standard_id)
    st.session_state[title_key] = ""
    ws.flash(
        "info",
        f"“{title}” is ready to fill in. It is kept while you are signed in, and saved when you save it as a draft.",
    )


def start_new(found: dict) -> None:
    with st.expander("Start a new standard", icon=":material/add:"):
        title_key, from_key = "ws_new_title", "ws_new_from"
        st.text_input(
            "Title of the new standard", key=title_key, placeholder="People can walk in without an appointment"
        )
        options = [""] + list(found)
        st.selectbox(
            "Start from",
            options,
            format_func=lambda i: "A blank page" if not i else f"A copy of “{found[i].title}”",
            key=from_key,
        )
        st.button("Start", key="ws_start", on_click=_start, args=(found, title_key, from_key))


# --------------------------------------------------------------------------- leaving


def leaving_guard() -> None:
    """Ask before the browser closes or reloads the page while changes are unsaved (moving
    between pages of the app keeps them: they live in the session)."""
    unsaved = "true" if ws.unsaved() else "false"
    st.html(
        f"""<script>
window.lsUnsaved = {unsaved};
if (!window.lsGuard) {{
  window.lsGuard = true;
  window.addEventListener("beforeunload", (event) => {{
    if (window.lsUnsaved) {{ event.preventDefault(); event.returnValue = ""; }}
  }});
}}
</script>""",
        unsafe_allow_javascript=True,
    )


# --------------------------------------------------------------------------- the page


def status(source: workshop.Source | None, standard_id: str) -> str:
    parts = []
    if source is None:
        parts.append("A new standard, not saved yet: it is kept while you are signed in.")
    else:
        if source.approved is not None:
            parts.append(f"Version {source.approved.version} is approved: audit runs use it.")
        else:
            parts.append("No version is approved yet, so it is not audited.")
        if source.is_draft and source.standard is not None:
            parts.append(f"Draft version {source.standard.version} is saved and waits for the group's approval.")
    if ws.dirty(standard_id) and source is not None:
        parts.append("You have unsaved changes.")
    return " ".join(parts)


def render() -> None:
    account = auth.require_page(__file__)
    may_edit = account.role in EDITORS
    folder = data.standards_dir()
    st.title("Standards workshop")
    with store.reading(data.db()) as con:
        needed = workshop.approvals_needed(con)
    st.write(
        "Change a standard, or write a new one, in plain words, and see what it would do to every provider's "
        "rating before you save it. A saved change is a draft: it is audited only when the group approves it, "
        f"by {needed} expert citizens or at a meeting."
    )
    st.page_link("dashboard/guide.py", label="Read the guide to the standards", icon=":material/menu_book:")
    ws.show_flash()
    found = sources(folder)
    if may_edit:
        start_new(found)
    new_ids = [sid for sid, copy in ws.copies().items() if copy["new"] and sid not in found]
    ids = list(found) + new_ids
    if not ids:
        ui.empty(f"There are no standards in {folder}.", "start a new one above.")
        return

    def title(sid: str) -> str:
        """The saved title (a label that changes as someone types would lose the choice)."""
        return found[sid].title if sid in found else ws.work(sid).get("title", sid)

    chosen = st.session_state.get(CHOICE)
    key = f"ws_standard_{st.session_state.get('ws_pick', 0)}"
    standard_id = st.selectbox(
        "Standard",
        ids,
        index=ids.index(chosen) if chosen in ids else 0,
        format_func={sid: title(sid) for sid in ids}.get,
        key=key,
        on_change=lambda: st.session_state.update({CHOICE: st.session_state[key]}),
    )
    st.session_state[CHOICE] = standard_id
    source = found.get(standard_id)
    copy = ws.open_copy(standard_id, source.text if source else "")
    if source is not None and ws.refresh_base(standard_id, source.text):
        st.warning(
            "Someone saved this standard since you started changing it. Your changes are kept here: save them "
            "to replace what was saved, or put them aside to see theirs.",
            icon=":material/warning:",
        )
    st.caption(status(source, standard_id))
    others = [found[s].title if s in found else s for s in ws.unsaved() if s != standard_id]
    if others:
        st.caption("Unsaved changes are also kept for: " + ui.md("; ".join(others)) + ".")
    tabs = st.tabs(list(TABS), key="ws_tab", on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            change_tab(folder, standard_id, copy, account, may_edit, found, source is not None)
    if tabs[1].open:
        with tabs[1]:
            wh.approve_tab(folder, standard_id, source, account, may_edit)
    if tabs[2].open:
        with tabs[2]:
            wh.versions_tab(standard_id, source)
    leaving_guard()


def change_tab(folder, standard_id: str, copy: dict, account, may_edit: bool, found: dict, saved: bool) -> None:
    if not may_edit:
        st.caption("You can try a change and see what it would do; only expert citizens save and approve changes.")
    themes = sorted({s.standard.theme for s in found.values() if s.standard})
    wf.standard_form(standard_id, themes)
    advanced = st.expander(
        "Advanced: the standard as a text file (YAML)", icon=":material/code:", key="ws_advanced", on_change="rerun"
    )
    if advanced.open:  # drawn only when open: a long text box redrawn on every change costs time
        with advanced:
            st.caption(
                "The same standard as the file the audit reads. A change here shows in the form, and a change "
                "in the form shows here. The guide explains every line."
            )
            wf.yaml_editor(standard_id)
    text = copy["text"]
    # a saved standard keeps its short name (stories are tagged with it); a new one may change it
    file_name = f"{standard_id}.yaml" if saved else "a new standard"
    standard, problems = parsed(text, file_name)
    if problems:
        show_problems(problems, text)
    else:
        preview_section(text, file_name)
    if may_edit:
        save_section(folder, standard_id, account, standard is not None)


if __name__ == "__main__":
    render()
