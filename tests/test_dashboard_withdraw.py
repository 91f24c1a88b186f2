"""Taking a story back by its reference (dashboard/withdraw.py) in Streamlit's AppTest: a
mistyped reference said plainly, the story named but never its words, withdrawn for good."""

from __future__ import annotations

import pytest

from audits import store

from support.apptest import no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_a_story_is_taken_back_by_its_reference_on_the_page(env):
    import datetime as dt

    from audits import capture, references

    db, _ = env
    ref = references.make()
    with store.writing(db) as con:
        capture.add_story(
            con,
            capture.Captured(
                "P001",
                dt.date(2026, 6, 2),
                "person_using_services",
                "yes",
                "quoted",
                "They rang me back the next day.",
                {"warm-welcome": "confirms"},
                ref,
                "Sam",
                True,
                1.0,
                "Peers",
            ),
            "test",
        )
    for role in ("peer_interviewer", "auditor"):
        at = signed_in(role)
        at.switch_page("dashboard/withdraw.py").run()
        at.text_input(key="withdraw_0_reference").input("KMTR-HWAX-CEPO").run()
        assert "never has the letter O" in at.error[0].value
    at.text_input(key="withdraw_0_reference").input(ref.lower().replace("-", " ")).run()
    assert "told story C1" in texts(at) and "Northgate Recovery Partnership" in texts(at)
    assert "They rang me back" not in texts(at)  # the page names the story, never its words
    assert at.button(key="withdraw_0_go").disabled
    at.checkbox(key="withdraw_0_sure").check().run()
    at.button(key="withdraw_0_go").click().run()
    no_exception(at)
    assert "Withdrawn for good" in at.success[0].value
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM reference_withdrawals").fetchone() == (1,)
    at.text_input(key="withdraw_1_reference").input(ref).run()
    assert "was withdrawn on" in at.info[0].value
