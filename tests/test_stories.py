"""Consent, withdrawals, screening holds, the auditor's decisions and provisional green,
over a real DuckDB store holding the fixture evidence pack."""

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from audits import ingest, store, stories, story_review, verdicts

from support.stores import STORIES_STANDARDS as STANDARDS
from support.stores import load_pack, pack_folder, put_returns, read_rows


@pytest.fixture(scope="module")
def pack_store(tmp_path_factory):
    """A store holding the fixture pack, loaded once by the real ingest."""
    path = tmp_path_factory.mktemp("stories") / "audit.duckdb"
    load_pack(path)
    return path


@pytest.fixture
def db(pack_store, tmp_path):
    """A test's own copy of the store holding the fixture pack."""
    path = tmp_path / "audit.duckdb"
    shutil.copy(pack_store, path)
    return path


@pytest.fixture
def con(db):
    connection = store.connect(db)
    yield connection
    connection.close()


def both_voices(con, period, provider_id=None):
    """What people's experience says, from the story table (voices_of) and from the summary's
    lighter reader (voices_in): the same counts, or the test fails."""
    voices = stories.voices_of(stories.story_table(con, period, provider_id))
    assert stories.voices_in(con, period, provider_id) == voices
    return voices


def ids(df):
    return sorted(df["story_id"])


@pytest.mark.slow
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
    status = stories.story_table(con, "2026-Q2", "P001").set_index("story_id")
    assert status.loc["S03", "status"] == "no_consent"
    assert status.loc["S04", "status"] == "withdrawn"
    assert status.loc["S05", "status"] == "held"
    assert status.loc["S05", "reason"] == "held for the auditor: may contain a phone number"
    assert "story" not in status.columns
    assert status.loc[["S03", "S04", "S05"], "text"].isna().all()  # words only where they may be printed


def test_held_then_cleared(con):
    held = story_review.held_stories(con, "2026-Q2")
    assert list(held["story_id"]) == ["S05"]
    # one click never prints a flagged story: clearing needs the auditor's confirmation
    with pytest.raises(story_review.ReviewError) as error:
        story_review.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor")
    assert "a phone number" in str(error.value) and "07700" not in str(error.value)
    assert "--confirm" in str(error.value) and "I have read it" in str(error.value)
    assert "S05" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    message = story_review.review_story(
        con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor", accept_remaining_flags=True
    )
    assert "07700" not in message
    assert "S05" in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert story_review.held_stories(con, "2026-Q2").empty


def test_redaction_replaces_the_words(con):
    story_review.review_story(
        con,
        "P001",
        "2026-Q2",
        "S05",
        "redacted",
        "A. Auditor",
        redacted_text="My keyworker rang me the night before every appointment.",
    )
    row = stories.printable_stories(con, "P001", "2026-Q2").set_index("story_id").loc["S05"]
    assert row["redacted"] and "07700" not in row["text"]


def test_redaction_that_still_holds_details_is_refused(con):
    with pytest.raises(story_review.ReviewError) as error:
        story_review.review_story(
            con, "P001", "2026-Q2", "S05", "redacted", "A. Auditor", redacted_text="Ring 07700 900124 instead."
        )
    assert "a phone number" in str(error.value) and "07700" not in str(error.value)
    assert "S05" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))


def test_keep_out_wins_over_a_clean_story(con):
    story_review.review_story(con, "P001", "2026-Q2", "S01", "kept_out", "A. Auditor")
    assert "S01" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))


def test_a_decision_is_for_the_words_reviewed(db, con):
    story_review.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor", accept_remaining_flags=True)
    rows = read_rows()
    for row in rows:
        if row["story_id"] == "S05":
            row["story"] = "Now it says 07700 900999 and Sarah Jenkins too."
    load_pack(db, rows)
    assert "S05" not in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert list(story_review.held_stories(con, "2026-Q2")["story_id"]) == ["S05"]


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


def test_a_withdrawal_in_any_spelling_on_a_held_back_row_is_recorded_and_final(db, con):
    """'WITHDRAWN ' is not a code, and the row's date is wrong too, so validation holds it back:
    the withdrawal is recorded all the same, and loading the earlier pack again cannot undo it."""
    rows = read_rows()
    for row in rows:
        if row["story_id"] == "S01":
            row["consent"], row["gathered_on"] = " WITHDRAWN.", "not a date"
        if row["story_id"] == "S02":
            row["consent"] = "Withdrawn"
    load_pack(db, rows)
    load_pack(db)  # the first pack again, saying yes to both
    printable = ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert "S01" not in printable and "S02" not in printable
    assert {"S01", "S02"} <= {r[0] for r in con.execute("SELECT story_id FROM story_withdrawals").fetchall()}


