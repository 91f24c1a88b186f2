"""Opening the store: a wrong --db is a plain message and exit 1, never a traceback."""

import gzip
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from audits import spec, store
from audits.cli import app


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--period", "2026-Q2"],
        ["export", "--period", "2026-Q2", "--csv", "out.csv"],
        ["ingest", str(Path(__file__).parent / "fixtures" / "returns" / "good-return")],
        ["report", "--provider", "P001", "--period", "2026-Q2", "--pdf", "out.pdf"],
    ],
)
@pytest.mark.slow
def test_a_store_path_that_is_a_folder_or_not_a_store_is_said_plainly(tmp_path, command):
    not_a_store = tmp_path / "notes.duckdb"
    not_a_store.write_text("hello")
    for db, words in ((tmp_path, "is a folder, not a file"), (not_a_store, "cannot be opened as a store")):
        result = CliRunner().invoke(app, command + ["--db", str(db)])
        assert result.exit_code == 1, result.output
        assert words in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


# ----------------------------------------------------------------------------- migrations

OLD_STORES = Path(__file__).parent / "fixtures" / "store"


def _unpack(name: str, folder: Path) -> Path:
    """A copy of a real store made by an earlier version (tests/fixtures/store/README.md)."""
    path = folder / name.removesuffix(".gz")
    with gzip.open(OLD_STORES / name, "rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    return path


def _tables(con) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_name <> 'migrations' ORDER BY table_name, ordinal_position"
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        out.setdefault(table, []).append((column, kind))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", ["schema1.duckdb.gz", "schema2.duckdb.gz"])
def test_an_old_store_file_migrates_forward_to_the_same_schema_as_a_new_one(tmp_path, name):
    old = _unpack(name, tmp_path)
    with store.writing(tmp_path / "new.duckdb") as con:
        fresh = _tables(con)
    with store.writing(old) as con:
        assert store.schema_version(con) == len(store.migrations())
        assert set(store.applied_migrations(con)) == {m.name for m in store.migrations()}
        assert _tables(con) == fresh
        # nothing lost on the way: the rows, the run, the sign-off and the account are all there
        assert con.execute("SELECT count(*) FROM episodes").fetchone() == (5,)
        assert con.execute("SELECT count(*) FROM stories").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        assert con.execute("SELECT name FROM signoffs").fetchone() == ("Alex Auditor",)
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM current_submissions").fetchone() == (2,)
        tags = con.execute("SELECT count(*) FROM story_tags").fetchone()[0]
        assert tags == (1 if name.startswith("schema2") else 0)


@pytest.mark.slow
def test_each_migration_applies_once_in_order_and_a_second_open_changes_nothing(tmp_path):
    db = tmp_path / "audit.duckdb"
    with store.writing(db) as con:
        first = con.execute("SELECT name, sha256, applied_at FROM migrations ORDER BY name").fetchall()
    with store.writing(db) as con:
        again = con.execute("SELECT name, sha256, applied_at FROM migrations ORDER BY name").fetchall()
    assert first == again
    assert [row[0] for row in first] == [m.name for m in store.migrations()]
    assert [m.name for m in store.migrations()] == sorted(m.name for m in store.migrations())


def test_a_writer_that_checked_the_store_skips_the_full_check_only_while_its_count_holds(tmp_path, monkeypatch):
    """audits.ingest reopens the store for every batch: the full migrations check runs on the
    first open, later ones only count the store's migrations; another count (a newer version
    migrated it in between, or it is not the store checked) gets the full check again."""
    db = tmp_path / "audit.duckdb"
    with store.writing(db, log=False) as con:
        count = store.migration_count(con)
    assert count == len(store.migrations())
    calls = []
    full = store.migrate
    monkeypatch.setattr(store, "migrate", lambda con: calls.append(1) or full(con))
    with store.writing(db, log=False, migrated=count) as con:
        assert store.migration_count(con) == count
    assert calls == []
    with store.writing(db, log=False, migrated=count - 1):
        pass
    assert calls == [1]
    other = tmp_path / "new.duckdb"  # no migrations table yet: made and migrated in full
    with store.writing(other, log=False, migrated=count) as con:
        assert store.migration_count(con) == count
    assert calls == [1, 1]


@pytest.mark.slow
def test_a_migration_stays_one_transaction_a_failing_one_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "audit.duckdb"
    with store.writing(db):
        pass
    broken = store.Migration("9999_broken", "CREATE TABLE half_made (x INTEGER); SELECT no_such_column FROM meta;")
    shipped = store.migrations()
    monkeypatch.setattr(store, "migrations", lambda: [*shipped, broken])
    with pytest.raises(duckdb.BinderException):
        store.connect(db).close()
    monkeypatch.undo()
    with store.reading(db) as con:
        assert "9999_broken" not in store.applied_migrations(con)
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "half_made" not in tables


@pytest.mark.slow
def test_a_shipped_migration_edited_afterwards_or_a_newer_store_is_refused_plainly(tmp_path, monkeypatch):
    db = tmp_path / "audit.duckdb"
    with store.writing(db):
        pass
    shipped = store.migrations()
    edited = [store.Migration(shipped[0].name, shipped[0].sql + "\n-- edited"), *shipped[1:]]
    monkeypatch.setattr(store, "migrations", lambda: edited)
    with pytest.raises(store.SchemaError, match="changed after this store applied it"):
        store.connect(db).close()
    monkeypatch.setattr(store, "migrations", lambda: shipped[:-1])
    with pytest.raises(store.SchemaError, match="newer version"):
        store.connect(db).close()


@pytest.mark.slow
def test_a_fresh_store_has_the_tables_and_columns_of_the_specification(tmp_path):
    """The schema is frozen text; changing the contract in spec.py needs a new migration, and
    this test says so when one is forgotten."""
    with store.writing(tmp_path / "audit.duckdb") as con:
        tables = _tables(con)
    for table in spec.RETURN_TABLES + spec.PACK_TABLES:
        expected = [
            ("submission_id", "VARCHAR"),
            ("provider_id", "VARCHAR"),
            ("period", "VARCHAR"),
            ("line", "INTEGER"),
        ] + [(c.name, c.duckdb_type) for c in table.columns]
        assert tables[table.name] == expected, f"{table.name}: add a migration for the contract's change"
        view = [c for c, _ in tables[f"cur_{table.name}"]]
        assert view == [c for c, _ in expected] + ["period_start", "period_end"]


# ----------------------------------------------------------------------------- a full disk

RETURNS = Path(__file__).parent / "fixtures" / "returns"


@pytest.fixture()
def small_disk(tmp_path):
    """A real 16 MB filesystem (tmpfs), so the disk really fills; skipped where mounting is not
    allowed (the tests run as root in CI, which may mount)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here: " + done.stderr.decode(errors="replace").strip())
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> None:
    """Take every free byte of the filesystem but a few."""
    with open(folder / "ballast", "wb") as ballast:
        try:
            while True:
                ballast.write(b"\0" * 65536)
                ballast.flush()
        except OSError:
            pass


@pytest.mark.slow
def test_a_full_disk_is_said_plainly_and_leaves_the_store_consistent(small_disk):
    db = small_disk / "audit.duckdb"
    runner = CliRunner()
    loaded = runner.invoke(app, ["ingest", str(RETURNS / "good-return"), str(RETURNS / "good-pack"), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    _fill(small_disk)
    for command in (
        ["run", "--period", "2026-Q2"],
        ["ingest", str(RETURNS / "good-return")],  # a resubmission
        ["stories", "held", "--period", "2026-Q2"],  # records screening
    ):
        result = runner.invoke(app, command + ["--db", str(db)])
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output and "is full" in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    (small_disk / "ballast").unlink()
    with store.reading(db) as con:  # as it was: a return and a pack, no half-made run or resubmission
        assert con.execute("SELECT count(*) FROM submissions").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM current_submissions").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM episodes").fetchone() == (5,)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM results").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM story_screening").fetchone() == (0,)


@pytest.mark.slow
def test_a_writer_without_the_log_writes_the_file_when_it_closes(tmp_path):
    """audits.ingest writes a batch without the write-ahead log: each commit is kept in memory
    and the file gets them all when the connection closes; nothing of them before."""
    db = tmp_path / "audit.duckdb"
    store.connect(db).close()
    with store.writing(db, log=False) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO providers VALUES ('P1', 'One', 'North')")
        con.execute("COMMIT")
        assert not db.with_name(db.name + ".wal").exists()
        # Another process reading the file now would find nothing (it is locked for it, so a
        # copy of the file stands in for what a killed process leaves behind).
        shutil.copy(db, tmp_path / "copy.duckdb")
    with store.reading(tmp_path / "copy.duckdb") as con:
        assert con.execute("SELECT count(*) FROM providers").fetchone() == (0,)
    with store.reading(db) as con:
        assert con.execute("SELECT * FROM providers").fetchall() == [("P1", "One", "North")]
    # A store this process has open already is shared, with its log (DuckDB allows one
    # database per file in a process).
    holder = store.connect(db)
    try:
        with store.writing(db, log=False) as con:
            con.execute("INSERT INTO providers VALUES ('P2', 'Two', 'South')")
        assert holder.execute("SELECT count(*) FROM providers").fetchone() == (2,)
    finally:
        holder.close()


@pytest.mark.slow
def test_schema_version_counts_the_migrations_whether_applied_at_once_or_in_steps(tmp_path, monkeypatch):
    """migrate keeps the count as it goes instead of reading it back after each migration."""
    shipped = store.migrations()
    db = tmp_path / "audit.duckdb"
    monkeypatch.setattr(store, "migrations", lambda: shipped[:3])
    with store.writing(db) as con:
        assert store.schema_version(con) == 3
    monkeypatch.undo()
    with store.writing(db) as con:
        applied = con.execute("SELECT count(*) FROM migrations").fetchone()[0]
        assert store.schema_version(con) == applied == len(shipped)
    fresh = duckdb.connect(":memory:")
    assert store.migrate(fresh) == store.schema_version(fresh) == len(shipped)
