"""Migration 0061 keeps a submission's files on its own row (submissions.files) instead of a table
of their own (issue 15: one statement fewer for each of a national year's 1,143 submissions);
`submission_files` is a view with the table's columns. A store loaded before 0061
(tests/support/ingest_before.add_submission, with every migration before it) must come forward with every
file row it held, read as a store loaded by the new code, take a later resubmission, and end with
the schema of a new store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audits import ingest, store

from support import ingest_before

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
FILES = "0061_submission_files"


def files(db: Path) -> list[tuple]:
    """What a reader reads of the submissions' files: (kind, file, sha256, bytes)."""
    with store.reading(db) as con:
        return con.execute(
            "SELECT s.kind, f.file_name, f.sha256, f.bytes FROM submission_files f JOIN submissions s "
            "USING (submission_id) ORDER BY s.loaded_at, f.file_name"
        ).fetchall()


def columns(db: Path) -> list[tuple]:
    with store.reading(db) as con:
        return con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('submissions', 'current_submissions', 'submission_files') "
            "ORDER BY table_name, ordinal_position"
        ).fetchall()


@pytest.mark.slow
def test_a_store_loaded_before_0061_keeps_every_file_and_reads_as_one_loaded_after(tmp_path, monkeypatch):
    old, new = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    resubmission = tmp_path / "again"
    shutil.copytree(FIXTURES / "good-return", resubmission)
    (resubmission / "kpis.csv").write_text("kpi_id,name,measure,target,payment_linked,set_by\n")
    shipped = store.migrations()
    assert FILES in [m.name for m in shipped]
    with monkeypatch.context() as m:
        m.setattr(store, "migrations", lambda: [x for x in shipped if x.name != FILES])
        m.setattr(ingest, "_add_submission", ingest_before.add_submission)
        ingest.ingest([FIXTURES / "good-return", FIXTURES / "good-pack"], db=old)
        with store.reading(old) as con:
            assert FILES not in store.applied_migrations(con)
            kinds = dict(
                con.execute(
                    "SELECT table_name, table_type FROM information_schema.tables WHERE table_name = 'submission_files'"
                ).fetchall()
            )
            assert kinds == {"submission_files": "BASE TABLE"}
        before = files(old)
    assert len(before) > 8 and all(b is not None and b > 0 for *_, b in before)
    ingest.ingest([FIXTURES / "good-return", FIXTURES / "good-pack"], db=new)
    # Opening the old store for writing applies 0061 and the resubmission goes in the new way.
    for db in (old, new):
        [outcome] = ingest.ingest([resubmission], db=db)
        assert outcome.loaded and outcome.replaced
    with store.reading(old) as con:
        assert FILES in store.applied_migrations(con)
        assert con.execute("SELECT count(*) FROM submissions WHERE files IS NULL").fetchone()[0] == 0
    after = files(old)
    assert after[: len(before)] == before  # every file row carried over, as it was
    assert after == files(new)
    kpis = [sha for kind, name, sha, _ in after if (kind, name) == ("return", "kpis.csv")]
    assert len(kpis) == 2 and kpis[0] != kpis[1]  # the resubmission's own files
    assert columns(old) == columns(new)
