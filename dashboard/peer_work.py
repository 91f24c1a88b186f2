"""Page (auditors and commissioners): the peer interviewers' work behind each audit of a quarter.

Peer work must not be cheap labour: each interviewer's stories and hours, provider by provider,
so the group can show the work and be paid for it (audits.credits). Names and exact counts are
for the auditor and the commissioner; the public reports say only the hours and name those who
chose to be named.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import credits, store, words
from dashboard import auth, data, ui


def render() -> None:
    auth.require_page(__file__)
    st.title("The work behind the audit")
    st.write(
        "Who gathered the stories of each audit, and the hours it took: the conversations, the travel and writing "
        "them up. For paying and crediting the peer interviewers; the published reports name only those who chose "
        "to be named."
    )
    db = data.db()
    try:
        with store.reading(db) as con:
            periods = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT period FROM cur_stories WHERE nullif(trim(interviewer), '') IS NOT NULL "
                    "ORDER BY period DESC"
                ).fetchall()
            ]
    except store.StoreMissing:
        periods = []
    if not periods:
        ui.empty(
            "No story names its interviewer yet.",
            "peer interviewers record stories on *Record a story*, or type up their sheets into the visit workbook.",
        )
        return
    period = ui.remember("Period", periods, "work_period", "peer_work")
    with store.reading(db) as con:
        df = credits.summary(con, period)
    table = pd.DataFrame(
        {
            "Provider": [f"{n} ({p})" for n, p in zip(df["provider_name"], df["provider_id"])],
            "Interviewer": df["interviewer"],
            "Stories gathered": df["stories"].map(words.whole),
            "Agreed to be used": df["agreed"].map(words.whole),
            "Hours": df["hours"].map(words.number),
            "Named in public": df["named"].map({True: "yes", False: "no"}),
        }
    )
    ui.table(table, len(table), name=f"Peer interviewers' work, {period}")
    st.write(
        f"In all, {period}: {words.whole(df['stories'].sum())} stories gathered by "
        f"{df['interviewer'].nunique()} interviewers over {words.number(df['hours'].sum())} hours."
    )
    st.caption("A conversation counts whatever became of the story: the time was given all the same.")


if __name__ == "__main__":
    render()