def test_the_same_words_withdrawn_in_a_later_quarter_leave_every_quarter(db, con):
    """A withdrawal follows the person's words: the same story told in 2026-Q2 as S01 and in a
    2026-Q3 pack (renumbered S09, retyped with other spacing and capitals) that withdraws it is
    gone from both quarters. A story that only shares an id in another quarter stays."""
    rows = read_rows()
    s01 = next(r for r in rows if r["story_id"] == "S01")
    later = [
        {**s01, "story_id": "S09", "gathered_on": "2026-08-01", "consent": "withdrawn", "story": s01["story"].upper()},
        {**s01, "story_id": "S02", "gathered_on": "2026-08-02", "consent": "withdrawn", "story": "Other words."},
    ]
    assert "S01" in ids(stories.printable_stories(con, "P001", "2026-Q2"))
    outcome = ingest.ingest([pack_folder(db, later, "P001", "2026-Q3")], db, loaded_by="test")[0]
    assert outcome.withdrawn_elsewhere == [("2026-Q2", "S01")]
    assert "the same words were told in another quarter (S01 of 2026-Q2): withdrawn there too" in outcome.summary()
    printable = ids(stories.printable_stories(con, "P001", "2026-Q2"))
    assert "S01" not in printable  # the same words
    assert "S02" in printable  # the same id, other words: a different story


def test_a_batch_of_packs_finds_the_same_words_as_packs_loaded_one_at_a_time(db, tmp_path):
    """A batch's writer reads the withdrawals and the other quarters' stories once
    (pack_withdrawals.Memory) and keeps them as each pack commits: packs withdrawing words told
    in quarters loaded earlier in the same batch find, and record, what loading the packs one at
    a time finds. Another provider's same words are not theirs."""
    s01 = next(r for r in read_rows() if r["story_id"] == "S01")

    def story(story_id, day, consent, words):
        return {**s01, "story_id": story_id, "gathered_on": day, "consent": consent, "story": words}

    packs = [
        pack_folder(db, [story("S03", "2026-08-01", "yes", s01["story"])], "P002", "2026-Q3"),
        pack_folder(
            db,
            [story("S03", "2026-08-01", "yes", s01["story"]), story("S04", "2026-08-02", "yes", "Other words.")],
            "P001",
            "2026-Q3",
        ),
        # the first withdrawal with words in the batch: the stories are read here …
        pack_folder(db, [story("S08", "2026-11-02", "Withdrawn", "other  words")], "P001", "2026-Q4"),
        # … so these words, loaded after, are known from the pack as it commits
        pack_folder(db, [story("S05", "2027-02-01", "yes", s01["story"].lower())], "P001", "2027-Q1"),
        pack_folder(db, [story("S01", "2027-05-01", "withdrawn", s01["story"])], "P001", "2027-Q2"),
    ]
    alone = tmp_path / "alone" / "audit.duckdb"
    alone.parent.mkdir()
    shutil.copy(db, alone)
    together = ingest.ingest(packs, db, loaded_by="test")
    one_at_a_time = [ingest.ingest([pack], alone, loaded_by="test")[0] for pack in packs]
    found = [(o.withdrawals, o.withdrawn_elsewhere) for o in together]
    assert found == [(o.withdrawals, o.withdrawn_elsewhere) for o in one_at_a_time]
    assert found == [
        (0, []),
        (0, []),
        (1, [("2026-Q3", "S04")]),
        (0, []),
        (1, [("2026-Q2", "S01"), ("2026-Q3", "S03"), ("2027-Q1", "S05")]),
    ]
    recorded = "SELECT provider_id, period, story_id, words_sha256 FROM story_withdrawals ORDER BY ALL"
    with store.reading(db) as batch, store.reading(alone) as single:
        assert batch.execute(recorded).fetchall() == single.execute(recorded).fetchall()


