"""Commands: `run` (an audit of one period), `export` (its results as CSV) and `release` (which
run's public figures the quarter publishes).

The auditor runs these; a mistake (an invalid standards file, no returns loaded, a
store in use) ends with a plain message and exit 1, never a traceback.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from audits import ratings, store, tiers, words
from audits.commands import DB, fail

SHOWN_PROVIDERS = 25
UNSURE_MARK = "†"  # beside a rating the data can't yet tell; the line under the table says so in words
console = Console()
CELL_COLUMNS = ["provider_id", "standard_id", "shown", "uncertain"]


@tiers.output(tiers.RESTRICTED, "the auditor's summary of a run, every rating exact")
def _summary(con, run_id: str) -> None:
    """Providers x standards, each rating as shown everywhere else (audits.verdicts), by its
    symbol in its colour, with each symbol's word in the key below (never colour alone).

    One column of symbols a standard, numbered, with the numbers' standards listed below: a
    rating's words in every cell made eleven standards need 160 columns, and at 80 a terminal
    showed 'Pro…', 'aft…' and 'Par…'."""
    _draw(_shown(con, run_id), run_id)


@tiers.output(tiers.RESTRICTED, "the run's exact ratings as shown, for the auditor's summary")
def _shown(con, run_id: str):
    """What the summary shows of a run, read from the store (audits.verdicts.run_shown_ratings)."""
    from audits import verdicts

    return verdicts.run_shown_ratings(con, run_id)


@tiers.output(tiers.RESTRICTED, "the auditor's summary of a run drawn, every rating exact")
def _draw(df, run_id: str) -> None:
    """The summary of `_shown`'s ratings printed on the console."""
    standard_ids = sorted(df["standard_id"].unique())
    providers = df[["provider_id", "provider_name"]].drop_duplicates().sort_values("provider_id")
    cells = {(p, s): (shown, unsure) for p, s, shown, unsure in zip(*map(df.get, CELL_COLUMNS))}
    period = f" of {df['period'].iloc[0]}" if len(df) else ""
    console.print(
        f"Audit {run_id}{period}: {len(providers)} provider{'s' if len(providers) != 1 else ''} against "
        f"{len(standard_ids)} standard{'s' if len(standard_ids) != 1 else ''}."
    )
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=0)  # a space between columns
    # the names take what the figures leave (rich would crop the last standards instead)
    room = console.width - 1 - 9 - 3 * len(standard_ids)
    table.add_column("Provider", overflow="ellipsis", no_wrap=True, max_width=max(12, room))
    table.add_column("Met", no_wrap=True, min_width=8)
    for number in range(1, len(standard_ids) + 1):
        table.add_column(str(number), no_wrap=True, min_width=2)
    for provider in providers.head(SHOWN_PROVIDERS).itertuples():
        row = [Text(f"{provider.provider_id} {provider.provider_name or ''}".strip())]
        shown_row = [cells.get((provider.provider_id, s), ("no_data", False)) for s in standard_ids]
        counted = ratings.tally(shown for shown, _ in shown_row)
        row.append(Text(f"{counted['met']} of {counted['rated']}"))
        for shown, unsure in shown_row:
            mark = UNSURE_MARK if words.rating(shown, unsure) != words.rating(shown) else ""
            row.append(Text(ratings.look(shown).symbol + mark, style=ratings.look(shown).colour))
        table.add_row(*row)
    console.print(table)
    if len(providers) > SHOWN_PROVIDERS:
        console.print(
            f"… and {len(providers) - SHOWN_PROVIDERS} more providers: python -m audits export writes every result."
        )
    console.print("\nMet: the standards met (Met or Met (provisional)) of those rated. The standards:")
    for number, standard_id in enumerate(standard_ids, 1):
        console.print(Text(f"{number:>4} {standard_id}"))
    counts = df["shown"].value_counts()
    console.print("Standards rated, by rating:")
    for rating in (r for r in ratings.LOOKS if counts.get(r, 0)):
        look = ratings.look(rating)
        console.print(Text("   ") + Text(look.symbol, style=look.colour) + Text(f" {look.word}: {int(counts[rating])}"))
    if df["uncertain"].any():
        console.print(
            Text(
                f"{UNSURE_MARK} {words.UNCERTAIN} ({int(df['uncertain'].sum())} of {len(df)}): "
                f"{words.UNCERTAIN_EXPLANATION}."
            )
        )


