"""Command: `readiness`, where each provider's audit of a period stands and what to do next."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, PERIOD, check_period, fail

console = Console(highlight=False, soft_wrap=False)


def readiness(period: str = PERIOD, db: Path = DB) -> None:
    """The readiness board: per provider, return and pack loaded, rows held back, stories held and
    awaiting tags, draft shared, provider comments open, signed off, out of date, published."""
    from rich.markup import escape

    from audits import readiness as board

    check_period(period)
    try:
        with store.reading(db) as con:
            df = board.board(con, period)
    except store.StoreError as error:
        fail(str(error))
    if df.empty:
        console.print(f"Nothing is loaded for {period} yet: upload the providers' returns first.")
        return
    console.print(f"Readiness of the audit of {period}: {len(df)} provider{'s' if len(df) != 1 else ''}.")
    for row in df.to_dict("records"):
        console.print(f"\n{escape(row['provider_name'])} ({escape(row['provider_id'])})")
        console.print(f"  Next step: {escape(row['next_step'])}", style="bold")
        for column, heading in board.HEADINGS.items():
            if column not in ("provider_name", "next_step"):
                console.print(f"  {heading}: {escape(str(row[column]))}")


def register(app: typer.Typer) -> None:
    app.command("readiness")(readiness)
