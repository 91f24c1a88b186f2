"""Local accounts: argon2 hashes only, roles checked, demo accounts that work."""

import pytest

from audits import accounts, store


@pytest.fixture()
def con(tmp_path):
    with store.writing(tmp_path / "audit.duckdb") as con:
        yield con


@pytest.mark.slow
def test_password_is_stored_only_as_an_argon2_hash(con):
    accounts.create_account(con, "Alex", "correct horse battery", "commissioner")
    stored = con.execute("SELECT password_hash FROM accounts WHERE username = 'alex'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_taken_username_is_refused_unless_replacing(con):
    accounts.create_account(con, "jo", "first password", "auditor")
    with pytest.raises(accounts.AccountError, match="taken"):
        accounts.create_account(con, "jo", "second password", "auditor")
    accounts.create_account(con, "jo", "second password", "auditor", replace=True)
    assert accounts.verify(con, "jo", "second password") is not None
    assert accounts.verify(con, "jo", "first password") is None


@pytest.mark.slow
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
    assert con.execute("SELECT count(*) FROM accounts").fetchone()[0] == len(accounts.ROLES)
    # the passwords printed the second time are the ones that work now
    for username, password, _, _ in again:
        assert accounts.verify(con, username, password) is not None


@pytest.mark.slow
def test_only_a_commissioner_has_areas(con):
    made = accounts.create_account(
        con, "cam", "a long enough secret", "commissioner", areas=["Southvale", "Northshire"]
    )
    assert made.areas == ("Southvale", "Northshire")
    assert accounts.verify(con, "cam", "a long enough secret").areas == ("Southvale", "Northshire")
    with pytest.raises(accounts.AccountError, match="only a commissioner account has areas"):
        accounts.create_account(con, "ex", "a long enough secret", "expert_citizen", areas=["Northshire"])


# --------------------------------------------------------------------------- signing in


@pytest.mark.slow
def test_five_wrong_passwords_lock_the_username_wherever_they_come_from(con, monkeypatch):
    """Kept in the store: a reload, another browser or another address gives no fresh tries."""
    accounts.create_account(con, "sam", "a long enough secret", "commissioner")
    for i in range(accounts.ACCOUNT_FAILURES):
        assert accounts.sign_in(con, "sam", "wrong", f"10.0.0.{i}").account is None
    locked = accounts.sign_in(con, "sam", "a long enough secret", "10.0.0.99")
    assert locked.account is None and 0 < locked.wait_seconds <= accounts.LOCK.total_seconds() + 1
    # an unknown username is locked the same way, so a lock does not tell which accounts exist
    for _ in range(accounts.ACCOUNT_FAILURES):
        accounts.sign_in(con, "nobody", "wrong", "10.0.1.1")
    assert accounts.sign_in(con, "nobody", "wrong", "10.0.1.1").wait_seconds > 0
    # the lock ends by itself after its time
    later = store.now() + accounts.LOCK + accounts.WINDOW
    monkeypatch.setattr(store, "now", lambda: later)
    assert accounts.sign_in(con, "sam", "a long enough secret", "10.0.0.99").account.username == "sam"
    assert con.execute("SELECT count(*) FROM sign_in_attempts WHERE succeeded").fetchone() == (1,)
    assert "a long enough secret" not in str(con.execute("SELECT * FROM sign_in_attempts").fetchall())


@pytest.mark.slow
def test_many_failures_from_one_address_lock_the_address(con):
    accounts.create_account(con, "sam", "a long enough secret", "commissioner")
    for i in range(accounts.ADDRESS_FAILURES):
        accounts.sign_in(con, f"guess{i}", "wrong", "203.0.113.7")
    assert accounts.sign_in(con, "sam", "a long enough secret", "203.0.113.7").wait_seconds > 0
    assert accounts.sign_in(con, "sam", "a long enough secret", "203.0.113.8").account is not None


@pytest.mark.slow
def test_accounts_on_the_command_line_add_list_disable_enable_reset(tmp_path):
    from typer.testing import CliRunner

    from audits.cli import app

    db = ["--db", str(tmp_path / "audit.duckdb")]
    run = CliRunner().invoke
    added = run(app, ["accounts", "add", "J.Okafor", "--role", "commissioner", "--name", "Jo Okafor", *db])
    assert added.exit_code == 0, added.output
    password = added.output.split("Password for j.okafor: ")[1].split()[0]
    with store.writing(tmp_path / "audit.duckdb") as con:
        assert accounts.verify(con, "j.okafor", password).display_name == "Jo Okafor"
    listed = run(app, ["accounts", "list", *db])
    assert "j.okafor" in listed.output and "Jo Okafor" in listed.output and password not in listed.output
    assert run(app, ["accounts", "disable", "j.okafor", *db]).exit_code == 0
    with store.writing(tmp_path / "audit.duckdb") as con:
        assert accounts.verify(con, "j.okafor", password) is None
    assert run(app, ["accounts", "enable", "j.okafor", *db]).exit_code == 0
    reset = run(app, ["accounts", "reset", "j.okafor", *db])
    new = reset.output.split("Password for j.okafor: ")[1].split()[0]
    with store.writing(tmp_path / "audit.duckdb") as con:
        assert accounts.verify(con, "j.okafor", password) is None
        assert accounts.verify(con, "j.okafor", new) is not None
    missing = run(app, ["accounts", "disable", "j.okafar", *db])
    assert missing.exit_code == 1 and "Did you mean 'j.okafor'?" in missing.output
    wrong = run(app, ["accounts", "add", "x", "--role", "boss", *db])
    assert wrong.exit_code == 1 and "is not a role" in wrong.output and "Traceback" not in wrong.output
