"""A story captured by a peer interviewer joins the current evidence pack as a new version of it,
through the same reading, validation and loading as an uploaded pack, over a real store."""

import datetime as dt
import json
from pathlib import Path

import pytest

from audits import capture, ingest, references, store, stories, story_review, templates

from support.stores import captured

RETURNS = Path(__file__).parent / "fixtures" / "returns"
PACK = RETURNS / "good-pack"


@pytest.fixture
def con(tmp_path):
    db = tmp_path / "audit.duckdb"
    (outcome,) = ingest.ingest([PACK], db, loaded_by="test")
    assert outcome.loaded
    connection = store.connect(db)
    yield connection
    connection.close()


@pytest.mark.slow
def test_a_captured_story_joins_the_current_pack_as_a_new_version_keeping_the_old_one(con):
    before = con.execute("SELECT submission_id FROM current_submissions WHERE kind = 'pack'").fetchone()[0]
    story_review.review_story(con, "P001", "2026-Q2", "ST1", "kept_out", "Alex Auditor")
    joined = capture.add_story(con, captured(), "dashboard story capture (account sam)")
    assert joined.story_ids == ["C1"] and joined.outcome.replaced == before
    subs = con.execute("SELECT submission_id, is_current, form, loaded_by, gathered_by FROM submissions").fetchall()
    assert len(subs) == 2 and sum(current for _, current, *_ in subs) == 1
    now = con.execute("SELECT form, loaded_by, gathered_by FROM current_submissions WHERE kind = 'pack'").fetchone()
    assert now == (
        "dashboard",
        capture.LOADED_BY,
        "Northshire Expert Citizens Group and Northshire Peer Interviewers",
    )
    rows = con.execute(
        "SELECT story_id, consent, use_of_words, interviewer, hours, standards FROM cur_stories ORDER BY line"
    ).fetchall()
    assert [r[0] for r in rows] == ["ST1", "ST2", "ST3", "C1"]
    assert rows[-1][1:] == ("yes", "quoted", "Sam Peer", 1.5, "warm-welcome=confirms")
    table = stories.story_table(con, "2026-Q2", "P001").set_index("story_id")
    # the auditor's decision and the pack's withdrawal carried over: keyed by story id and words
    assert table.loc["ST1", "status"] == "kept_out" and table.loc["ST3", "status"] == "withdrawn"
    assert table.loc["C1", "status"] == "printable" and table.loc["C1", "standards"] == ["warm-welcome"]
    assert table.loc["C1", "credited"] is None  # not named unless they chose to be


@pytest.mark.slow
def test_a_second_story_gets_the_next_id_and_the_pack_keeps_growing(con):
    capture.add_story(con, captured(), "capture")
    joined = capture.add_story(con, captured(teller="family_member", credit=True), "capture")
    assert joined.story_ids == ["C2"]
    assert con.execute("SELECT count(*) FROM cur_stories").fetchone() == (5,)
    assert con.execute("SELECT count(*) FROM submissions WHERE kind = 'pack'").fetchone() == (3,)
    table = stories.story_table(con, "2026-Q2", "P001").set_index("story_id")
    assert table.loc["C2", "credited"] == "Sam Peer"


@pytest.mark.slow
def test_the_first_story_of_a_quarter_starts_its_pack(con):
    joined = capture.add_story(con, captured(gathered_on=dt.date(2026, 2, 2)), "capture")
    assert joined.outcome.replaced is None and joined.outcome.period == "2026-Q1"
    assert con.execute("SELECT count(*) FROM cur_stories WHERE period = '2026-Q1'").fetchone() == (1,)


@pytest.mark.slow
def test_no_consent_keeps_no_words_and_a_summarised_story_waits_for_the_auditor(con):
    capture.add_story(con, captured(consent="no", story="words that must not be kept"), "capture")
    (words,) = con.execute("SELECT story FROM cur_stories WHERE story_id = 'C1'").fetchone()
    assert words == capture.NOT_RECORDED
    capture.add_story(con, captured(use_of_words="summarised"), "capture")
    table = stories.story_table(con, "2026-Q2", "P001").set_index("story_id")
    assert table.loc["C2", "status"] == "held" and "summary" in table.loc["C2", "reason"]
    with pytest.raises(story_review.ReviewError, match="agreed to a summary"):
        story_review.review_story(con, "P001", "2026-Q2", "C2", "cleared", "Alex", accept_remaining_flags=True)
    story_review.review_story(
        con, "P001", "2026-Q2", "C2", "summarised", "Alex", redacted_text="They were called back within a day."
    )
    row = stories.story_table(con, "2026-Q2", "P001").set_index("story_id").loc["C2"]
    assert row["status"] == "summarised" and row["summarised"]
    assert row["text"] == "They were called back within a day."


