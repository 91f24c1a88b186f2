"""The embedded DuckDB store: where it lives, how to open it, and its schema.

DuckDB allows one writing process *or* many reading processes per file. The
auditors' command line writes; the dashboard only ever opens short-lived
read-only connections. A writer that finds the file locked waits briefly, then
says plainly which process holds it, instead of a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from audits import spec

DB_ENV = "LIVED_STANDARDS_DB"
DEFAULT_DB = Path("data/audit.duckdb")


class StoreError(RuntimeError):
    """Something about the store itself, said plainly (every command and page catches these)."""


class StoreBusy(StoreError):
    """The store is locked by another process for longer than we were willing to wait."""


class StoreMissing(StoreError):
    """A read was asked of a store that has not been created yet."""


class StoreFull(StoreError):
    """The disk holding the store is full; the write was rolled back."""


# How long a reader waits for a writer to let go (the dashboard waits less: it says it is busy).
READ_WAIT_SECONDS = 10.0


def _disk_full(error: BaseException) -> bool:
    text = str(error).lower()
    return getattr(error, "errno", None) == 28 or "no space left on device" in text or "disk is full" in text


def _full_message(path: Path) -> str:
    return (
        f"The disk that holds the store {path} is full, so the write under way was undone: nothing is "
        "half-loaded, because each submission, audit run and decision is written whole or not at all "
        "(anything this command finished before it stays). Free some space on that disk, or move the "
        "store with --db, and run the command again."
    )


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the transaction after a failure, without hiding the failure: a rollback that cannot
    run (the disk is full, the transaction is already gone) must not replace the real reason."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def db_path(db: str | os.PathLike | None = None) -> Path:
    """--db if given, else $LIVED_STANDARDS_DB, else data/audit.duckdb."""
    if db:
        return Path(db)
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return DEFAULT_DB


def _lock_message(path: Path, error: Exception) -> str:
    text = str(error)
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another program"
    return (
        f"The store {path} is in use by {holder}, which is writing to it, and it was still busy "
        "after waiting. Wait for that program (an ingest, an audit run or the dashboard's "
        "upload) to finish and try again; if it has stopped responding, close it."
    )


def _is_lock_error(error: Exception) -> bool:
    text = str(error)
    return "lock" in text.lower() or "different configuration" in text


def connect(
    db: str | os.PathLike | None = None,
    *,
    read_only: bool = False,
    wait_seconds: float | None = None,
    log: bool = True,
    migrated: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store, retrying while another process holds the lock.

    A read-write connection creates the file and brings its schema up to date. A
    read-only connection to a store that does not exist yet raises StoreMissing.

    `log=False` (a writer only): commits are not written to the write-ahead log; they
    reach the file when the connection closes (DuckDB's checkpoint), all at once. For a
    writer that reports nothing as done before it closes (audits.ingest's batches): a
    process killed before then leaves the store as it was when the connection opened,
    so each transaction is still all or nothing. A log left by an earlier writer that
    died is replayed on opening, as always.

    `migrated` (a writer only): how many migrations this process found applied when it last
    opened the store (audits.ingest, which reopens it for every batch). If the store still
    records that many, the full check (every migration file read and hashed, the schema
    looked up: ~30 ms CPU, ~0.1 s under load, 29 times a national year) is skipped; any
    other count (another version wrote in between) gets the full check as usual.
    """
    path = db_path(db)
    if path.is_dir():
        raise StoreMissing(
            f"The store {path} is a folder, not a file: give the store's file, "
            f"for example --db {path / 'audit.duckdb'}."
        )
    if read_only and not path.exists():
        raise StoreMissing(f"There is no store at {path} yet: load some returns first (python -m audits ingest PATH).")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreMissing(
                f"The store {path} cannot be made: its folder {path.parent} cannot be created "
                f"({error.strerror or error}). Give --db a file in a folder you can write to."
            ) from None
    if wait_seconds is None:
        wait_seconds = READ_WAIT_SECONDS if read_only else 10.0
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = _open(path, read_only, log)
            break
        except duckdb.Error as error:  # IOException / ConnectionException on a lock
            if not _is_lock_error(error):
                raise StoreMissing(
                    f"{path} cannot be opened as a store ({error}). Give the "
                    "store's file (made by python -m audits ingest), or a new "
                    "file name to start one."
                ) from None
            if time.monotonic() >= deadline:
                raise StoreBusy(_lock_message(path, error)) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        if migrated is None or migration_count(con) != migrated:
            migrate(con)
    elif _seen_current(path):
        pass  # this very file was up to date a moment ago (its size and time unchanged)
    elif pending(con):
        # A store left behind by an older version: the first reader brings it forward (briefly
        # as a writer), so that every reader sees one schema. A writer holding the lock will
        # have migrated it already.
        con.close()
        connect(path, wait_seconds=wait_seconds).close()
        return connect(path, read_only=True, wait_seconds=wait_seconds)
    else:
        _mark_current(path)
    return con


