"""audits.runs.run_audit as it was before the breakdowns' groups were read beside the engine's
checks (main at dd1092f): the engine first, then the groups on a cursor of their own while the
whole's public figures were worked out, and the store's migrations checked again by the writer.
Kept only to show that the new order records the very same rows (tests/test_runs.py)."""

from __future__ import annotations

import contextlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import duckdb
import pandas

from audits import breakdowns, disclosure, disclosure_breakdowns, engine, store
from audits.runs import RESULT_COLUMNS, STANDARD_RESULT_COLUMNS, RunError, _check_period
from audits.standard_files import keep_checked, load_standards
from audits.standard_model import Standard


def run_audit(db, period: str, standards_dir: Path = Path("standards"), run_by: str | None = None) -> str:
    """Run every approved standard over the period's current returns; the new run's id.

    Refuses (RunError) when any standards file is invalid, naming every problem, when
    no standard is approved, or when no return of the period is loaded.
    """
    _check_period(period)
    standards_dir = Path(standards_dir)
    with contextlib.ExitStack() as opened:
        # the store is opened first so that the standards it has already checked (its cache,
        # audits.standard_files) need not be read afresh; a store that cannot be opened is
        # said only after the standards, as it always was
        try:
            con = opened.enter_context(store.reading(db))
        except (store.StoreError, store.SchemaError) as error:
            con, unopened = None, error
        load = load_standards(standards_dir, con)
        if not load.ok:
            raise RunError(
                f"The audit did not run: the standards in {standards_dir} have "
                f"{len(load.problems)} problem{'s' if len(load.problems) != 1 else ''}. "
                "Fix every one (python -m audits standards check shows them) and run again.\n" + load.report()
            )
        audited = load.audited
        if not audited:
            raise RunError(
                f"The audit did not run: no standard in {standards_dir} is approved "
                "(drafts and retired standards are never audited)."
            )
        if con is None:
            raise unopened
        started = store.now()
        engine.lock_down(con)
        submissions = con.execute(
            "SELECT submission_id, provider_id, sha256 FROM current_submissions "
            "WHERE kind = 'return' AND period = ? ORDER BY provider_id",
            [period],
        ).fetchall()
        if not submissions:
            raise RunError(
                f"The audit did not run: no provider's return for {period} is loaded. "
                f"Load the returns first (python -m audits ingest PATH)."
            )
        result = engine.evaluate(con, audited, period)
        # what of it may be published, protected against every earlier run of the quarter
        worked = [s for s in audited if s.id not in result.failed]
        # each people measure by sex, age and ethnic group, read by DuckDB on a thread of its own
        # (its own cursor) while this one works out in Python what of the whole may be
        # published, protected against every earlier run of the quarter: two independent reads
        # of the same store, so the audit records the same either way, in less time
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="breakdowns") as aside:
            cursor = con.cursor()
            found = aside.submit(_breakdowns, cursor, worked, period, result.measures)
            try:
                protected = disclosure.protect_new_run(con, result.measures, worked) if worked else None
            finally:
                wait([found])  # the cursor is closed only once its queries are done
                cursor.close()
            parts, earlier = found.result()
    # after the store is closed: the breakdowns' protection may fork worker processes, which
    # should not inherit a live connection's threads
    public_parts = (
        disclosure_breakdowns.protect(parts, result.measures, protected.measures, worked, earlier) if worked else None
    )
    if result.failed and len(result.failed) == len(audited):
        raise RunError(
            "The audit did not run: no approved standard could be worked out on these returns.\n"
            + "\n".join(f"{sid}: {why}." for sid, why in result.failed.items())
        )
    run_id = f"run-{started:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    skipped = [{"id": s.id, "version": s.version, "status": s.status} for s in load.standards if not s.audited]
    skipped += [
        {"id": s.id, "version": s.version, "status": "failed", "reason": result.failed[s.id]}
        for s in audited
        if s.id in result.failed
    ]
    audited = [s for s in audited if s.id not in result.failed]
    versions = {s.id: s.version for s in load.standards}
    measures = result.measures.copy()
    measures.insert(0, "run_id", run_id)
    standards = result.standards.copy()
    standards.insert(0, "run_id", run_id)
    protected.measures["run_id"] = run_id
    protected.standards["run_id"] = run_id
    with store.writing(db, log=False) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    period,
                    started,
                    store.now(),
                    run_by,
                    str(standards_dir),
                    json.dumps(skipped),
                ],
            )
            # every input in one statement (one INSERT per row was ~1.5 ms each, 150+ of them)
            inputs = [
                (run_id, "standard", path.name, str(versions[standard_id]), sha256, None)
                for standard_id, (path, sha256) in sorted(load.files.items())
            ] + [
                (run_id, "submission", provider_id, period, sha256 or "", submission_id)
                for submission_id, provider_id, sha256 in submissions
            ]
            if inputs:
                con.execute(
                    "INSERT INTO run_inputs VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(inputs)),
                    [value for row in inputs for value in row],
                )
            for standard in audited:
                path, sha256 = load.files[standard.id]
                con.execute(
                    "INSERT INTO run_standards VALUES (?, ?, ?, ?, ?, ?)",
                    [run_id, standard.id, standard.version, path.name, sha256, standard.model_dump_json()],
                )
            con.register("new_results", measures)
            con.execute(
                f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}) SELECT {', '.join(RESULT_COLUMNS)} FROM new_results"
            )
            con.register("new_standard_results", standards)
            con.execute(
                f"INSERT INTO standard_results ({', '.join(STANDARD_RESULT_COLUMNS)}) "
                f"SELECT {', '.join(STANDARD_RESULT_COLUMNS)} FROM new_standard_results"
            )
            disclosure.keep(con, protected)
            breakdowns.keep(con, run_id, parts)
            disclosure_breakdowns.keep(con, run_id, public_parts)
            keep_checked(con, load)
            con.execute("COMMIT")
        except Exception:
            store.rollback(con)
            raise
    return run_id


def _breakdowns(
    con: duckdb.DuckDBPyConnection, worked: list[Standard], period: str, measures: pandas.DataFrame
) -> tuple[pandas.DataFrame, list[pandas.DataFrame]]:
    """The run's exact breakdowns and the public breakdowns of the quarter's earlier runs."""
    parts = breakdowns.evaluate(con, worked, period, measures)
    return parts, disclosure_breakdowns.earlier(con, period) if worked else []
