"""The signed session token: it signs back in only the account it was made for, only while it is
young, only with the password it was made under, and never a disabled account or a forgery.
(Refresh, deep links and single sign-on in a real browser: tests/browser/test_access.py.)"""

from __future__ import annotations

import os
import stat
import time

import pytest

from audits import accounts, store
from dashboard import sessions

# every test signs an account in or makes one: argon2 hashes (about 0.7 CPU-s each)
pytestmark = pytest.mark.slow


@pytest.fixture()
def db(tmp_path, monkeypatch):
    path = tmp_path / "audit.duckdb"
    with store.writing(path) as con:
        accounts.create_account(con, "sam", "a long enough secret", "commissioner", display_name="Sam Jones")
        accounts.create_account(con, "pat", "another long secret", "provider", provider_id="P001")
    return str(path)


def test_a_token_signs_back_in_its_own_account(db):
    token = sessions.token_for("sam", db)
    account = sessions.account_of(token, db)
    assert account == accounts.Account("sam", "Sam Jones", "commissioner", None)
    assert sessions.account_of(sessions.token_for("pat", db), db).provider_id == "P001"


def test_the_secret_is_made_once_beside_the_store_for_its_owner_only(db):
    first = sessions.secret(db)
    assert len(first) == 64 and sessions.secret(db) == first
    mode = stat.S_IMODE(os.stat(sessions.key_file(db)).st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("bad", [None, "", "garbage", "eyJ1Ijoic2FtIn0.forged.sig"])
def test_nothing_or_a_forgery_signs_nobody_in(db, bad):
    assert sessions.account_of(bad, db) is None


def test_a_changed_letter_or_another_servers_secret_signs_nobody_in(db, tmp_path):
    token = sessions.token_for("sam", db)
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    assert sessions.account_of(flipped, db) is None
    claim = token.split(".")[0]
    other = tmp_path / "other" / "audit.duckdb"
    other.parent.mkdir()
    with store.writing(other) as con:
        accounts.create_account(con, "sam", "a long enough secret", "auditor")
    assert sessions.account_of(token, str(other)) is None  # same username, another secret
    assert sessions.account_of(claim + ".x.y", db) is None


def test_an_old_token_signs_nobody_in(db, monkeypatch):
    made = time.time() - sessions.SESSION_HOURS * 3600 - 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: made)
    token = sessions.token_for("sam", db)
    monkeypatch.undo()
    assert sessions.account_of(token, db) is None


def test_a_reset_password_or_a_disabled_account_ends_its_sessions(db):
    token = sessions.token_for("sam", db)
    assert sessions.account_of(token, db) is not None  # looked up, and the answer kept
    with store.writing(db) as con:
        accounts.reset_password(con, "sam", "a brand new secret")
    assert sessions.account_of(token, db) is None
    token = sessions.token_for("sam", db)
    assert sessions.account_of(token, db) is not None
    with store.writing(db) as con:
        accounts.set_disabled(con, "sam", True)
    assert sessions.account_of(token, db) is None
    with pytest.raises(accounts.AccountError):
        sessions.token_for("sam", db)


def test_a_page_checks_its_cookie_without_opening_an_unchanged_store(db, monkeypatch):
    """Every page checks the cookie against the store; the answer is kept while nobody writes to
    the store (its file and log unchanged on disk), and for at most LOOKED_UP_SECONDS."""
    token = sessions.token_for("sam", db)
    opened = []
    real = store.reading
    monkeypatch.setattr(store, "reading", lambda *a, **k: opened.append(1) or real(*a, **k))
    for _ in range(3):
        assert sessions.account_of(token, db).username == "sam"
    assert len(opened) == 1
    with store.writing(db) as con:  # any write: the answer is looked up again
        con.execute("CREATE TABLE scratch (x INTEGER)")
    assert sessions.account_of(token, db).username == "sam" and len(opened) == 2
    later = time.monotonic() + sessions.LOOKED_UP_SECONDS + 1
    monkeypatch.setattr(sessions.time, "monotonic", lambda: later)
    assert sessions.account_of(token, db).username == "sam" and len(opened) == 3


def test_find_gives_the_account_and_its_hash_but_not_a_disabled_one(db):
    with store.writing(db) as con:
        account, password_hash = accounts.find(con, " SAM ")
        assert account.username == "sam" and password_hash.startswith("$argon2id$")
        accounts.set_disabled(con, "sam", True)
        assert accounts.find(con, "sam") is None
        assert accounts.find(con, "nobody") is None
