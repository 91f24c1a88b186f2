"""Commands: `report` and `reports` (the audit PDFs), `signoff` (the auditor vouches for a
provider's audit run) and `stories` (the auditor's review of stories).

Story words are never put in an error message. `stories held` prints them only when
asked (--show-words), because it is the auditor's review screen and nothing else.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from audits import spec, store
from audits.commands import DB, fail

console = Console(highlight=False, markup=False, soft_wrap=True)

PERIOD = typer.Option(..., "--period", help="The quarter, written like 2026-Q2.")
AUDITOR = typer.Option(None, "--auditor", help="The auditor's name, printed on the cover (default: the sign-off's).")
ORGANISATION = typer.Option(
    None, "--organisation", help="The independent auditing organisation (default: the sign-off's)."
)


def _check_period(period: str) -> None:
    try:
        spec.parse_period(period)
    except ValueError as error:
        fail(f"{error}.")


def report(
    provider: str = typer.Option(..., "--provider", help="The provider's code, such as P001."),
    period: str = PERIOD,
    pdf: Path = typer.Option(..., "--pdf", help="Where to write the PDF (its folder is made if missing)."),
    auditor: str = AUDITOR,
    organisation: str = ORGANISATION,
    db: Path = DB,
) -> None:
    """Write the third-party audit PDF of one provider and period, from the period's latest audit run."""
    from audits.report import ReportError, build_report

    _check_period(period)
    try:
        path = build_report(db, provider, period, pdf, auditor=auditor, organisation=organisation)
    except (ReportError, store.StoreMissing, store.StoreBusy) as error:
        fail(str(error))
    except OSError as error:
        fail(f"Could not write {pdf}: {error.strerror or error}. Check the folder can be made and written to.")
    console.print(f"Wrote {path}")


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
    """Write every provider's audit PDF for a period into a folder, with a progress bar."""
    from audits.report import ReportError, build_reports

    _check_period(period)
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
        except (ReportError, store.StoreMissing, store.StoreBusy) as error:
            bar.stop()
            fail(str(error))
        except OSError as error:
            bar.stop()
            fail(f"Could not write into {out}: {error.strerror or error}.")
    console.print(f"Wrote {len(paths)} reports for {period} into {out}")


# --------------------------------------------------------------------------- sign-off


def signoff(
    provider: str = typer.Option(..., "--provider", help="The provider's code, such as P001."),
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

    _check_period(period)
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
    except (signoffs.SignoffError, store.StoreMissing, store.StoreBusy) as error:
        fail(str(error))
    console.print(message)


# --------------------------------------------------------------------------- stories

stories_app = typer.Typer(
    help="The auditor's work on stories: list those held by screening, clear, keep out, "
    "redact, and tag a story to the standards it speaks to.",
    no_args_is_help=True,
)


@stories_app.command("held")
def held(
    period: str = PERIOD,
    provider: str = typer.Option(None, "--provider", help="Only this provider's stories."),
    show_words: bool = typer.Option(
        False,
        "--show-words",
        help="Print each held story with the flagged parts in [[ ]], "
        "for your review. Off by default so words never reach a log.",
    ),
    db: Path = DB,
) -> None:
    """List the consented stories that screening held for possible personal details."""
    from audits import screening, stories

    _check_period(period)
    try:
        with store.writing(db) as con:
            stories.record_screening(con, provider, period)
            df = stories.held_stories(con, period, provider)
    except (store.StoreMissing, store.StoreBusy) as error:
        fail(str(error))
    if df.empty:
        console.print(f"No stories are waiting for review for {period}.")
        return
    console.print(f"{len(df)} {'story is' if len(df) == 1 else 'stories are'} held for review for {period}:")
    for row in df.itertuples():
        console.print(f"\n{row.provider_id} {row.story_id}: {row.reason}")
        if show_words:
            console.print("  " + screening.mark(row.story, row.flags))
    console.print(
        "\nFor each: python -m audits stories clear|keep-out --provider P --period Q --story ID --by NAME,"
        ' or stories redact ... --text "the words without the details".'
    )


def _review(
    provider: str, period: str, story: str, decision: str, by: str, db, text: str | None = None, confirm: bool = False
) -> None:
    from audits import stories

    _check_period(period)
    try:
        with store.writing(db) as con:
            message = stories.review_story(
                con, provider, period, story, decision, by, redacted_text=text, accept_remaining_flags=confirm
            )
    except (stories.ReviewError, store.StoreMissing, store.StoreBusy) as error:
        fail(str(error))
    console.print(message)


PROVIDER = typer.Option(..., "--provider", help="The provider's code, such as P001.")
STORY = typer.Option(..., "--story", help="The story's id in the evidence pack.")
BY = typer.Option(..., "--by", help="Your name, recorded with the decision.")


@stories_app.command("clear")
def clear(provider: str = PROVIDER, period: str = PERIOD, story: str = STORY, by: str = BY, db: Path = DB) -> None:
    """Clear a held story for printing: you checked and it holds no personal details."""
    _review(provider, period, story, "cleared", by, db)


@stories_app.command("keep-out")
def keep_out(provider: str = PROVIDER, period: str = PERIOD, story: str = STORY, by: str = BY, db: Path = DB) -> None:
    """Keep a story out of every report and export."""
    _review(provider, period, story, "kept_out", by, db)


@stories_app.command("redact")
def redact(
    provider: str = PROVIDER,
    period: str = PERIOD,
    story: str = STORY,
    by: str = BY,
    text: str = typer.Option(..., "--text", help="The story's words with the personal details taken out."),
    confirm: bool = typer.Option(
        False,
        "--confirm",
        help="Approve even though screening still flags something you checked is not a personal detail.",
    ),
    db: Path = DB,
) -> None:
    """Approve a redacted version of a story: only these words are ever printed."""
    _review(provider, period, story, "redacted", by, db, text=text, confirm=confirm)


@stories_app.command("tag")
def tag(
    provider: str = PROVIDER,
    period: str = PERIOD,
    story: str = STORY,
    standards: str = typer.Option(
        ...,
        "--standards",
        help="The ids of the standards the story speaks to, separated by ';', "
        'such as "aftercare;housing-support". Give "" to clear its tags.',
    ),
    by: str = BY,
    standards_dir: Path = typer.Option(
        Path("standards"), "--standards-dir", help="The folder of standards files the ids must be in."
    ),
    db: Path = DB,
) -> None:
    """Tag a consented story to the standards it speaks to. Your tagging replaces the evidence
    pack's own standards column (and any earlier tagging); reports and the dashboard pair by it."""
    from audits import stories

    _check_period(period)
    try:
        titles = stories.standard_titles(standards_dir)
        with store.writing(db) as con:
            message = stories.tag_story(con, provider, period, story, standards, by, titles)
    except (stories.ReviewError, store.StoreMissing, store.StoreBusy) as error:
        fail(str(error))
    console.print(message)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("report")(report)
    app.command("reports")(reports)
    app.command("signoff")(signoff)
    app.add_typer(stories_app, name="stories")
