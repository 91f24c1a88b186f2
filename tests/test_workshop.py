"""The group's actions on its standards: drafts are never audited, approval takes the group."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from typer.testing import CliRunner

from audits import runs, settings, store, versions, workshop
from audits import standard_edit as se
from audits.accounts import Account
from audits.cli import app
from audits.standard_files import load_standards

from support.accounts import ANN, AUDITOR, BOB
from support.stores import ENGINE, PERIOD, load_fixture

# Every test saves, approves or audits over a store of its own (1-3 CPU-seconds each): make test runs them.
pytestmark = pytest.mark.slow


@pytest.fixture
def place(tmp_path):
    folder = tmp_path / "standards"
    shutil.copytree(ENGINE / "standards", folder)
    db = load_fixture(tmp_path / "audit.duckdb")
    runs.run_audit(db, PERIOD, folder)
    return db, folder


def lowered(folder) -> str:
    text = (folder / "peer-workforce.yaml").read_text(encoding="utf-8")
    return se.edit(se.edit(text, ("measures", 1, "green"), ">= 10%"), ("measures", 1, "amber"), ">= 5%")


def audited_version(db, folder, standard_id: str) -> int:
    run_id = runs.run_audit(db, PERIOD, folder)
    with store.reading(db) as con:
        return next(s.version for s in runs.run_standards(con, run_id) if s.id == standard_id)


def test_a_saved_draft_is_never_audited_and_saving_it_again_changes_nothing(place):
    db, folder = place
    with store.writing(db) as con:
        outcome = workshop.save_draft(con, folder, lowered(folder), ANN, "everyone should be offered one")
        again = workshop.save_draft(con, folder, lowered(folder), ANN)
        saved = con.execute("SELECT version, status, saved_by, note FROM standard_versions").fetchall()
    draft = workshop.draft_path(folder, "peer-workforce").read_text(encoding="utf-8")
    assert "status: draft" in draft and "version: 3" in draft and "approved_by" not in draft
    assert outcome.version == 3 and "not audited" in outcome.message
    assert "Nothing has changed" in again.message
    assert saved == [(3, "draft", "ann", "everyone should be offered one")]
    assert audited_version(db, folder, "peer-workforce") == 2  # the approved version is still the one audited
    assert load_standards(folder).ok


def test_only_expert_citizens_save_and_a_draft_with_problems_is_refused_with_its_lines(place):
    db, folder = place
    with store.writing(db) as con:
        with pytest.raises(workshop.WorkshopError, match="Only expert citizens"):
            workshop.save_draft(con, folder, lowered(folder), AUDITOR)
        broken = lowered(folder).replace("table: workforce", "table: workforse")
        with pytest.raises(workshop.WorkshopError, match=r"Line \d+: .*workforse"):
            workshop.save_draft(con, folder, broken, ANN)
    assert not workshop.draft_path(folder, "peer-workforce").exists()


def test_two_different_expert_citizens_approve_and_the_next_audit_uses_it(place):
    db, folder = place
    with store.writing(db) as con:
        workshop.save_draft(con, folder, lowered(folder), ANN)
        first = workshop.approve(con, folder, "peer-workforce", ANN)
        twice = workshop.approve(con, folder, "peer-workforce", ANN)
        with pytest.raises(workshop.WorkshopError, match="Only expert citizens"):
            workshop.approve(con, folder, "peer-workforce", AUDITOR)
        state = workshop.approvals(con, folder, "peer-workforce")
    assert not first.approved and "Waiting for 1 more" in first.message
    assert "already approved" in twice.message and state.names == ["Ann Example"]
    assert audited_version(db, folder, "peer-workforce") == 2
    with store.writing(db) as con:
        done = workshop.approve(con, folder, "peer-workforce", BOB)
        record = con.execute(
            "SELECT how, username, names_json FROM standard_approvals WHERE standard_id = 'peer-workforce' ORDER BY recorded_at"
        ).fetchall()
        history = versions.history(con, "peer-workforce")
    assert done.approved and "Ann Example and Bob Example" in done.message
    assert [(how, user, json.loads(names)) for how, user, names in record] == [
        ("account", "ann", ["Ann Example"]),
        ("account", "bob", ["Bob Example"]),
    ]
    approved = (folder / "peer-workforce.yaml").read_text(encoding="utf-8")
    assert "status: approved" in approved and "version: 3" in approved and '">= 10%"' in approved
    assert "approved_by: 2 members of the expert citizens group, in the standards workshop" in approved
    assert not workshop.draft_path(folder, "peer-workforce").exists()
    assert [(v.version, v.status, v.who) for v in history[:2]] == [
        (3, "approved", "Ann Example and Bob Example"),
        (3, "draft", "Ann Example"),
    ]
    assert audited_version(db, folder, "peer-workforce") == 3


def test_a_change_after_an_approval_needs_that_approval_again(place):
    db, folder = place
    with store.writing(db) as con:
        workshop.save_draft(con, folder, lowered(folder), ANN)
        workshop.approve(con, folder, "peer-workforce", ANN)
        workshop.save_draft(con, folder, se.edit(lowered(folder), ("measures", 1, "green"), ">= 20%"), BOB)
        state = workshop.approvals(con, folder, "peer-workforce")
        outcome = workshop.approve(con, folder, "peer-workforce", BOB)
    assert state.names == [] and not outcome.approved and "Bob Example" in outcome.message
    assert audited_version(db, folder, "peer-workforce") == 2


def test_a_meeting_of_the_group_approves_with_the_names_present(place):
    db, folder = place
    blank = se.blank("drop-in-access", "People can walk in without an appointment")
    blank = se.edit(se.edit(blank, ("statement",), "People can walk in."), ("why",), "Appointments are a barrier.")
    with store.writing(db) as con:
        workshop.save_draft(con, folder, blank, ANN)
        with pytest.raises(workshop.WorkshopError) as refused:
            workshop.approve_at_meeting(con, folder, "drop-in-access", " ", dt.date(2099, 1, 1), ["Ann"], ANN)
        assert all(
            words in str(refused.value)
            for words in ("say which group met", "not a day still to come", "at least 2 different people")
        )
        outcome = workshop.approve_at_meeting(
            con, folder, "drop-in-access", "Northshire Expert Citizens Group", dt.date(2026, 11, 30),
            ["Ann Example", "Cal Example", "ann example", ""], ANN,
        )  # fmt: skip
        names = json.loads(con.execute("SELECT names_json FROM standard_approvals").fetchone()[0])
    assert outcome.approved and names == ["Ann Example", "Cal Example"]
    standard = load_standards(folder).standards[0]
    assert standard.id == "drop-in-access" and standard.approved_on == dt.date(2026, 11, 30)
    assert (
        standard.approved_by
        == "Northshire Expert Citizens Group, at its meeting on 30 November 2026 (2 members present)"
    )
    assert audited_version(db, folder, "drop-in-access") == 1


def test_how_many_approve_is_a_setting_never_below_two(place):
    db, folder = place
    cal = Account("cal", "Cal Example", "expert_citizen", None)
    with store.writing(db) as con:
        with pytest.raises(settings.SettingError, match="from 2 to 20"):
            settings.put(con, "approvals_needed", "1", "Ann Example")
        settings.put(con, "approvals_needed", "3", "Ann Example")
        saved = workshop.save_draft(con, folder, lowered(folder), ANN)
        workshop.approve(con, folder, "peer-workforce", ANN)
        second = workshop.approve(con, folder, "peer-workforce", BOB)
        with pytest.raises(workshop.WorkshopError, match="at least 3 different people"):
            workshop.approve_at_meeting(con, folder, "peer-workforce", "Group", dt.date(2026, 11, 30), ["A", "B"], ANN)
        assert workshop.approvals(con, folder, "peer-workforce").needed == 3
    assert "until 3 expert citizens approve it" in saved.message
    assert not second.approved and "Waiting for 1 more expert citizen." in second.message
    assert audited_version(db, folder, "peer-workforce") == 2
    with store.writing(db) as con:
        third = workshop.approve(con, folder, "peer-workforce", cal)
    assert third.approved and "Ann Example, Bob Example and Cal Example" in third.message
    assert audited_version(db, folder, "peer-workforce") == 3


def test_sources_open_the_draft_when_there_is_one(place):
    db, folder = place
    with store.writing(db) as con:
        workshop.save_draft(con, folder, lowered(folder), ANN)
    found = workshop.sources(folder)
    assert found["peer-workforce"].is_draft and found["peer-workforce"].standard.version == 3
    assert found["peer-workforce"].approved.version == 2
    assert not found["warm-welcome"].is_draft and found["housing-draft"].approved is None
    assert workshop.stamp(folder) != ()


def test_the_command_line_lists_drafts_approves_at_a_meeting_and_shows_the_history(place):
    db, folder = place
    with store.writing(db) as con:
        workshop.save_draft(con, folder, lowered(folder), ANN, "lower the bar")
    runner = CliRunner()
    listed = runner.invoke(app, ["standards", "drafts", str(folder), "--db", str(db)])
    assert listed.exit_code == 0 and "peer-workforce" in listed.output and "no one has approved it yet" in listed.output
    refused = runner.invoke(
        app, ["standards", "approve", "peer-workforce", str(folder), "--db", str(db), "--group", "G", "--met-on",
              "2026-11-30", "--present", "Ann", "--by", "ann"],
    )  # fmt: skip
    assert refused.exit_code == 1 and "at least 2 different people" in refused.output
    approved = runner.invoke(
        app, ["standards", "approve", "peer-workforce", str(folder), "--db", str(db), "--group", "Northshire ECG",
              "--met-on", "2026-11-30", "--present", "Ann", "--present", "Bob", "--by", "ann"],
    )  # fmt: skip
    assert approved.exit_code == 0, approved.output
    assert "Version 3" in approved.output and "Ann and Bob present" in approved.output
    history = runner.invoke(app, ["standards", "history", "peer-workforce", str(folder), "--db", str(db)])
    assert history.exit_code == 0, history.output
    assert "Met changed from 90% or more to 10% or more" in history.output
    assert "lower the bar" in history.output
