"""Commands: `accounts add|list|disable|enable|reset`, the dashboard's local accounts for a
real deployment (the demo set-up makes its own).

A new or reset password is made here, at random, and printed once: only its argon2 hash is
kept, so it cannot be shown again. An account is disabled rather than deleted, so the
sign-offs and decisions that name it keep their meaning.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audits import accounts, store
from audits.commands import DB, fail

console = Console(highlight=False)
accounts_app = typer.Typer(
    help="The dashboard's local accounts: add one, list them, disable or enable one, reset a password.",
    no_args_is_help=True,
)
USERNAME = typer.Argument(..., help="The username, such as j.okafor (lower case; letters, digits, . _ -).")


def _show_password(username: str, password: str) -> None:
    console.print(
        f"Password for {escape(username)}: {password}\n"
        "Give it to the person by a safe route. It is shown only now: only its hash is kept."
    )


@accounts_app.command("add")
def add(
    username: str = USERNAME,
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(accounts.ROLES)}."),
    provider: str = typer.Option(None, "--provider", help="For a provider account: the provider's code, such as P001."),
    name: str = typer.Option(None, "--name", help="The person's name as the dashboard shows it."),
    db: Path = DB,
) -> None:
    """Add an account with a new random password, printed once."""
    password = accounts.new_password()
    try:
        with store.writing(db) as con:
            account = accounts.create_account(con, username, password, role, provider, name)
    except (accounts.AccountError, store.StoreError) as error:
        fail(str(error))
    console.print(f"Added {escape(account.username)} ({account.role_word}).")
    _show_password(account.username, password)


@accounts_app.command("list")
def list_accounts(db: Path = DB) -> None:
    """Every account: username, name, role, provider and whether it may sign in (never a password)."""
    try:
        with store.reading(db) as con:
            rows = accounts.list_accounts(con)
    except store.StoreError as error:
        fail(str(error))
    table = Table(title="Accounts")
    for heading in ("username", "name", "role", "provider", "may sign in"):
        table.add_column(heading)
    for row in rows.itertuples():
        table.add_row(
            escape(row.username),
            escape(row.display_name),
            accounts.ROLE_WORDS.get(row.role, row.role),
            escape(row.provider_id or ""),
            "no: disabled" if row.disabled else "yes",
        )
    console.print(table)


def _set_disabled(username: str, disabled: bool, db) -> None:
    try:
        with store.writing(db) as con:
            message = accounts.set_disabled(con, username, disabled)
    except (accounts.AccountError, store.StoreError) as error:
        fail(str(error))
    console.print(escape(message))


@accounts_app.command("disable")
def disable(username: str = USERNAME, db: Path = DB) -> None:
    """Stop an account signing in (kept, so what it signed and decided still names it)."""
    _set_disabled(username, True, db)


@accounts_app.command("enable")
def enable(username: str = USERNAME, db: Path = DB) -> None:
    """Let a disabled account sign in again."""
    _set_disabled(username, False, db)


@accounts_app.command("reset")
def reset(username: str = USERNAME, db: Path = DB) -> None:
    """Give an account a new random password, printed once (the old one stops working)."""
    password = accounts.new_password()
    try:
        with store.writing(db) as con:
            accounts.reset_password(con, username, password)
    except (accounts.AccountError, store.StoreError) as error:
        fail(str(error))
    _show_password(accounts.normalise_username(username), password)


def register(app: typer.Typer) -> None:
    """Add the `accounts` group to the app."""
    app.add_typer(accounts_app, name="accounts")
