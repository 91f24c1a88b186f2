"""Commands: `settings show|set`, the audit's settings kept in the store."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, fail

console = Console(highlight=False, markup=False, soft_wrap=True)
settings_app = typer.Typer(help="Show or change the audit's settings (kept in the store).", no_args_is_help=True)


@settings_app.command("show")
def show(db: Path = DB) -> None:
    """Every setting, its value and what it means."""
    from audits import settings

    try:
        with store.reading(db) as con:
            values = settings.every(con)
    except store.StoreError as error:
        fail(str(error))
    for name, value in values.items():
        console.print(
            f"{name} = {value}: {settings.SETTINGS[name].meaning} (default {settings.SETTINGS[name].default})."
        )


@settings_app.command("set")
def set_(
    name: str = typer.Argument(..., help="The setting, such as voices_needed."),
    value: str = typer.Argument(..., help="Its new value."),
    by: str = typer.Option(..., "--by", help="Your name, kept with the change."),
    db: Path = DB,
) -> None:
    """Change a setting. A sign-off whose report would read differently goes out of date."""
    from audits import settings

    try:
        with store.writing(db) as con:
            message = settings.put(con, name, value, by)
    except (settings.SettingError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


def register(app: typer.Typer) -> None:
    app.add_typer(settings_app, name="settings")
