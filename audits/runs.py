"""Audit runs: append-only records an auditor can stand behind.

A run reads the standards folder and the period's current returns, runs the checks
on a read-only connection with file and network access switched off, and only then
records everything in one write transaction: who ran it and when, the SHA-256 of every
standards file and every submission used, each standard exactly as audited, and the
results. Nothing of a run is ever updated or deleted; the latest run of a period is
the one that started last.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from audits import breakdowns, engine, kinds, spec, stats, store, tiers
from audits.cells import safe_cell
from audits.standard_files import keep_checked, load_standards
from audits.standard_model import Standard

if TYPE_CHECKING:
    import pandas

# audits.disclosure and audits.disclosure_breakdowns (and pandas, which they import) are imported
# where they are used: run_audit imports pandas on a thread of its own while the engine's first
# queries run in DuckDB (_import_aside), and imports them only once the engine's checks are done.

EXPORT_COLUMNS = [
    "run_id",
    "provider_id",
    "period",
    "standard_id",
    "standard_version",
    "measure_id",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "rating",
]
RESULT_COLUMNS = ["run_id"] + engine.MEASURE_COLUMNS
STANDARD_RESULT_COLUMNS = ["run_id"] + engine.STANDARD_COLUMNS


class RunError(ValueError):
    """An audit that cannot run or a result that cannot be found, said plainly."""


def _check_period(period: str) -> None:
    try:
        spec.parse_period(period)
    except ValueError as error:
        raise RunError(f"{error}.") from None


def _import_pandas() -> None:
    """Import pandas (and numpy and pyarrow, which it imports) with the collector off: its
    ~100,000 objects are not walked while they are made. In a process that froze its objects
    before (the command line, audits/__main__.py) they are frozen too, as its own imports were."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        import pandas  # noqa: F401
    finally:
        if gc.get_freeze_count() > 0:
            gc.freeze()
        if enabled:
            gc.enable()


def _import_aside() -> threading.Thread | None:
    """pandas imported on a thread of its own, started as the engine's queries and the figures by
    group start in DuckDB: a fresh `python -m audits run` has not imported it (~0.2 s of its
    ~1.6 s), and nothing of the audit needs it until the checks are done. DuckDB lets go of
    Python while it works, so the import is done in the time the queries take, not before them.
    Only pandas and what it imports load there (none of them imports audits), so this thread
    and the others never wait for each other's modules, only for pandas until it is done. None
    when pandas is imported already (the tests, the dashboard)."""
    if "pandas" in sys.modules:
        return None
    thread = threading.Thread(target=_import_pandas, name="import-pandas", daemon=True)
    thread.start()
    return thread


def run_audit(
    db,
    period: str,
    standards_dir: Path = Path("standards"),
    run_by: str | None = None,
    then: Callable[[duckdb.DuckDBPyConnection, str], Callable[[], object]] | None = None,
) -> str:
    """Run every approved standard over the period's current returns; the new run's id.

    Refuses (RunError) when any standards file is invalid, naming every problem, when
    no standard is approved, or when no return of the period is loaded.

    `then(con, run_id)`: called on the store's connection once the run is committed, to read what
    the caller will say of it (the command line's summary) without opening the store again. The
    function it gives back (that summary drawn, which needs no store) runs on a thread of its own
    while the store writes the run into its file and closes (DuckDB's checkpoint: C++, without
    Python's lock), so the two take the time of the longer; the run id is returned once both are
    done.
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
        # each people measure by sex, age and ethnic group, read by DuckDB on a thread of its own
        # (its own cursor) while this one runs the engine's checks and works out in Python what
        # of the whole may be published, protected against every earlier run of the quarter:
        # independent reads of the same store, so the audit records the same either way, in less
        # time (the groups' figures need only the providers, not the engine's; those of a standard
        # the engine could not work out are set aside by breakdowns.evaluate)
        providers = sorted({provider_id for _, provider_id, _ in submissions})
        migrated = store.migration_count(con)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="breakdowns") as aside:
            cursor, earlier_cursor = con.cursor(), con.cursor()
            importing = None
            try:
                read = aside.submit(breakdowns.figures, cursor, audited, period, providers)
                importing = _import_aside()
                before = None
                try:
                    result = engine.evaluate(con, audited, period)
                    from audits import disclosure, disclosure_breakdowns

                    # what earlier runs of the quarter published of the groups, on a cursor and
                    # thread of its own: read while the figures still are, not after them
                    before = aside.submit(disclosure_breakdowns.earlier, earlier_cursor, period)
                    # what of it may be published, protected against every earlier run of the quarter
                    worked = [s for s in audited if s.id not in result.failed]
                    protected = disclosure.protect_new_run(con, result.measures, worked) if worked else None
                finally:
                    wait([f for f in (read, before) if f])  # the cursors are closed once their queries are done
                parts = breakdowns.evaluate(cursor, worked, period, result.measures, read.result())
                earlier = before.result() if worked else []
            finally:
                cursor.close()
                earlier_cursor.close()
                if importing is not None:
                    importing.join()
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
    # the store as the reading connection found it: no migration to check for again
    fresh = migrated if migrated == len(store.migrations()) else None
    drawing = None
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="then") as aside,
        store.writing(db, log=False, migrated=fresh) as con,
    ):
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
        if then is not None:
            drawing = aside.submit(then(con, run_id))
    if drawing is not None:
        drawing.result()
    return run_id


def failed_standards(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    """Approved standards a run left out because they could not be worked out: id -> why."""
    row = con.execute("SELECT skipped_json FROM runs WHERE run_id = ?", [run_id]).fetchone()
    skipped = json.loads(row[0]) if row and row[0] else []
    return {s["id"]: s["reason"] for s in skipped if s.get("status") == "failed"}


def latest_run_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The latest run of every audited period, in one query (period -> run id): the one
    place that says which run is "latest" (newest start, then highest run id)."""
    rows = con.execute(
        "SELECT period, arg_max(run_id, (started_at, run_id)) FROM runs GROUP BY period ORDER BY period"
    ).fetchall()
    return dict(rows)


