"""The auditor's story review page (dashboard/review.py) in Streamlit's AppTest: a held
story decided, stories tagged to standards (a provisional green confirmed), auditors only."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from audits import runs, store, verdicts

from support.apptest import ACCOUNTS, DASHBOARD, no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_the_auditor_reviews_a_held_story(env):
    db, _ = env
    at = signed_in("auditor")
    at.switch_page("dashboard/review.py").run()
    assert "07700 900123" in at.text[0].value  # the auditor sees the words to decide
    assert at.radio[0].value is None  # nothing chosen for the auditor
    at.button[0].click().run()
    assert "Choose a decision first" in at.error[0].value
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM story_reviews").fetchone() == (0,)
    at.radio[0].set_value("redacted")
    at.text_area[0].input("Call me if you want to hear more about the welcome.")
    at.button[0].click().run()
    no_exception(at)
    with store.reading(db) as con:
        decision = con.execute("SELECT decision, redacted_text FROM story_reviews").fetchall()
    assert decision == [("redacted", "Call me if you want to hear more about the welcome.")]
    assert "No story of 2026-Q2 is waiting" in texts(at)


def test_the_auditor_tags_a_story_and_the_green_is_confirmed(env):
    """S1 (a person using the service) is tagged to warm-welcome and peer-workforce by its pack;
    the auditor adds no-opiate-free-targets, green on P001's figures, which stops being provisional."""
    db, _ = env

    def shown() -> str:
        with store.reading(db) as con:
            run_id = runs.latest_run_id(con, "2026-Q2")
            shown = verdicts.shown_ratings(con, run_id, "P001").set_index("standard_id")
            return shown.loc["no-opiate-free-targets", "shown"]

    assert shown() == "provisional"
    at = signed_in("auditor")
    at.switch_page("dashboard/review.py").run()
    no_exception(at)
    # S1 (printable) and S2 (held) may be tagged; S3 has no consent and is not offered
    tags = {m.key: m for m in at.multiselect}
    assert sorted(tags) == ["s_P001_S1", "s_P001_S2"]
    s1 = tags["s_P001_S1"]
    assert s1.value == ["warm-welcome", "peer-workforce"]
    assert s1.format_func("no-opiate-free-targets") == "No targets for opiate-free discharge"
    # the held story's words appear once (for the decision above), not again by the tags
    assert sum("07700 900123" in t.value for t in at.text) == 1
    s1.set_value(["warm-welcome", "peer-workforce", "no-opiate-free-targets"])
    save = [b for b in at.button if b.label == "Save the tags"]
    assert len(save) == 2
    save[0].click().run()
    no_exception(at)
    assert "now speaks to" in texts(at) and "Tagged by Test auditor" in texts(at)
    with store.reading(db) as con:
        rows = con.execute("SELECT provider_id, story_id, standards, tagged_by FROM story_tags").fetchall()
    assert rows == [("P001", "S1", "warm-welcome;peer-workforce;no-opiate-free-targets", "Test auditor")]
    assert shown() == "green"
    # clearing every tag is a tagging too
    at.multiselect(key="s_P001_S1").set_value([])
    [b for b in at.button if b.label == "Save the tags"][0].click().run()
    no_exception(at)
    assert shown() == "provisional"
    assert "cleared" in texts(at)


@pytest.mark.parametrize("role", ["commissioner", "expert_citizen", "provider"])
def test_only_an_auditor_reaches_the_tagging(shared_env, role):
    """Run directly (as if reached by its address), the review page shows no story and no tags."""
    at = AppTest.from_file(str(DASHBOARD / "review.py"), default_timeout=30)
    at.session_state["account"] = ACCOUNTS[role]
    at.run()
    assert "not open to the" in at.error[0].value
    assert not at.multiselect and not at.button and not at.text
