"""Commands: `peer kit|workbook|add|work`, the peer interviewers' toolkit on the command line.

`kit` prints the interview guides and blank capture sheets for a visit, `workbook` the .xlsx a
visit's sheets are typed into, `add` joins a typed-up workbook to the quarter's evidence pack
(audits.capture), and `work` shows the work behind each audit (audits.credits). Withdrawing a
story by its reference is `stories withdraw`. No command prints people's words.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, PERIOD, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)
STANDARDS_DIR = typer.Option(Path("standards"), "--standards-dir", help="The folder of standards files.")
VISIT_PROVIDER = typer.Option(None, "--provider", help="The provider visited (its code), printed on each page.")
VISIT_PERIOD = typer.Option(None, "--period", help="The quarter of the visit, written like 2026-Q2.")

peer_app = typer.Typer(
    help="The peer interviewers' toolkit: interview guides and capture sheets for a visit, the workbook "
    "for visits without a connection, and the work behind each audit.",
    no_args_is_help=True,
)


def _provider_name(db, provider: str | None) -> str | None:
    if not provider:
        return None
    try:
        with store.reading(db) as con:
            row = con.execute("SELECT provider_name FROM providers WHERE provider_id = ?", [provider]).fetchone()
    except store.StoreError:
        return provider
    return (row[0] if row and row[0] else None) or provider


@peer_app.command("kit")
def kit(
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    provider: str = VISIT_PROVIDER,
    period: str = VISIT_PERIOD,
    sheets: int = typer.Option(2, "--sheets", help="How many blank capture sheets, each with its own reference."),
    standards_dir: Path = STANDARDS_DIR,
    db: Path = DB,
) -> None:
    """Print the visit kit: how to begin, a one-page interview guide per approved standard, and blank
    capture sheets with a reference for the person to keep."""
    from audits import guides

    if period:
        check_period(period)
    try:
        chosen = guides.kit_standards(standards_dir)
        path = guides.visit_pdf(chosen, out, provider_name=_provider_name(db, provider), period=period, sheets=sheets)
    except (guides.KitError, ValueError) as error:
        fail(str(error))
    console.print(f"Wrote {path}: {len(chosen)} interview guides and {sheets} capture sheets.")


@peer_app.command("workbook")
def workbook(
    out: Path = typer.Option(..., "--out", help="The .xlsx to write."),
    provider: str = VISIT_PROVIDER,
    period: str = VISIT_PERIOD,
    gathered_by: str = typer.Option(None, "--gathered-by", help="Your group, as it should appear on the report."),
    standards_dir: Path = STANDARDS_DIR,
) -> None:
    """Write the workbook a visit's capture sheets are typed into; it loads back as an evidence pack."""
    from audits import guides, templates

    if period:
        check_period(period)
    try:
        notes = guides.workbook_notes(guides.kit_standards(standards_dir))
    except guides.KitError as error:
        fail(str(error))
    values = {"provider_id": provider, "period": period, "gathered_by": gathered_by}
    path = templates.write_workbook(out, "pack", {k: v for k, v in values.items() if v}, notes)
    console.print(f"Wrote {path}. When the sheets are typed in: python -m audits peer add {path}")


@peer_app.command("add")
def add(
    path: Path = typer.Argument(..., help="The filled-in workbook (or a pack folder or .zip)."),
    by: str = typer.Option(..., "--by", help="Your name, recorded as who loaded it."),
    db: Path = DB,
) -> None:
    """Add the stories of a typed-up workbook to the evidence pack already loaded for its provider and
    quarter (a new version of the pack; the old one stays in the history). Every rule of a pack holds."""
    from audits import capture, returns

    validation = returns.validate(path)
    console.print(validation.report())
    if validation.blocking:
        raise typer.Exit(1)
    try:
        with store.writing(db) as con:
            joined = capture.join_validation(con, validation, str(path), by)
    except (capture.CaptureError, store.StoreError) as error:
        fail(str(error))
    console.print(joined.summary())


@peer_app.command("work")
def work(period: str = PERIOD, db: Path = DB) -> None:
    """The work behind each audit of a quarter: each interviewer's stories and hours, provider by
    provider (names and exact counts: for the auditor and the commissioner)."""
    from audits import credits, words

    check_period(period)
    try:
        with store.reading(db) as con:
            df = credits.summary(con, period)
    except store.StoreError as error:
        fail(str(error))
    if df.empty:
        console.print(f"No story of {period} names its interviewer yet.")
        return
    for provider_id, rows in df.groupby("provider_id", sort=True):
        console.print(f"\n{rows['provider_name'].iloc[0]} ({provider_id}), {period}:")
        for r in rows.itertuples():
            named = "named in public" if r.named else "not named in public"
            console.print(
                f"  {r.interviewer}: {r.stories} stor{'y' if r.stories == 1 else 'ies'} gathered "
                f"({r.agreed} agreed to be used), {words.number(r.hours)} hours; {named}"
            )
    console.print(f"\nIn all: {int(df['stories'].sum())} stories, {words.number(df['hours'].sum())} hours.")


def register(app: typer.Typer) -> None:
    """Add the `peer` group to the app."""
    app.add_typer(peer_app, name="peer")
