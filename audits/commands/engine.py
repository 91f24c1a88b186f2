"""Commands: `run` (an audit of one period) and `export` (its results as CSV).

The auditor runs these; a mistake (an invalid standards file, no returns loaded, a
store in use) ends with a plain message and exit 1, never a traceback.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audits import ratings, store, words
from audits.commands import DB, fail

SHOWN_PROVIDERS = 25
UNSURE_MARK = "†"  # beside a rating the data can't yet tell; the line under the table says so in words
console = Console()


def _summary(db, run_id: str) -> None:
    """Providers x standards, each rating as shown everywhere else (audits.verdicts), as symbol
    and word (never colour alone)."""
    from audits import verdicts

    with store.reading(db) as con:
        df = verdicts.shown_ratings(con, run_id)
    standard_ids = sorted(df["standard_id"].unique())
    providers = df[["provider_id", "provider_name"]].drop_duplicates().sort_values("provider_id")
    cells = {(r.provider_id, r.standard_id): (r.shown, r.uncertain) for r in df.itertuples()}
    table = Table(title=f"Audit {run_id}", show_lines=False)
    table.add_column("Provider")
    for standard_id in standard_ids:
        table.add_column(standard_id)
    for provider in providers.head(SHOWN_PROVIDERS).itertuples():
        name = provider.provider_name or provider.provider_id
        row = [f"{provider.provider_id} {name}"]
        for standard_id in standard_ids:
            shown, unsure = cells.get((provider.provider_id, standard_id), ("no_data", False))
            mark = UNSURE_MARK if words.rating(shown, unsure) != words.rating(shown) else ""
            row.append(f"[{ratings.look(shown).colour}]{escape(words.rating(shown))}{mark}[/]")
        table.add_row(*row)
    console.print(table)
    if len(providers) > SHOWN_PROVIDERS:
        console.print(
            f"… and {len(providers) - SHOWN_PROVIDERS} more providers: python -m audits export writes every result."
        )
    counts = df["shown"].value_counts()
    console.print(
        "Standards rated: "
        + ", ".join(f"{escape(words.rating(r))} {int(counts.get(r, 0))}" for r in ratings.LOOKS if counts.get(r, 0))
    )
    if df["uncertain"].any():
        console.print(
            f"{UNSURE_MARK} {escape(words.UNCERTAIN)} ({int(df['uncertain'].sum())} of {len(df)}): "
            f"{escape(words.UNCERTAIN_EXPLANATION)}."
        )


def run(
    period: str = typer.Option(..., "--period", help="The quarter to audit, for example 2026-Q2."),
    standards_dir: Path = typer.Option(Path("standards"), "--standards", help="The folder of standards files."),
    db: Path = DB,
) -> None:
    """Run every approved standard over the period's returns and record the audit (append-only)."""
    from audits import runs

    try:
        run_id = runs.run_audit(db, period, standards_dir, run_by=getpass.getuser())
        _summary(db, run_id)
        with store.reading(db) as con:
            failed = runs.failed_standards(con, run_id)
    except (runs.RunError, store.StoreError) as error:
        fail(str(error))
    console.print(f"Run id: {run_id}")
    if failed:
        for standard_id, why in failed.items():
            console.print(f"✖ {escape(standard_id)}: {escape(why)}.")
        fail(
            f"{len(failed)} approved standard(s) could not be run and were left out; every other standard was audited."
        )


def export(
    period: str = typer.Option(..., "--period", help="The quarter, for example 2026-Q2."),
    csv_path: Path = typer.Option(..., "--csv", help="The CSV file to write."),
    run_id: str = typer.Option(None, "--run", help="A run id (default: the latest run of the period)."),
    public: bool = typer.Option(
        False,
        "--public",
        help="Hide counts of 1-4 people and figures that "
        "would reveal them, for publishing. Without it the file is the "
        "auditor's working file, with every figure.",
    ),
    db: Path = DB,
) -> None:
    """Write an audit's results as CSV, with exactly the columns of the specification."""
    from audits import runs

    try:
        with store.reading(db) as con:
            path = runs.export_csv(con, period, csv_path, run_id=run_id, public=public)
    except (runs.RunError, store.StoreError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Cannot write {csv_path}: {error.strerror}.")
    kind = "public (small numbers suppressed)" if public else "auditor's (unsuppressed)"
    typer.echo(f"Wrote the {kind} results of {period} to {path}.")


def register(app: typer.Typer) -> None:
    """Add `run` and `export` to the app."""
    app.command("run")(run)
    app.command("export")(export)