@pytest.mark.slow
def test_not_at_all_is_heard_but_never_printed(con):
    capture.add_story(con, captured(use_of_words="not_at_all"), "capture")
    table = stories.story_table(con, "2026-Q2", "P001")
    row = table.set_index("story_id").loc["C1"]
    assert row["status"] == "not_shown" and not isinstance(row["text"], str)
    assert "C1" not in set(stories.printable_of(table)["story_id"])


@pytest.mark.slow
def test_every_mistake_is_said_at_once_and_nothing_is_saved(con):
    wrong = captured(
        provider_id="",
        gathered_on=dt.date.today() + dt.timedelta(days=3),
        teller="someone",
        use_of_words=None,
        story=" ",
        reference="nope",
        interviewer="",
        hours=30,
        gathered_by="",
    )
    with pytest.raises(capture.CaptureError) as error:
        capture.add_story(con, wrong, "capture")
    message = str(error.value)
    for words in (
        "Choose the service",
        "future",
        "who is telling",
        "how the person agreed",
        "Write the story",
        "reference",
        "your name",
        "between 0 and 24",
        "your group",
    ):
        assert words in message, words
    assert con.execute("SELECT count(*) FROM submissions").fetchone() == (1,)


@pytest.mark.slow
def test_a_reference_already_used_is_refused(con):
    first = captured()
    capture.add_story(con, first, "capture")
    with pytest.raises(capture.CaptureError, match="already another story's"):
        capture.add_story(con, captured(reference=first.reference.lower().replace("-", " ")), "capture")


@pytest.mark.slow
def test_a_filled_in_visit_workbook_loads_as_a_pack_and_joins_the_current_one(con, tmp_path):
    import openpyxl

    book_path = templates.write_workbook(
        tmp_path / "visit.xlsx", "pack", {"provider_id": "P001", "period": "2026-Q2", "gathered_by": "Peers"}
    )
    book = openpyxl.load_workbook(book_path)
    sheet = book["stories"]
    reference = references.make()
    header = [c.value for c in sheet[1]]
    values = {
        "story_id": "ST1",  # taken in the current pack: renumbered when joined
        "gathered_on": dt.date(2026, 6, 3),
        "teller": "family_member",
        "standards": "warm-welcome=contradicts",
        "consent": "yes",
        "story": "My dad waited three weeks for anyone to ring.",
        "use_of_words": "quoted",
        "reference": reference,
        "interviewer": "Jo",
        "credit": "no",
        "hours": 2,
    }
    sheet.append([values.get(h) for h in header])
    book.save(book_path)
    from audits import returns

    validation = returns.validate(book_path)
    assert validation.kind == "pack" and not validation.problems, validation.report()
    joined = capture.join_validation(con, validation, str(book_path), "Alex")
    assert joined.renumbered == {"ST1": "C1"}
    row = con.execute("SELECT story_id, reference, hours FROM cur_stories WHERE story_id = 'C1'").fetchone()
    assert row == ("C1", reference, 2.0)


@pytest.mark.slow
def test_an_old_pack_without_the_new_columns_still_loads_and_its_stories_are_quoted(con):
    table = stories.story_table(con, "2026-Q2", "P001").set_index("story_id")
    assert table.loc["ST1", "use_of_words"] == "quoted" and table.loc["ST1", "status"] == "printable"


def test_a_misspelt_new_column_is_never_taken_as_left_out(tmp_path):
    from audits import returns

    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text((PACK / "pack.yaml").read_text())
    (folder / "stories.csv").write_text(
        "story_id,gathered_on,teller,standards,consent,story,Use of words\n"
        "S1,2026-05-01,family_member,,yes,They listened.,summarised\n"
    )
    v = returns.validate(folder)
    assert v.blocking and "Did you mean 'use_of_words'" in v.report()


def test_a_reference_in_a_pack_must_look_like_one_and_be_its_own(tmp_path):
    from audits import returns

    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text((PACK / "pack.yaml").read_text())
    good = references.make()
    (folder / "stories.csv").write_text(
        "story_id,gathered_on,teller,standards,consent,story,use_of_words,reference\n"
        f"S1,2026-05-01,family_member,,yes,They listened.,quoted,{good}\n"
        f"S2,2026-05-01,family_member,,yes,They listened too.,quoted,{good.lower()}\n"
        "S3,2026-05-01,family_member,,yes,And again.,quoted,ABCD-EFGH-IJKL\n"
        "S4,2026-05-01,family_member,,yes,No choice written.,,\n"
    )
    v = returns.validate(folder)
    held = {p.line: p.message for p in v.problems}
    assert "another story of this pack" in held[2] and "another story of this pack" in held[3]
    assert "is not a reference" in held[4]
    assert "is required when consent is yes" in held[5]
    assert json.loads(v.quarantined.iloc[0]["row_json"])["reference"] == good