def test_review_mistakes_are_plain(con):
    with pytest.raises(story_review.ReviewError, match="no story S99"):
        story_review.review_story(con, "P001", "2026-Q2", "S99", "cleared", "A. Auditor")
    with pytest.raises(story_review.ReviewError, match="consent 'no'"):
        story_review.review_story(con, "P001", "2026-Q2", "S03", "cleared", "A. Auditor")
    with pytest.raises(story_review.ReviewError, match="--by"):
        story_review.review_story(con, "P001", "2026-Q2", "S05", "cleared", " ")


def test_record_screening_keeps_kinds_not_words(con):
    assert story_review.record_screening(con, "P001", "2026-Q2") == 7
    assert story_review.record_screening(con, "P001", "2026-Q2") == 0
    flags = con.execute("SELECT flags FROM story_screening WHERE story_id = 'S05'").fetchone()[0]
    assert '"phone"' in flags and "07700" not in flags


def test_pairing(con, titles):
    # the pack's own tags say what a story speaks to, not what it says: nothing confirms yet
    assert both_voices(con, "2026-Q2", "P001") == {}
    story_review.tag_story(con, "P001", "2026-Q2", "S02", "warm-welcome=confirms;peer-workforce=confirms", "A", titles)
    story_review.tag_story(con, "P001", "2026-Q2", "S06", "warm-welcome=confirms", "A", titles)
    voices = both_voices(con, "2026-Q2", "P001")
    # S02 (a family member) confirms both of its tags; S06 (staff) confirms nothing
    assert {s for _, s in voices} == {"warm-welcome", "peer-workforce"}
    assert voices[("P001", "warm-welcome")].confirming == 1
    assert verdicts.shown_rating("green") == "provisional"
    assert verdicts.shown_rating("green", voices[("P001", "warm-welcome")]) == "green"
    for rating in ("amber", "red", "no_data"):
        assert verdicts.shown_rating(rating) == rating


@pytest.mark.slow
def test_the_period_in_one_pass_agrees_with_each_provider(db, con, titles):
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
    story_review.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor", accept_remaining_flags=True)
    story_review.review_story(con, "P002", "2026-Q2", "S01", "kept_out", "A. Auditor")
    story_review.review_story(
        con,
        "P003",
        "2026-Q2",
        "S05",
        "redacted",
        "A. Auditor",
        redacted_text="My keyworker rang me the night before every appointment.",
    )
    for provider_id in ("P001", "P002", "P003"):
        story_review.tag_story(con, provider_id, "2026-Q2", "S06", "warm-welcome=confirms", "A", titles)
        if provider_id != "P003":  # P003's S02 is withdrawn
            story_review.tag_story(
                con, provider_id, "2026-Q2", "S02", "peer-workforce=confirms;warm-welcome=confirms", "A", titles
            )

    table = stories.story_table(con, "2026-Q2")
    everyone = stories.printable_of(table)
    assert set(everyone["provider_id"]) == {"P001", "P002", "P003"}
    pairs = set(stories.voices_of(table))
    assert stories.voices_in(con, "2026-Q2") == stories.voices_of(table)
    for provider_id in ("P001", "P002", "P003"):
        one = stories.printable_stories(con, provider_id, "2026-Q2")
        mine = everyone[everyone["provider_id"] == provider_id].reset_index(drop=True)
        assert mine.to_dict("records") == one.to_dict("records"), provider_id
        alone = set(both_voices(con, "2026-Q2", provider_id))
        assert {(p, s) for p, s in pairs if p == provider_id} == alone, provider_id
    assert ids(everyone[everyone["provider_id"] == "P001"]) == ["S01", "S02", "S05", "S06", "S07"]
    assert ids(everyone[everyone["provider_id"] == "P002"]) == ["S02", "S06", "S07"]
    assert ids(everyone[everyone["provider_id"] == "P003"]) == ["S01", "S05", "S06", "S07"]
    # P003's S02 (a family member) was withdrawn, but its S06 is now told by a person using services
    assert ("P003", "peer-workforce") not in pairs and ("P003", "warm-welcome") in pairs
    assert ("P002", "peer-workforce") in pairs
    assert both_voices(con, "2026-Q1") == {}


# --------------------------------------------------------------------------- tagging


@pytest.fixture
def titles():
    return story_review.standard_titles(STANDARDS)


