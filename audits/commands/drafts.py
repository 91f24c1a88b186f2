"""Commands: `draft share|comments|answer`, the draft shared with a provider and its factual
accuracy check."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, PERIOD, PROVIDER, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)
draft_app = typer.Typer(
    help="Share a draft with a provider for its factual accuracy check, list its comments and answer them.",
    no_args_is_help=True,
)
BY = typer.Option(..., "--by", help="Your name, kept with what you do.")


@draft_app.command("share")
def share(provider: str = PROVIDER, period: str = PERIOD, by: str = BY, db: Path = DB) -> None:
    """Share the draft of the period's latest audit run with the provider; its account sees the PDF
    and may comment on the facts for the working days the setting factual_accuracy_days allows."""
    from audits import drafts

    check_period(period)
    try:
        with store.writing(db) as con:
            message = drafts.share(con, provider, period, by)
    except (drafts.DraftError, drafts.findings.FindingsError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


@draft_app.command("comments")
def comments(
    period: str = PERIOD,
    provider: str = typer.Option(None, "--provider", help="Only this provider's comments."),
    db: Path = DB,
) -> None:
    """Every factual accuracy comment of a period, with its answer or 'not answered yet'."""
    from audits import factcheck, words

    check_period(period)
    try:
        with store.reading(db) as con:
            df = factcheck.comments(con, period, provider)
    except store.StoreError as error:
        fail(str(error))
    if df.empty:
        console.print(f"No factual accuracy comments for {period}.")
        return
    for c in df.to_dict("records"):
        about = c["standard_id"] + (f", measure {c['measure_id']}" if isinstance(c["measure_id"], str) else "")
        console.print(f"\n{c['comment_id']} · {c['provider_id']} · {about}")
        console.print(f"  {c['commented_by']}, {words.long_datetime(c['commented_at'])}: {c['comment']}")
        if isinstance(c["file_type"], str):
            console.print(f"  With a {c['file_type']} file ({int(c['file_size']):,} bytes).")
        if isinstance(c["outcome"], str):
            console.print(f"  Answer ({factcheck.OUTCOMES[c['outcome']]}), {c['answered_by']}: {c['answer']}")
        else:
            console.print("  Not answered yet.")


@draft_app.command("answer")
def answer(
    comment: str = typer.Option(..., "--comment", help="The comment's id (draft comments lists them)."),
    accepted: bool = typer.Option(
        ..., "--accepted/--not-accepted", help="Whether the comment is accepted (and the change made)."
    ),
    text: str = typer.Option(..., "--text", help="The change made, or the reasons it is not accepted."),
    by: str = BY,
    db: Path = DB,
) -> None:
    """Answer a provider's factual accuracy comment."""
    from audits import factcheck

    try:
        with store.writing(db) as con:
            message = factcheck.answer(con, comment, "accepted" if accepted else "not_accepted", text, by)
    except (factcheck.FactcheckError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


def register(app: typer.Typer) -> None:
    app.add_typer(draft_app, name="draft")
