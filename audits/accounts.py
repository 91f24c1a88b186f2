"""Local dashboard accounts: who may sign in, with which role, and for which provider or areas.

Passwords are kept only as argon2id hashes (argon2-cffi), never as plain text. A
provider account is tied to one provider_id so that the dashboard can show that
provider its own exact figures; a commissioner account lists the areas it commissions, whose
providers' exact figures it sees (dashboard.viewer decides each viewer's tier, audits.tiers). Demo accounts get fresh random
passwords every time they are made, so a demo store never carries a password that
is written down anywhere else.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import secrets
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from audits import store

ROLES = ("commissioner", "auditor", "expert_citizen", "provider", "peer_interviewer")
ROLE_WORDS = {
    "commissioner": "Commissioner",
    "auditor": "Independent auditor",
    "expert_citizen": "Expert citizen",
    "provider": "Provider",
    "peer_interviewer": "Peer interviewer",
}
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so a wrong username takes as long as a
    wrong password and does not reveal which accounts exist. Made on first use, not on import:
    hashing is deliberately slow, and every dashboard start would wait for it."""
    return _hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    """A plain-English reason an account cannot be made as asked."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    provider_id: str | None
    areas: tuple[str, ...] = ()  # a commissioner's own areas (restricted figures for their providers)

    @property
    def role_word(self) -> str:
        return ROLE_WORDS[self.role]


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _check(username: str, password: str, role: str, provider_id: str | None, areas: tuple[str, ...] = ()) -> None:
    problems = []
    if not _USERNAME.match(username):
        problems.append(
            "the username must be 2 to 40 lower-case letters, digits, dots, dashes "
            "or underscores, starting with a letter or digit"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if role not in ROLES:
        problems.append(f"'{role}' is not a role; use one of {', '.join(ROLES)}")
    if role == "provider" and not provider_id:
        problems.append("a provider account needs the provider_id it belongs to, such as P001")
    if role != "provider" and provider_id:
        problems.append("only a provider account belongs to a provider; leave provider_id empty")
    if role != "commissioner" and areas:
        problems.append("only a commissioner account has areas; leave areas empty")
    if any(not (a or "").strip() for a in areas):
        problems.append("an area needs a name, such as Northshire")
    if problems:
        raise AccountError("Cannot make the account: " + "; ".join(problems) + ".")


def create_account(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    role: str,
    provider_id: str | None = None,
    display_name: str | None = None,
    replace: bool = False,
    areas: list[str] | tuple[str, ...] = (),
) -> Account:
    """Make (or, with replace, reset) an account; the password is stored only as a hash. A
    commissioner's `areas` are the areas whose providers' exact figures it sees."""
    username = normalise_username(username)
    areas = tuple(a.strip() for a in areas)
    _check(username, password, role, provider_id, areas)
    exists = con.execute("SELECT count(*) FROM accounts WHERE username = ?", [username]).fetchone()[0]
    if exists and not replace:
        raise AccountError(f"Cannot make the account: the username '{username}' is taken.")
    account = Account(username, display_name or username, role, provider_id, areas)
    row = [account.username, account.display_name, role, provider_id, _hasher.hash(password), store.now(), list(areas)]
    con.execute(
        "INSERT OR REPLACE INTO accounts (username, display_name, role, provider_id, password_hash, created_at, areas) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    return account


def verify(con: duckdb.DuckDBPyConnection, username: str, password: str) -> Account | None:
    """The account when the password is right and the account is not disabled; None otherwise
    (never says which part was wrong, and takes as long either way)."""
    username = normalise_username(username)
    row = con.execute(
        "SELECT username, display_name, role, provider_id, password_hash, areas FROM accounts "
        "WHERE username = ? AND disabled_at IS NULL",
        [username],
    ).fetchone()
    if row is None:
        try:
            _hasher.verify(_dummy_hash(), password or "")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(row[4], password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return Account(row[0], row[1], row[2], row[3], tuple(row[5] or ()))


def find(con: duckdb.DuckDBPyConnection, username: str) -> tuple[Account, str] | None:
    """An account that can sign in (not disabled) with its password hash, or None: what a
    kept session or a single sign-on identity is checked against, with no password."""
    row = con.execute(
        "SELECT username, display_name, role, provider_id, password_hash, areas FROM accounts "
        "WHERE username = ? AND disabled_at IS NULL",
        [normalise_username(username)],
    ).fetchone()
    return None if row is None else (Account(row[0], row[1], row[2], row[3], tuple(row[5] or ())), row[4])


def _existing(con: duckdb.DuckDBPyConnection, username: str) -> str:
    username = normalise_username(username)
    if con.execute("SELECT count(*) FROM accounts WHERE username = ?", [username]).fetchone()[0] == 0:
        known = [r[0] for r in con.execute("SELECT username FROM accounts ORDER BY username").fetchall()]
        close = difflib.get_close_matches(username, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else " See them with: python -m audits accounts list"
        raise AccountError(f"There is no account '{username}'.{hint}")
    return username


def set_disabled(con: duckdb.DuckDBPyConnection, username: str, disabled: bool) -> str:
    """Disable an account (it cannot sign in; it is kept, so what it signed still names it) or
    enable it again; returns a plain summary."""
    username = _existing(con, username)
    con.execute("UPDATE accounts SET disabled_at = ? WHERE username = ?", [store.now() if disabled else None, username])
    return f"{username} {'can no longer sign in' if disabled else 'can sign in again'}."


def reset_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    """A new password for an existing account (only its hash is kept)."""
    username = _existing(con, username)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    con.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", [_hasher.hash(password), username])


def list_accounts(con: duckdb.DuckDBPyConnection):
    """Every account without its hash: username, display_name, role, provider_id, disabled."""
    return con.execute(
        "SELECT username, display_name, role, provider_id, disabled_at IS NOT NULL AS disabled "
        "FROM accounts ORDER BY role, username"
    ).fetchdf()


# --------------------------------------------------------------------------- signing in

# Failed sign-ins allowed in the window before a lock, by the username typed and by the address.
# An address gets more, as several people of one organisation may share it.
ACCOUNT_FAILURES, ADDRESS_FAILURES = 5, 20
WINDOW = dt.timedelta(minutes=15)  # failures counted over this long ...
LOCK = dt.timedelta(minutes=15)  # ... and a lock lasts this long after the last of them


@dataclass(frozen=True)
class SignIn:
    account: Account | None
    wait_seconds: int = 0  # > 0: locked, try again after this long (nothing was checked)


def _locked_for(con: duckdb.DuckDBPyConnection, column: str, value: str | None, allowed: int, now) -> int:
    """Seconds until `value` (a username or an address) may try again; 0 when it may now."""
    if not value:
        return 0
    rows = con.execute(
        f"""SELECT count(*), max(attempted_at) FROM sign_in_attempts
            WHERE {column} = ? AND NOT succeeded AND attempted_at > ?
              AND attempted_at > coalesce((SELECT max(attempted_at) FROM sign_in_attempts WHERE {column} = ? AND succeeded),
                                TIMESTAMP '1970-01-01')""",
        [value, now - WINDOW, value],
    ).fetchone()
    failures, last = rows
    if failures < allowed:
        return 0
    return max(0, int((last + LOCK - now).total_seconds()) + 1)


def sign_in(con: duckdb.DuckDBPyConnection, username: str, password: str, address: str | None) -> SignIn:
    """Check a sign-in against the lockouts kept in the store, then the password; every checked
    attempt is recorded (never the password). A lock is by username and by address, so neither a
    reload nor another browser gives fresh tries, and it holds for unknown usernames too, so it
    does not tell which accounts exist."""
    now = store.now()
    username = normalise_username(username)
    wait = max(
        _locked_for(con, "username", username, ACCOUNT_FAILURES, now),
        _locked_for(con, "address", address, ADDRESS_FAILURES, now),
    )
    if wait:
        return SignIn(None, wait)
    account = verify(con, username, password)
    con.execute(
        "INSERT INTO sign_in_attempts VALUES (?, ?, ?, ?)",
        [username[:80], (address or "")[:64], now, account is not None],
    )
    return SignIn(account)


def new_password() -> str:
    """Four groups of letters and digits: easy to type from a terminal, 80+ bits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def create_demo_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str | None]]:
    """One account per role for a demo store, each with a fresh random password.

    Run again, it resets the same accounts to new passwords (only hashes are kept,
    so the only way to print a working password is to make a new one). The provider
    account belongs to the first provider in the store, and the commissioner commissions
    that provider's area (Northshire in the small demo), when there is one.
    Returns (username, password, role, provider_id or area) for printing.
    """
    first = con.execute("SELECT provider_id, area FROM providers ORDER BY provider_id LIMIT 1").fetchone()
    areas = (first[1],) if first and first[1] else ()
    wanted: list[tuple[str, str, str | None, str, tuple[str, ...]]] = [
        ("commissioner", "commissioner", None, "Demo commissioner", areas),
        ("auditor", "auditor", None, "Demo independent auditor", ()),
        ("expert", "expert_citizen", None, "Demo expert citizen", ()),
        ("interviewer", "peer_interviewer", None, "Demo peer interviewer", ()),
    ]
    if first:
        wanted.append(("provider", "provider", first[0], f"Demo provider {first[0]}", ()))
    created = []
    for username, role, provider_id, display_name, own_areas in wanted:
        password = new_password()
        create_account(con, username, password, role, provider_id, display_name, replace=True, areas=own_areas)
        created.append((username, password, role, provider_id or ", ".join(own_areas) or None))
    return created