@pytest.mark.slow
def test_a_tagging_replaces_the_packs_column_and_an_empty_one_clears(con, titles):
    assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["S02"]
    story_review.tag_story(
        con,
        "P001",
        "2026-Q2",
        "S07",
        "peer-workforce=confirms; warm-welcome=mixed;peer-workforce",
        "A. Auditor",
        titles,
    )
    assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["S02", "S07"]
    message = story_review.tag_story(con, "P001", "2026-Q2", "S02", [], "B. Auditor", titles)
    assert "cleared" in message and "peer mentor" not in message
    assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["S07"]
    tagged = story_review.taggable_stories(con, "2026-Q2", "P001").set_index("story_id")
    assert tagged.loc["S07", "standards"] == ["peer-workforce", "warm-welcome"]
    assert tagged.loc["S07", "pack_standards"] == [] and tagged.loc["S07", "tagged_by"] == "A. Auditor"
    assert tagged.loc["S02", "standards"] == [] and tagged.loc["S02", "pack_standards"] == [
        "peer-workforce",
        "warm-welcome",
    ]
    # only consented, never-withdrawn stories may be tagged; a held story's words are not given
    assert sorted(tagged.index) == ["S01", "S02", "S05", "S06", "S07"]
    assert tagged.loc["S05", "status"] == "held" and pd.isna(tagged.loc["S05", "text"])
    rows = con.execute("SELECT story_id, standards, tagged_by FROM story_tags ORDER BY tagged_at").fetchall()
    assert rows == [("S07", "peer-workforce;warm-welcome", "A. Auditor"), ("S02", "", "B. Auditor")]


@pytest.mark.slow
def test_the_latest_tagging_wins_and_survives_a_resubmitted_pack(db, con, titles):
    story_review.tag_story(con, "P001", "2026-Q2", "S07", "warm-welcome=confirms", "A. Auditor", titles)
    story_review.tag_story(con, "P001", "2026-Q2", "S07", "no-opiate-free-targets=confirms", "A. Auditor", titles)
    load_pack(db, read_rows())
    assert ids(stories.printable_stories(con, "P001", "2026-Q2", "no-opiate-free-targets")) == ["S07"]
    assert "S07" not in ids(stories.printable_stories(con, "P001", "2026-Q2", "warm-welcome"))


def test_unknown_standard_ids_are_refused_with_a_did_you_mean(con, titles):
    with pytest.raises(story_review.ReviewError) as error:
        story_review.tag_story(
            con, "P001", "2026-Q2", "S07", "warm-welcom;peer-workforce;housing-and-food", "A. Auditor", titles
        )
    message = str(error.value)
    assert "'warm-welcom' is not the id of any standard. Did you mean 'warm-welcome'?" in message
    assert "'housing-and-food' is not the id of any standard." in message  # every mistake at once
    assert "peer-workforce'" not in message.split("The standards are")[0]
    assert con.execute("SELECT count(*) FROM story_tags").fetchone() == (0,)
    with pytest.raises(story_review.ReviewError, match="consent 'withdrawn'"):
        story_review.tag_story(con, "P001", "2026-Q2", "S04", "warm-welcome=confirms", "A. Auditor", titles)
    with pytest.raises(story_review.ReviewError, match="no story S99"):
        story_review.tag_story(con, "P001", "2026-Q2", "S99", "warm-welcome=confirms", "A. Auditor", titles)
    with pytest.raises(story_review.ReviewError, match="--by"):
        story_review.tag_story(con, "P001", "2026-Q2", "S07", "warm-welcome", "", titles)
    with pytest.raises(story_review.ReviewError, match="No standard could be read"):
        story_review.standard_titles(STANDARDS / "missing")


