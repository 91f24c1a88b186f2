"""Consent, withdrawals, screening holds, the auditor's decisions and provisional green,
over a real DuckDB store holding the fixture evidence pack."""

import csv
import datetime as dt
import uuid
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from audits import store, stories

PACK = Path(__file__).parent / "fixtures" / "stories" / "pack-P001-2026-Q2"


def put_pack(con, folder: Path, rows=None) -> str:
    """Load an evidence pack the way ingest leaves it: a current submission, its
    stories, and withdrawals recorded. Returns the submission id."""
    meta = YAML(typ="safe").load((folder / "pack.yaml").read_text(encoding="utf-8"))
    if rows is None:
        with open(folder / "stories.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    provider, period = meta["provider_id"], str(meta["period"])
    store.ensure_period(con, period)
    sub = uuid.uuid4().hex
    con.execute("UPDATE submissions SET is_current = false, replaced_by = ? "
                "WHERE kind = 'pack' AND provider_id = ? AND period = ? AND is_current", [sub, provider, period])
    con.execute(
        "INSERT INTO submissions (submission_id, kind, provider_id, period, gathered_by, source, form, "
        "sha256, loaded_at, is_current, rows_loaded, rows_quarantined) "
        "VALUES (?, 'pack', ?, ?, ?, ?, 'folder', ?, ?, true, ?, 0)",
        [sub, provider, period, meta["gathered_by"], str(folder), "0" * 64, dt.datetime.now(), len(rows)],
    )
    for line, row in enumerate(rows, start=2):
        con.execute(
            "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sub, provider, period, line, row["story_id"], row["gathered_on"], row["teller"],
             row["standards"] or None, row["consent"], row["story"]],
        )
        if row["consent"] == "withdrawn":
            con.execute("INSERT INTO story_withdrawals VALUES (?, ?, ?, ?, ?)",
                        [provider, period, row["story_id"], sub, dt.datetime.now()])
    return sub


@pytest.fixture
def con(tmp_path):
    connection = store.connect(tmp_path / "audit.duckdb")
    put_pack(connection, PACK)
    yield connection
    connection.close()


def ids(df):
    return sorted(df["story_id"])


def test_only_consented_unflagged_stories_print(con):
    printable = stories.printable_stories(con, "P001", "2026-Q2")
    # S03 no consent, S04 withdrawn, S05 holds a phone number
    assert ids(printable) == ["S01", "S02", "S06", "S07"]
    s01 = printable.set_index("story_id").loc["S01"]
    assert "croeso i’r tŷ" in s01["text"] and s01["gathered_by"] == "Northshire Expert Citizens Group"
    assert not s01["redacted"]


def test_filter_by_standard(con):
    assert ids(stories.printable_stories(con, "P001", "2026-Q2", "warm-welcome")) == ["S01", "S02", "S06"]
    assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["S02"]
    assert stories.printable_stories(con, "P001", "2026-Q2", "no-opiate-free-targets").empty
    assert stories.printable_stories(con, "P999", "2026-Q2").empty


def test_statuses_give_reasons_without_the_words(con):
    status = stories.story_statuses(con, "P001", "2026-Q2").set_index("story_id")
    assert status.loc["S03", "status"] == "no_consent"
    assert status.loc["S04", "status"] == "withdrawn"
    assert status.loc["S05", "status"] == "held"
    assert status.loc["S05", "reason"] == "held for the auditor: may contain a phone number"
    assert "story" not in status.columns and "text" not in status.columns


def test_held_then_cleared(con):
    held = stories.held_stories(con, "2026-Q2")
    assert list(held["story_id"]) == ["S05"]
    message = stories.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor")
    assert "07700" not in message
    assert "S05" in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert stories.held_stories(con, "2026-Q2").empty


def test_redaction_replaces_the_words(con):
    stories.review_story(con, "P001", "2026-Q2", "S05", "redacted", "A. Auditor",
                         redacted_text="My keyworker rang me the night before every appointment.")
    row = stories.printable_stories(con, "P001", "2026-Q2").set_index("story_id").loc["S05"]
    assert row["redacted"] and "07700" not in row["text"]


def test_redaction_that_still_holds_details_is_refused(con):
    with pytest.raises(stories.ReviewError) as error:
        stories.review_story(con, "P001", "2026-Q2", "S05", "redacted", "A. Auditor",
                             redacted_text="Ring 07700 900124 instead.")
    assert "a phone number" in str(error.value) and "07700" not in str(error.value)
    assert "S05" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))


def test_keep_out_wins_over_a_clean_story(con):
    stories.review_story(con, "P001", "2026-Q2", "S01", "kept_out", "A. Auditor")
    assert "S01" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))


def test_a_decision_is_for_the_words_reviewed(con):
    stories.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor")
    with open(PACK / "stories.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["story_id"] == "S05":
            row["story"] = "Now it says 07700 900999 and Sarah Jenkins too."
    put_pack(con, PACK, rows)
    assert "S05" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert list(stories.held_stories(con, "2026-Q2")["story_id"]) == ["S05"]


def test_withdrawal_in_a_later_pack_is_final(con):
    with open(PACK / "stories.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["story_id"] == "S01":
            row["consent"] = "withdrawn"
    put_pack(con, PACK, rows)
    # a third pack says yes again: the withdrawal still holds
    for row in rows:
        if row["story_id"] == "S01":
            row["consent"] = "yes"
    put_pack(con, PACK, rows)
    assert "S01" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))


def test_review_mistakes_are_plain(con):
    with pytest.raises(stories.ReviewError, match="no story S99"):
        stories.review_story(con, "P001", "2026-Q2", "S99", "cleared", "A. Auditor")
    with pytest.raises(stories.ReviewError, match="consent 'no'"):
        stories.review_story(con, "P001", "2026-Q2", "S03", "cleared", "A. Auditor")
    with pytest.raises(stories.ReviewError, match="--by"):
        stories.review_story(con, "P001", "2026-Q2", "S05", "cleared", " ")


def test_record_screening_keeps_kinds_not_words(con):
    assert stories.record_screening(con, "P001", "2026-Q2") == 7
    assert stories.record_screening(con, "P001", "2026-Q2") == 0
    flags = con.execute("SELECT flags FROM story_screening WHERE story_id = 'S05'").fetchone()[0]
    assert '"phone"' in flags and "07700" not in flags


def test_pairing(con):
    printable = stories.printable_stories(con, "P001", "2026-Q2")
    confirmed = stories.confirmed_standards(printable)
    # S02 (a family member) confirms both of its tags; S06 (staff) confirms nothing
    assert confirmed == {"warm-welcome", "peer-workforce"}
    assert stories.pairing_rating("green", False) == "provisional"
    assert stories.pairing_rating("green", True) == "green"
    for rating in ("amber", "red", "no_data"):
        assert stories.pairing_rating(rating, False) == rating
