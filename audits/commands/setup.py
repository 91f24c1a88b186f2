"""Command: setup-demo, the one step `make run` takes to make a working demo store.

It is idempotent, so `make run` can be run again and again: it writes the demo
files only when they are missing, loads them only into an empty store, runs the
audit only for periods that have no run yet, and creates the demo accounts only
once (printing them every time, so a person knows how to sign in).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from audits import store
from audits.commands import DB

console = Console()


def setup_demo(
    db: Path = DB,
    demo_dir: Path = typer.Option(
        Path("data/demo"), "--demo-dir", help="Where the demo returns and packs are written."
    ),
    standards_dir: Path = typer.Option(Path("standards"), "--standards", help="The standards to audit."),
) -> None:
    """Make a ready-to-use demo store: demo data, loaded, audited, with one account per role."""
    from audits import accounts, demo, ingest, runs

    try:
        if not (demo_dir / "returns").is_dir():
            console.print(f"Writing the small demo data set to {demo_dir} …")
            demo.write_demo(demo_dir, scale="small")
        paths = sorted((demo_dir / "returns").iterdir()) + sorted((demo_dir / "packs").iterdir())

        with store.writing(db) as con:
            loaded = con.execute("SELECT count(*) FROM submissions").fetchone()[0]
        if loaded:
            console.print(f"The store {store.db_path(db)} already holds {loaded} submissions: not loading again.")
        else:
            console.print(f"Loading {len(paths)} returns and evidence packs into {store.db_path(db)} …")
            ingest.ingest(paths, db=db, loaded_by="demo set-up")

        with store.writing(db) as con:
            periods = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT period FROM submissions WHERE kind = 'return' "
                    "AND period NOT IN (SELECT period FROM runs) ORDER BY period"
                ).fetchall()
            ]
        for period in periods:
            run_id = runs.run_audit(db, period, standards_dir=standards_dir, run_by="demo set-up")
            console.print(f"Audited {period}: run {run_id}")

        with store.writing(db) as con:
            created = accounts.create_demo_accounts(con)
    except (store.StoreBusy, store.StoreMissing) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None

    table = Table(title="Demo accounts (for this demo store only)")
    for heading in ("username", "password", "role", "provider or area"):
        table.add_column(heading)
    for username, password, role, provider_id in created:
        table.add_row(username, password, role, provider_id or "")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("setup-demo")(setup_demo)
