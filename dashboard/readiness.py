"""Page (everyone): the readiness board. Where each provider's audit of a quarter stands, in the
order of the work, and what to do next. A provider's account sees only its own row."""

from __future__ import annotations

import streamlit as st

from audits import readiness
from dashboard import auth, data, ui


def render() -> None:
    account = auth.require_page(__file__)
    own = auth.visible_provider(account)
    st.title("Readiness")
    st.write(
        "Where each provider's audit stands, in the order of the work: the return and the stories loaded, "
        "stories reviewed and tagged, the draft shared with the provider and its comments answered, the "
        "sign-off, and publication."
    )
    db = data.db()
    cat = data.catalogue(db)
    periods = sorted(set(cat.return_periods) | set(cat.periods), reverse=True)
    if not periods:
        ui.empty("Nothing is loaded yet.", "the auditor uploads the providers' returns on *Upload returns*.")
        return
    period = ui.remember("Period", periods, "period", "readiness")
    df = data.readiness_board(db, period)
    if own:
        df = df[df["provider_id"] == own]
    if df.empty:
        ui.empty(f"Nothing is loaded for {period}.", "choose another period.")
        return
    shown = df.assign(provider_name=[f"{n} ({p})" for n, p in zip(df["provider_name"], df["provider_id"])])
    table = shown[list(readiness.HEADINGS)].rename(columns=readiness.HEADINGS)
    ui.table(table, len(table), name=f"Where each provider's audit stands, {period}")
    st.caption(
        "Stories held: consented stories screening held for personal details, waiting for the auditor. "
        "Stories awaiting tags: printable stories the auditor has not yet tagged as confirming, contradicting "
        "or mixed for each standard they speak to. Out of date: something in the report changed after it was "
        "signed, so it must be signed again."
    )


if __name__ == "__main__":
    render()
