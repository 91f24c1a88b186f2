"""A peer interviewer's story capture (dashboard/capture.py) in Streamlit's AppTest: agreement
before words, screened as typed, a stance for every standard, saved into the pack."""

from __future__ import annotations

import pytest

from audits import store

from support.apptest import no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_a_story_captured_on_the_form_is_screened_as_typed_and_joins_the_pack(env):
    db, _ = env
    at = signed_in("peer_interviewer")
    at.selectbox(key="capture_provider").select("P001").run()
    at.radio(key="capture_0_teller").set_value("family_member").run()
    assert at.text_area == [] or not at.text_area  # no words are asked for before their agreement
    at.radio(key="capture_0_consent").set_value("yes").run()
    at.radio(key="capture_0_use").set_value("summarised").run()
    at.text_area(key="capture_0_story").input("My son waited weeks. Ring Mrs Okafor on 07700 900123.").run()
    no_exception(at)
    assert "a phone number" in at.warning[0].value and "a person's name" in at.warning[0].value
    shown = "\n".join(h.value for h in at.html)
    assert "<mark>07700 900123</mark>" in shown and "<mark>Mrs Okafor</mark>" in shown
    at.checkbox(key="capture_0_tag_warm-welcome").check().run()
    at.number_input(key="capture_0_hours").set_value(2.0).run()
    at.text_input(key="capture_group").input("Northshire Peer Interviewers").run()
    at.button(key="capture_0_save").click().run()
    # still flagged and not ticked as checked, no stance given: nothing saved, both said
    assert "Screening still finds" in at.error[0].value
    at.text_area(key="capture_0_story").input("My son waited weeks before anyone rang him back.").run()
    assert "Checked: no names" in texts(at)
    at.button(key="capture_0_save").click().run()
    assert "Say whether their story shows it happening" in at.error[0].value
    at.radio(key="capture_0_stance_warm-welcome").set_value("contradicts").run()
    at.button(key="capture_0_save").click().run()
    no_exception(at)
    assert "Saved as story C1 of Northgate Recovery Partnership" in at.success[0].value
    assert at.radio(key="capture_1_teller").value is None  # an empty form for the next person
    with store.reading(db) as con:
        row = con.execute(
            "SELECT teller, consent, use_of_words, standards, story, interviewer, hours, reference FROM cur_stories "
            "WHERE story_id = 'C1'"
        ).fetchone()
    assert row[:7] == (
        "family_member",
        "yes",
        "summarised",
        "warm-welcome=contradicts",
        "My son waited weeks before anyone rang him back.",
        "Test interviewer",
        2.0,
    )
    assert row[7] in at.success[0].value
