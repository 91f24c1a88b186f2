"""Every row an audit run wrote, ids and times aside: for tests that restructure how the store
is written or how the audit works and must show the same rows come out
(tests/test_breakdowns_same.py, tests/test_submission_numbers.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Every table a run writes, and its columns that are neither the run's id nor a time.
WRITTEN = (
    "results", "public_results", "standard_results", "public_standard_results", "breakdowns",
    "public_breakdowns", "run_inputs", "run_standards",
)  # fmt: skip


def written(db: Path) -> dict[tuple[str, int], list[str]]:
    """Every row each run wrote, in the order the runs started, the run's id left out."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY started_at, run_id").fetchall()]
        out = {}
        for table in WRITTEN:
            columns = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if r[0] != "run_id"
            ]
            for n, run_id in enumerate(ids):
                rows = con.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE run_id = ?", [run_id]).fetchall()
                out[(table, n)] = sorted(map(repr, rows))
        return out
    finally:
        con.close()
