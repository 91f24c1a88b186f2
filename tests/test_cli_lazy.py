"""`python -m audits run` builds only its own command group (audits.cli.app_for): everything it
prints (help, click's usage errors, the audit's summary) and its exit codes are byte for byte
those of the app with every group, and the full app is the one the old registration built."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from audits import cli, runs, store
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

from support.stores import STORIES_STANDARDS, to_audit

ROOT = Path(__file__).resolve().parents[1]


def old_app() -> typer.Typer:
    """The app as audits/cli.py registered it before the groups were named in GROUPS."""
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
    cli._one_line_summaries(app)  # added since: the lists of commands wrap each summary afresh
    return app


def said(app: typer.Typer, args: list[str], columns: int = 80) -> tuple[str, str, int]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": str(columns)}, prog_name="python -m audits")
    return result.stdout, result.stderr, result.exit_code


def command_names(app: typer.Typer) -> list[str]:
    return [c.name for c in typer.main.get_command(app).commands.values()]


def command_paths(command, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command and sub-command, as the words that name it on the command line."""
    below = getattr(command, "commands", {})
    return [list(path)] + [p for name, sub in below.items() for p in command_paths(sub, (*path, name))]


@pytest.mark.slow
def test_the_app_is_the_old_registration():
    old = old_app()
    paths = command_paths(typer.main.get_command(old))
    assert command_paths(typer.main.get_command(cli.app)) == paths and len(paths) > 30
    for columns in (80, 120):
        assert said(cli.app, ["--help"], columns) == said(old, ["--help"], columns)
        assert said(cli.app, [], columns) == said(old, [], columns)
    for path in paths:
        for args in ([*path, "--help"], [*path, "--no-such-option"]):
            assert said(cli.app, args) == said(old, args), args


def test_each_list_of_commands_gives_a_summary_as_one_paragraph_wrapped_to_the_terminal():
    """Before, a docstring's line ends were kept in the list, so a summary broke mid-sentence."""
    app = typer.main.get_command(cli.app)
    for path in command_paths(app):
        group = app
        for name in path:
            group = group.commands[name]
        if not getattr(group, "commands", None):
            continue
        lines = said(cli.app, [*path, "--help"], 400)[0].splitlines()
        for name, command in group.commands.items():
            summary = " ".join((command.help or "").split("\n\n")[0].split())
            assert summary, (path, name)
            if len(summary) < 300:
                assert any(re.search(rf"│ {re.escape(name)} +{re.escape(summary)} +│", line) for line in lines), name


def test_a_command_line_for_run_builds_only_its_group():
    assert command_names(cli.app_for(["run", "--period", "2026-Q2"])) == ["run", "export", "release"]
    for args in ([], ["--help"], ["export"], ["runs"], ["Run"], ["accounts", "list"]):
        assert cli.app_for(args) is cli.app


RUN_MISTAKES = [
    ["run", "--help"],
    ["run"],
    ["run", "--period"],
    ["run", "--bogus"],
    ["run", "--period", "2026-Q2", "extra"],
    ["run", "--period", "2026-Q2", "--help"],
    ["run", "--period", "2026-Q9", "--db", "{missing}"],
    ["run", "--period", "2026-Q2", "--standards", "{missing}", "--db", "{missing}"],
]


@pytest.mark.parametrize("args", RUN_MISTAKES)
def test_run_says_the_same_built_alone(args, tmp_path):
    args = [a.replace("{missing}", str(tmp_path / "nothing.duckdb")) for a in args]
    for columns in (80, 120):
        assert said(cli.app_for(args), args, columns) == said(cli.app, args, columns)


def a_quarter_to_audit(tmp_path) -> tuple[Path, list[str]]:
    """A store with 2026-Q2's returns and a pack, and the command line that audits it."""
    db = to_audit(tmp_path / "audit.duckdb")
    return db, ["run", "--period", "2026-Q2", "--standards", str(STORIES_STANDARDS), "--db", str(db)]


@pytest.mark.slow
def test_an_audit_prints_the_same_built_alone(tmp_path):
    db, args = a_quarter_to_audit(tmp_path)
    outputs = []
    for app in (cli.app_for(args), cli.app):
        out, err, code = said(app, args, 120)
        with store.reading(db) as con:
            run_id = runs.latest_run_id(con, "2026-Q2")
        assert run_id in out and code == 0
        outputs.append((out.replace(run_id, "RUN"), err, code))
    assert outputs[0] == outputs[1]
    assert re.search(r"Standards rated, by rating:\n   . .+: [0-9]+\n", outputs[0][0])


