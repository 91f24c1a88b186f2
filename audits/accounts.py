"""Local dashboard accounts: who may sign in, with which role, and for which provider or areas.

Passwords are kept only as argon2id hashes (argon2-cffi), never as plain text. A
provider account is tied to one provider_id so that the dashboard can show that
provider its own exact figures; a commissioner account lists the areas it commissions, whose
providers' exact figures it sees (dashboard.viewer decides each viewer's tier, audits.tiers). Demo accounts get fresh random
passwords every time they are made, so a demo store never carries a password that
is written down anywhere else.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from audits import store

ROLES = ("commissioner", "auditor", "expert_citizen", "provider")
ROLE_WORDS = {
    "commissioner": "Commissioner",
    "auditor": "Independent auditor",
    "expert_citizen": "Expert citizen",
    "provider": "Provider",
}
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

_hasher = PasswordHasher()
# Checked against when the username is unknown, so a wrong username takes as long
# as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


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
    """The account when the password is right; None otherwise (never says which part was wrong)."""
    username = normalise_username(username)
    row = con.execute(
        "SELECT username, display_name, role, provider_id, password_hash, areas FROM accounts WHERE username = ?",
        [username],
    ).fetchone()
    if row is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(row[4], password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return Account(row[0], row[1], row[2], row[3], tuple(row[5] or ()))


def _new_password() -> str:
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
    ]
    if first:
        wanted.append(("provider", "provider", first[0], f"Demo provider {first[0]}", ()))
    created = []
    for username, role, provider_id, display_name, own_areas in wanted:
        password = _new_password()
        create_account(con, username, password, role, provider_id, display_name, replace=True, areas=own_areas)
        created.append((username, password, role, provider_id or ", ".join(own_areas) or None))
    return created