@tiers.output(tiers.RESTRICTED, "the auditor's summary of a run, drawn as the console would print it")
def _drawn(df, run_id: str) -> str:
    """`_draw`'s output as text, the bytes the console would write (rich's capture renders them as
    printing does), to be written once the run is safely in the store."""
    with console.capture() as capture:
        _draw(df, run_id)
    return capture.get()


def run(
    period: str = typer.Option(..., "--period", help="The quarter to audit, for example 2026-Q2."),
    standards_dir: Path = typer.Option(Path("standards"), "--standards", help="The folder of standards files."),
    db: Path = DB,
) -> None:
    """Run every approved standard over the period's returns and record the audit (append-only)."""
    from audits import runs

    told: dict = {}

    def then(con, run_id: str):
        # read on the run's own connection once it is committed (no second open of the store), and
        # drawn while the store writes the run into its file (runs.run_audit's `then`)
        shown = _shown(con, run_id)
        told["failed"] = runs.failed_standards(con, run_id)
        return lambda: told.update(summary=_drawn(shown, run_id))

    try:
        run_id = runs.run_audit(db, period, standards_dir, run_by=getpass.getuser(), then=then)
    except (runs.RunError, store.StoreError) as error:
        fail(str(error))
    console.file.write(told["summary"])
    console.file.flush()
    failed = told["failed"]
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
        help="The quarter's public figures: counts of 1-4 people and every figure that would "
        "reveal one hidden. Releases the quarter's one public version if it was not released yet. "
        "Without it the file is the auditor's working file (restricted), with every figure.",
    ),
    db: Path = DB,
) -> None:
    """Write an audit's results as CSV, with exactly the columns of the specification."""
    from audits import runs

    try:
        with store.writing(db) if public else store.reading(db) as con:
            path = runs.export_csv(con, period, csv_path, run_id=run_id, public=public, released_by=getpass.getuser())
    except (runs.RunError, store.StoreError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Cannot write {csv_path}: {error.strerror}.")
    if public:
        typer.echo(
            f"Wrote the public results of {period} (disclosure-controlled) to {path}, "
            f"and what is hidden and why to {runs.notes_path(path)}."
        )
    else:
        typer.echo(
            f"Wrote the auditor's results of {period} (restricted: every figure, not for publication) to {path}."
        )


def release(
    period: str = typer.Option(..., "--period", help="The quarter, for example 2026-Q2."),
    run_id: str = typer.Option(None, "--run", help="The run to release (default: the latest run of the period)."),
    supersede: bool = typer.Option(
        False, "--supersede", help="Replace the quarter's release with this run in every public output from now on."
    ),
    db: Path = DB,
) -> None:
    """Release a run's public figures as the quarter's one public version (or supersede it)."""
    from audits import disclosure

    try:
        with store.writing(db) as con:
            before = disclosure.current_release(con, period)
            done = disclosure.release(con, period, run_id, getpass.getuser(), how="release", supersede=supersede)
    except (disclosure.ReleaseError, store.StoreError) as error:
        fail(str(error))
    if before and before["release_id"] == done["release_id"]:
        typer.echo(f"Run {done['run_id']} is already the public version of {period} ({done['release_id']}).")
    else:
        replaced = f", replacing {before['release_id']} (run {before['run_id']})" if before else ""
        typer.echo(f"Released run {done['run_id']} as the public version of {period}: {done['release_id']}{replaced}.")


def register(app: typer.Typer) -> None:
    """Add `run` and `export` to the app."""
    app.command("run")(run)
    app.command("export")(export)
    app.command("release")(release)