def latest_run_id(con: duckdb.DuckDBPyConnection, period: str) -> str | None:
    return latest_run_ids(con).get(period)


def _frame(con, table: str, columns: list[str], run_id: str, provider_id: str | None, order: str) -> pandas.DataFrame:
    sql = (
        f"SELECT {', '.join('r.' + c for c in columns)}, p.provider_name FROM {table} r "
        "LEFT JOIN providers p USING (provider_id) WHERE r.run_id = ?"
    )
    params: list = [run_id]
    if provider_id is not None:
        sql += " AND r.provider_id = ?"
        params.append(provider_id)
    return con.execute(sql + f" ORDER BY {order}", params).df()


@tiers.output(tiers.RESTRICTED, "a run's exact measure results")
def read_results(con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None) -> pandas.DataFrame:
    """Measure results of a run, exact (restricted: audits.disclosure.public_results is what may be
    published), with the provider's name."""
    df = _frame(con, "results", RESULT_COLUMNS, run_id, provider_id, "r.provider_id, r.standard_id, r.measure_id")
    df = stats.row_counts(df)
    return df


@tiers.output(tiers.RESTRICTED, "a run's exact standard ratings")
def read_standard_results(
    con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None
) -> pandas.DataFrame:
    """Standard ratings of a run, with the provider's name."""
    return _frame(con, "standard_results", STANDARD_RESULT_COLUMNS, run_id, provider_id, "r.provider_id, r.standard_id")


def run_standards(con: duckdb.DuckDBPyConnection, run_id: str) -> list[Standard]:
    """The standards exactly as they were audited in this run (not as the folder is now)."""
    rows = con.execute("SELECT body_json FROM run_standards WHERE run_id = ? ORDER BY standard_id", [run_id]).fetchall()
    return [Standard.model_validate_json(r[0]) for r in rows]


def _cell(value) -> str:
    if stats.is_missing(value):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return safe_cell(value)


@tiers.output(tiers.BY_CALLER, "a run's results as CSV: the auditor's file, or with public=True the public one")
def export_csv(
    con: duckdb.DuckDBPyConnection,
    period: str,
    path,
    run_id: str | None = None,
    public: bool = False,
    released_by: str | None = None,
) -> Path:
    """Write the results columns of the specification for a run (latest of the period by
    default). Unsuppressed: the auditor's working file (restricted). public=True writes the
    quarter's one public version (audits.disclosure), releasing it if nothing of the quarter was
    released yet (a writing connection), and refusing a run other than the one released; a note
    beside the file says what is hidden and why."""
    from audits import disclosure

    _check_period(period)
    if public and run_id is None:
        released = disclosure.current_release(con, period)
        run_id = released["run_id"] if released else None
    run_id = run_id or latest_run_id(con, period)
    if run_id is None:
        raise RunError(f"No audit has been run for {period} yet: run python -m audits run --period {period} first.")
    row = con.execute("SELECT period FROM runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise RunError(f"There is no audit run '{run_id}'. Leave out --run to export the latest run of {period}.")
    if row[0] != period:
        raise RunError(f"Run '{run_id}' is an audit of {row[0]}, not {period}: give --period {row[0]}.")
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise RunError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    if public:
        try:
            released = disclosure.release(con, period, run_id, released_by, how="export")
        except disclosure.ReleaseError as error:
            raise RunError(str(error)) from None
        published = disclosure.public_results(con, run_id)
        # a rating merged or withheld is not one of the four the contract allows: left empty
        df = published.assign(rating=published["rating"].where(~published["rating"].isin(disclosure.NOT_ONE_BAND), ""))
        df = contract_intervals(df, run_standards(con, run_id))
    else:
        df = read_results(con, run_id)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for record in df[EXPORT_COLUMNS].itertuples(index=False):
            writer.writerow([_cell(v) for v in record])
    if public:
        notes_path(path).write_text(disclosure.notes(published, released), encoding="utf-8")
    return path


def notes_path(path: Path) -> Path:
    """The note beside a public CSV: what is hidden in it and why."""
    return path.with_name(path.stem + "-notes.txt")


def contract_intervals(df: pandas.DataFrame, standards: list[Standard]) -> pandas.DataFrame:
    """Results with ci_lower and ci_upper left empty where the results contract gives the figure
    no interval (a count, a median: audits.kinds), as published results are read against it."""

    measures = {(s.id, m.id): m for s in standards for m in s.measures}
    keep = [
        (k in measures and kinds.kind_of(measures[k]).has_interval and kinds.kind_of(measures[k]).interval_exported)
        for k in zip(df["standard_id"], df["measure_id"])
    ]
    out = df.copy()
    for column in ("ci_lower", "ci_upper"):
        out[column] = out[column].astype("float64").where(keep)
    return out
