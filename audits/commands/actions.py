"""Commands: `actions list|propose|review|done`, action plans from the command line.

The same rules as the dashboard's Action plans page (audits.actions): a provider proposes, the
commissioner agrees or asks again, the provider reports it done; status is worked out, never typed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from audits import store
from audits.commands import DB, check_period, fail

console = Console(highlight=False, markup=False, soft_wrap=True)
actions_app = typer.Typer(
    help="Action plans: what a provider will do about a standard it did not meet, and whether it did.",
    no_args_is_help=True,
)

BY = typer.Option(..., "--by", help="Your name, kept with the entry.")


def _day(text: str, what: str) -> dt.date:
    """A day written 2027-03-31 (or 31/03/2027); anything else is a plain message."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    fail(f"{what} '{text}' is not a day: write it like 2027-03-31.")
    raise AssertionError  # fail() always exits


@actions_app.command("list")
def list_(
    provider: str = typer.Option(None, "--provider", help="Only this provider's actions, such as P001."),
    period: str = typer.Option(None, "--period", help="Only actions from the audit of this quarter."),
    overdue: bool = typer.Option(False, "--overdue", help="Only agreed actions past their day and not done."),
    db: Path = DB,
) -> None:
    """Every action (its latest version) with its state and status today."""
    from audits import actions

    if period:
        check_period(period)
    try:
        with store.reading(db) as con:
            df = actions.overdue(con) if overdue else actions.plans(con, provider_id=provider, period=period)
    except store.StoreError as error:
        fail(str(error))
    if overdue and provider:
        df = df[df["provider_id"] == provider]
    if overdue and period:
        df = df[df["period"] == period]
    if df.empty:
        console.print("No actions" + (" are overdue." if overdue else " match."))
        return
    console.print(f"{len(df)} action{'s' if len(df) != 1 else ''}:")
    for row in df.to_dict("records"):
        console.print(
            f"\n{row['action_id']} (version {row['version']}): {row['provider_id']}, {row['standard_id']}, "
            f"audit of {row['period']}"
        )
        console.print(f"  {row['status_words']}, {actions.due_words(row)}")
        console.print(f"  What: {row['what']}")
        console.print(f"  Owner: {row['owner']}")
        console.print(f"  People using the service will notice: {row['noticed']}")
        if row.get("review_note"):
            console.print(f"  The commissioner asked: {row['review_note']}")
        if row.get("done_note"):
            console.print(f"  What changed: {row['done_note']}")


@actions_app.command("propose")
def propose(
    provider: str = typer.Option(..., "--provider", help="The provider's code, such as P001."),
    period: str = typer.Option(..., "--period", help="The audit's quarter, such as 2026-Q2."),
    standard: str = typer.Option(..., "--standard", help="A standard shown as Partly met or Not met."),
    what: str = typer.Option(..., "--what", help="What will be done."),
    owner: str = typer.Option(..., "--owner", help="Who owns it (a role, not a person's private details)."),
    due: str = typer.Option(..., "--due", help="The day it will be done by, such as 2027-03-31."),
    noticed: str = typer.Option(..., "--noticed", help="How people using the service will notice."),
    revise: str = typer.Option(None, "--revise", help="The id of an action the commissioner asked again about."),
    by: str = BY,
    db: Path = DB,
) -> None:
    """Propose an action (or a new version of one the commissioner asked again about)."""
    from audits import actions

    check_period(period)
    due_on = _day(due, "The day")
    try:
        with store.writing(db) as con:
            action_id = actions.propose(con, provider, period, standard, what, owner, due_on, noticed, by, revise)
    except (actions.ActionError, store.StoreError) as error:
        fail(str(error))
    console.print(f"Action {action_id} proposed: it waits for the commissioner to agree or ask again.")


@actions_app.command("review")
def review(
    action_id: str = typer.Argument(..., help="The action's id, such as A-1f2e3d4c."),
    agree: bool = typer.Option(False, "--agree", help="Agree to the latest version."),
    ask_again: str = typer.Option(None, "--ask-again", help="Ask again, saying what the provider should change."),
    by: str = BY,
    db: Path = DB,
) -> None:
    """The commissioner agrees to an action, or asks again saying why."""
    from audits import actions

    if agree == bool(ask_again):
        fail("Say either --agree, or --ask-again with what the provider should change.")
    try:
        with store.writing(db) as con:
            message = actions.review(con, action_id, "agreed" if agree else "asked_again", ask_again, by)
    except (actions.ActionError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


@actions_app.command("done")
def done(
    action_id: str = typer.Argument(..., help="The action's id, such as A-1f2e3d4c."),
    on: str = typer.Option(..., "--on", help="The day it was done, such as 2027-01-15."),
    note: str = typer.Option(..., "--note", help="What changed."),
    by: str = BY,
    db: Path = DB,
) -> None:
    """The provider reports an action done, saying what changed."""
    from audits import actions

    done_on = _day(on, "The day")
    try:
        with store.writing(db) as con:
            message = actions.report_done(con, action_id, done_on, note, by)
    except (actions.ActionError, store.StoreError) as error:
        fail(str(error))
    console.print(message)


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")
