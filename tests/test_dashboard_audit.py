"""The auditor's run and sign-off page (dashboard/audit.py) in Streamlit's AppTest."""

from __future__ import annotations

import pytest

from audits import store

from support.apptest import no_exception, signed_in

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_sign_off_needs_the_declaration_then_is_recorded(env):
    db, _ = env
    at = signed_in("auditor")
    at.switch_page("dashboard/audit.py").run()
    at.text_input[1].input("Independent Audit Co")
    at.button[1].click().run()  # the form's submit, declaration not ticked
    assert "declaration" in at.error[0].value
    at.checkbox[0].check()
    at.button[1].click().run()
    no_exception(at)
    with store.reading(db) as con:
        row = con.execute("SELECT name, organisation, signed_by FROM signoffs").fetchall()
    assert row == [("Test auditor", "Independent Audit Co", "auditor")]
