"""The command line, one module per group (each has `register(app)`), and the options
they share."""

import typer

from audits import spec, store

# Every command that reads or writes the store takes the same --db (audits.store.db_path).
DB = typer.Option(None, "--db", help=f"The store (default {store.DEFAULT_DB}, or ${store.DB_ENV}).")


def fail(message: str) -> None:
    """End a command on a user's mistake: the plain message on stderr, exit 1, no traceback."""
    typer.echo(message, err=True)
    raise typer.Exit(1)


PERIOD = typer.Option(..., "--period", help="The quarter, written like 2026-Q2.")
PROVIDER = typer.Option(..., "--provider", help="The provider's code, such as P001.")


def check_period(period: str) -> None:
    """A period that is not a quarter like 2026-Q2 is a plain message and exit 1."""
    try:
        spec.parse_period(period)
    except ValueError as error:
        fail(f"{error}.")
