"""Command: `signoff`, the independent auditor vouching for one provider's audit run."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, PERIOD, PROVIDER, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)


def signoff(
    provider: str = PROVIDER,
    period: str = PERIOD,
    name: str = typer.Option(..., "--name", help="Your name, as it will print on the report's cover."),
    organisation: str = typer.Option(..., "--organisation", help="The independent organisation you audit for."),
    i_declare: bool = typer.Option(
        False,
        "--i-declare",
        help="Confirm the declaration of independence printed by this command. Without it nothing is recorded.",
    ),
    db: Path = DB,
) -> None:
    """Sign off a provider's audit for a period (its latest audit run): prints the declaration of
    independence and, with --i-declare, records your sign-off, which the audit PDF then shows."""
    import getpass

    from audits import signoffs

    check_period(period)
    console.print("Declaration of independence:\n" + signoffs.DECLARATION + "\n")
    try:
        with store.writing(db) as con:
            run_id = signoffs.latest_run_for_signoff(con, period)
            if not i_declare:
                fail(
                    f"Nothing recorded. If the declaration above is true, repeat the command with "
                    f"--i-declare to sign off {provider} for {period} (audit run {run_id})."
                )
            message = signoffs.record_signoff(
                con, provider, period, run_id, name, organisation, signoffs.DECLARATION, getpass.getuser()
            )
    except (signoffs.SignoffError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


def signed_pdf(
    provider: str = PROVIDER,
    period: str = PERIOD,
    pdf: Path = typer.Option(..., "--pdf", help="Where to write the signed PDF."),
    db: Path = DB,
) -> None:
    """Write the latest signed PDF of a provider's audit exactly as it was signed (its SHA-256 checked)."""
    from audits import signed

    check_period(period)
    try:
        with store.reading(db) as con:
            data, digest = signed.signed_pdf(con, provider, period)
        pdf.write_bytes(data)
    except (signed.SignedError, store.StoreError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Could not write {pdf}: {error.strerror or error}.")
    console.print(f"Wrote the signed PDF of {provider} for {period} to {pdf} (SHA-256 {digest}).")


def register(app: typer.Typer) -> None:
    """Add `signoff` and `signed-pdf` to the app."""
    app.command("signoff")(signoff)
    app.command("signed-pdf")(signed_pdf)
