"""The guide to the standards (dashboard/guide.py) in Streamlit's AppTest: a page for every role,
its links the app cannot open shown as their words."""

from __future__ import annotations

import pytest

from support.apptest import no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("role", ["commissioner", "auditor", "expert_citizen", "provider"])
def test_the_guide_is_a_page_for_everyone(shared_env, role):
    at = signed_in(role)
    at.switch_page("dashboard/guide.py").run()
    no_exception(at)
    shown = texts(at)
    assert "A guide to the standards, for expert citizens groups" in shown
    assert "](provider-returns.md)" not in shown  # a link the app cannot open is shown as its words
