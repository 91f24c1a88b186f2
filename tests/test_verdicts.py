"""One shown-rating rule in every output: a story that contradicts a green turns it into
"Partly met: people's experience differs" in the ratings of a run, the command line's summary,
the impact preview and the PDF (the published site: tests/test_publish.py; the overview:
tests/test_app.py), and the setting voices_needed raises the bar everywhere."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from test_report import STANDARDS, put_returns
from test_stories import load_pack
from typer.testing import CliRunner

from audits import findings, preview, ratings, report, runs, settings, store, story_review
from audits.cli import app

DIFFERS = "◑ Partly met: people's experience differs"


@pytest.fixture
def db(tmp_path):
    db = tmp_path / "audit.duckdb"
    with store.writing(db) as con:
        put_returns(con, "2026-Q2")
    load_pack(db)
    runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    with store.writing(db) as con:  # S02, a family member's story, read as contradicting P001's green
        titles = story_review.standard_titles(STANDARDS)
        story_review.tag_story(con, "P001", "2026-Q2", "S02", "peer-workforce=contradicts", "Ann", titles)
    return db


def test_the_label_reads_as_the_issue_says():
    assert ratings.look("differs").label == DIFFERS


def test_every_output_shows_the_contradiction(db, tmp_path):
    from audits import verdicts

    with store.reading(db) as con:
        run_id = runs.latest_run_id(con, "2026-Q2")
        raw = runs.read_standard_results(con, run_id, "P001").set_index("standard_id")["rating"]
        assert raw["peer-workforce"] == "green"
        shown = verdicts.shown_ratings(con, run_id, "P001").set_index("standard_id")["shown"]
        assert shown["peer-workforce"] == "differs"
        edited = next(s for s in runs.run_standards(con, run_id) if s.id == "peer-workforce")
        impact = preview.impact_preview(con, edited).set_index("provider_id")
        assert (impact.loc["P001", "current_rating"], impact.loc["P001", "new_rating"]) == ("differs", "differs")
        data = findings.gather(con, "P001", "2026-Q2")
    section = next(sec for sec in data.sections if sec.standard.id == "peer-workforce")
    assert section.rating == "differs" and list(section.stories["story_id"]) == ["S02"]  # the story beside it
    pdf = report.render(data, tmp_path / "p001.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages).split())
    assert DIFFERS in text and "reads this story as contradicting the figures" in text
    summary = CliRunner().invoke(app, ["run", "--period", "2026-Q2", "--standards", str(STANDARDS), "--db", str(db)])
    assert summary.exit_code == 0 and "Partly met: people's experience differs 1" in " ".join(summary.output.split())


def test_an_answer_lets_the_rating_stand_and_the_setting_raises_the_bar(db):
    from audits import verdicts

    with store.writing(db) as con:
        story_review.answer_contradiction(con, "P001", "2026-Q2", "S02", "peer-workforce", "Counted twice.", "Ann")
        run_id = runs.latest_run_id(con, "2026-Q2")
        shown = verdicts.shown_ratings(con, run_id, "P001").set_index("standard_id")["shown"]
        assert shown["peer-workforce"] == "provisional"  # answered, but nothing confirms it yet
        titles = story_review.standard_titles(STANDARDS)
        story_review.tag_story(con, "P001", "2026-Q2", "S01", "peer-workforce=confirms", "Ann", titles)
        assert (
            verdicts.shown_ratings(con, run_id, "P001").set_index("standard_id")["shown"]["peer-workforce"] == "green"
        )
        settings.put(con, "voices_needed", 2, "Ann")
        assert (
            verdicts.shown_ratings(con, run_id, "P001").set_index("standard_id")["shown"]["peer-workforce"]
            == "provisional"
        )
