"""The Publish page (dashboard/publish.py) in Streamlit's AppTest: a quarter audited again after
its release is published only once the auditor says which version (audits.publish)."""

from __future__ import annotations

import pytest

from audits import disclosure, store
from dashboard.publish import PUBLISH_ENV

from support import hard_store
from support.apptest import no_exception, signed_in, texts

# A store built, audited twice and published (seconds): make test runs it.
pytestmark = pytest.mark.slow


def test_a_quarter_audited_again_after_its_release_asks_which_version_to_publish(tmp_path, monkeypatch):
    db, period = tmp_path / "audit.duckdb", hard_store.PERIOD
    _, _, second, _ = hard_store.published_then_rerun(db, tmp_path / "hard", tmp_path / "first")
    with store.writing(db) as con:
        hard_store.sign_off(con, second)
    monkeypatch.setenv(store.DB_ENV, str(db))
    monkeypatch.setenv(PUBLISH_ENV, str(tmp_path / "published"))
    at = signed_in("auditor")
    at.switch_page("dashboard/publish.py").run()
    no_exception(at)
    warning = " ".join(w.value for w in at.warning)
    assert "was run again" in warning and "would read differently in public" in warning, warning
    at.checkbox(key="publish_supersede").check().run()
    at.button(key="publish").click().run()
    no_exception(at)
    assert "It replaces the version released on" in " ".join(s.value for s in at.success), texts(at)
    with store.reading(db) as con:
        assert disclosure.current_release(con, period)["run_id"] == second