@pytest.mark.slow
def test_tagging_turns_a_provisional_green_into_a_confirmed_one(db):
    """The real engine's rating of no-opiate-free-targets for P001 is green on its figures; no
    story speaks to it, so it is provisional until the auditor tags S07 (a person using the
    service, consented) to it."""
    from audits import runs

    with store.writing(db) as con:
        put_returns(con, "2026-Q2")
    run_id = runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")

    def shown() -> str:
        with store.reading(db) as con:
            rows = verdicts.shown_ratings(con, run_id, "P001").set_index("standard_id")
        return rows.loc["no-opiate-free-targets", "shown"]

    assert shown() == "provisional"
    with store.writing(db) as con:
        story_review.tag_story(
            con,
            "P001",
            "2026-Q2",
            "S07",
            "no-opiate-free-targets=confirms",
            "A. Auditor",
            story_review.standard_titles(STANDARDS),
        )
    assert shown() == "green"
    # a staff member's story confirms nothing: tagging S06 instead leaves it provisional
    with store.writing(db) as con:
        titles = story_review.standard_titles(STANDARDS)
        story_review.tag_story(con, "P001", "2026-Q2", "S07", "", "A. Auditor", titles)
        story_review.tag_story(con, "P001", "2026-Q2", "S06", "no-opiate-free-targets=confirms", "A. Auditor", titles)
    assert shown() == "provisional"


@pytest.mark.slow
def test_stories_tag_on_the_command_line(db):
    from typer.testing import CliRunner

    from audits.cli import app

    runner = CliRunner()
    base = [
        "stories",
        "tag",
        "--provider",
        "P001",
        "--period",
        "2026-Q2",
        "--story",
        "S07",
        "--by",
        "A. Auditor",
        "--db",
        str(db),
        "--standards-dir",
        str(STANDARDS),
    ]
    wrong = runner.invoke(app, base + ["--standards", "peer-workfroce"])
    assert wrong.exit_code == 1 and "Did you mean 'peer-workforce'?" in wrong.output
    assert "Traceback" not in wrong.output and "Nobody asked" not in wrong.output
    unmarked = runner.invoke(app, base + ["--standards", "peer-workforce;warm-welcome=confirms"])
    assert unmarked.exit_code == 1 and "say what it says of peer-workforce" in unmarked.output
    done = runner.invoke(app, base + ["--standards", "peer-workforce=confirms;warm-welcome=contradicts"])
    assert done.exit_code == 0, done.output
    assert "S07" in done.output and "People with lived experience work in every team" in done.output
    assert "Nobody asked" not in done.output
    with store.reading(db) as con:
        assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["S02", "S07"]
    cleared = runner.invoke(app, base + ["--standards", ""])
    assert cleared.exit_code == 0 and "cleared" in cleared.output
    with store.reading(db) as con:
        assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["S02"]
        assert con.execute("SELECT count(*) FROM story_tags").fetchone() == (2,)


@pytest.mark.slow
def test_a_schema_1_store_gains_story_tags(tmp_path):
    """A real store written before tagging existed (tests/fixtures/store): the first
    connection, even a reader's, brings it forward keeping its stories, and tagging works."""
    db = tmp_path / "old.duckdb"
    with gzip.open(Path(__file__).parent / "fixtures" / "store" / "schema1.duckdb.gz", "rb") as old:
        db.write_bytes(old.read())
    with store.reading(db) as con:
        assert store.schema_version(con) == len(store.migrations())
        assert ids(stories.printable_stories(con, "P001", "2026-Q2", "warm-welcome")) == ["ST1"]
    with store.writing(db) as con:
        story_review.tag_story(
            con,
            "P001",
            "2026-Q2",
            "ST1",
            "peer-workforce=confirms",
            "A. Auditor",
            story_review.standard_titles(STANDARDS),
        )
        assert ids(stories.printable_stories(con, "P001", "2026-Q2", "peer-workforce")) == ["ST1"]
        assert ids(stories.printable_stories(con, "P001", "2026-Q2", "warm-welcome")) == []


# --------------------------------------------------------------------------- what a story says


