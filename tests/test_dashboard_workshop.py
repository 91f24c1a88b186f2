"""The expert citizens' standards workshop (dashboard/workshop.py) in Streamlit's AppTest:
an edit previewed, saved as a draft and approved; mistakes named by line or by field."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from support.apptest import frames, no_exception, signed_in

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def workshop_with(changes: dict[str, str] | None = None) -> AppTest:
    """The expert citizens' workshop open at peer-workforce, with form fields changed
    (a field is named by the start of its label)."""
    at = signed_in("expert_citizen")
    at.switch_page("dashboard/workshop.py").run()
    at.selectbox[0].select("peer-workforce").run()
    for start, value in (changes or {}).items():
        next(t for t in at.text_input if t.label.startswith(start)).input(value)
    return at.run()


def test_a_workshop_edit_shows_its_preview_then_saves_a_draft_and_approval(env):
    _, standards = env
    at = workshop_with({"Met when": ">= 10%", "Partly met when": ">= 5%"})
    no_exception(at)
    preview = [f for f in frames(at) if "With this change" in f.columns][0]
    assert list(preview["Changes"]) == sorted(preview["Changes"], reverse=True)  # those that change first
    riverside = preview[preview["Provider"] == "Riverside Together"].iloc[0]
    # green on the figures; no story confirms it, so it is shown provisional, as everywhere
    assert (riverside["Now"], riverside["With this change"], riverside["Changes"]) == (
        "✖ Not met",
        "◔ Met (provisional)",
        "yes",
    )
    at.button(key="save_draft").click().run()
    no_exception(at)
    draft = standards / "drafts" / "peer-workforce.yaml"
    assert "status: draft" in draft.read_text() and "version: 3" in draft.read_text()
    assert (
        "'>= 25%'" in (standards / "peer-workforce.yaml").read_text()
        or '">= 25%"' in (standards / "peer-workforce.yaml").read_text()
    )  # the approved version is untouched
    group = [t for t in at.text_input if t.label == "Approved by (the group)"][0]
    group.input("Test Expert Citizens Group")
    [b for b in at.button if b.label == "Record approval"][0].click().run()
    no_exception(at)
    approved = (standards / "peer-workforce.yaml").read_text()
    assert "status: approved" in approved and "version: 3" in approved and "10%" in approved
    assert not draft.exists()


def test_a_workshop_yaml_mistake_is_named_with_its_line(shared_env):
    at = workshop_with()
    at.radio(key="ws_mode").set_value("The YAML itself").run()
    text = at.text_area[0].value.replace("table: workforce", "table: workforse")
    at.text_area[0].input(text).run()
    no_exception(at)
    assert "problem" in at.error[0].value
    problems = frames(at)[-1]
    assert "workforse" in problems["Problem"].str.cat(sep=" ")
    line = int(problems[problems["Problem"].str.contains("workforse")].iloc[0]["Line"])
    assert "workforse" in text.splitlines()[line - 1]
    assert not [f for f in frames(at) if "With this change" in f.columns]


def test_a_workshop_form_mistake_is_named_by_its_field(shared_env):
    at = workshop_with({"Met when": ">= 90%", "Partly met when": ">= 95%"})
    no_exception(at)
    problems = frames(at)[-1]
    assert "Line" not in problems.columns  # the form hides the YAML, so no line numbers
    assert problems.iloc[0]["Where"].startswith(("Partly met when (", "Met when ("))


def test_an_auditor_may_preview_but_not_save(shared_env):
    at = signed_in("auditor")
    at.switch_page("dashboard/workshop.py").run()
    assert not [b for b in at.button if b.label == "Save as a draft version"]
