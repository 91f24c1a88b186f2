"""Commands: `stories held|clear|keep-out|redact|summarise|undo|tag|answer|withdraw`, the auditor's work on stories.

Story words are never put in an error message. `stories held` prints them only when
asked (--show-words), because it is the auditor's review screen and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, PERIOD, PROVIDER, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)


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
    from audits import screening, story_review

    check_period(period)
    try:
        with store.writing(db) as con:
            story_review.record_screening(con, provider, period)
            df = story_review.held_stories(con, period, provider)
    except store.StoreError as error:
        fail(str(error))
    if df.empty:
        console.print(f"No stories are waiting for review for {period}.")
        return
    console.print(f"{len(df)} {'story is' if len(df) == 1 else 'stories are'} held for review for {period}:")
    for row in df.itertuples():
        console.print(f"\n{row.provider_id} {row.story_id}: {row.reason}")
        if show_words:
            console.print("  " + screening.mark(row.story, row.flags))
    if not show_words:
        which = "it" if len(df) == 1 else "each"
        console.print(
            f"\nRead {which} first: the same command with --show-words prints the words, flagged parts in [[ ]]."
        )
    console.print(
        "\nFor each: python -m audits stories clear|keep-out --provider P --period Q --story ID --by NAME,"
        ' or stories redact ... --text "the words without the details".'
    )


def _review(
    provider: str, period: str, story: str, decision: str, by: str, db, text: str | None = None, confirm: bool = False
) -> None:
    from audits import story_review

    check_period(period)
    try:
        with store.writing(db) as con:
            message = story_review.review_story(
                con, provider, period, story, decision, by, redacted_text=text, accept_remaining_flags=confirm
            )
    except (story_review.ReviewError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


STORY = typer.Option(..., "--story", help="The story's id in the evidence pack.")
BY = typer.Option(..., "--by", help="Your name, recorded with the decision.")


@stories_app.command("clear")
def clear(
    provider: str = PROVIDER,
    period: str = PERIOD,
    story: str = STORY,
    by: str = BY,
    confirm: bool = typer.Option(
        False,
        "--confirm",
        help="Confirm you have read the story (stories held --show-words) and what screening flagged "
        "is not a personal detail. Needed to clear a story that screening held.",
    ),
    db: Path = DB,
) -> None:
    """Clear a held story for printing: you read it and what was flagged is not a personal detail."""
    _review(provider, period, story, "cleared", by, db, confirm=confirm)


@stories_app.command("undo")
def undo(provider: str = PROVIDER, period: str = PERIOD, story: str = STORY, by: str = BY, db: Path = DB) -> None:
    """Undo your latest decision about a story (while the audit is not signed off): it is held again."""
    from audits import story_review

    check_period(period)
    try:
        with store.writing(db) as con:
            message = story_review.undo_decision(con, provider, period, story, by)
    except (story_review.ReviewError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


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


@stories_app.command("summarise")
def summarise(
    provider: str = PROVIDER,
    period: str = PERIOD,
    story: str = STORY,
    by: str = BY,
    text: str = typer.Option(..., "--text", help="What the person told, in your words: only this is ever printed."),
    confirm: bool = typer.Option(
        False, "--confirm", help="Approve even though screening flags something you checked is not a personal detail."
    ),
    db: Path = DB,
) -> None:
    """Approve your summary of a story whose teller agreed to a summary, not to their own words being
    printed: only the summary is ever printed."""
    _review(provider, period, story, "summarised", by, db, text=text, confirm=confirm)


@stories_app.command("withdraw")
def withdraw(
    reference: str = typer.Option(..., "--reference", help="The reference the person kept, such as KMTR-HWAX-CEPN."),
    by: str = BY,
    not_loaded_yet: bool = typer.Option(
        False,
        "--not-loaded-yet",
        help="The story is on a paper sheet not yet loaded: record the withdrawal now, so it is never shown.",
    ),
    db: Path = DB,
) -> None:
    """Withdraw a story for good by the reference the person kept: it leaves every report and page at
    once, in every quarter. There is no undo."""
    from audits import withdrawals

    try:
        with store.writing(db) as con:
            message = withdrawals.withdraw(con, reference, by, not_loaded_yet)
    except (withdrawals.WithdrawalError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


@stories_app.command("tag")
def tag(
    provider: str = PROVIDER,
    period: str = PERIOD,
    story: str = STORY,
    standards: str = typer.Option(
        ...,
        "--standards",
        help="The standards the story speaks to, each with what it says of it (confirms, contradicts or "
        'mixed), separated by ";", such as "aftercare=confirms;housing-support=contradicts". '
        'Give "" to clear its tags.',
    ),
    by: str = BY,
    standards_dir: Path = typer.Option(
        Path("standards"), "--standards-dir", help="The folder of standards files the ids must be in."
    ),
    db: Path = DB,
) -> None:
    """Tag a consented story to the standards it speaks to, marking whether it confirms, contradicts
    or is mixed about each. Your tagging replaces the evidence pack's own standards column (and any
    earlier tagging); reports and the dashboard pair by it."""
    from audits import story_review

    check_period(period)
    try:
        titles = story_review.standard_titles(standards_dir)
        with store.writing(db) as con:
            message = story_review.tag_story(con, provider, period, story, standards, by, titles)
    except (story_review.ReviewError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


@stories_app.command("answer")
def answer(
    provider: str = PROVIDER,
    period: str = PERIOD,
    story: str = STORY,
    standard: str = typer.Option(..., "--standard", help="The id of the standard the story contradicts."),
    why: str = typer.Option(
        ..., "--why", help='Why the rating stands in spite of the story (printed beside it). "" withdraws it.'
    ),
    by: str = BY,
    db: Path = DB,
) -> None:
    """Answer a story that contradicts a standard's figures: say why the rating stands. Until it is
    answered, a green that the story contradicts shows as Partly met: people's experience differs."""
    from audits import story_review

    check_period(period)
    try:
        with store.writing(db) as con:
            message = story_review.answer_contradiction(con, provider, period, story, standard, why, by)
    except (story_review.ReviewError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


def register(app: typer.Typer) -> None:
    """Add the `stories` group to the app."""
    app.add_typer(stories_app, name="stories")
