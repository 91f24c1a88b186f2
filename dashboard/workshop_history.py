"""Workshop tabs: approving a draft as a group, and the versions of a standard with the
ratings each gave. The actions are audits.workshop's; the words of a change are
audits.versions'; this module draws them and keeps their messages on the page."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from audits import store, versions, words, workshop
from audits.accounts import Account
from dashboard import data, ui
from dashboard import workshop_state as ws


def _changes(lines: list[str]) -> None:
    if not lines:
        st.write("The two say the same: only how they were saved or approved differs.")
    for line in lines:
        st.markdown(f"- {ui.md(line)}")


def _approve(folder, standard_id: str, account: Account) -> None:
    try:
        with store.writing(data.db()) as con:
            outcome = workshop.approve(con, folder, standard_id, account)
    except (workshop.WorkshopError, store.StoreError) as error:
        ws.flash("error", str(error))
        return
    ws.flash("success", outcome.message)
    data.clear()


def approve_tab(folder, standard_id: str, source: workshop.Source | None, account: Account, may_edit: bool) -> None:
    """Where the draft stands, what it changes, and the two ways the group approves it."""
    if source is None or not source.is_draft:
        st.info(
            "There is no draft of this standard waiting for approval. Change it on the first tab and save "
            "it as a draft: the group then approves it here.",
            icon=":material/info:",
        )
        return
    if source.standard is None:
        st.error("The saved draft has problems, so it cannot be approved. Fix them on the first tab and save it again.")
        return
    with store.reading(data.db()) as con:
        state = workshop.approvals(con, folder, standard_id)
    st.markdown(f"#### Draft version {source.standard.version}: what would change")
    _changes(versions.differences(source.approved, source.standard))
    st.markdown("#### Approvals")
    st.write(ui.md(state.words()))
    if ws.dirty(standard_id):
        st.warning(
            "You have changes on the first tab that are not saved. An approval is for the saved draft, "
            "as described above.",
            icon=":material/warning:",
        )
    if not may_edit:
        st.caption("Only expert citizens approve changes to the standards.")
        return
    mine = account.username in state.usernames
    st.button(
        "You have approved this version" if mine else "I approve this version",
        type="primary",
        disabled=mine,
        key="ws_approve",
        on_click=_approve,
        args=(folder, standard_id, account),
        help=f"It becomes the version the audit reads when {state.needed} different expert "
        "citizens have approved the same draft.",
    )
    with st.expander("Or record a meeting of the group that approved it"):
        with st.form("ws_meeting", clear_on_submit=False):
            group = st.text_input("The group that met", placeholder="Northshire Expert Citizens Group")
            day = st.date_input("The day it met", value=dt.date.today(), max_value=dt.date.today(), format="DD/MM/YYYY")
            names = st.text_area(
                "Everyone present, one name on each line",
                help=f"At least {state.needed} people. The names are kept with the approval record.",
            )
            if st.form_submit_button("Record the meeting's approval"):
                try:
                    with store.writing(data.db()) as con:
                        outcome = workshop.approve_at_meeting(
                            con, folder, standard_id, group, day, names.splitlines(), account
                        )
                except (workshop.WorkshopError, store.StoreError) as error:
                    ws.flash("error", str(error))
                else:
                    ws.flash("success", outcome.message)
                    data.clear()
                st.rerun()


WHAT = {
    "draft": "Saved as a draft",
    "approved": "Approved",
    "audited": "Audited (before the workshop kept a history)",
}


def versions_tab(standard_id: str, source: workshop.Source | None) -> None:
    """Every version, who changed what and when, what changed between two, and their ratings."""
    current = source.approved if source else None
    with store.reading(data.db()) as con:
        history = versions.history(con, standard_id, current)
        ratings = versions.ratings_by_version(con, standard_id)
    if not history:
        st.write("No version of this standard has been saved or audited yet.")
        return
    st.markdown("#### Every version")
    table = pd.DataFrame(
        {
            "Version": [v.version for v in history],
            "What happened": [WHAT.get(v.status, "As the file is now") for v in history],
            "When": [words.long_datetime(v.when) if v.when is not None else "" for v in history],
            "Who": [v.who for v in history],
            "Their note": [v.note for v in history],
        }
    )
    ui.table(table)
    if len(history) >= 2:
        st.markdown("#### What changed between two versions")
        labels = [
            f"Version {v.version}: {WHAT.get(v.status, 'now').lower()}, {words.long_datetime(v.when) or 'now'}"
            for v in history
        ]
        left, right = st.columns(2)
        differs = next((i for i, v in enumerate(history) if versions.differences(v.standard, history[0].standard)), 1)
        earlier = left.selectbox(
            "From", range(len(history)), index=differs, format_func=labels.__getitem__, key="ws_from"
        )
        later = right.selectbox("To", range(len(history)), index=0, format_func=labels.__getitem__, key="ws_to")
        _changes(versions.differences(history[earlier].standard, history[later].standard))
    st.markdown("#### The ratings each version gave")
    if ratings.empty:
        st.write("No audit run has used this standard yet.")
        return
    shown = pd.DataFrame(
        {
            "Quarter": ratings["period"],
            "Version audited": ratings["version"],
            **{words.rating(key): ratings[key] for key in ("green", "provisional", "amber", "red", "no_data")},
        }
    )
    st.caption("How many providers were shown each rating, in the latest audit run of each quarter.")
    ui.table(shown.iloc[::-1])
