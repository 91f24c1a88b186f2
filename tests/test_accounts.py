"""Local accounts: argon2 hashes only, roles checked, demo accounts that work."""

import pytest

from audits import accounts, store


@pytest.fixture()
def con(tmp_path):
    with store.writing(tmp_path / "audit.duckdb") as con:
        yield con


def test_password_is_stored_only_as_an_argon2_hash(con):
    accounts.create_account(con, "Alex", "correct horse battery", "commissioner")
    stored = con.execute("SELECT password_hash FROM accounts WHERE username = 'alex'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


def test_verify_accepts_the_right_password_only(con):
    accounts.create_account(con, "sam", "a long enough secret", "provider", provider_id="P002")
    account = accounts.verify(con, " SAM ", "a long enough secret")
    assert account == accounts.Account("sam", "sam", "provider", "P002")
    assert accounts.verify(con, "sam", "a long enough secreT") is None
    assert accounts.verify(con, "nobody", "a long enough secret") is None
    assert accounts.verify(con, "sam", "") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "provider_id", "words"),
    [
        ("x", "long enough pw", "auditor", None, "username"),
        ("kim", "short", "auditor", None, "at least 10"),
        ("kim", "long enough pw", "admin", None, "not a role"),
        ("kim", "long enough pw", "provider", None, "needs the provider_id"),
        ("kim", "long enough pw", "auditor", "P001", "only a provider account"),
    ],
)
def test_bad_accounts_are_refused_in_plain_words(con, username, password, role, provider_id, words):
    with pytest.raises(accounts.AccountError, match=words):
        accounts.create_account(con, username, password, role, provider_id)


def test_a_taken_username_is_refused_unless_replacing(con):
    accounts.create_account(con, "jo", "first password", "auditor")
    with pytest.raises(accounts.AccountError, match="taken"):
        accounts.create_account(con, "jo", "second password", "auditor")
    accounts.create_account(con, "jo", "second password", "auditor", replace=True)
    assert accounts.verify(con, "jo", "second password") is not None
    assert accounts.verify(con, "jo", "first password") is None


def test_demo_accounts_cover_every_role_and_sign_in(con):
    con.execute("INSERT INTO providers VALUES ('P002', 'Second', 'Northshire'), ('P001', 'First', 'Northshire')")
    created = accounts.create_demo_accounts(con)
    assert sorted(role for _, _, role, _ in created) == sorted(accounts.ROLES)
    for username, password, role, provider_or_area in created:
        account = accounts.verify(con, username, password)
        assert account is not None and account.role == role
        assert provider_or_area == {"provider": "P001", "commissioner": "Northshire"}.get(role)
        # the demo commissioner commissions the first provider's area: its exact figures
        assert account.areas == (("Northshire",) if role == "commissioner" else ())
    again = accounts.create_demo_accounts(con)
    assert con.execute("SELECT count(*) FROM accounts").fetchone()[0] == 4
    # the passwords printed the second time are the ones that work now
    for username, password, _, _ in again:
        assert accounts.verify(con, username, password) is not None


def test_only_a_commissioner_has_areas(con):
    made = accounts.create_account(
        con, "cam", "a long enough secret", "commissioner", areas=["Southvale", "Northshire"]
    )
    assert made.areas == ("Southvale", "Northshire")
    assert accounts.verify(con, "cam", "a long enough secret").areas == ("Southvale", "Northshire")
    with pytest.raises(accounts.AccountError, match="only a commissioner account has areas"):
        accounts.create_account(con, "ex", "a long enough secret", "expert_citizen", areas=["Northshire"])
