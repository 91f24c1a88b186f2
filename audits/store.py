"""The embedded DuckDB store: where it lives, how to open it, and its schema.

DuckDB allows one writing process *or* many reading processes per file. The
auditors' command line writes; the dashboard only ever opens short-lived
read-only connections. A writer that finds the file locked waits briefly, then
says plainly which process holds it, instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from audits import spec

DB_ENV = "LIVED_STANDARDS_DB"
DEFAULT_DB = Path("data/audit.duckdb")


class StoreBusy(RuntimeError):
    """The store is locked by another process for longer than we were willing to wait."""


class StoreMissing(RuntimeError):
    """A read was asked of a store that has not been created yet."""


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
    db: str | os.PathLike | None = None, *, read_only: bool = False, wait_seconds: float = 10.0
) -> duckdb.DuckDBPyConnection:
    """Open the store, retrying while another process holds the lock.

    A read-write connection creates the file and brings its schema up to date. A
    read-only connection to a store that does not exist yet raises StoreMissing.
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
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
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
        migrate(con)
    return con


@contextlib.contextmanager
def reading(db: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection: open, query, close (about 20 ms)."""
    con = connect(db, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def writing(db: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, closed afterwards so readers can come back in."""
    con = connect(db, read_only=False)
    try:
        yield con
    finally:
        con.close()


# --------------------------------------------------------------------------- schema

_PREFIX = "submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL"


def _data_table_ddl(table: spec.Table) -> str:
    cols = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in table.columns)
    return f"CREATE TABLE {table.name} ({_PREFIX}, {cols});"


def _current_view_ddl(table: spec.Table) -> str:
    """cur_<table>: rows of the current submission of each provider and period, with
    period_start and period_end so that standards expressions can use them."""
    cols = ", ".join(f't."{c.name}"' for c in table.columns)
    return (
        f"CREATE VIEW cur_{table.name} AS SELECT t.submission_id, t.provider_id, t.period, t.line, {cols}, "
        "p.period_start, p.period_end "
        f"FROM {table.name} t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current "
        "JOIN periods p ON p.period = t.period;"
    )


