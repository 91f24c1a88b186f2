"""Commands: `report` and `reports`, the third-party audit PDFs."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from audits import store
from audits.commands import DB, PERIOD, PROVIDER, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)

AUDITOR = typer.Option(None, "--auditor", help="The auditor's name, printed on the cover (default: the sign-off's).")
ORGANISATION = typer.Option(
    None, "--organisation", help="The independent auditing organisation (default: the sign-off's)."
)


def report(
    provider: str = PROVIDER,
    period: str = PERIOD,
    pdf: Path = typer.Option(..., "--pdf", help="Where to write the PDF (its folder is made if missing)."),
    auditor: str = AUDITOR,
    organisation: str = ORGANISATION,
    db: Path = DB,
) -> None:
    """Write the third-party audit PDF of one provider and period, from the period's latest audit
    run, and beside it the run's input manifest (the list of files whose checksum the PDF prints)."""
    from audits import findings, manifest
    from audits.report import ReportError, build_report

    check_period(period)
    try:
        path = build_report(db, provider, period, pdf, auditor=auditor, organisation=organisation)
        with store.reading(db) as con:
            inputs = manifest.write(con, findings.latest_run(con, period), period, path.parent)
    except (ReportError, store.StoreError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Could not write {pdf}: {error.strerror or error}. Check the folder can be made and written to.")
    console.print(f"Wrote {path} and, beside it, the run's input manifest {inputs.name}")


def reports(
    period: str = PERIOD,
    out: Path = typer.Option(..., "--out", help="The folder to write the PDFs into (made if missing)."),
    auditor: str = AUDITOR,
    organisation: str = ORGANISATION,
    db: Path = DB,
    workers: int = typer.Option(
        min(2, os.cpu_count() or 1), "--workers", min=1, help="How many PDFs to draw at once (one per processor core)."
    ),
) -> None:
    """Write every provider's audit PDF for a period into a folder, with a progress bar, and the
    run's input manifest (the list of files whose checksum each PDF prints)."""
    from audits.report import ReportError
    from audits.report_batch import BatchError, build_reports

    check_period(period)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"Could not make the folder {out}: {error.strerror or error}.")
    with Progress(
        TextColumn("Writing audit reports"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
    ) as bar:
        task = bar.add_task("", total=None)

        def step(provider_id: str) -> None:
            bar.update(task, advance=1, description=provider_id)

        def started(total: int) -> None:
            bar.update(task, total=total)

        try:
            paths = build_reports(
                db,
                period,
                out,
                auditor=auditor,
                organisation=organisation,
                workers=workers,
                progress=step,
                on_start=started,
            )
        except (ReportError, BatchError, store.StoreError) as error:
            bar.stop()
            fail(str(error))
        except OSError as error:
            bar.stop()
            fail(f"Could not write into {out}: {error.strerror or error}.")
    console.print(f"Wrote {len(paths)} reports for {period} into {out}")


def register(app: typer.Typer) -> None:
    """Add `report` and `reports` to the app."""
    app.command("report")(report)
    app.command("reports")(reports)
