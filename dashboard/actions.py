"""Page: action plans. A provider proposes actions for each standard rated Partly met or Not
met; the commissioner agrees or asks again; every later quarter shows each action as done, on
track or overdue. The provider sees only its own; auditors and expert citizens read them all."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from audits import actions, store, words
from dashboard import auth, data, ui, viewer


def plan_table(df: pd.DataFrame, names, titles) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Provider": [f"{names.get(p, p)} ({p})" for p in df["provider_id"]],
            "Audit": df["period"],
            "Standard": [titles.get(s, s) for s in df["standard_id"]],
            "Action": df["what"],
            "Owner": df["owner"],
            "By": [actions.due_words(r).removeprefix("by ") for r in df.to_dict("records")],
            "How people will notice": df["noticed"],
            "Status": df["status_words"],
        }
    )


def _done(message: str) -> None:
    data.clear()
    st.session_state["actions_message"] = message
    st.rerun()


def propose_form(db: str, own: str, period: str, account, titles, needing: dict, action: dict | None = None) -> None:
    key = action["action_id"] if action else "new"
    with st.form(f"propose_{key}", clear_on_submit=True):
        if action:
            standard_id = action["standard_id"]
            st.caption(f"The commissioner asked again: {action['review_note']}")
        else:
            standard_id = st.selectbox(
                "Standard",
                list(needing),
                format_func=lambda s: f"{titles.get(s, s)} ({words.rating(needing[s])})",
            )
        what = st.text_input("What you will do", value=action["what"] if action else "")
        owner = st.text_input("Who owns it (a role, not a name)", value=action["owner"] if action else "")
        due = st.date_input(
            "Done by",
            value=action["due_on"] if action else dt.date.today() + dt.timedelta(days=90),
            format="DD/MM/YYYY",
        )
        noticed = st.text_input("How people using the service will notice", value=action["noticed"] if action else "")
        if st.form_submit_button("Propose it" if not action else "Propose the new version"):
            try:
                with store.writing(db) as con:
                    action_id = actions.propose(
                        con,
                        own,
                        period,
                        standard_id,
                        what,
                        owner,
                        due,
                        noticed,
                        account.display_name,
                        action_id=action["action_id"] if action else None,
                    )
            except (actions.ActionError, store.StoreError) as error:
                st.error(str(error))
            else:
                _done(f"Action {action_id} proposed: the commissioner agrees or asks again.")


def render() -> None:
    account = auth.require_page(__file__)
    own = auth.visible_provider(account)
    st.title("Action plans")
    st.write(
        "For each standard rated Partly met or Not met, the provider says what it will do, who owns it, by when, "
        "and how people using the service will notice. The commissioner agrees or asks again. Every later "
        "quarter shows each action as done, on track or overdue."
    )
    db = data.db()
    cat = data.catalogue(db)
    if not cat.runs:
        ui.empty("There are no audit results yet.", ui.NO_RESULTS_NEXT)
        return
    names = cat.providers.set_index("provider_id")["provider_name"]
    period = ui.remember("Audit of", list(reversed(cat.periods)), "period", "actions")
    titles = {s.id: s.title for s in data.standards(db, cat.runs[period])}
    with store.reading(db) as con:
        plans = actions.plans(con, own)
        needing = actions.standards_needing_action(con, own, period) if own else {}
    if message := st.session_state.pop("actions_message", None):
        st.success(message)

    if own:
        st.subheader(f"Propose an action for {period}")
        if needing:
            propose_form(db, own, period, account, titles, needing)
        else:
            st.write(f"No standard of yours was rated Partly met or Not met for {period}.")
        for a in plans[plans["state"] == "asked_again"].to_dict("records"):
            st.markdown(f"**Revise action {a['action_id']}** on {titles.get(a['standard_id'], a['standard_id'])}")
            propose_form(db, own, a["period"], account, titles, needing, a)

    if account.role == "commissioner":
        waiting = plans[plans["state"] == "proposed"]
        st.subheader("Waiting for you")
        if waiting.empty:
            st.write("No action is waiting for your agreement.")
        for a in waiting.to_dict("records"):
            with st.container(border=True):
                st.markdown(
                    f"**{names.get(a['provider_id'], a['provider_id'])}**, {titles.get(a['standard_id'], a['standard_id'])}"
                    f" ({a['period']}), version {a['version']}"
                )
                st.text(
                    f"{a['what']}\nOwner: {a['owner']}. By {words.long_date(a['due_on'])}.\n"
                    f"People will notice: {a['noticed']}"
                )
                with st.form(f"review_{a['action_id']}"):
                    note = st.text_input("What should change (when asking again)", key=f"n_{a['action_id']}")
                    left, right = st.columns(2)
                    agree = left.form_submit_button("Agree", type="primary")
                    again = right.form_submit_button("Ask again")
                if agree or again:
                    try:
                        with store.writing(db) as con:
                            message = actions.review(
                                con, a["action_id"], "agreed" if agree else "asked_again", note, account.display_name
                            )
                    except (actions.ActionError, store.StoreError) as error:
                        st.error(str(error))
                    else:
                        _done(message)

    st.subheader("Every action and where it stands")
    st.caption(f"Status on {words.long_date(dt.date.today())}: done, on track, or overdue (past its day, not done).")
    if plans.empty:
        st.write("No action has been proposed yet.")
        return
    with store.reading(db) as con:  # of providers seen in the public tier, what public outputs list
        listed = actions.as_seen(con, plans, viewer.restricted_providers(account, cat.providers))
    if listed.empty:
        st.write("No action is listed for the providers you see in the public tier.")
    else:
        ui.table(plan_table(listed, names, titles), len(listed), name="Every action and where it stands")
    if own:
        agreed = plans[(plans["state"] == "agreed") & (plans["status"] != "done")]
        if not agreed.empty:
            st.subheader("Report an action done")
            with st.form("report_done"):
                action_id = st.selectbox(
                    "Action",
                    list(agreed["action_id"]),
                    format_func=lambda a: agreed.set_index("action_id").loc[a, "what"],
                )
                done_on = st.date_input("Done on", value=dt.date.today(), format="DD/MM/YYYY")
                note = st.text_input("What changed")
                if st.form_submit_button("Report it done"):
                    try:
                        with store.writing(db) as con:
                            message = actions.report_done(con, action_id, done_on, note, account.display_name)
                    except (actions.ActionError, store.StoreError) as error:
                        st.error(str(error))
                    else:
                        _done(message)


if __name__ == "__main__":
    render()