@pytest.mark.slow
def test_a_contradicting_story_turns_a_green_into_partly_met_until_answered(con, titles):
    """S01 (a person using the service) confirms warm-welcome; S02 (a family member) says
    otherwise. Unanswered, the green shows as 'people's experience differs'; once the auditor
    records why the rating stands, one confirming story makes it Met again."""
    tag = story_review.tag_story
    tag(con, "P001", "2026-Q2", "S01", "warm-welcome=confirms", "A. Auditor", titles)
    tag(con, "P001", "2026-Q2", "S02", ["warm-welcome"], "A. Auditor", titles, {"warm-welcome": "contradicts"})

    def voice():
        return both_voices(con, "2026-Q2", "P001")[("P001", "warm-welcome")]

    assert voice() == verdicts.Voices(confirming=1, contradicting=1, unanswered=1)
    assert verdicts.shown_rating("green", voice()) == "differs"
    assert verdicts.shown_rating("amber", voice()) == "amber"  # stories never lift or lower other ratings
    with pytest.raises(story_review.ReviewError, match="not marked as contradicting"):
        story_review.answer_contradiction(con, "P001", "2026-Q2", "S01", "warm-welcome", "Because.", "A. Auditor")
    message = story_review.answer_contradiction(
        con, "P001", "2026-Q2", "S02", "warm-welcome", "It tells of a visit before the new front desk opened.", "A"
    )
    assert "rating stands" in message
    assert voice() == verdicts.Voices(confirming=1, contradicting=1, unanswered=0)
    assert verdicts.shown_rating("green", voice()) == "green"
    assert verdicts.shown_rating("green", voice(), needed=2) == "provisional"  # the setting raises the bar
    printed = stories.printable_stories(con, "P001", "2026-Q2", "warm-welcome").set_index("story_id")
    assert printed.loc["S02", "stances"] == {"warm-welcome": "contradicts"}
    assert printed.loc["S02", "answers"] == {"warm-welcome": "It tells of a visit before the new front desk opened."}
    # withdrawing the answer opens the contradiction again
    story_review.answer_contradiction(con, "P001", "2026-Q2", "S02", "warm-welcome", "", "A")
    assert voice().unanswered == 1
    # a mixed story neither confirms nor contradicts
    tag(con, "P001", "2026-Q2", "S02", "warm-welcome=mixed", "A. Auditor", titles)
    assert voice() == verdicts.Voices(confirming=1, mixed=1)
    assert verdicts.shown_rating("green", voice()) == "green"


def test_every_tag_needs_a_stance_and_a_stance_must_be_known(con, titles):
    with pytest.raises(story_review.ReviewError) as error:
        story_review.tag_story(con, "P001", "2026-Q2", "S07", "warm-welcome;peer-workforce=agrees", "A", titles)
    message = str(error.value)
    assert "'agrees' is not what a story can say" in message and "say what it says of warm-welcome" in message
    assert "confirms, contradicts, mixed" in message
    assert con.execute("SELECT count(*) FROM story_tags").fetchone() == (0,)


def test_stories_awaiting_the_auditors_reading(con, titles):
    table = stories.story_table(con, "2026-Q2", "P001")
    assert ids(stories.awaiting_stance(table)) == ["S01", "S02", "S06", "S07"]  # printable, not yet read
    story_review.tag_story(con, "P001", "2026-Q2", "S01", "warm-welcome=confirms", "A", titles)
    story_review.tag_story(con, "P001", "2026-Q2", "S07", [], "A", titles)  # read: it speaks to no standard
    table = stories.story_table(con, "2026-Q2", "P001")
    assert ids(stories.awaiting_stance(table)) == ["S02", "S06"]


def test_a_decision_can_be_undone_and_the_story_is_held_again(con):
    story_review.review_story(con, "P001", "2026-Q2", "S05", "cleared", "A. Auditor", accept_remaining_flags=True)
    done = story_review.decisions(con, "2026-Q2", "P001")
    assert list(done["story_id"]) == ["S05"] and done.iloc[0]["flagged"] == "a phone number"
    message = story_review.undo_decision(con, "P001", "2026-Q2", "S05", "A. Auditor")
    assert "held again" in message and "07700" not in message
    assert list(story_review.held_stories(con, "2026-Q2")["story_id"]) == ["S05"]
    assert story_review.decisions(con, "2026-Q2", "P001").empty
    with pytest.raises(story_review.ReviewError, match="no decision to undo"):
        story_review.undo_decision(con, "P001", "2026-Q2", "S05", "A. Auditor")
    # every row is kept
    assert con.execute("SELECT list(decision ORDER BY reviewed_at) FROM story_reviews").fetchone()[0] == [
        "cleared",
        "undone",
    ]


def test_the_same_words_match_however_they_were_typed():
    plain = "Siân's keyworker rang me back the next day."
    assert stories.words_sha256(plain) == stories.words_sha256("SIAN'S  keyworker rang me back\u200b the next day")
    assert stories.words_sha256(plain) == stories.words_sha256(
        "Siân's keywоrker rang me back the next day."
    )  # Cyrillic о
    assert stories.words_sha256(plain) != stories.words_sha256("Siân's keyworker rang me back the day after.")
