"""A submission's row as the ingest wrote it before migration 0061 (main bf64289): its files in a
table of their own, submission_files, by a second statement. Kept on purpose, as the other
*_before modules: tests/test_submission_files.py loads a store this way with the migrations
before 0061, lets 0061 carry it over, and checks it reads as a store loaded by the new code.
Not product code: never imported by audits/."""

from __future__ import annotations

import json

import duckdb

from audits.returns import Validation


def add_submission(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    submission_id: str,
    source: str,
    now,
    loaded_by: str | None,
    rows: dict[str, int],
) -> int:
    """audits.ingest._add_submission before 0061: the row, then its files' rows."""
    meta = validation.meta
    (number,) = con.execute(
        "INSERT INTO submissions (submission_id, kind, provider_id, period, provider_name, area, "
        "submitted_on, gathered_by, source, form, sha256, loaded_at, loaded_by, is_current, "
        "rows_loaded, rows_quarantined, report_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?, ?) RETURNING number",
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
    ).fetchall()[0]
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
