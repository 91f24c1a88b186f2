"""One shown-rating rule in every output: a story that contradicts a green turns it into
"Partly met: people's experience differs" in the ratings of a run, the command line's summary,
the impact preview and the PDF (the published site: tests/test_publish.py; the overview:
tests/test_app.py), and the setting voices_needed raises the bar everywhere. And whether a shown
rating is marked uncertain in what is published: only from figures the reader can see, so the
mark never tells anything of a hidden count."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from audits import findings, preview, ratings, report, runs, settings, stats, store, story_review, verdicts
from audits.cli import app

from support.stores import STORIES_STANDARDS as STANDARDS
from support.stores import load_pack, proportion, put_returns, standard

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


@pytest.mark.slow
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
    assert summary.exit_code == 0 and "◑ Partly met: people's experience differs: 1" in summary.output
    assert "◑" in next(line for line in summary.output.splitlines() if line.startswith("P001 "))


@pytest.mark.slow
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


TWO = standard(
    [
        {**proportion("choice_offered", ">= 90%", amber=">= 75%"), "id": "a"},
        {**proportion("peer_support_offered", ">= 90%", amber=">= 75%"), "id": "b"},
    ]
)


def _row(measure_id: str, x: int, n: int, rating: str) -> dict:
    low, high = stats.wilson(x, n)
    return {
        "provider_id": "P1",
        "standard_id": TWO.id,
        "measure_id": measure_id,
        "value": x / n,
        "ci_lower": low,
        "ci_upper": high,
        "rating": rating,
        "denominator_rows": n,
    }


SHOWN = pd.DataFrame(
    [{"provider_id": "P1", "standard_id": TWO.id, "rating": "green", "shown": "green", "uncertain": True}]
)


def test_an_uncertain_mark_resting_only_on_a_hidden_figure_is_not_published():
    # 'a': 37 of 41 (90.2%), Met, its interval reaching down to 77%; 'b' Met beyond doubt
    visible = pd.DataFrame([_row("a", 37, 41, "green"), _row("b", 500, 500, "green")])
    assert verdicts.uncertain_as_published(SHOWN, visible, [TWO])["uncertain"].tolist() == [True]
    # the same, with 'a' hidden because 4 people were not offered it (its value and interval blanked)
    hidden = visible.copy()
    hidden.loc[0, ["value", "ci_lower", "ci_upper"]] = float("nan")
    assert verdicts.uncertain_as_published(SHOWN, hidden, [TWO])["uncertain"].tolist() == [False]


@pytest.mark.slow
def test_the_summary_reader_gives_the_same_rows_and_voices_on_the_dashboard_store(dashboard_files):
    """verdicts.run_shown_ratings (the CLI's summary, voices counted by stories.voices_in) gives
    exactly the rows of shown_ratings for every run of a store with stories in many states."""
    from audits import stories

    db, _ = dashboard_files
    with store.reading(db) as con:
        run_ids = [r for (r,) in con.execute("SELECT run_id FROM runs ORDER BY started_at").fetchall()]
        periods = [p for (p,) in con.execute("SELECT DISTINCT period FROM cur_stories ORDER BY 1").fetchall()]
        assert run_ids and periods
        counted = 0
        for period in periods:
            voices = stories.voices_of(stories.story_table(con, period))
            assert stories.voices_in(con, period) == voices, period
            counted += len(voices)
        assert counted  # the store's stories do move ratings
        for run_id in run_ids:
            pd.testing.assert_frame_equal(verdicts.run_shown_ratings(con, run_id), verdicts.shown_ratings(con, run_id))
