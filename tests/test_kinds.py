"""Kinds of measure (audits/kinds): each in one module, the rest of the tool asking the registry.

The rate per 1,000 (audits/kinds/rate.py) is the kind added last: this test shows it works end
to end (the standards file, the engine, the ratings, the words and the PDF) with nothing but
its own module added.
"""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from audits import engine, report, runs, stats, store, words
from audits.kinds import KINDS
from audits.standard_files import parse_standard_text

from support.stores import ENGINE as FIXTURES
from support.stores import PERIOD, load_fixture, rows_of, standard

RATE = {
    "id": "r",
    "label": "People offered peer support, per 1,000 people referred",
    "table": "episodes",
    "kind": "rate",
    "count_if": "peer_support_offered",
    "green": ">= 800",
    "amber": ">= 600",
}
SHARE = {**RATE, "id": "m", "kind": "proportion", "green": ">= 80%", "amber": ">= 60%"}


def test_every_kind_is_registered_with_its_words_and_sql():
    assert set(KINDS) == {"proportion", "count", "median", "rate"}
    for kind in KINDS.values():
        assert kind.title and kind.explanation and callable(kind.sql) and callable(kind.figure_words)


@pytest.mark.slow
def test_a_rate_is_the_share_per_1000_with_the_share_s_interval_and_benchmark(tmp_path):
    db = load_fixture(tmp_path / "audit.duckdb")
    with store.reading(db) as con:
        result = engine.evaluate(con, [standard([RATE, SHARE])], PERIOD)
    rate, share = rows_of(result, "r"), rows_of(result, "m")
    for provider_id in rate:
        r, s = rate[provider_id], share[provider_id]
        assert (r["numerator"], r["denominator"]) == (s["numerator"], s["denominator"])
        for column in ("value", "ci_lower", "ci_upper", "benchmark"):
            assert r[column] == pytest.approx(1000 * s[column]), column
        assert r["rating"] == s["rating"] and r["comparison"] == s["comparison"]
    low, high = stats.wilson(rate["P001"]["numerator"], rate["P001"]["denominator"])
    assert rate["P001"]["ci_lower"] == pytest.approx(1000 * low)
    row = {**rate["P001"]}
    measure = standard([RATE]).measures[0]
    assert re.fullmatch(r"[\d,]+\.\d per 1,000 \(\d+ of \d+ people\)", words.figure(measure, row))
    assert words.thresholds(measure) == "Met: 800 or more · Partly met: 600 or more"


def test_a_rate_s_thresholds_are_numbers_per_1000_not_percentages():
    text = (FIXTURES / "standards" / "warm-welcome.yaml").read_text(encoding="utf-8")
    text = text.replace("    kind: proportion\n", "    kind: rate\n", 1)
    standard_read, problems = parse_standard_text(text, "warm-welcome.yaml")
    assert standard_read is None
    assert any("a rate is a number per 1,000, not a percentage" in p.message for p in problems), problems
    fixed = text.replace('green: ">= 90%"', 'green: ">= 900"').replace('amber: ">= 75%"', 'amber: ">= 750"')
    standard_read, problems = parse_standard_text(fixed, "warm-welcome.yaml")
    assert problems == [] and standard_read.measures[0].kind == "rate"


@pytest.mark.slow
def test_the_pdf_prints_a_rate_in_its_own_words(tmp_path):
    db = load_fixture(tmp_path / "audit.duckdb")
    folder = tmp_path / "standards"
    folder.mkdir()
    text = (FIXTURES / "standards" / "warm-welcome.yaml").read_text(encoding="utf-8")
    text = text.replace("    kind: proportion\n", "    kind: rate\n", 1)
    text = text.replace('green: ">= 90%"', 'green: ">= 900"').replace('amber: ">= 75%"', 'amber: ">= 750"')
    (folder / "warm-welcome.yaml").write_text(text, encoding="utf-8")
    runs.run_audit(db, PERIOD, folder, run_by="test")
    out = report.build_report(db, "P002", PERIOD, tmp_path / "P002.pdf")
    flat = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(out).pages))
    assert "1,000.0 per 1,000 (" in flat  # everyone contacted within two days
    assert "Met: 900 or more · Partly met: 750 or more" in flat
