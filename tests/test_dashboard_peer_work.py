"""The work behind the audit (dashboard/peer_work.py) in Streamlit's AppTest: the peer
interviewers' hours and stories, with names where they asked for credit."""

from __future__ import annotations

import pytest

from audits import store

from support.apptest import frames, no_exception, signed_in

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_the_work_behind_the_audit_is_shown_to_the_commissioner_with_names(env):
    import datetime as dt

    from audits import capture, references

    db, _ = env
    with store.writing(db) as con:
        for hours, credit in ((1.5, False), (2.0, True)):
            capture.add_story(
                con,
                capture.Captured(
                    "P001",
                    dt.date(2026, 6, 2),
                    "staff",
                    "no",
                    None,
                    "",
                    {},
                    references.make(),
                    "Sam Peer",
                    credit,
                    hours,
                    "Peers",
                ),
                "test",
            )
    at = signed_in("commissioner")
    at.switch_page("dashboard/peer_work.py").run()
    no_exception(at)
    table = frames(at)[0]
    assert list(table["Interviewer"]) == ["Sam Peer"] and list(table["Hours"]) == ["3.5"]
    assert list(table["Stories gathered"]) == ["2"] and list(table["Agreed to be used"]) == ["0"]
