"""The auditors' command line: `python -m audits COMMAND`.

Each group of commands lives in its own module under audits/commands/ and adds
itself to the one typer app here. A user's mistake ends with a plain message and
exit code 1 (or 2 for a usage mistake), never a traceback.
"""

from __future__ import annotations

import typer

from audits.commands import (
    accounts,
    actions,
    demo,
    drafts,
    engine,
    peer,
    publish,
    readiness,
    reports,
    returns,
    settings,
    setup,
    signoff,
    standards,
    stories,
)

app = typer.Typer(
    name="audits",
    help="Lived Standards: validate and load provider returns and evidence packs, run the "
    "standards written by expert citizens groups, and produce third-party audit reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (
    returns,
    demo,
    standards,
    engine,
    stories,
    peer,
    reports,
    readiness,
    drafts,
    signoff,
    publish,
    actions,
    settings,
    setup,
    accounts,
):
    module.register(app)


def main() -> None:
    app()
