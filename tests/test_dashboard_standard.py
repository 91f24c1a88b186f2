"""A standard's page (dashboard/standard.py) in Streamlit's AppTest: funnel, XmR, tables
and stories, small counts hidden from commissioners but not from auditors, and the read-back
sentence that says what is counted."""

from __future__ import annotations

import pytest

from dashboard import ui

from support.apptest import frames, no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_standard_page_has_funnel_xmr_tables_and_stories(shared_env):
    at = signed_in("commissioner")
    at.session_state["standard_id"] = "warm-welcome"
    at.session_state["provider_id"] = "P001"
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("99.8% limits" in s for s in specs)  # the funnel plot
    assert any("Process limit" in s or "Trial limit" in s for s in specs)  # XmR over 9 quarters
    page = texts(at)
    assert "A warm welcome makes all the difference." in page  # the voice
    assert "a peer met me at the door <the first time>" in page  # a consented story, as written
    assert "07700 900123" not in page  # held by screening
    assert "sent away twice" not in page  # consent 'no'
    assert "Signal" in frames(at)[-1].columns or any("Signal" in f.columns for f in frames(at))


def test_small_counts_are_hidden_from_commissioners_but_not_auditors(shared_env):
    def standard_page(role):
        at = signed_in(role)
        at.session_state["standard_id"] = "warm-welcome"
        at.switch_page("dashboard/standard.py").run()
        table = frames(at)[0]
        return at, table[table["Provider"] == "Hill Lane Project"].iloc[0]

    at, hill_lane = standard_page("commissioner")
    assert hill_lane["Figure"] == "* Not shown: fewer than 5 people"  # says why, in plain words
    assert hill_lane["Rating"] == "○ Too few to tell"
    assert "2 provider(s) not drawn, as the figure is " + ui.not_shown() in texts(at)
    table = frames(at)[0].set_index("Provider")
    # met, yet the figure is withheld because the people not counted number 1-4: the page says so
    assert table.loc["Riverside Together", "Rating"] == "✔ Met"
    assert table.loc["Riverside Together", "Figure"].startswith("* Not shown: it would reveal a count of 1–4 people")
    shown = texts(at) + "\n".join(f.to_string() for f in frames(at))
    assert "hidden" not in shown.lower()
    _, hill_lane = standard_page("auditor")
    assert hill_lane["Figure"].endswith("of 4 people)")


def test_the_standard_page_says_what_is_counted_in_the_read_back_sentence(shared_env):
    at = signed_in("commissioner")
    at.session_state["standard_id"] = "warm-welcome"
    at.switch_page("dashboard/standard.py").run()
    assert "Of everyone in treatment at any time in the quarter, the share with the first supportive contact" in texts(
        at
    )
