"""The ingest's writing as it was before migration 0008 (main 8a895e4): every row of a return's
tables carried its submission's id, provider and period as text; and a submission's files, until
migration 0061, in a table of their own (`add_submission`, main bf64289). Kept on purpose, as the
other *_before modules: tests/test_submission_numbers.py loads a store this way with the
migrations before 0008, lets 0008 carry it over, and checks it reads and audits exactly as a
store loaded by the new code; tests/test_submission_files.py does the same for 0061. Not product
code: never imported by audits/."""

from __future__ import annotations

import json
import uuid

import duckdb
import pyarrow as pa

from audits import pack_withdrawals, spec, store
from audits.ingest import IngestOutcome, Known
from audits.returns import Validation


def load(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    source: str,
    loaded_by: str | None,
    known: Known,
) -> IngestOutcome:
    """One submission in one transaction (`known`: what the store already holds)."""
    kind, meta = validation.kind, validation.meta
    provider_id, period = meta["provider_id"], meta["period"]
    submission_id = f"{kind}-{provider_id}-{period}-{uuid.uuid4().hex[:12]}"
    now = store.now()
    tables = spec.PACK_TABLES if kind == "pack" else spec.RETURN_TABLES
    rows = {t.name: validation.counts.get(t.name, 0) for t in tables}
    outcome = IngestOutcome(
        source,
        kind,
        provider_id,
        period,
        loaded=True,
        submission_id=submission_id,
        rows=rows,
        quarantined=len(validation.quarantined),
        validation=validation,
    )
    con.execute("BEGIN TRANSACTION")
    try:
        # Only what is new or changed is written (each statement costs a few milliseconds).
        if period not in known.periods:
            store.ensure_period(con, period)
        named = (meta.get("provider_name"), meta.get("area"))
        if kind == "return" and known.providers.get(provider_id) != named:
            con.execute(
                "INSERT INTO providers VALUES (?, ?, ?) ON CONFLICT (provider_id) DO UPDATE SET "
                "provider_name = excluded.provider_name, area = excluded.area",
                [provider_id, *named],
            )
        elif provider_id not in known.providers:
            con.execute("INSERT OR IGNORE INTO providers (provider_id) VALUES (?)", [provider_id])
        # The current one (current_submissions) stops being current: one statement, as every
        # statement costs a few milliseconds and a national year is 1,200 submissions.
        # (Only when one is: a first submission for a quarter saves the statement.)
        if (kind, provider_id, period) in known.current:
            previous = con.execute(
                "UPDATE submissions SET is_current = false, replaced_by = ?, replaced_at = ? "
                "WHERE kind = ? AND provider_id = ? AND period = ? AND is_current RETURNING submission_id",
                [submission_id, now, kind, provider_id, period],
            ).fetchall()
            if previous:
                outcome.replaced = previous[0][0]
        add_submission(con, validation, submission_id, source, now, loaded_by, rows, numbered=False)
        for table in tables:
            typed = validation.batch.rows(table.name, validation.number) if rows[table.name] else None
            if typed is not None and typed.num_rows:
                insert(con, table, typed, [submission_id, provider_id, period])
        if len(validation.quarantined):
            con.register("_held", validation.quarantined)
            con.execute(
                "INSERT INTO quarantine SELECT ?, ?, ?, table_name, file_name, line, key_value, "
                "reasons, row_json FROM _held",
                [submission_id, provider_id, period],
            )
            con.unregister("_held")
        withdrawn = pack_withdrawals.Withdrawals()
        if kind == "pack" and pack_withdrawals.may_withdraw(validation):
            # (the pack's writing is the same before and after 0008: today's helper)
            withdrawn = pack_withdrawals.record(
                con, validation, submission_id, provider_id, period, now, known.withdrawals
            )
            outcome.withdrawals, outcome.withdrawn_elsewhere = len(withdrawn.recorded), withdrawn.elsewhere
        con.execute("COMMIT")
    except BaseException:
        store.rollback(con)
        raise
    if kind == "pack":
        known.withdrawals.committed(validation, provider_id, period, withdrawn.recorded)
    known.periods.add(period)
    known.current.add((kind, provider_id, period))
    if kind == "return" or provider_id not in known.providers:
        known.providers[provider_id] = named if kind == "return" else (None, None)
    return outcome


def insert(con: duckdb.DuckDBPyConnection, table: spec.Table, rows: pa.Table, prefix: list) -> None:
    """Bulk insert one submission's typed rows of one table (DuckDB scans the Arrow slice the
    validation made; no row-by-row Python, no DataFrame).

    DuckDB finds `_incoming_rows` among this function's variables (a replacement scan): half
    the cost of registering a view and dropping it again, for each of 6,000 tables a year."""
    _incoming_rows = rows  # noqa: F841 (read by DuckDB, by name)
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    values = ", ".join(f'CAST("{c.name}" AS {c.duckdb_type})' for c in table.columns)
    con.execute(
        f"INSERT INTO {table.name} (submission_id, provider_id, period, line, {columns}) "
        f"SELECT ?, ?, ?, line, {values} FROM _incoming_rows",
        prefix,
    )


def add_submission(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    submission_id: str,
    source: str,
    now,
    loaded_by: str | None,
    rows: dict[str, int],
    numbered: bool = True,
) -> int | None:
    """The submission's row, then its files' rows, as before migration 0061 (main bf64289: what
    tests/test_submission_files.py swaps in for audits.ingest._add_submission); its number
    (migration 0008), or, `numbered=False`, as before 0008: no number."""
    meta = validation.meta
    cursor = con.execute(
        "INSERT INTO submissions (submission_id, kind, provider_id, period, provider_name, area, "
        "submitted_on, gathered_by, source, form, sha256, loaded_at, loaded_by, is_current, "
        "rows_loaded, rows_quarantined, report_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?, ?)" + (" RETURNING number" if numbered else ""),
        [
            submission_id,
            validation.kind,
            meta["provider_id"],
            meta["period"],
            meta.get("provider_name"),
            meta.get("area"),
            meta.get("submitted_on"),
            meta.get("gathered_by"),
            source,
            validation.form,
            validation.sha256,
            now,
            loaded_by,
            sum(rows.values()),
            len(validation.quarantined),
            json.dumps(validation.report_json(), ensure_ascii=False),
        ],
    )
    number = cursor.fetchall()[0][0] if numbered else None
    if validation.files:
        con.execute(
            "INSERT INTO submission_files VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(validation.files)),
            [
                value
                for name, digest in sorted(validation.files.items())
                for value in (submission_id, name, digest, validation.sizes.get(name))
            ],
        )
    return number
