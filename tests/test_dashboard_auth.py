"""Signing in to the dashboard (dashboard/auth.py): a lockout that a reload cannot undo."""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from audits import accounts, store

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "fixtures" / "dashboard"))
import dashboard_store  # noqa: E402

APP = str(HERE.parent / "app.py")


def _try(password: str) -> AppTest:
    """A new browser session (as after a reload) trying to sign in once."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input("commissioner")
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_five_wrong_passwords_lock_the_account_across_reloads(tmp_path, monkeypatch):
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db, periods=dashboard_store.PERIODS[-1:])
    monkeypatch.setenv(store.DB_ENV, str(db))
    for _ in range(accounts.ACCOUNT_FAILURES):
        assert "do not match" in _try("not the password").error[0].value
    locked = _try(dashboard_store.PASSWORD)  # the right password, in a fresh session
    assert "Too many attempts" in locked.error[0].value and "wait 15 minutes" in locked.error[0].value
    assert "account" not in locked.session_state