_UNLOGGED = "unlogged_store"  # the name of the store's file attached without its log


def _open(path: Path, read_only: bool, log: bool) -> duckdb.DuckDBPyConnection:
    if log or read_only:
        return duckdb.connect(str(path), read_only=read_only)
    # The store's file attached to an empty in-memory database, without log writes, and made
    # the default, so every statement reads as on a plain connection.
    con = duckdb.connect()
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {_UNLOGGED} (RECOVERY_MODE no_wal_writes)")
        con.execute(f"USE {_UNLOGGED}")
    except duckdb.Error as error:
        con.close()
        if "already attached" in str(error):
            # This process has the store open already (DuckDB shares that one database between
            # its connections): share it too, with its log.
            return duckdb.connect(str(path))
        raise
    except BaseException:
        con.close()
        raise
    return con


# Files seen with every migration applied, by (path, device, inode, size, modification time): a
# reader skips the migrations check (~0.05 s of the ~0.1 s an open costs under load) until the
# file is written again. Migrations only ever add, so a file unchanged since it was current is
# still current.
_CURRENT: set[tuple] = set()
_CURRENT_MAX = 64


def _identity(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def file_state(db: str | os.PathLike | None = None) -> tuple | None:
    """The store's file and its write-ahead log as they stand on disk (device, inode, size and
    time modified of each; None when the store is missing): while it is unchanged, nobody has
    written to the store (every commit changes the log or, at a checkpoint, the file), so a
    reader may keep what it read at that state. Taken before a read, never after it."""
    path = db_path(db)
    store = _identity(path)
    return None if store is None else (store, _identity(path.with_name(path.name + ".wal")))


def _mark_current(path: Path) -> None:
    identity = _identity(path)
    if identity is not None:
        _CURRENT.add(identity)


def _seen_current(path: Path) -> bool:
    if len(_CURRENT) > _CURRENT_MAX:
        _CURRENT.clear()
    identity = _identity(path)
    return identity is not None and identity in _CURRENT


def migration_count(con: duckdb.DuckDBPyConnection) -> int | None:
    """How many migrations the store records (None: it has no migrations table; then DuckDB
    may even look for a Python variable of that name, so any error means "unknown")."""
    try:
        return con.execute("SELECT count(*) FROM migrations").fetchall()[0][0]
    except duckdb.Error:
        return None


def pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Has this store missed a migration shipped with this version?"""
    return len(applied_migrations(con)) < len(migrations())


@contextlib.contextmanager
def reading(db: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection: open, query, close (about 20 ms)."""
    con = connect(db, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def writing(
    db: str | os.PathLike | None = None, *, log: bool = True, migrated: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, closed afterwards so readers can come back in. A full disk is
    StoreFull, a plain message: every write runs in a transaction, so nothing was half-written.
    `log=False` and `migrated`: see `connect` (with log=False nothing is in the file until the
    connection has closed)."""
    try:
        con = connect(db, read_only=False, log=log, migrated=migrated)
    except (duckdb.Error, OSError) as error:
        if _disk_full(error):
            raise StoreFull(_full_message(db_path(db))) from None
        raise
    try:
        yield con
        if not log and con.execute("SELECT current_database()").fetchone()[0] == _UNLOGGED:
            # The commits reach the file here, not at each COMMIT: a failure (a full disk) must
            # be said, not lost in the close (the file keeps what it had before).
            con.execute("CHECKPOINT")
    except (duckdb.Error, OSError) as error:
        if _disk_full(error):
            raise StoreFull(_full_message(db_path(db))) from None
        raise
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass  # closing after a failed write on a full disk: the failure is what matters
        else:
            # a writer's store has every migration (connect saw to it): a reader of this very file
            # in this process (the command line's summary after an audit) need not check again
            _mark_current(db_path(db))


# --------------------------------------------------------------------------- schema

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Migration:
    """One file of audits/migrations: fixed SQL text, applied once, in name order."""

    name: str  # the file name without .sql, e.g. "0002_story_tags"
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def migrations() -> list[Migration]:
    """Every migration shipped with this version, in the order they apply.

    Each is frozen text, as datasette keeps its internal database: a store made by an old
    version and a new store end with the same tables because both ran the same files. The
    schema is never generated from the live specification, so changing the contract needs
    a new migration (tests/test_store.py checks a fresh store still matches spec.py).
    """
    files = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    return [Migration(f.stem, f.read_text(encoding="utf-8")) for f in files]


# Stores made before migrations were files recorded only a count in meta.schema_version:
# that many of the first migrations had been applied.
_BOOKKEEPING = """CREATE TABLE IF NOT EXISTS migrations (
    name VARCHAR PRIMARY KEY, sha256 VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"""


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    # fetchall, not fetchone: a result left half-read blocks register() on this connection.
    return (
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0] > 0
    )


def applied_migrations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """name -> sha256 of every migration this store has had (read-only connections too)."""
    if _table_exists(con, "migrations"):
        return dict(con.execute("SELECT name, sha256 FROM migrations").fetchall())
    count = schema_version(con)
    return {m.name: m.sha256 for m in migrations()[:count]}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """How many migrations the store has had (kept in meta for stores older than the
    migrations table, and for people reading the store by hand)."""
    if not _table_exists(con, "meta"):
        return 0
    row = next(iter(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()), None)
    return int(row[0]) if row else 0


class SchemaError(RuntimeError):
    """The store and this version of the tool disagree about the schema, said plainly."""


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration the store has not had, each in its own transaction; the number
    of migrations the store now has. Refuses a store written by a newer version, and a
    shipped migration whose text was changed afterwards."""
    known = migrations()
    by_name = {m.name: m for m in known}
    applied = applied_migrations(con)
    newer = sorted(set(applied) - set(by_name))
    if newer:
        raise SchemaError(
            f"This store was written by a newer version of Lived Standards (it has the migration "
            f"{newer[0]}, which this version does not know). Update the tool before using this store."
        )
    edited = [name for name, sha in applied.items() if by_name[name].sha256 != sha]
    if edited:
        raise SchemaError(
            f"The migration {edited[0]} was changed after this store applied it. Shipped migrations are "
            "never edited: put the change back and add a new migration file instead."
        )
    if not _table_exists(con, "migrations") and applied:
        # A store from before the migrations table: record what its schema_version says it had.
        con.execute(_BOOKKEEPING)
        for m in known[: len(applied)]:
            con.execute("INSERT INTO migrations VALUES (?, ?, ?)", [m.name, m.sha256, now()])
    # the migrations table now has a row for each of `applied` (just written above for an old
    # store); each migration below adds one, so the count is kept here instead of read back
    # after every migration (a read of information_schema each time: most of a new store's
    # making, which every `standards check` and audit does for its trial store)
    count = len(applied)
    for m in known:
        if m.name in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute(_BOOKKEEPING)
            con.execute("INSERT INTO migrations VALUES (?, ?, ?)", [m.name, m.sha256, now()])
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(count + 1)])
            con.execute("COMMIT")
        except Exception:
            rollback(con)
            raise
        count += 1
    return len(known)


def now() -> dt.datetime:
    """The one clock of the store: UTC, without a zone (DuckDB TIMESTAMP), to the microsecond so
    that append-only rows written in the same second keep their order. Shown to people in UK
    time by audits.words."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def ensure_period(con: duckdb.DuckDBPyConnection, period: str) -> None:
    start, end = spec.parse_period(period)
    con.execute("INSERT OR IGNORE INTO periods VALUES (?, ?, ?)", [period, start, end])


# Migration 0008: the tables of a return keep their rows in `<name>_rows`, keyed by the
# submission's number (submissions.number) instead of three strings on every row; `<name>` is a
# view that joins the submission back. The pack's stories table still carries the strings.
NUMBERED: frozenset[str] = frozenset(t.name for t in spec.RETURN_TABLES)


def rows_table(table: str) -> str:
    """The table that holds a data table's rows (the name readers use may be a view)."""
    return f"{table}_rows" if table in NUMBERED else table


def rows_key(
    con: duckdb.DuckDBPyConnection, table: str, submission_id: str, provider_id: str, period: str
) -> tuple[str, dict[str, object]]:
    """Where one submission's rows of a data table are written, and the key every row carries
    (column -> value), for writers that know the submission by its id (audits.ingest, which
    has the number at hand, writes its own)."""
    if table not in NUMBERED:
        return table, {"submission_id": submission_id, "provider_id": provider_id, "period": period}
    found = con.execute(
        "SELECT number FROM submissions WHERE submission_id = ? AND provider_id = ? AND period = ?",
        [submission_id, provider_id, period],
    ).fetchall()
    if not found:
        raise ValueError(f"no submission {submission_id} of {provider_id} {period}: write it before its rows")
    return rows_table(table), {"submission": found[0][0]}
