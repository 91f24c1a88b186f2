"""A trial run of every measure when a standard is checked (audits.trial), and a standard that
still fails when the audit runs failing alone (audits.engine, audits.runs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits import runs, store, trial
from audits.cli import app
from audits.standard_files import load_standards, parse_standard_text

from support.stores import ENGINE as FIXTURES
from support.stores import PERIOD, load_fixture

WELCOME = (FIXTURES / "standards" / "warm-welcome.yaml").read_text(encoding="utf-8")
OVERFLOW = WELCOME.replace(
    "count_if: first_contact_date - referral_date <= 2", "count_if: referral_date + 2147483647 > period_end"
)


def test_a_measure_that_cannot_be_worked_out_is_refused_when_checked_with_its_line():
    assert OVERFLOW != WELCOME
    standard, problems = parse_standard_text(OVERFLOW, "warm-welcome.yaml")
    assert standard is None and len(problems) == 1
    problem = problems[0]
    assert problem.line == 11  # the measure's id line
    assert "cannot be worked out on a return" in problem.message and "too large for a date" in problem.message
    assert parse_standard_text(WELCOME, "warm-welcome.yaml")[1] == []


@pytest.mark.slow
def test_every_standard_in_the_project_passes_its_trial_run():
    load = load_standards(Path(__file__).parents[1] / "standards")
    assert load.ok, load.report()
    assert all(trial.measure_problem(m) is None for s in load.standards for m in s.measures)


@pytest.mark.slow
def test_a_standard_that_still_fails_at_run_time_fails_alone(tmp_path, monkeypatch):
    """Should one slip past the check, the audit runs every other standard and says which one
    was left out and why, on the command line and in the run's record."""
    db = load_fixture(tmp_path / "audit.duckdb")
    folder = tmp_path / "standards"
    shutil.copytree(FIXTURES / "standards", folder)
    (folder / "warm-welcome.yaml").write_text(OVERFLOW, encoding="utf-8")
    monkeypatch.setattr(trial, "measure_problem", lambda measure: None)  # as if the check had missed it
    run_id = runs.run_audit(db, PERIOD, folder, run_by="test")
    with store.reading(db) as con:
        failed = runs.failed_standards(con, run_id)
        audited = {s.id for s in runs.run_standards(con, run_id)}
    assert list(failed) == ["warm-welcome"] and "could not be worked out" in failed["warm-welcome"]
    assert "warm-welcome" not in audited and "peer-workforce" in audited
    result = CliRunner().invoke(app, ["run", "--period", PERIOD, "--standards", str(folder), "--db", str(db)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "warm-welcome" in result.output and "left out" in result.output
