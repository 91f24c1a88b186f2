"""The workshop's working copies, kept for the whole signed-in session so nothing is lost.

Each standard being changed has one working copy: its YAML text. The form and the YAML under
"Advanced" are two views of that one text: a form field's change edits the text
(audits.standard_edit), the YAML's change replaces it, and the other view is redrawn from it.
Widget keys carry a revision number, bumped when the text changed from the other side, so a
redrawn widget starts from the text and never from a stale value. Working copies live in the
session, not in the widgets, so moving to another page and back keeps every unsaved change.

Messages of saves, approvals and errors are kept here too, so they stay on the page after the
rerun that follows a click.
"""

from __future__ import annotations

import streamlit as st

from audits import standard_edit
from dashboard import ui

WORK = "ws_work"
FLASH = "ws_flash"
UNSAVED = "unsaved_work"  # read by the sign-out button (dashboard.auth): what would be lost


def copies() -> dict[str, dict]:
    return st.session_state.setdefault(WORK, {})


def work(standard_id: str) -> dict:
    return copies()[standard_id]


def open_copy(standard_id: str, text: str, new: bool = False) -> dict:
    """The working copy of a standard, opened from its saved text the first time."""
    found = copies().get(standard_id)
    if found is None:
        found = {"text": text, "base": text, "rev": 0, "yaml_rev": 0, "new": new}
        copies()[standard_id] = found
    return found


def refresh_base(standard_id: str, saved: str) -> bool:
    """The saved text changed on disk (this person's save, or someone else's). An untouched
    copy follows it; a changed copy is kept, and True says the two now differ."""
    copy = work(standard_id)
    if copy["base"] == saved:
        return False
    if copy["text"] == copy["base"]:
        copy.update(text=saved, base=saved, rev=copy["rev"] + 1, yaml_rev=copy["yaml_rev"] + 1)
        return False
    return True


def replace(standard_id: str, text: str, *, from_form: bool = False, from_yaml: bool = False) -> None:
    """Put a new text in the working copy; redraw the view that did not make the change."""
    copy = work(standard_id)
    if text == copy["text"]:
        return
    copy["text"] = text
    if not from_form:
        copy["rev"] += 1
    if not from_yaml:
        copy["yaml_rev"] += 1
    mark_unsaved()


def saved(standard_id: str, text: str) -> None:
    """After a save: the copy is the saved text (the save may have set the version)."""
    copy = work(standard_id)
    copy.update(text=text, base=text, new=False, rev=copy["rev"] + 1, yaml_rev=copy["yaml_rev"] + 1)
    mark_unsaved()


def discard(standard_id: str) -> None:
    copy = copies().pop(standard_id, None)
    if copy is not None and not copy["new"]:
        open_copy(standard_id, copy["base"])
        work(standard_id)["rev"] = copy["rev"] + 1
        work(standard_id)["yaml_rev"] = copy["yaml_rev"] + 1
    mark_unsaved()


def dirty(standard_id: str) -> bool:
    copy = copies().get(standard_id)
    return bool(copy) and (copy["new"] or copy["text"] != copy["base"])


def unsaved() -> list[str]:
    return [sid for sid in copies() if dirty(sid)]


def mark_unsaved() -> None:
    """Tell the rest of the app (the sign-out button) which standards have unsaved changes."""
    st.session_state[UNSAVED] = unsaved()


def key(standard_id: str, *parts) -> str:
    """A widget key that changes when the text changed from the other view."""
    return f"ws{work(standard_id)['rev']}|{standard_id}|" + "|".join(str(p) for p in parts)


def yaml_key(standard_id: str) -> str:
    return f"wsy{work(standard_id)['yaml_rev']}|{standard_id}"


def apply(standard_id: str, change, *args, from_form: bool = True) -> None:
    """Apply a text change (a function of the text) made by the form; a change the text
    cannot take is said as a message instead of lost silently."""
    try:
        text = change(work(standard_id)["text"], *args)
    except (standard_edit.EditError, ValueError) as error:
        flash("error", f"That change could not be made: {error}")
        return
    replace(standard_id, text, from_form=from_form)


def set_field(standard_id: str, path: tuple, widget_key: str, convert=None) -> None:
    """A widget's callback: its value, converted as the file keeps it, into the text."""
    value = st.session_state.get(widget_key)
    if convert is not None:
        value = convert(value)
    apply(standard_id, standard_edit.edit, path, value)


# --------------------------------------------------------------------------- messages


def flash(kind: str, text: str) -> None:
    """A message that stays on the page after the rerun: 'success', 'error', 'info' or 'warning'."""
    st.session_state[FLASH] = (kind, text)


def show_flash() -> None:
    message = st.session_state.get(FLASH)
    if not message:
        return
    kind, text = message
    icons = {
        "success": ":material/check_circle:",
        "error": ":material/error:",
        "warning": ":material/warning:",
        "info": ":material/info:",
    }
    getattr(st, kind)(ui.md(text), icon=icons.get(kind))  # names of standards are people's words
