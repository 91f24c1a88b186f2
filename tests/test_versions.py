"""Versions of a standard a group can follow: the differences in words, the history, the ratings."""

from __future__ import annotations

import shutil

import pytest

from audits import runs, store, versions, workshop
from audits import standard_edit as se
from audits.standard_files import parse_standard_text

from support.accounts import ANN, BOB
from support.stores import ENGINE, PERIOD, load_fixture


def standard_of(text: str, name: str = "peer-workforce.yaml"):
    standard, problems = parse_standard_text(text, name)
    assert problems == [], problems
    return standard


def test_the_differences_between_two_versions_in_plain_words():
    text = (ENGINE / "standards" / "peer-workforce.yaml").read_text(encoding="utf-8")
    old = standard_of(text)
    changed = se.edit(text, ("measures", 1, "green"), ">= 80%")
    changed = se.edit(changed, ("measures", 1, "amber"), None)
    changed = se.edit(changed, ("measures", 0, "min_count"), 5)
    changed = se.edit(changed, ("title",), "Lived experience in every team")
    changed = se.edit(changed, ("measures", 1, "where"), "referral_date >= period_start")
    changed = se.add_item(changed, ("voices",))
    changed = se.edit(changed, ("voices", 0, "quote"), "They should employ more people with lived experience.")
    changed = se.edit(changed, ("voices", 0, "source"), "Expert Link National Advisory Panel, 2020")
    changed = se.add_measure(changed)
    changed = se.edit(changed, ("measures", 2, "label"), "People offered a choice")
    new = standard_of(changed)
    said = versions.differences(old, new)
    assert said == [
        "The title changed from “People with lived experience work in every team” to “Lived experience in every team”.",
        "A new voice: “They should employ more people with lived experience.” (Expert Link National Advisory Panel, 2020).",
        "“Share of the workforce (full-time equivalent) with lived experience”: too few to tell now below 5 staff "
        "(it was below 3).",
        "“People offered a peer supporter” now counts: Of people referred this quarter, the share offered a peer "
        "supporter or navigator. (it counted: Of everyone in treatment at any time in the quarter, the share offered "
        "a peer supporter or navigator.)",
        "“People offered a peer supporter”: Met changed from 90% or more to 80% or more.",
        "“People offered a peer supporter”: Partly met was taken out (it was 75% or more).",
        "A new measure: “People offered a choice”. Of everyone in treatment at any time in the quarter, the share "
        "offered a choice of how to take part. Met at 90% or more, partly met at 75% or more, otherwise not met. "
        "Too few to tell with fewer than 10 people.",
    ]
    assert versions.differences(new, new) == []
    assert versions.differences(None, new) == ["A new standard: “Lived experience in every team”, with 3 measures."]


@pytest.mark.slow
def test_the_history_of_a_standard_and_the_ratings_each_version_gave(tmp_path):
    folder = tmp_path / "standards"
    shutil.copytree(ENGINE / "standards", folder)
    db = load_fixture(tmp_path / "audit.duckdb")
    runs.run_audit(db, PERIOD, folder)  # version 2, from the file: no workshop history yet
    text = (folder / "peer-workforce.yaml").read_text(encoding="utf-8")
    lowered = se.edit(se.edit(text, ("measures", 1, "green"), ">= 10%"), ("measures", 1, "amber"), ">= 5%")
    with store.writing(db) as con:
        workshop.save_draft(con, folder, lowered, ANN, "lower the bar")
        workshop.approve(con, folder, "peer-workforce", ANN)
        workshop.approve(con, folder, "peer-workforce", BOB)
    runs.run_audit(db, PERIOD, folder)  # version 3
    with store.reading(db) as con:
        history = versions.history(con, "peer-workforce")
        ratings = versions.ratings_by_version(con, "peer-workforce")
        public = versions.ratings_by_version(con, "peer-workforce", public=True)
    assert [(v.version, v.status, v.note) for v in history] == [
        (3, "approved", ""),
        (3, "draft", "lower the bar"),
        (2, "audited", ""),
    ]
    assert versions.differences(history[-1].standard, history[0].standard)[0] == (
        "“People offered a peer supporter”: Met changed from 90% or more to 10% or more."
    )
    assert list(ratings["period"]) == [PERIOD] and list(ratings["version"]) == [3]
    every = list(versions.TALLIED)
    assert ratings.iloc[0][every].sum() == ratings.iloc[0]["providers"]
    # the public tally counts the public ratings (merged bands as published), never the exact ones
    assert public.iloc[0][every].sum() == public.iloc[0]["providers"] == ratings.iloc[0]["providers"]
    assert (public.iloc[0][["green_amber", "amber_red", "withheld"]].sum() == 0) == (
        public.iloc[0][every].tolist() == ratings.iloc[0][every].tolist()
    )