def _schema_v1() -> list[str]:
    statements = [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);",
        # Every quarter that any submission names, with its first and last day.
        "CREATE TABLE periods (period VARCHAR PRIMARY KEY, period_start DATE NOT NULL, period_end DATE NOT NULL);",
        "CREATE TABLE providers (provider_id VARCHAR PRIMARY KEY, provider_name VARCHAR, area VARCHAR);",
        # One row per return or evidence pack ever loaded. Resubmitting replaces the
        # current one (is_current) but the earlier stays, with its files' checksums.
        """CREATE TABLE submissions (
            submission_id VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,               -- 'return' or 'pack'
            provider_id VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            provider_name VARCHAR, area VARCHAR, submitted_on DATE, gathered_by VARCHAR,
            source VARCHAR,                      -- the path or upload name it came from
            form VARCHAR,                        -- folder, zip or xlsx
            sha256 VARCHAR,                      -- of the whole submission (files in name order)
            loaded_at TIMESTAMP NOT NULL,
            loaded_by VARCHAR,
            is_current BOOLEAN NOT NULL,
            replaced_by VARCHAR, replaced_at TIMESTAMP,
            rows_loaded INTEGER, rows_quarantined INTEGER,
            report_json VARCHAR                  -- the validation report (problems, grouped)
        );""",
        "CREATE TABLE submission_files (submission_id VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, bytes BIGINT);",
        # Rows held back: kept with their reasons, never silently dropped.
        """CREATE TABLE quarantine (
            submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL, file_name VARCHAR NOT NULL, line INTEGER NOT NULL,
            key_value VARCHAR, reasons VARCHAR NOT NULL, row_json VARCHAR NOT NULL
        );""",
    ]
    for table in spec.RETURN_TABLES + spec.PACK_TABLES:
        statements.append(_data_table_ddl(table))
        statements.append(_current_view_ddl(table))
    statements += [
        # Screening and the auditor's decisions about stories (keyed by provider,
        # period and story id, so a decision survives a resubmitted pack).
        """CREATE TABLE story_screening (
            provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
            submission_id VARCHAR NOT NULL, flags VARCHAR, screened_at TIMESTAMP NOT NULL
        );""",
        """CREATE TABLE story_reviews (
            provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
            decision VARCHAR NOT NULL,           -- cleared, redacted, kept_out
            redacted_text VARCHAR, reviewed_by VARCHAR NOT NULL, reviewed_at TIMESTAMP NOT NULL, note VARCHAR
        );""",
        """CREATE TABLE story_withdrawals (
            provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
            submission_id VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL
        );""",
        # Audit runs are append-only: inputs by checksum, standards as they were.
        """CREATE TABLE runs (
            run_id VARCHAR PRIMARY KEY, period VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP, run_by VARCHAR, standards_dir VARCHAR, skipped_json VARCHAR
        );""",
        """CREATE TABLE run_inputs (
            run_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,   -- 'standard' or 'submission'
            name VARCHAR NOT NULL, version VARCHAR, sha256 VARCHAR NOT NULL, submission_id VARCHAR
        );""",
        """CREATE TABLE run_standards (
            run_id VARCHAR NOT NULL, standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL,
            file_name VARCHAR, sha256 VARCHAR, body_json VARCHAR NOT NULL   -- the standard as audited
        );""",
        """CREATE TABLE results (
            run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
            standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL, measure_id VARCHAR NOT NULL,
            numerator DOUBLE, denominator DOUBLE, value DOUBLE, ci_lower DOUBLE, ci_upper DOUBLE,
            rating VARCHAR NOT NULL,             -- green, amber, red, no_data
            numerator_rows BIGINT, denominator_rows BIGINT,   -- unweighted people counts, for suppression
            benchmark DOUBLE, comparison VARCHAR -- similar, better, worse, best, worst, not_compared
        );""",
        """CREATE TABLE standard_results (
            run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
            standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL,
            rating VARCHAR NOT NULL              -- worst rated measure; no_data when none is rated
        );""",
        """CREATE TABLE signoffs (
            provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, run_id VARCHAR,
            name VARCHAR NOT NULL, organisation VARCHAR NOT NULL, declaration VARCHAR NOT NULL,
            signed_by VARCHAR, signed_at TIMESTAMP NOT NULL
        );""",
        """CREATE TABLE accounts (
            username VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL,
            role VARCHAR NOT NULL,               -- commissioner, auditor, expert_citizen, provider
            provider_id VARCHAR, password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
        );""",
    ]
    return statements


# Version 2: an auditor's tagging of a story to standards (audits.stories.tag_story). The latest
# tagging of a provider's story in a period wins over the pack's own standards column; an empty
# standards value is a tagging that clears. Kept append-only, with who and when.
_SCHEMA_V2 = [
    """CREATE TABLE story_tags (
        provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
        standards VARCHAR NOT NULL,          -- standard ids separated by ';' ('' clears)
        tagged_by VARCHAR NOT NULL, tagged_at TIMESTAMP NOT NULL
    );""",
]

# Each entry brings the schema from version i to i + 1. Add new ones at the end;
# never edit one that has shipped.
MIGRATIONS: list[list[str]] = [_schema_v1(), _SCHEMA_V2]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema forward, one migration per transaction."""
    current = schema_version(con)
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"This store was written by a newer version of Lived Standards (schema {current}); "
            f"this version knows schema {len(MIGRATIONS)}. Update the tool."
        )
    for version in range(current, len(MIGRATIONS)):
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in MIGRATIONS[version]:
                con.execute(statement)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version + 1)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def ensure_period(con: duckdb.DuckDBPyConnection, period: str) -> None:
    start, end = spec.parse_period(period)
    con.execute("INSERT OR IGNORE INTO periods VALUES (?, ?, ?)", [period, start, end])
