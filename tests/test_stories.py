"""Consent, withdrawals, screening holds, the auditor's decisions and provisional green,
over a real DuckDB store holding the fixture evidence pack."""

import csv
import shutil
import uuid
from pathlib import Path

import pytest

from audits import ingest, store, stories

PACK = Path(__file__).parent / "fixtures" / "stories" / "pack-P001-2026-Q2"


def read_rows(folder: Path = PACK) -> list[dict]:
    with open(folder / "stories.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_pack(db: Path, rows: list[dict] | None = None, provider_id: str = "P001") -> None:
    """Load the fixture pack with the real ingest; with rows (or another provider), a
    resubmission of it with those rows (written next to the store)."""
    folder = PACK
    if rows is not None or provider_id != "P001":
        rows = rows if rows is not None else read_rows()
        folder = db.parent / f"pack-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        pack_yaml = (PACK / "pack.yaml").read_text(encoding="utf-8")
        (folder / "pack.yaml").write_text(pack_yaml.replace("provider_id: P001", f"provider_id: {provider_id}"),
                                          encoding="utf-8")
        with open(folder / "stories.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    (outcome,) = ingest.ingest([folder], db, loaded_by="test")
    assert outcome.loaded, outcome


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "audit.duckdb"
    load_pack(path)
    return path


@pytest.fixture
def con(db):
    connection = store.connect(db)
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


def test_a_decision_is_for_the_words_reviewed(db, con):
    stories.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor")
    rows = read_rows()
    for row in rows:
        if row["story_id"] == "S05":
            row["story"] = "Now it says 07700 900999 and Sarah Jenkins too."
    load_pack(db, rows)
    assert "S05" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert list(stories.held_stories(con, "2026-Q2")["story_id"]) == ["S05"]


def test_withdrawal_in_a_later_pack_is_final(db, con):
    rows = read_rows()
    for row in rows:
        if row["story_id"] == "S01":
            row["consent"] = "withdrawn"
    load_pack(db, rows)
    # a third pack says yes again: the withdrawal still holds
    for row in rows:
        if row["story_id"] == "S01":
            row["consent"] = "yes"
    load_pack(db, rows)
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


def test_the_period_in_one_pass_agrees_with_each_provider(db, con):
    # three providers share story ids; each has its own decisions and withdrawals, which
    # must never leak to another provider's story of the same id
    load_pack(db, provider_id="P002")
    rows = read_rows()
    for row in rows:
        if row["story_id"] == "S02":
            row["consent"] = "withdrawn"
        if row["story_id"] == "S06":
            row["teller"] = "person_using_services"
    load_pack(db, rows, provider_id="P003")
    stories.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor")
    stories.review_story(con, "P002", "2026-Q2", "S01", "kept_out", "A. Auditor")
    stories.review_story(con, "P003", "2026-Q2", "S05", "redacted", "A. Auditor",
                         redacted_text="My keyworker rang me the night before every appointment.")

    everyone = stories.period_printable_stories(con, "2026-Q2")
    assert set(everyone["provider_id"]) == {"P001", "P002", "P003"}
    pairs = stories.confirmed_pairs(con, "2026-Q2")
    for provider_id in ("P001", "P002", "P003"):
        one = stories.printable_stories(con, provider_id, "2026-Q2")
        mine = everyone[everyone["provider_id"] == provider_id].drop(columns="provider_id").reset_index(drop=True)
        assert mine.to_dict("records") == one.to_dict("records"), provider_id
        assert {s for p, s in pairs if p == provider_id} == stories.confirmed_standards(one), provider_id
    assert ids(everyone[everyone["provider_id"] == "P001"]) == ["S01", "S02", "S05", "S06", "S07"]
    assert ids(everyone[everyone["provider_id"] == "P002"]) == ["S02", "S06", "S07"]
    assert ids(everyone[everyone["provider_id"] == "P003"]) == ["S01", "S05", "S06", "S07"]
    # P003's S02 (a family member) was withdrawn, but its S06 is now told by a person using services
    assert ("P003", "peer-workforce") not in pairs and ("P003", "warm-welcome") in pairs
    assert ("P002", "peer-workforce") in pairs
    assert stories.confirmed_pairs(con, "2026-Q1") == set()
