"""Command: `publish`, the static site of a quarter's signed audits."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, PERIOD, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)


def publish(
    period: str = PERIOD,
    out: Path = typer.Option(..., "--out", help="The folder to write the site into (new, empty, or an earlier site)."),
    supersede: bool = typer.Option(
        False,
        "--supersede",
        help="The quarter was audited again after its release: publish the latest run, replacing the release.",
    ),
    keep_release: bool = typer.Option(
        False, "--keep-release", help="The quarter was audited again after its release: publish the released run."
    ),
    db: Path = DB,
) -> None:
    """Write an accessible HTML site of the period's signed audits (with open data and the signed
    PDFs) into a folder: only providers whose sign-off is current are in it."""
    from audits import findings
    from audits import publish as site

    check_period(period)
    if supersede and keep_release:
        fail("Choose one of --supersede (publish the latest run) and --keep-release (publish the released one).")
    try:
        with store.writing(db) as con:
            choice = True if supersede else False if keep_release else None
            done = site.publish(con, period, out, getpass.getuser(), supersede=choice)
    except (site.PublishError, findings.FindingsError, store.StoreError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Could not write into {out}: {error.strerror or error}.")
    console.print(done.summary())


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
