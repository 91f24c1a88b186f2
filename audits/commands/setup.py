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
from audits.commands import DB, fail

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

    # Checked before anything is written or loaded, so a mistake leaves nothing half-done.
    if demo_dir.exists() and not demo_dir.is_dir():
        fail(f"{demo_dir} is a file, not a folder: give --demo-dir a folder for the demo data (it is made if missing).")
    if not standards_dir.is_dir():
        fail(
            f"There is no folder of standards {standards_dir}: give --standards the folder that holds the .yaml files."
        )
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
                read = demo_reading(con, standards_dir)
            console.print(f"The demo's auditor marked what {read} stories say of the standards they speak to.")

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
    except (store.StoreError, demo.DemoError, runs.RunError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Could not set up the demo in {demo_dir}: {error.strerror or error}. Check the folder can be written to.")

    table = Table(title="Demo accounts (for this demo store only)")
    for heading in ("username", "password", "role", "provider or area"):
        table.add_column(heading)
    for username, password, role, provider_id in created:
        table.add_row(username, password, role, provider_id or "")
    console.print(table)


def demo_reading(con, standards_dir: Path) -> int:
    """The demo's auditor reads every consented demo story and marks what it says of each standard
    it is tagged to (audits.demo_stories.stance_of), so the demo shows confirmed greens and
    contradictions as a real audit would. Returns how many stories were marked."""
    from audits import demo_stories, story_review

    titles = story_review.standard_titles(standards_dir)
    marked = 0
    rows = con.execute("SELECT provider_id, period, story_id, standards, story FROM cur_stories WHERE consent = 'yes'")
    for provider_id, period, story_id, standards, text in rows.fetchall():
        stance = demo_stories.stance_of(text)
        ids = [sid for sid in story_review.split_standards(standards) if sid in titles]
        if stance is None or not ids:
            continue
        try:
            story_review.tag_story(
                con, provider_id, period, story_id, ids, "demo set-up", titles, {sid: stance for sid in ids}
            )
        except story_review.ReviewError:
            continue  # consented here, but the same words were withdrawn in another quarter: final
        marked += 1
    return marked


def register(app: typer.Typer) -> None:
    app.command("setup-demo")(setup_demo)
