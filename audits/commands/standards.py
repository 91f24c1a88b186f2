"""Commands: `standards check` and `standards schema`.

`check` is what an expert citizens group runs after editing a file: every mistake in
every file at once, each with its file, line and fix. `schema` rewrites the JSON
Schema that text editors use to offer completion, from the one model of a standard.
"""

from __future__ import annotations

from pathlib import Path

import typer

from audits import standards as loader
from audits.commands import fail

DEFAULT_DIR = Path("standards")


def check(
    folder: Path = typer.Argument(DEFAULT_DIR, help="The folder of standards files (.yaml).", show_default=True),
) -> None:
    """Check every standards file in a folder: exit 0 when all are valid, 1 otherwise."""
    result = loader.load_standards(folder)
    if not result.ok:
        count = len(result.problems)
        files = len({p.file for p in result.problems})
        typer.echo(
            f"{count} problem{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"
            f" of {folder}. Nothing is audited until every file is right:",
            err=True,
        )
        for problem in result.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    by_status: dict[str, int] = {}
    for standard in result.standards:
        by_status[standard.status] = by_status.get(standard.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items())) or "no standards"
    typer.echo(f"All {len(result.standards)} standards files in {folder} are valid ({summary}).")
    if not result.audited:
        typer.echo("None is approved yet, so an audit would check nothing.")


def schema(
    folder: Path = typer.Argument(DEFAULT_DIR, help="The folder to write standard.schema.json into."),
) -> None:
    """Rewrite the JSON Schema that text editors use to help with standards files."""
    if not folder.is_dir():
        fail(f"There is no folder {folder}: give the folder of standards files.")
    path = loader.write_schema(folder)
    typer.echo(f"Wrote {path}. Standards files point at it with their first line:\n  {loader.SCHEMA_LINE}")


def register(app: typer.Typer) -> None:
    """Add the `standards` group of commands to the app."""
    group = typer.Typer(help="Check the standards files written by expert citizens groups.", no_args_is_help=True)
    group.command("check")(check)
    group.command("schema")(schema)
    app.add_typer(group, name="standards")
