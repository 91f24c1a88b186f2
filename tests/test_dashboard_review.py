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
    shown = at.html[0].value
    assert "<mark>07700 900123</mark>" in shown  # the auditor sees the words, the flagged ones highlighted
    assert not any("07700" in t.value for t in at.text)
    box = at.checkbox(key="c_P001_S2")
    assert box.label.startswith("I have read it: ` 07700 900123 ` is not a personal detail")
    assert at.radio[0].value is None  # nothing chosen for the auditor
    at.button[0].click().run()
    assert "Choose a decision first" in at.error[0].value
    at.radio[0].set_value("cleared")
    at.button[0].click().run()  # not ticked: one click never prints it
    assert "I have read it" in at.error[0].value and "07700" not in at.error[0].value
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
    # the decision stays visible after the rerun, with who and when, and can be undone
    assert "redacted version approved for printing by Test auditor" in texts(at)
    at.run()
    assert "redacted version approved for printing by Test auditor" in texts(at)
    at.button(key="undo_P001_S2").click().run()
    no_exception(at)
    assert "held again" in at.success[0].value
    assert "<mark>07700 900123</mark>" in at.html[0].value


def test_the_auditor_tags_a_story_and_the_green_is_confirmed(env):
    """S1 (a person using the service) is read as confirming warm-welcome and peer-workforce;
    the auditor adds no-opiate-free-targets, green on P001's figures, which stops being
    provisional; marking it contradicts turns it into people's experience differs."""
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
    assert at.radio(key="st_P001_S1_warm-welcome").value == "confirms"
    assert s1.format_func("no-opiate-free-targets") == "No targets for opiate-free discharge"
    # the held story's words appear once (for the decision above), not again by the tags
    assert sum("07700 900123" in h.value for h in at.html) == 1
    s1.set_value(["warm-welcome", "peer-workforce", "no-opiate-free-targets"]).run()
    at.button(key="save_P001_S1").click().run()
    assert "say what it says of no-opiate-free-targets" in at.error[0].value  # every tag needs a stance
    at.radio(key="st_P001_S1_no-opiate-free-targets").set_value("confirms")
    at.button(key="save_P001_S1").click().run()
    no_exception(at)
    assert "now speaks to" in texts(at) and "Tagged by Test auditor" in texts(at)
    with store.reading(db) as con:
        rows = con.execute("SELECT story_id, standards FROM story_tags ORDER BY tagged_at").fetchall()
    assert rows[-1] == ("S1", "warm-welcome;peer-workforce;no-opiate-free-targets")
    assert shown() == "green"
    at.radio(key="st_P001_S1_no-opiate-free-targets").set_value("contradicts")
    at.button(key="save_P001_S1").click().run()
    assert shown() == "differs"
    # answering says why the rating stands
    form = [t for t in at.text_area if t.key == "w_S1_no-opiate-free-targets"][0]
    form.input("The KPI was dropped in April; the story is from March.")
    [b for b in at.button if b.label == "Save the answer"][0].click().run()
    no_exception(at)
    assert shown() == "provisional"  # answered; no story confirms it now
    # clearing every tag is a tagging too
    at.multiselect(key="s_P001_S1").set_value([]).run()
    at.button(key="save_P001_S1").click().run()
    no_exception(at)
    assert "cleared" in texts(at)


@pytest.mark.parametrize("role", ["commissioner", "expert_citizen", "provider"])
def test_only_an_auditor_reaches_the_tagging(shared_env, role):
    """Run directly (as if reached by its address), the review page shows no story and no tags."""
    at = AppTest.from_file(str(DASHBOARD / "review.py"), default_timeout=30)
    at.session_state["account"] = ACCOUNTS[role]
    at.run()
    assert "not open to the" in at.error[0].value
    assert not at.multiselect and not at.button and not at.text
