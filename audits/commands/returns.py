"""Commands: `validate`, `ingest` and `template`, for returns and evidence packs.

Exit codes: 0 when everything could be loaded (warnings and held-back rows allowed),
1 when any submission has a blocking problem or the store is busy, 2 for a usage
mistake (typer's own, such as a path that does not exist).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from audits import store
from audits.commands import DB

# Reports hold people's values: never read them as rich markup, never hard-wrap a problem line.
console = Console(highlight=False, markup=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)

PATHS = typer.Argument(
    ...,
    exists=True,
    readable=True,
    resolve_path=False,
    help="Returns and evidence packs: folders, .zip files or .xlsx workbooks.",
)


def _progress(total: int, what: str) -> Progress:
    return Progress(
        TextColumn(f"{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=total < 4,
    )


def validate(
    paths: list[Path] = PATHS,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only submissions that have problems."),
) -> None:
    """Check returns and evidence packs against the specification and report every problem.

    Nothing is loaded. Exit 0 when all can be loaded (rows may be held back), 1 when
    any has a blocking problem.
    """
    from audits import returns

    refused = 0
    with _progress(len(paths), "Validating") as bar:
        task = bar.add_task("validate", total=len(paths))
        for batch in returns.validate_batches(list(paths)):
            for v in batch:
                refused += v.blocking
                if not quiet or v.problems:
                    bar.console.print(v.report() + "\n")
                bar.advance(task)
    loadable = len(paths) - refused
    console.print(
        f"{loadable} of {len(paths)} can be loaded" + (f"; {refused} refused until fixed." if refused else ".")
    )
    if refused:
        raise typer.Exit(1)


def ingest_command(
    paths: list[Path] = PATHS,
    db: Path = DB,
    loaded_by: str = typer.Option(None, "--by", help="Who is loading (default: your user name)."),
    report: bool = typer.Option(
        False, "--report", help="Print the full validation report of every submission, not only of those with problems."
    ),
) -> None:
    """Validate and load returns and evidence packs into the store, each all or nothing.

    A submission with blocking problems loads nothing (exit 1); rows with problems are
    held back in quarantine with their reasons. Loading a provider's quarter again
    replaces the current submission and keeps the earlier one in the history.
    """
    from audits import ingest

    outcomes = []
    try:
        with _progress(len(paths), "Loading") as bar:
            task = bar.add_task("ingest", total=len(paths))

            def tick(outcome) -> None:
                v = outcome.validation
                if v is not None and (report or v.problems):
                    bar.console.print(v.report())
                bar.console.print(outcome.summary() + "\n")
                bar.advance(task)

            outcomes = ingest.ingest(list(paths), db=db, loaded_by=loaded_by, progress=tick)
    except store.StoreError as error:
        err_console.print(str(error))
        raise typer.Exit(1) from None
    loaded = [o for o in outcomes if o.loaded]
    repeats = [o for o in outcomes if o.same_as and o.same_files]
    held = sum(o.quarantined for o in loaded)
    rows = sum(sum(o.rows.values()) for o in loaded)
    console.print(
        f"Loaded {len(loaded)} of {len(outcomes)} into {store.db_path(db)}: {rows:,} rows"
        + (f", {held:,} held back in quarantine." if held else ".")
    )
    if repeats:
        console.print(f"{len(repeats)} given twice with the same files: loaded once.")
    refused = len(outcomes) - len(loaded) - len(repeats)
    if refused:
        console.print(f"{refused} refused: nothing of those was loaded.")
        raise typer.Exit(1)


def template(
    out: Path = typer.Option(Path("templates"), "--out", help="The folder to write the blank templates into."),
    docs: bool = typer.Option(
        False,
        "--docs",
        help="Regenerate docs/provider-returns.md and docs/templates/ (for developers, after changing audits/spec.py).",
    ),
) -> None:
    """Write blank templates (a folder of CSV headers and an .xlsx workbook) for a return and a pack."""
    from audits import templates

    try:
        written = templates.write_docs() if docs else templates.write_templates(out)
    except OSError as error:
        err_console.print(f"Could not write the templates: {error}")
        raise typer.Exit(1) from None
    for path in written:
        console.print(f"Wrote {path}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("validate")(validate)
    app.command("ingest")(ingest_command)
    app.command("template")(template)
