"""Migration 0008 keys the rows of a return by their submission's number (issue 15: the ingest's
writer spent a fifth of its time on three strings repeated on every row). Nothing a reader sees
may change: a store loaded by the code before (tests/support/ingest_before.py, with the
migrations before 0008) and then carried over by 0008 must hold the same rows in every table
and view as a store loaded by the new code, take a later resubmission the same way, and be
audited to the same rows in every table a run writes."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb
import pytest

from audits import demo, ingest, runs, spec, store

from support import ingest_before
from support.run_rows import WRITTEN, written

HERE = Path(__file__).parent
NUMBERS = "0008_submission_numbers"
# … and migration 0061, later, which folds submission_files into submissions (the code before
# 0008 wrote the table): the old store is made without either, and gets both when opened.
LATER = {"0061_submission_files"}
# What a reader reads of the submissions and their rows: the data tables by their old names
# (views now), their cur_ views, and the tables that name a submission.
READ = (
    [t.name for t in spec.RETURN_TABLES + spec.PACK_TABLES]
    + [f"cur_{t.name}" for t in spec.RETURN_TABLES + spec.PACK_TABLES]
    + ["submissions", "current_submissions", "submission_files", "quarantine", "story_withdrawals"]
    + ["providers", "periods"]
)


def same_ids(monkeypatch) -> None:
    """Submission ids from a counter (the 12 hex digits an id keeps), so two loads of the same files name them alike."""
    counter = iter(range(1, 1_000_000))
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter) << 80))


def contents(db: Path) -> dict[str, list[str]]:
    """Every row of every object in READ, times and the new number column aside, sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for name in READ:
            columns = [
                f'"{column}"'
                for column, kind in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [name],
                ).fetchall()
                if kind != "TIMESTAMP" and column != "number"
            ]
            out[name] = sorted(map(repr, con.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()))
        return out
    finally:
        con.close()


def resubmission(files: list[Path], folder: Path) -> Path:
    """A provider's last return sent again with its last contact left out."""
    last = max((f for f in files if (f / "contacts.csv").exists()), key=lambda f: f.name)
    again = folder / last.name
    shutil.copytree(last, again)
    lines = (again / "contacts.csv").read_text().splitlines(keepends=True)
    (again / "contacts.csv").write_text("".join(lines[:-1]))
    return again


def written_before(con, fresh: list, loaded_by: str | None) -> dict:
    """A batch written as the code before 0008 wrote it: a transaction a submission."""
    known = ingest._known(con)
    return {id(v): ingest_before.load(con, v, str(v.source), loaded_by, known) for v in fresh}


@pytest.mark.slow
def test_a_store_loaded_before_0008_reads_and_audits_as_one_loaded_after(tmp_path, monkeypatch):
    files = sorted(demo.write_demo(tmp_path / "files", scale="small"))
    again = resubmission(files, tmp_path / "again")
    old, new = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    shipped = store.migrations()
    assert NUMBERS in [m.name for m in shipped]
    with monkeypatch.context() as m:
        same_ids(m)
        m.setattr(store, "migrations", lambda: [x for x in shipped if x.name != NUMBERS and x.name not in LATER])
        m.setattr(ingest, "_write_batch", written_before)
        ingest.ingest(files, db=old, loaded_by="test")
        with store.reading(old) as con:  # the old schema: text keys on every row
            assert con.execute("SELECT count(*) FROM contacts WHERE submission_id IS NOT NULL").fetchone()[0] > 10_000
            assert NUMBERS not in store.applied_migrations(con)
            assert con.execute("SELECT count(*) FROM submission_files").fetchone()[0] > 0  # a table then
    with monkeypatch.context() as m:
        same_ids(m)
        ingest.ingest(files, db=new, loaded_by="test")
    # Opening the old store for writing applies 0008; the resubmission is numbered after every
    # submission it carried over (a sequence restarting at 1 would join rows to the wrong one).
    for db in (old, new):
        with monkeypatch.context() as m:
            m.setattr(uuid, "uuid4", lambda: uuid.UUID(int=10**9 << 80))
            [outcome] = ingest.ingest([again], db=db, loaded_by="test")
        assert outcome.loaded and outcome.replaced
    with store.reading(old) as con:
        assert NUMBERS in store.applied_migrations(con)
        numbers = [n for (n,) in con.execute("SELECT number FROM submissions ORDER BY loaded_at").fetchall()]
        assert len(set(numbers)) == len(numbers) == len(files) + 1 and None not in numbers
        assert numbers[-1] == max(numbers)
        assert con.execute("SELECT count(*) FROM contacts_rows").fetchone()[0] > 10_000
    before, after = contents(old), contents(new)
    assert sum(len(rows) for rows in after.values()) > 50_000
    assert [name for name in READ if before[name] != after[name]] == []
    periods = demo.SMALL_PERIODS[-2:]
    for db in (old, new):
        for period in periods:
            runs.run_audit(db, period, standards_dir=HERE.parent / "standards")
    audited_old, audited_new = written(old), written(new)
    assert len(audited_new) == len(WRITTEN) * len(periods)
    assert [k for k in audited_new if audited_new[k] != audited_old[k]] == []