@pytest.mark.slow
def test_python_m_audits_run_imports_no_other_command_module():
    code = (
        "import atexit, runpy, sys\n"
        "sys.argv = ['audits'] + sys.argv[1:]\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules if m.startswith(('audits.commands.', 'argon2'))), file=sys.stderr))\n"
        "runpy.run_module('audits', run_name='__main__', alter_sys=True)\n"
    )  # said at exit: audits/__main__.py ends the process once the command is done (atexit still runs)
    env = {**os.environ, "COLUMNS": "80"}

    def imported(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stderr.strip().splitlines()[-1]

    assert imported("run", "--help") == "['audits.commands.engine']"
    everything = imported("export", "--help")
    assert "'audits.commands.accounts'" in everything and "'argon2'" in everything


# What an audit from the command line has no use for: validating files (pandera), PDFs (reportlab),
# charts (plotly), the dashboard (streamlit), spreadsheets (openpyxl) and passwords (argon2). Each
# is ~0.1-0.5 s of a fresh process's imports (issue 15: the auditor's command under 2 s).
NOT_FOR_AN_AUDIT = ("pandera", "reportlab", "plotly", "streamlit", "openpyxl", "argon2", "dashboard")


@pytest.mark.slow
def test_python_m_audits_run_audits_without_importing_what_it_does_not_need(tmp_path):
    _, args = a_quarter_to_audit(tmp_path)
    code = (
        "import atexit, json, runpy, sys\n"
        "sys.argv = ['audits'] + sys.argv[1:]\n"
        "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr))\n"
        "runpy.run_module('audits', run_name='__main__', alter_sys=True)\n"
    )  # said at exit, as above
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Run id: run-" in done.stdout
    imported = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert {"audits", "duckdb", "pandas"} <= imported  # what the audit itself reads and works with
    assert not imported & set(NOT_FOR_AN_AUDIT)


def test_an_audit_reaches_its_first_checks_without_pandas():
    """Everything `python -m audits run` imports before the engine's first queries leaves pandas
    (and numpy) out: the command imports pandas on a thread of its own meanwhile, while DuckDB
    works (audits.runs._import_aside), instead of before the audit starts. A module of this list that
    imported pandas at its top would put the import back in front of the checks."""
    code = (
        "import json, sys\n"
        "from audits.cli import app_for\n"
        "app_for(['run'])\n"
        "from audits import breakdowns, engine, runs, standard_files, stats, store, words\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    imported = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "audits" in imported and "duckdb" in imported
    assert not imported & {"pandas", "numpy", "pyarrow"}


def summary_now(db, run_id: str) -> None:
    with store.reading(db) as con:
        engine._summary(con, run_id)


@pytest.mark.slow
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_summary_shows_every_rating_of_a_run_by_symbol_within_the_terminal(dashboard_files, monkeypatch, columns):
    """Each provider's row has every standard's rating as verdicts shows it (its symbol, † when the
    data can't yet tell), and how many it met; the key below numbers the standards and gives each
    symbol's word; nothing is wider than the terminal (at 80 columns the old table cut every word)."""
    from audits import ratings, verdicts, words

    db, _ = dashboard_files
    with store.reading(db) as con:
        run_ids = [r for (r,) in con.execute("SELECT run_id FROM runs ORDER BY started_at").fetchall()]
    assert len(run_ids) > 3
    for colour in ("truecolor", None):
        for run_id in run_ids:
            console = Console(file=io.StringIO(), width=columns, color_system=colour, force_terminal=bool(colour))
            monkeypatch.setattr(engine, "console", console)
            summary_now(db, run_id)
            printed = console.file.getvalue()
            assert ("\x1b[" in printed) == bool(colour)
            plain = re.sub(r"\x1b\[[0-9;]*m", "", printed)
            assert all(len(line) <= columns for line in plain.splitlines())
            with store.reading(db) as con:
                df = verdicts.run_shown_ratings(con, run_id)
            standard_ids = sorted(df["standard_id"].unique())
            for number, standard_id in enumerate(standard_ids, 1):
                assert f"\n{number:>4} {standard_id}\n" in plain
            for provider_id, rows in df.groupby("provider_id"):
                by_standard = dict(zip(rows["standard_id"], zip(rows["shown"], rows["uncertain"])))
                marks = [
                    ratings.look(shown).symbol + ("†" if words.rating(shown, unsure) != words.rating(shown) else "")
                    for shown, unsure in (by_standard[s] for s in standard_ids)
                ]
                met = sum(shown in ratings.MET for shown, _ in by_standard.values())
                rated = sum(shown not in ratings.NOT_RATED for shown, _ in by_standard.values())
                line = next(line for line in plain.splitlines() if line.startswith(f"{provider_id} "))
                assert re.search(rf" {met} of {rated} +" + " +".join(map(re.escape, marks)) + r" *$", line), line
            for shown in df["shown"].unique():
                assert words.rating(shown) in " ".join(plain.split())  # each symbol's word, in the key
