"""Action plans over a real store and run: proposed for a standard Partly met or Not met, agreed
or asked again by the commissioner, then done, on track or overdue as the days pass."""

from __future__ import annotations

import datetime as dt

import pytest

from audits import actions, runs, store, verdicts

from support.stores import audited_returns

# Action plans over a real run and the command line (seconds each): make test runs them.
pytestmark = pytest.mark.slow


@pytest.fixture
def con(tmp_path):
    db = tmp_path / "audit.duckdb"
    audited_returns(db)
    connection = store.connect(db)
    yield connection
    connection.close()


def test_an_action_from_proposal_to_overdue_to_done(con):
    needing = actions.standards_needing_action(con, "P001", "2026-Q2")
    shown = verdicts.shown_ratings(con, runs.latest_run_id(con, "2026-Q2"), "P001").set_index("standard_id")["shown"]
    assert needing and all(shown[s] in ("amber", "red", "differs") for s in needing)
    standard = sorted(needing)[0]
    met = [s for s, r in shown.items() if r not in ("amber", "red", "differs")]
    with pytest.raises(actions.ActionError) as error:
        actions.propose(con, "P001", "2026-Q2", met[0], "", "", dt.date(2020, 1, 1), "", "Pat")
    message = str(error.value)
    for need in ("Partly met or Not met", "say what will be done", "say who owns it", "a day in the future", "notice"):
        assert need in message
    due = store.now().date() + dt.timedelta(days=30)
    action_id = actions.propose(
        con, "P001", "2026-Q2", standard, "Peer at the door", "Service manager", due, "A peer meets you", "Pat"
    )
    plan = actions.plans(con, "P001").iloc[0]
    assert (plan["state"], plan["status"]) == ("proposed", "proposed")
    with pytest.raises(actions.ActionError, match="say what the provider should change"):
        actions.review(con, action_id, "asked_again", "", "Chris Commissioner")
    actions.review(con, action_id, "asked_again", "Say when the peer starts.", "Chris Commissioner")
    assert actions.plans(con, "P001").iloc[0]["status"] == "asked_again"
    actions.propose(
        con,
        "P001",
        "2026-Q2",
        standard,
        "Peer at the door from 1 March",
        "Service manager",
        due,
        "A peer meets you",
        "Pat",
        action_id=action_id,
    )
    revised = actions.plans(con, "P001").iloc[0]
    assert (revised["version"], revised["state"]) == (2, "proposed")
    actions.review(con, action_id, "agreed", None, "Chris Commissioner")
    assert actions.plans(con, "P001").iloc[0]["status"] == "on_track"
    later = due + dt.timedelta(days=1)
    assert actions.plans(con, "P001", as_of=later).iloc[0]["status"] == "overdue"
    assert list(actions.overdue(con, as_of=later)["action_id"]) == [action_id]
    # a later quarter's outputs list it as an action from an earlier audit
    assert list(actions.plans(con, "P001", before="2026-Q3")["action_id"]) == [action_id]
    assert actions.plans(con, "P001", before="2026-Q2").empty
    actions.report_done(con, action_id, store.now().date(), "The peer started.", "Pat")
    assert actions.plans(con, "P001", as_of=later).iloc[0]["status_words"] == "✔ Done"
    assert actions.overdue(con, as_of=later).empty


