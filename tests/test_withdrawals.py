"""Withdrawal by reference over a real store: final, in every quarter, at once; a sheet loaded
after its withdrawal is never shown; a published site is written again without the story."""

import datetime as dt

import pytest

from audits import capture, publish, references, store, stories, voices, withdrawals
from audits.publish import MARKER

from support.stores import audited_with_pack, captured

# Two audited quarters and a pack per test (2-3 CPU-seconds each): make test runs them.
pytestmark = pytest.mark.slow


@pytest.fixture
def con(tmp_path):
    """Two audited quarters of returns and the fixture evidence pack."""
    db, _ = audited_with_pack(tmp_path / "audit.duckdb")
    connection = store.connect(db)
    yield connection
    connection.close()


def status_of(con, period: str, story_id: str) -> str:
    table = stories.story_table(con, period, "P001")
    return table.loc[table["story_id"] == story_id, "status"].iloc[0]


def test_a_story_leaves_every_quarter_at_once_and_for_good(con):
    told = captured(story="The peer worker at the door had been there too.")
    capture.add_story(con, told, "capture")
    # the same words turn up in another quarter's pack (typed up twice by mistake)
    capture.add_story(con, captured(gathered_on=dt.date(2026, 8, 4), story=told.story), "capture")
    assert status_of(con, "2026-Q2", "C1") in (*stories.SHOWN, "held")
    stamp = stories.evidence_stamp(con)

    said = withdrawals.withdraw(con, told.reference.lower(), "Sam Peer")
    assert "Withdrawn for good" in said and told.story not in said
    assert stories.evidence_stamp(con) != stamp  # every cached page reads again
    assert status_of(con, "2026-Q2", "C1") == "withdrawn"
    assert status_of(con, "2026-Q3", "C1") == "withdrawn"  # the same words, another quarter
    assert not stories.printable_stories(con, "P001", "2026-Q2")["text"].str.contains("peer worker").any()
    # final: asked again, it says when; nothing can bring it back
    assert "was withdrawn on" in withdrawals.withdraw(con, told.reference, "Someone else")
    assert con.execute("SELECT count(*) FROM reference_withdrawals").fetchone() == (1,)


def test_a_paper_sheet_withdrawn_before_it_is_loaded_is_never_shown(con):
    reference = references.make()
    with pytest.raises(withdrawals.WithdrawalError, match="No story has the reference"):
        withdrawals.withdraw(con, reference, "Ann Auditor")  # a mistyped reference withdraws nothing
    said = withdrawals.withdraw(con, reference, "Ann Auditor", not_loaded_yet=True)
    assert "when its paper sheet is loaded, it will never be shown" in said
    before = voices.heard(stories.story_table(con, "2026-Q2", "P001"))
    capture.add_story(con, captured(reference=reference), "typed up")
    assert status_of(con, "2026-Q2", "C1") == "withdrawn"
    assert voices.heard(stories.story_table(con, "2026-Q2", "P001")) == before  # not even counted as heard


def test_a_site_published_on_this_computer_is_written_again_and_one_elsewhere_is_named(con, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / MARKER).write_text("written by a publication\n")
    (site / "old-page.html").write_text("the story as it was published")
    con.execute("INSERT INTO publications VALUES ('2026-Q2', now(), 'Ann', ?, '[]')", [str(site)])
    con.execute("INSERT INTO publications VALUES ('2026-Q3', now(), 'Ann', '/srv/gone/site', '[]')")
    told = captured()
    capture.add_story(con, told, "capture")
    capture.add_story(con, captured(gathered_on=dt.date(2026, 8, 4), story=told.story), "capture")
    said = withdrawals.withdraw(con, told.reference, "Ann Auditor")
    assert f"The published site of 2026-Q2 in {site} was written again without it." in said
    assert "The 2026-Q3 site was published to /srv/gone/site, which is not on this computer" in said
    assert not (site / "old-page.html").exists() and (site / "index.html").exists()
    assert told.story not in "".join(p.read_text(errors="replace") for p in site.rglob("*.html"))
    assert con.execute("SELECT count(*) FROM publications WHERE period = '2026-Q2'").fetchone() == (2,)
    assert publish.refresh(con, [], "Ann") == []
