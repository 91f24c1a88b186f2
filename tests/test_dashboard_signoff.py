"""The auditor's sign-off page (dashboard/signoff.py) in Streamlit's AppTest: a provider with a
held story is not ready to sign; the declaration is needed; the signed PDF is recorded and offered."""

from __future__ import annotations

import pytest

from audits import store

from support.apptest import no_exception, signed_in

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_sign_off_needs_the_declaration_then_is_recorded(env):
    db, _ = env
    at = signed_in("auditor")
    at.switch_page("dashboard/signoff.py").run()
    # P001 has a story held for personal details: the page says why it cannot be signed
    at.selectbox(key="_signoff_provider_id").select("P001").run()
    assert "Not ready to sign" in at.warning[0].value and "story S2" in at.warning[0].value
    at.selectbox(key="_signoff_provider_id").select("P002").run()
    assert not at.warning
    at.text_input[1].input("Independent Audit Co")
    at.button[0].click().run()  # the form's submit, declaration not ticked
    assert "declaration" in at.error[0].value
    at.checkbox[0].check()
    at.button[0].click().run()
    no_exception(at)
    with store.reading(db) as con:
        row = con.execute("SELECT provider_id, name, organisation, signed_by FROM signoffs").fetchall()
        pdf = con.execute("SELECT pdf_sha256 FROM signed_reports").fetchone()[0]
    assert row == [("P002", "Test auditor", "Independent Audit Co", "auditor")]
    said = "\n".join(m.value for m in at.success)
    assert "Signed off P002" in said and pdf in said and "Nothing has changed since" in said
    assert [b.label for b in at.get("download_button")] == ["Download this signed PDF"]