def test_the_command_line_takes_an_action_from_proposal_to_done(con, tmp_path):
    """`python -m audits actions ...`: the same rules as the page, plain messages and exit 1 on a mistake."""
    from typer.testing import CliRunner

    from audits.cli import app

    db = str(tmp_path / "audit.duckdb")
    con.close()
    with store.reading(db) as c:
        standard = sorted(actions.standards_needing_action(c, "P001", "2026-Q2"))[0]
    run = CliRunner().invoke
    due = (store.now().date() + dt.timedelta(days=30)).isoformat()
    base = ["actions", "propose", "--db", db, "--provider", "P001", "--period", "2026-Q2"]
    details = ["--what", "Peer at the door", "--owner", "Service manager", "--noticed", "A peer meets you"]
    bad_day = run(app, [*base, "--standard", standard, *details, "--due", "next week", "--by", "Pat"])
    assert bad_day.exit_code == 1 and "write it like 2027-03-31" in bad_day.output
    proposed = run(app, [*base, "--standard", standard, *details, "--due", due, "--by", "Pat"])
    assert proposed.exit_code == 0, proposed.output
    action_id = proposed.output.split()[1]
    assert action_id.startswith("A-") and "waits for the commissioner" in proposed.output
    neither = run(app, ["actions", "review", action_id, "--db", db, "--by", "Chris"])
    assert neither.exit_code == 1 and "--agree" in neither.output
    agreed = run(app, ["actions", "review", action_id, "--agree", "--db", db, "--by", "Chris"])
    assert agreed.exit_code == 0 and "agreed" in agreed.output
    listed = run(app, ["actions", "list", "--db", db, "--provider", "P001"])
    assert "→ On track" in listed.output and "Peer at the door" in listed.output
    assert "No actions are overdue." in run(app, ["actions", "list", "--overdue", "--db", db]).output
    future = (store.now().date() + dt.timedelta(days=3)).isoformat()
    refused = run(app, ["actions", "done", action_id, "--on", future, "--note", "Started", "--db", db, "--by", "Pat"])
    assert refused.exit_code == 1 and "not in the future" in refused.output
    today = store.now().date().isoformat()
    done = run(app, ["actions", "done", action_id, "--on", today, "--note", "Started", "--db", db, "--by", "Pat"])
    assert done.exit_code == 0 and "reported done" in done.output
    assert "✔ Done" in run(app, ["actions", "list", "--db", db]).output


def test_public_outputs_list_an_action_only_where_the_published_rating_says_not_met(tmp_path):
    """P003 withdrew treatment from 3 of its 99 leavers: Partly met at "<= 5%", published as "Met or
    partly met" (Met at "<= 2%" would pin 1 or 2 people). An action exists only where a standard
    was not met, so listed beside that range it would narrow it: the next quarter's audit PDF (a
    public output) leaves it out, and lists the action on housing support, published as Partly
    met. The provider's own list (restricted) has both."""
    from dataclasses import replace

    from pypdf import PdfReader

    from audits import disclosure, report

    from support import hard_store

    db = tmp_path / "audit.duckdb"
    standards = hard_store.standards_dir(tmp_path / "standards")
    name, people = hard_store.PROVIDERS["P003"]
    with store.writing(db) as con:
        hard_store.load(con, "2026-Q2", {"P003": (name, replace(people, withdrawn=3))})
        hard_store.load(con, "2026-Q3", {"P003": (name, people)})
    first = runs.run_audit(db, "2026-Q2", standards)
    runs.run_audit(db, "2026-Q3", standards)
    due = store.now().date() + dt.timedelta(days=30)
    with store.writing(db) as con:
        published = disclosure.public_standard_ratings(con, first, "P003").set_index("standard_id")["shown"]
        assert published["not-punitive"] == "green_amber" and published["housing-support"] == "amber"
        assert {"not-punitive", "housing-support"} <= set(actions.standards_needing_action(con, "P003", "2026-Q2"))
        for standard, what in (("not-punitive", "Review every withdrawal"), ("housing-support", "Housing clinic")):
            action_id = actions.propose(con, "P003", "2026-Q2", standard, what, "Manager", due, "You notice", "Pat")
            actions.review(con, action_id, "agreed", None, "Chris Commissioner")
        assert set(actions.plans(con, "P003", before="2026-Q3")["what"]) == {
            "Review every withdrawal",
            "Housing clinic",
        }
        assert list(actions.public_plans(con, "P003", before="2026-Q3")["what"]) == ["Housing clinic"]
        # the dashboard: an expert citizen (public tier) sees what the PDF lists; P003 itself, both
        every = actions.plans(con)
        assert list(actions.as_seen(con, every, ())["what"]) == ["Housing clinic"]
        assert len(actions.as_seen(con, every, ("P003",))) == len(actions.as_seen(con, every, None)) == 2
    pdf = report.build_report(db, "P003", "2026-Q3", tmp_path / "P003.pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "Housing clinic" in text and "Review every withdrawal" not in text
    assert "standards published as partly met or not met" in text
