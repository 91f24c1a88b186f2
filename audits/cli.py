"""The auditors' command line: `python -m audits COMMAND`.

Each group of commands lives in its own module under audits/commands/ and adds
itself to the one typer app here. A user's mistake ends with a plain message and
exit code 1 (or 2 for a usage mistake), never a traceback.

`app` is every group's commands (the tests and `--help` use it). `main` builds only the group
a command needs when that command is one of ALONE: a fresh `python -m audits run` then imports
neither the other fourteen command modules nor what they import (argon2 through
audits.accounts, rich's progress bars), ~0.1 CPU-s of the process on a loaded 2-core machine.
Everything `run` prints (its help, click's usage errors, its output and exit codes) depends
only on its own command, which is the same object either way; tests/test_cli_lazy.py checks
the bytes against `app`.
"""

from __future__ import annotations

import importlib
import inspect
import sys

import typer

# The command modules (audits/commands/), in the order their commands are listed in --help.
GROUPS = (
    "returns",
    "demo",
    "standards",
    "engine",
    "stories",
    "peer",
    "reports",
    "readiness",
    "drafts",
    "signoff",
    "publish",
    "actions",
    "settings",
    "setup",
    "accounts",
)

# A command that a process may build alone with its own group: the first word on the command
# line -> the group that registers it.
ALONE = {"run": "engine"}


def build(groups: tuple[str, ...] = GROUPS) -> typer.Typer:
    """The typer app with the commands of these groups (audits/commands/<group>.py)."""
    built = typer.Typer(
        name="audits",
        help="Lived Standards: validate and load provider returns and evidence packs, run the "
        "standards written by expert citizens groups, and produce third-party audit reports.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    modules = {group: importlib.import_module(f"audits.commands.{group}") for group in sorted(groups)}
    for group in groups:
        modules[group].register(built)
    _one_line_summaries(built)
    return built


def _one_line_summaries(group: typer.Typer) -> None:
    """A list of commands shows each docstring's first paragraph with its line ends kept, which
    breaks its lines mid-sentence (--help): given as one line, it is wrapped to the terminal."""
    for command in group.registered_commands:
        doc = command.callback.__doc__ if command.callback else None
        if command.short_help is None and command.help is None and doc:
            command.short_help = " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())
    for subgroup in group.registered_groups:
        if subgroup.typer_instance is not None:
            _one_line_summaries(subgroup.typer_instance)


def app_for(args: list[str]) -> typer.Typer:
    """The app a command line needs: its own group alone for a command of ALONE, else every group."""
    group = ALONE.get(args[0]) if args else None
    return build((group,)) if group else __getattr__("app")


def __getattr__(name: str) -> typer.Typer:
    """`audits.cli.app`, every group's commands, built when first asked for (PEP 562), so that
    importing this module for `main` imports no command module yet."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if "app" not in globals():
        globals()["app"] = build()
    return globals()["app"]


def main() -> None:
    app_for(sys.argv[1:])()
