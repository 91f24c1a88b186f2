"""Sign-off means something: refused while stories are held or facts are disputed, freezing the
PDF's bytes and the report's basis, and out of date as soon as the report would change. Over a
real store with a real run, through the `signoff` command as the auditor types it."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from audits import findings, runs, signed, signoffs, store, story_review
from audits.cli import app

from support.stores import STORIES_STANDARDS as STANDARDS
from support.stores import load_pack, put_returns

# Signed PDFs drawn and checked over real runs (seconds each): make test runs them.
pytestmark = pytest.mark.slow

SIGN = ["signoff", "--provider", "P001", "--period", "2026-Q2", "--name", "Ann Auditor"]


@pytest.fixture
def audited(tmp_path):
    db = tmp_path / "audit.duckdb"
    with store.writing(db) as con:
        put_returns(con, "2026-Q2")
    load_pack(db)  # S05 holds a phone number: held for the auditor
    return db, runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")


def sign(db):
    return CliRunner().invoke(app, [*SIGN, "--organisation", "Fair Audit Co", "--i-declare", "--db", str(db)])


def status(db) -> findings.Findings:
    with store.reading(db) as con:
        return findings.gather(con, "P001", "2026-Q2")


def test_held_story_refuses_then_review_signs_then_a_tag_makes_it_out_of_date(audited):
    db, run_id = audited
    refused = sign(db)
    assert refused.exit_code == 1, refused.output
    assert "story S05 (may contain a phone number)" in refused.output and "07700" not in refused.output
    assert "Traceback" not in refused.output
    with store.reading(db) as con:
        assert signoffs.signoffs_for(con, "2026-Q2").empty  # nothing half-written

    with store.writing(db) as con:
        story_review.review_story(con, "P001", "2026-Q2", "S05", "kept_out", "Ann Auditor")
    done = sign(db)
    assert done.exit_code == 0, done.output
    assert "Signed off P001 for 2026-Q2" in done.output and "SHA-256" in done.output
    assert status(db).signoff_status == "signed"
    with store.reading(db) as con:
        pdf, digest = signed.signed_pdf(con, "P001", "2026-Q2")
        first = signed.versions(con, "2026-Q2", "P001").iloc[0]
    assert hashlib.sha256(pdf).hexdigest() == digest == first["pdf_sha256"] and digest in done.output
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Signed off by the auditor" in text and "Ann Auditor" in text and "out of date" not in text

    # a decision can no longer be undone while the sign-off is current
    with store.writing(db) as con, pytest.raises(story_review.ReviewError, match="signed off"):
        story_review.undo_decision(con, "P001", "2026-Q2", "S05", "Ann Auditor")

    # changing a tag afterwards: out of date, saying what changed, everywhere it shows
    with store.writing(db) as con:
        titles = story_review.standard_titles(STANDARDS)
        story_review.tag_story(con, "P001", "2026-Q2", "S07", "peer-workforce=contradicts", "Ann Auditor", titles)
    now = status(db)
    assert now.signoff_status == "out_of_date"
    assert "story S07's tags changed" in now.out_of_date
    with store.reading(db) as con:
        again, same = signed.signed_pdf(con, "P001", "2026-Q2")
    assert again == pdf and same == digest  # the signed version stays byte for byte
    out = db.parent / "now.pdf"
    from audits import report

    report.render(now, out)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "out of date: sign again" in text and "story S07's tags changed" in text

    # signing again freezes a second version; both stay
    assert sign(db).exit_code == 0
    assert status(db).signoff_status == "signed"
    with store.reading(db) as con:
        assert len(signed.versions(con, "2026-Q2", "P001")) == 2
        assert signed.signed_pdf(con, "P001", "2026-Q2", first["signed_at"])[0] == pdf


def test_a_new_run_a_withdrawal_or_a_review_make_it_out_of_date(audited):
    db, _ = audited
    with store.writing(db) as con:
        story_review.review_story(con, "P001", "2026-Q2", "S05", "kept_out", "Ann Auditor")
    assert sign(db).exit_code == 0
    with store.writing(db) as con:
        story_review.review_story(con, "P001", "2026-Q2", "S01", "kept_out", "Ann Auditor")
    assert "story S01 was printable and is now kept out" in status(db).out_of_date
    assert sign(db).exit_code == 0
    runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    later = status(db)
    assert later.signoff_status == "out_of_date" and "the audit was run again" in later.out_of_date[0]


def test_the_stored_bytes_are_checked_against_their_sha256(audited):
    db, _ = audited
    with store.writing(db) as con:
        story_review.review_story(con, "P001", "2026-Q2", "S05", "kept_out", "Ann Auditor")
    assert sign(db).exit_code == 0
    with store.writing(db) as con:
        con.execute("UPDATE signed_reports SET pdf = ?", [b"%PDF-tampered"])
        with pytest.raises(signed.SignedError, match="does not match its SHA-256"):
            signed.signed_pdf(con, "P001", "2026-Q2")
