"""Commands: `standards check`, `schema`, `drafts`, `approve` and `history`.

`check` is what an expert citizens group runs after editing a file: every mistake in
every file at once, each with its file, line and fix. `schema` rewrites the JSON
Schema that text editors use to offer completion, from the one model of a standard.
`drafts`, `approve` and `history` are the workshop's group actions (audits.workshop) for a
group that meets in a room rather than at a screen: list the drafts waiting, record the
meeting that approved one with the names of everyone present, and read a standard's versions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from audits import standard_files as loader
from audits import store
from audits.commands import DB, fail

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


def drafts(
    folder: Path = typer.Argument(DEFAULT_DIR, help="The folder of standards files."),
    db: Path = DB,
) -> None:
    """List the drafts waiting for the group's approval, with who has approved each."""
    from audits import versions, workshop

    found = [s for s in workshop.sources(folder).values() if s.is_draft]
    if not found:
        typer.echo(f"No draft is waiting for approval in {folder}.")
        return
    try:
        with store.reading(db) as con:
            for source in found:
                state = workshop.approvals(con, folder, source.id)
                typer.echo(f"{source.id}: {source.title}")
                typer.echo(f"  {state.words()}")
                if source.standard is not None:
                    for line in versions.differences(source.approved, source.standard):
                        typer.echo(f"  - {line}")
    except store.StoreError as error:
        fail(str(error))


def approve(
    standard_id: str = typer.Argument(..., help="The standard's short name, such as peer-workforce."),
    folder: Path = typer.Argument(DEFAULT_DIR, help="The folder of standards files."),
    group: str = typer.Option(..., "--group", help="The expert citizens group that met."),
    met_on: str = typer.Option(..., "--met-on", help="The day it met, written like 2026-11-30."),
    present: list[str] = typer.Option(..., "--present", help="A person present (give --present once for each)."),
    by: str = typer.Option(..., "--by", help="Your name, kept as who recorded it."),
    db: Path = DB,
) -> None:
    """Record that a meeting of the group approved a draft: it becomes the version audited."""
    from audits import workshop

    try:
        day = dt.date.fromisoformat(met_on)
    except ValueError:
        fail(f"'{met_on}' is not a day: write it like 2026-11-30.")
    try:
        with store.writing(db) as con:
            outcome = workshop.approve_at_meeting(con, folder, standard_id, group, day, present, by)
    except (workshop.WorkshopError, store.StoreError) as error:
        fail(str(error))
    typer.echo(outcome.message)


def history(
    standard_id: str = typer.Argument(..., help="The standard's short name, such as peer-workforce."),
    folder: Path = typer.Argument(DEFAULT_DIR, help="The folder of standards files."),
    db: Path = DB,
) -> None:
    """Every version of a standard, who changed what and when, and what changed each time."""
    from audits import versions, words, workshop

    source = workshop.sources(folder).get(standard_id)
    try:
        with store.reading(db) as con:
            found = versions.history(con, standard_id, source.approved if source else None)
    except store.StoreError as error:
        fail(str(error))
    if not found:
        fail(f"No version of '{standard_id}' is known: check the short name (python -m audits standards drafts).")
    for newer, older in zip(found, found[1:] + [None]):
        when = words.long_datetime(newer.when) if newer.when is not None else "now"
        note = f" ({newer.note})" if newer.note else ""
        typer.echo(f"Version {newer.version}, {newer.status}, {when}, by {newer.who or 'not recorded'}{note}")
        if older is not None:
            for line in versions.differences(older.standard, newer.standard):
                typer.echo(f"  - {line}")


def register(app: typer.Typer) -> None:
    """Add the `standards` group of commands to the app."""
    group = typer.Typer(help="Check the standards files written by expert citizens groups.", no_args_is_help=True)
    group.command("check")(check)
    group.command("schema")(schema)
    group.command("drafts")(drafts)
    group.command("approve")(approve)
    group.command("history")(history)
    app.add_typer(group, name="standards")
