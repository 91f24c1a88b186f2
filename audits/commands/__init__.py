"""The command line, one module per group (each has `register(app)`), and the options
they share."""

import typer

from audits import store

# Every command that reads or writes the store takes the same --db (audits.store.db_path).
DB = typer.Option(None, "--db", help=f"The store (default {store.DEFAULT_DB}, or ${store.DB_ENV}).")


def fail(message: str) -> None:
    """End a command on a user's mistake: the plain message on stderr, exit 1, no traceback."""
    typer.echo(message, err=True)
    raise typer.Exit(1)
