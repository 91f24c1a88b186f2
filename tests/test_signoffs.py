"""The auditor's sign-off over a real DuckDB store with a real audit run: validation in
plain words, nothing half-written, tied to the run, and the `signoff` command."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from audits import runs, signoffs, store
from audits.cli import app

from support.stores import STORIES_STANDARDS as STANDARDS
from support.stores import put_returns


@pytest.fixture(scope="module")
def audited_once(tmp_path_factory):
    """Returns for 2026-Q1 and 2026-Q2 and a run of each, built once for the module."""
    db = tmp_path_factory.mktemp("signoffs") / "audit.duckdb"
    with store.writing(db) as con:
        put_returns(con, "2026-Q1")
        put_returns(con, "2026-Q2")
    runs.run_audit(db, "2026-Q1", STANDARDS, run_by="test")
    return db, runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")


@pytest.fixture
def audited(audited_once, tmp_path):
    """A test's own copy of the audited store (the run id of 2026-Q2 with it)."""
    built, run_id = audited_once
    db = tmp_path / "audit.duckdb"
    shutil.copy(built, db)
    return db, run_id


@pytest.mark.slow
def test_record_and_read(audited):
    db, run_id = audited
    with store.writing(db) as con:
        message = signoffs.record_signoff(
            con, "P001", "2026-Q2", run_id, "  Ann Auditor ", "Fair Audit Co", signoffs.DECLARATION, "ann"
        )
        signoffs.record_signoff(
            con, "P002", "2026-Q2", run_id, "Ben Auditor", "Fair Audit Co", signoffs.DECLARATION, "ben"
        )
        assert message.startswith(f"Signed off P001 for 2026-Q2 (audit run {run_id}) by Ann Auditor, Fair Audit Co")
        every = signoffs.signoffs_for(con, "2026-Q2")
        mine = signoffs.signoffs_for(con, "2026-Q2", "P001")
        assert sorted(every["provider_id"]) == ["P001", "P002"]
        assert signoffs.signoffs_for(con, "2026-Q1").empty
        row = mine.iloc[0]
        assert (row["name"], row["organisation"], row["run_id"], row["signed_by"]) == (
            "Ann Auditor",
            "Fair Audit Co",
            run_id,
            "ann",
        )
        assert row["declaration"] == signoffs.DECLARATION
        assert signoffs.signoff_of_run(con, "P001", "2026-Q2", run_id)["name"] == "Ann Auditor"
        assert signoffs.signoff_of_run(con, "P003", "2026-Q2", run_id) is None


@pytest.mark.slow
def test_every_problem_at_once_and_nothing_written(audited):
    db, run_id = audited
    with store.writing(db) as con:
        with pytest.raises(signoffs.SignoffError) as error:
            signoffs.record_signoff(con, "P001", "2026-Q2", run_id, " ", "", None, "ann")
        assert str(error.value) == (
            "To sign off, give your name; give the organisation you audit for; confirm the declaration of independence."
        )
        with pytest.raises(signoffs.SignoffError, match="confirm the declaration"):
            signoffs.record_signoff(
                con, "P001", "2026-Q2", run_id, "Ann", "Fair Audit Co", "I am fairly independent.", "ann"
            )
        with pytest.raises(signoffs.SignoffError, match="P404 has no results"):
            signoffs.record_signoff(con, "P404", "2026-Q2", run_id, "Ann", "Fair Audit Co", signoffs.DECLARATION, "ann")
        q1 = runs.latest_run_id(con, "2026-Q1")
        with pytest.raises(signoffs.SignoffError, match=f"run {q1} audited 2026-Q1"):
            signoffs.record_signoff(con, "P001", "2026-Q2", q1, "Ann", "Fair Audit Co", signoffs.DECLARATION, "a")
        with pytest.raises(signoffs.SignoffError, match="no run run-nope"):
            signoffs.record_signoff(
                con, "P001", "2026-Q2", "run-nope", "Ann", "Fair Audit Co", signoffs.DECLARATION, "a"
            )
        assert con.execute("SELECT count(*) FROM signoffs").fetchone()[0] == 0


@pytest.mark.slow
def test_a_later_run_needs_a_new_signoff(audited):
    db, run_id = audited
    with store.writing(db) as con:
        signoffs.record_signoff(con, "P001", "2026-Q2", run_id, "Ann", "Fair Audit Co", signoffs.DECLARATION, "a")
    later = runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    with store.reading(db) as con:
        assert signoffs.signoff_of_run(con, "P001", "2026-Q2", later) is None
        assert signoffs.signoff_of_run(con, "P001", "2026-Q2", run_id) is not None


@pytest.mark.slow
def test_the_command_prints_the_declaration_and_needs_i_declare(audited):
    db, run_id = audited
    runner = CliRunner()
    base = [
        "signoff",
        "--provider",
        "P002",
        "--period",
        "2026-Q2",
        "--name",
        "Ann Auditor",
        "--organisation",
        "Fair Audit Co",
        "--db",
        str(db),
    ]
    unconfirmed = runner.invoke(app, base)
    assert unconfirmed.exit_code == 1
    assert signoffs.DECLARATION in unconfirmed.output and "--i-declare" in unconfirmed.output
    with store.reading(db) as con:
        assert signoffs.signoffs_for(con, "2026-Q2").empty
    done = runner.invoke(app, [*base, "--i-declare"])
    assert done.exit_code == 0, done.output
    assert signoffs.DECLARATION in done.output and f"Signed off P002 for 2026-Q2 (audit run {run_id})" in done.output
    with store.reading(db) as con:
        row = signoffs.signoffs_for(con, "2026-Q2").iloc[0]
    assert (row["provider_id"], row["name"], row["organisation"], row["run_id"]) == (
        "P002",
        "Ann Auditor",
        "Fair Audit Co",
        run_id,
    )
    blank = runner.invoke(
        app,
        [
            "signoff",
            "--provider",
            "P002",
            "--period",
            "2026-Q2",
            "--name",
            " ",
            "--organisation",
            "Fair Audit Co",
            "--db",
            str(db),
            "--i-declare",
        ],
    )
    assert blank.exit_code == 1 and "give your name" in blank.output and "Traceback" not in blank.output
    no_run = runner.invoke(app, [*base[:4], "2025-Q4", *base[5:], "--i-declare"])
    assert no_run.exit_code == 1 and "no audit run for 2025-Q4" in no_run.output
