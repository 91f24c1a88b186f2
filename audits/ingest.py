"""Load validated submissions into the store, each all or nothing.

A submission with blocking problems loads nothing. A loadable one goes in whole
(good rows to the data tables, held-back rows to `quarantine` with their reasons)
or not at all: if the process dies half way, DuckDB rolls the transaction back.
The command line writes a batch at a time, in one transaction (a submission's own if that
one fails: `_write_batch`), without the write-ahead log, so a process
killed during a batch leaves the store as the batch found it (none of that batch had
been reported as loaded). Resubmitting a provider's quarter makes the new submission current and keeps the
earlier one, with its files' checksums, in the history.
"""

from __future__ import annotations

import collections
import contextlib
import getpass
import json
import multiprocessing
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from audits import pack_withdrawals, reading, returns, spec, store
from audits.returns import Validation


@dataclass
class IngestOutcome:
    source: str
    kind: str | None
    provider_id: str | None
    period: str | None
    loaded: bool
    submission_id: str | None = None
    replaced: str | None = None  # the submission this one made no longer current
    rows: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    withdrawals: int = 0  # stories recorded in story_withdrawals
    withdrawn_elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (period, story id): same words
    validation: Validation | None = None
    same_as: str | None = None  # given twice in one command: the source loaded first
    same_files: bool = False  # … and with identical files (not an error)

    def summary(self) -> str:
        what = "evidence pack" if self.kind == "pack" else "return"
        who = f"{self.provider_id or '?'} {self.period or '?'}"
        if self.same_as == self.source:
            return f"= Not loaded again: {what} {who} ({self.source}) was given twice in this command."
        if self.same_as and self.same_files:
            return (
                f"= Not loaded again: {what} {who} ({self.source}) has the same files as {self.same_as}, "
                "loaded just before in this command."
            )
        if self.same_as:
            return (
                f"✖ Not loaded: {what} {who} ({self.source}) is a second, different {what} for the same "
                f"provider and quarter as {self.same_as}, loaded just before in this command. Keep the "
                f"one you mean; to replace the loaded one, load the other on its own."
            )
        if not self.loaded:
            return f"✖ Not loaded: {what} {who} ({self.source}) has blocking problems."
        counts = ", ".join(f"{n} {name}" for name, n in self.rows.items() if n) or "no rows"
        text = f"✔ Loaded {what} {who}: {counts}"
        if self.quarantined:
            text += f"; {self.quarantined:,} row{'s' if self.quarantined != 1 else ''} held back in quarantine"
        if self.withdrawals:
            text += f"; {self.withdrawals} withdrawn {'story' if self.withdrawals == 1 else 'stories'} recorded"
        if self.withdrawn_elsewhere:
            where = ", ".join(f"{story} of {period}" for period, story in self.withdrawn_elsewhere)
            text += (
                f"; the same words were told in another quarter ({where}): withdrawn there too, as a "
                "withdrawal is final"
            )
        if self.replaced:
            text += f" (replaces {self.replaced}, kept in the history)"
        return text + "."


# The write-ahead log a batch may grow to before DuckDB folds it into the store's file.
BATCH_LOG = "4GB"
# DuckDB's threads while a batch is written (measured under load: 1 costs a fifth less CPU than 2;
# on an idle machine 2 may be quicker while the validating process waits, to be measured).
# Two Python threads each writing whole submissions on connections of their own (commits in order)
# were measured too: 31% quicker writing alone, but in a national ingest the checking process
# keeps the other core busy, and it was ~2% quicker (within the noise) for ~2% more CPU: not kept
# (the notes of issue 15, ingest13).
WRITER_THREADS = 1
# DuckDB's threads for the checkpoint that ends each batch (its compression of the batch's rows:
# a third of the writer's CPU, split by row group over the threads): the validating process
# often waits for the writer, its core idle.
CHECKPOINT_THREADS = 2
# Batches checked ahead of the one being written (each held checked costs its memory: ~60-100 MiB
# for 40 returns).
AHEAD = 2


def default_loaded_by() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def ingest(
    paths: list[Path],
    db=None,
    loaded_by: str | None = None,
    progress: Callable[[IngestOutcome], None] | None = None,
    batch: int | None = None,
) -> list[IngestOutcome]:
    """Validate and load returns and evidence packs, each all or nothing (`_write_batch`).

    Batches are validated in a worker process (AHEAD of them at a time) while an earlier
    batch is written, so the Python checks and DuckDB's writing use two cores (a thread would
    share the interpreter's lock with the writing: with more than one batch, a process; the
    first batch is checked here while that process starts; the checked rows come back as
    Arrow files in shared memory, `_check`). `batch`: how many submissions a batch holds
    (None: by size, `batches`, which may load evidence packs between returns: `progress` hears
    of each submission as it is loaded, and the outcomes come back in the order of `paths`). The store is
    open only while a batch is written, so the dashboard can read in between. Once a
    submission is in the store its typed frames are let go (the outcome keeps the
    report): a national year would not fit in memory otherwise.
    """
    loaded_by = loaded_by or default_loaded_by()
    paths = [Path(p) for p in paths]
    seen: dict[tuple, Validation] = {}  # (kind, provider, period) -> the one loaded in this command
    # Each batch as the places of its submissions in `paths`: the outcomes come back in that order.
    places = (
        _batches(paths)
        if batch is None
        else [list(range(i, min(i + batch, len(paths)))) for i in range(0, len(paths), batch)]
    )
    chunks = [[paths[i] for i in chunk] for chunk in places]
    outcomes: list[IngestOutcome] = []
    migrated = None  # how many migrations the store had once checked in full (the first batch)
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(_validator(len(chunks)))
        ship = _shipping(stack) if isinstance(pool, ProcessPoolExecutor) else None
        pending: collections.deque[Future] = collections.deque()
        # With several batches, the first is checked here while the worker process starts (a
        # fresh interpreter's imports: seconds) and checks the next ones: the writer, the longer
        # half, never waits for the worker to start. A single batch is checked in a thread.
        queued = 1 if len(chunks) > 1 else 0  # the next batch to hand the worker

        def fill() -> None:
            """Keep AHEAD batches checked or being checked: a batch slower to check than the one
            before it was to write (the first packs after the returns) does not stall the writer."""
            nonlocal queued
            while len(pending) < AHEAD and queued < len(chunks):
                pending.append(pool.submit(_check, chunks[queued], ship))
                queued += 1

        for number in range(len(chunks)):
            fill()
            if number == 0 and len(chunks) > 1:
                validations = returns.validate_many(chunks[0], False)
            else:
                try:
                    validations = _received(*pending.popleft().result())
                except BrokenProcessPool:
                    # The worker process died or could not start (a script without `if __name__
                    # == "__main__":` is run again by a spawned process and fails): validate here,
                    # and the batches handed to it in a thread.
                    pool = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate"))
                    ship = None
                    pending.clear()
                    queued = number + 1
                    validations = returns.validate_many(chunks[number], False)
                fill()
            twice = {}
            for v in validations:
                if v.blocking:
                    continue
                key = (v.kind, v.meta.get("provider_id"), v.meta.get("period"))
                if key in seen:
                    twice[id(v)] = seen[key]
                else:
                    seen[key] = v
            fresh = [v for v in validations if not v.blocking and id(v) not in twice]
            by_id = {}
            if fresh:
                # Without the write-ahead log: the batch commits (each submission all or nothing,
                # `_write_batch`), and its commit reaches the file when the connection closes
                # (DuckDB's checkpoint), before any outcome of the batch is reported. Writing
                # every commit to the log as well cost half of each COMMIT (serialising the rows,
                # then waiting for the disk) for a copy the checkpoint then made again. A
                # process killed before the close leaves the store as the batch found it: its
                # submissions were never reported as loaded, and loading them again does it.
                with store.writing(db, log=False, migrated=migrated) as con:
                    # The next batches skip the full migrations check while the store still
                    # records as many migrations as this one found (store.connect).
                    migrated = store.migration_count(con)
                    # Never folded into the file before the batch ends (a store opened by another
                    # writer may have a log: DuckDB would fold it every 16 MiB, each time rewriting
                    # the tables' last blocks; hundreds of times in a national year).
                    con.execute(f"SET checkpoint_threshold = '{BATCH_LOG}'")
                    # The other core is validating the next batch (a second DuckDB thread cost
                    # a fifth more CPU writing a submission at a time, for nothing).
                    con.execute(f"SET threads = {WRITER_THREADS}")
                    by_id = _write_batch(con, fresh, loaded_by)
                    # The batch's checkpoint, as the block ends (store.writing).
                    con.execute(f"SET threads = {CHECKPOINT_THREADS}")
            results = []
            for v in validations:
                outcome = by_id.get(id(v)) or _refused(v, str(v.source))
                if id(v) in twice:
                    outcome.same_as = str(twice[id(v)].source)
                    outcome.same_files = twice[id(v)].sha256 == v.sha256
                results.append(outcome)
            for outcome in results:
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
                # Freed only after the report is printed: its verdict counts the rows.
                if outcome.validation is not None:
                    outcome.validation.frames = {}
                    outcome.validation.batch = None
    done = [i for chunk in places for i in chunk]
    return [outcome for _, outcome in sorted(zip(done, outcomes), key=lambda pair: pair[0])]


# A batch holds BATCH_LEAST submissions, and more while its files come to at most BATCH_BYTES
# (about what 40 national returns hold): small submissions, such as a year's 543 evidence packs
# (3 MB in all), go in one batch instead of 14, and the largest providers' returns in batches of
# ~18, not 40. (At least 40 a batch made the national year's last returns batch, its 36 largest
# returns, 76 MiB: the writer waited ~2x a batch's checking for it, then wrote it with the
# checking process idle.) Every batch costs the writer a connection and a checkpoint (~0.02-0.04
# CPU-s fixed; the rest of a checkpoint is compressing the batch's rows) and the validator a
# pandera call per table.
BATCH_BYTES = 40 * 2**20
BATCH_LEAST = 10
# … but never more submissions than this in one batch (one checkpoint; a kill loses the batch).
BATCH_MOST = 1000


def batches(paths: list[Path], size: int = BATCH_LEAST, most_bytes: int = BATCH_BYTES) -> list[list[Path]]:
    """The submissions in batches: each takes `size` of them, then more while the batch's files
    stay within `most_bytes` (up to BATCH_MOST), so a batch's memory stays near `most_bytes`
    worth of files whatever the submissions' sizes. Returns and evidence packs each keep
    their order; the packs' batches go between the returns' (`_batches`), and the returns'
    first and last batches hold half as much (`_tapered`)."""
    return [[paths[i] for i in chunk] for chunk in _batches(paths, size, most_bytes)]


# Evidence packs are quick to check and slow to write for their size (a few statements for each
# of ~540 small submissions: ~1.7 s of the writer's time a national year, with the validating
# process idle if they come last). So they go in up to this many batches, spread between the
# returns' batches, the first and the last batch of all a pack batch: the writer starts sooner,
# and its last batch, written while nothing is left to check, is a short one.
PACK_SPREAD = 5


def _batches(paths: list[Path], size: int = BATCH_LEAST, most_bytes: int = BATCH_BYTES) -> list[list[int]]:
    """`batches` as places in `paths`. The packs are spread between the returns only when every
    submission is a folder whose kind its files' names tell (as audits.reading will judge it):
    a return and a pack never depend on each other's loading, while two submissions of one kind
    (the same provider and quarter given twice: the first is loaded) keep their order."""
    looks = [_looks(p) for p in paths]
    ordered = _in_order(list(range(len(paths))), looks, size, most_bytes)
    if len(ordered) <= 1 or {kind for kind, _ in looks} != {"return", "pack"}:
        return ordered  # one batch (checked in a thread, no process to start), or kinds unknown
    kept = _tapered([i for i, (kind, _) in enumerate(looks) if kind == "return"], looks, size, most_bytes)
    packs = [i for i, (kind, _) in enumerate(looks) if kind == "pack"]
    # The packs in PACK_SPREAD parts (fewer if there are fewer returns' batches), each batched as
    # usual: the first part first (checked here in a moment while the worker process starts, and
    # written while it checks the first returns), the last part last, the others between.
    parts = min(PACK_SPREAD, len(kept) + 1, len(packs))
    bounds = [len(packs) * k // parts for k in range(parts + 1)]
    spread = [_in_order(packs[bounds[k] : bounds[k + 1]], looks, size, most_bytes) for k in range(parts)]
    if parts == 1:
        return kept + spread[0]
    out = spread[0]
    for k in range(1, parts):
        out += kept[len(kept) * (k - 1) // (parts - 1) : len(kept) * k // (parts - 1)] + spread[k]
    return out


def _tapered(places: list[int], looks: list[tuple[str | None, int]], size: int, most_bytes: int) -> list[list[int]]:
    """`_in_order`, but the first and the last batch hold at most half `most_bytes` of files (at
    least one submission each): the writer waits for the first to be checked (by the worker
    process, once it has started) and writes the last with nothing left to check, so the
    smaller they are, the less either side waits. In between, the checking, the quicker side,
    keeps ahead of the writing."""
    if len(places) < 3:
        return _in_order(places, looks, size, most_bytes)
    head = _within(places, looks, most_bytes // 2)
    tail = _within(places[head:][::-1], looks, most_bytes // 2)
    if head + tail >= len(places):
        return _in_order(places, looks, size, most_bytes)
    middle = places[head : len(places) - tail]
    return [places[:head], *_in_order(middle, looks, size, most_bytes), places[len(places) - tail :]]


def _within(places: list[int], looks: list[tuple[str | None, int]], most_bytes: int) -> int:
    """How many of `places`, from the first, have files within `most_bytes` (at least one)."""
    held = 0
    for count, i in enumerate(places):
        held += looks[i][1]
        if count and held > most_bytes:
            return count
    return len(places)


def _in_order(places: list[int], looks: list[tuple[str | None, int]], size: int, most_bytes: int) -> list[list[int]]:
    chunks: list[list[int]] = []
    current: list[int] = []
    held = 0
    for i in places:
        bytes_ = looks[i][1]
        if current and (len(current) >= BATCH_MOST or (len(current) >= size and held + bytes_ > most_bytes)):
            chunks.append(current)
            current, held = [], 0
        current.append(i)
        held += bytes_
    if current:
        chunks.append(current)
    return chunks


def _looks(path: Path) -> tuple[str | None, int]:
    """A submission's kind as its files' names tell it (audits.reading.kind_of: "return" or
    "pack"; None for an archive or a folder that cannot be listed) and its bytes as its files
    say (a folder's files, not followed if links, and no more of them than reading.listing
    gives; 0 when it cannot be told: reading it will say why). The names are those
    audits.reading counts as present: files and links, not dot files, not folders."""
    try:
        if not path.is_dir():
            return None, path.stat().st_size
        entries = reading.listing(path)
        names = {
            e.name
            for e in entries
            if not e.name.startswith(".") and (e.is_symlink() or e.is_file(follow_symlinks=False))
        }
        size = sum(e.stat(follow_symlinks=False).st_size for e in entries if e.is_file(follow_symlinks=False))
    except OSError:
        return None, 0
    return reading.kind_of(names), size


def _validator(batches: int) -> Executor:
    """Where batches are validated: a process of its own when there are several (it starts
    fresh, "spawn": forking a process whose DuckDB or Arrow threads may be running is not
    safe), else a thread (a small load should not wait for a new interpreter's imports).
    Like any spawned process it imports the script that called `ingest` again, so a script
    loading more than one batch keeps its work under `if __name__ == "__main__":` (if the
    worker cannot start, `ingest` validates in a thread instead)."""
    if batches > 1:
        return ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_checking_process
        )
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate")


def _checking_process() -> None:
    """The worker process's Arrow memory from the C library's allocator, not Arrow's own
    (mimalloc): checking a batch allocates and frees hundreds of megabytes in large blocks, and
    mimalloc gave each back to the system and faulted it in again, ~0.2 s of the kernel's time
    for every second of checking (measured on national batches: 2.5-3.7 CPU-s of system time
    checking 8 batches against 0.6-0.8; the notes of issue 15)."""
    pa.set_memory_pool(pa.system_memory_pool())


# Where the worker process leaves each checked batch's Arrow tables for the writer: shared
# memory (tmpfs), so they are written once and mapped, never pickled through the pipe.
SHARED_MEMORY = Path("/dev/shm")
_SHIP_PREFIX = "audits-ingest-"


def _shipping(stack: contextlib.ExitStack) -> str | None:
    """A folder of this ingest's in shared memory, removed when it ends (None: there is no
    shared memory; the tables travel pickled). Folders left by an ingest killed before it could
    remove its own (its process is gone) are removed first: nothing else would free them."""
    if not (SHARED_MEMORY.is_dir() and os.access(SHARED_MEMORY, os.W_OK)):
        return None
    for old in SHARED_MEMORY.glob(f"{_SHIP_PREFIX}*-*"):
        pid = old.name.removeprefix(_SHIP_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    folder = tempfile.mkdtemp(prefix=f"{_SHIP_PREFIX}{os.getpid()}-", dir=SHARED_MEMORY)
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _check(paths: list[Path], ship: str | None) -> tuple[list[Validation], str | None]:
    """Validate a batch in the worker process. With `ship` (a folder in shared memory), the
    batch's Arrow tables (the good rows: ~40 MiB for 40 returns) are written there as Arrow
    IPC files and left out of what is pickled back: pickling them cost the worker ~0.16 CPU-s a
    batch and the writer's process ~0.05 more to unpickle, a copy each way."""
    validations = returns.validate_many(paths, False)
    batch = validations[0].batch if validations else None
    if ship is None or batch is None:
        return validations, None
    folder = tempfile.mkdtemp(dir=ship)
    for name, table in batch.tables.items():
        with pa.OSFile(os.path.join(folder, f"{name}.arrow"), "wb") as sink:
            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
    batch.tables = {}
    return validations, folder


def _received(validations: list[Validation], folder: str | None) -> list[Validation]:
    """The writer's side of `_check`: the batch's tables mapped from shared memory without a
    copy, and their files removed at once (the mapping keeps the rows until they are let go)."""
    if folder is None:
        return validations
    try:
        batch = validations[0].batch
        for file in sorted(Path(folder).iterdir()):
            batch.tables[file.stem] = pa.ipc.open_file(pa.memory_map(str(file))).read_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return validations


def _refused(validation: Validation, source: str) -> IngestOutcome:
    return IngestOutcome(
        source,
        validation.kind,
        validation.meta.get("provider_id"),
        validation.meta.get("period"),
        loaded=False,
        validation=validation,
    )


def ingest_validation(
    con: duckdb.DuckDBPyConnection, validation: Validation, source: str, loaded_by: str | None
) -> IngestOutcome:
    """Load one validated submission in one transaction (nothing if it has blocking problems).

    Used by the dashboard's upload page, which validates an uploaded file first and shows
    the report before loading (the command line loads a batch at a time, `ingest`).
    """
    if validation.blocking or validation.kind is None:
        return _refused(validation, source)
    return _load(con, validation, source, loaded_by, _known(con))


def _write_batch(
    con: duckdb.DuckDBPyConnection, fresh: list[Validation], loaded_by: str | None
) -> dict[int, IngestOutcome]:
    """A batch's loadable submissions, each all or nothing, as {id(validation): outcome}.

    All of them in one transaction first, the rows of the returns' tables in one statement a
    table (`_load_together`): a national year's ~1,100 COMMITs and ~4,000 INSERTs of a
    submission's slice cost the writer 40% more CPU, checkpoints included (measured on 120
    national returns and 80 packs: 2.8 CPU-s against 1.7; the notes of issue 15).
    That changes nothing anyone could see: the store is unlogged while a batch is written
    (`ingest`), so a submission's commit reached the file only with the batch's checkpoint
    anyway, and no other process can open it in between. If anything in that transaction
    fails, it is rolled back whole and the batch written again one transaction a submission
    (`_load`), as before: each submission before the failing one lands, the failing one leaves
    nothing, and its error is raised (the command stops there, as it always did)."""
    try:
        return _load_together(con, fresh, loaded_by, _known(con))
    except Exception:
        store.rollback(con)
    known = _known(con)
    return {id(v): _load(con, v, str(v.source), loaded_by, known) for v in fresh}


def _load_together(
    con: duckdb.DuckDBPyConnection, fresh: list[Validation], loaded_by: str | None, known: Known
) -> dict[int, IngestOutcome]:
    """`_write_batch`'s one transaction (rolled back by the caller if it fails)."""
    con.execute("BEGIN TRANSACTION")
    outcomes: dict[int, IngestOutcome] = {}
    numbers: dict[int, int] = {}  # id(validation) -> its number in the store
    for v in fresh:
        outcome, numbers[id(v)] = _record(con, v, str(v.source), loaded_by, known, numbered=False)
        outcomes[id(v)] = outcome
    for table in spec.RETURN_TABLES:
        _insert_many(con, table, _together(table.name, [v for v in fresh if v.kind == "return"], numbers))
    con.execute("COMMIT")
    return outcomes


def _together(table_name: str, members: list[Validation], numbers: dict[int, int]) -> list[pa.Table]:
    """The good rows of `members` in one table, as few Arrow tables as they were checked in (one
    a batch), each with a `submission` column: the submission's number in the store, null for
    a row not to be written (a submission not among them, or a row of one held back)."""
    out = []
    for batch in {id(v.batch): v.batch for v in members if v.batch is not None}.values():
        rows = batch.tables.get(table_name)
        if rows is None or not rows.num_rows:
            continue
        number = np.zeros(rows.num_rows, dtype=np.int64)
        write = np.zeros(rows.num_rows, dtype=bool)
        for v in members:
            span = batch.spans.get(table_name, {}).get(v.number) if v.batch is batch else None
            if span is None or not v.counts.get(table_name, 0):
                continue
            start, end = span
            number[start:end] = numbers[id(v)]
            kept = batch.kept.get(table_name, {}).get(v.number)
            write[start:end] = True if kept is None else kept
        if write.any():
            out.append(rows.append_column("submission", pa.array(number, mask=~write)))
    return out


def _insert_many(con: duckdb.DuckDBPyConnection, table: spec.Table, parts: list[pa.Table]) -> None:
    """Bulk insert the rows of many submissions of one table of a return (`_together`): one
    scan of each Arrow table, the rows not to be written left out by DuckDB as it reads."""
    columns, values = _columns_sql(table)
    for _incoming_rows in parts:  # noqa: B007 (read by DuckDB, by name)
        con.execute(
            f"INSERT INTO {store.rows_table(table.name)} (submission, line, {columns}) "
            f"SELECT submission, line, {values} FROM _incoming_rows WHERE submission IS NOT NULL"
        )


def _load(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    source: str,
    loaded_by: str | None,
    known: Known,
) -> IngestOutcome:
    """One submission in one transaction (`known`: what the store already holds)."""
    con.execute("BEGIN TRANSACTION")
    try:
        outcome, _ = _record(con, validation, source, loaded_by, known, numbered=True)
        con.execute("COMMIT")
    except BaseException:
        store.rollback(con)
        known.withdrawals = pack_withdrawals.Memory()  # it may hold what was just undone
        raise
    return outcome


def _record(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    source: str,
    loaded_by: str | None,
    known: Known,
    numbered: bool,
) -> tuple[IngestOutcome, int]:
    """One submission's writing inside a transaction already begun, and its number; `known` is
    told of it as if it had committed (the caller undoes the transaction, and lets `known` go,
    if anything fails). `numbered`: also write the rows of a return's tables (else the caller
    writes a batch's together, `_insert_many`)."""
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
    # Only what is new or changed is written (each statement costs a few milliseconds).
    if period not in known.periods:
        store.ensure_period(con, period)
    named = (meta.get("provider_name"), meta.get("area"))
    if kind == "return" and provider_id not in known.providers:
        # A plain insert for a provider new to the store: the upsert below costs ~1.7 ms
        # CPU, a plain insert ~0.5 ms (150 providers new to the store in a national year).
        con.execute("INSERT INTO providers VALUES (?, ?, ?)", [provider_id, *named])
    elif kind == "return" and known.providers.get(provider_id) != named:
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
    # Its number (migration 0008) keys its rows in the tables of a return.
    number = _add_submission(con, validation, submission_id, source, now, loaded_by, rows)
    for table in tables:
        if table.name in store.NUMBERED and not numbered:
            continue
        typed = validation.batch.rows(table.name, validation.number) if rows[table.name] else None
        if typed is not None and typed.num_rows:
            key = (
                {"submission": number}
                if table.name in store.NUMBERED
                else {"submission_id": submission_id, "provider_id": provider_id, "period": period}
            )
            _insert(con, table, typed, key)
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
        withdrawn = pack_withdrawals.record(con, validation, submission_id, provider_id, period, now, known.withdrawals)
        outcome.withdrawals, outcome.withdrawn_elsewhere = len(withdrawn.recorded), withdrawn.elsewhere
    if kind == "pack":
        known.withdrawals.committed(validation, provider_id, period, withdrawn.recorded)
    known.periods.add(period)
    known.current.add((kind, provider_id, period))
    if kind == "return" or provider_id not in known.providers:
        known.providers[provider_id] = named if kind == "return" else (None, None)
    return outcome, number


@dataclass
class Known:
    """What the store holds that each submission of a batch may need to add or change: the
    periods, the providers with their names and areas, and which (kind, provider, period) has a
    current submission (kept up to date as each submission commits)."""

    periods: set[str]
    providers: dict[str, tuple[str | None, str | None]]
    current: set[tuple[str, str, str]] = field(default_factory=set)
    # the withdrawals and stories a pack's withdrawals look up, read once a batch
    withdrawals: pack_withdrawals.Memory = field(default_factory=pack_withdrawals.Memory)


def _known(con: duckdb.DuckDBPyConnection) -> Known:
    periods = {period for (period,) in con.execute("SELECT period FROM periods").fetchall()}
    providers = {
        provider: (name, area)
        for provider, name, area in con.execute("SELECT provider_id, provider_name, area FROM providers").fetchall()
    }
    current = set(con.execute("SELECT kind, provider_id, period FROM current_submissions").fetchall())
    return Known(periods, providers, current)


def _add_submission(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    submission_id: str,
    source: str,
    now,
    loaded_by: str | None,
    rows: dict[str, int],
) -> int:
    """The submission's row, with its files' names, SHA-256 and sizes (migration 0061: a list on
    the row, one statement fewer than a table of their own); its number (migration 0008)."""
    meta = validation.meta
    files = [
        {"file_name": name, "sha256": digest, "bytes": validation.sizes.get(name)}
        for name, digest in sorted(validation.files.items())
    ]
    return con.execute(
        "INSERT INTO submissions (submission_id, kind, provider_id, period, provider_name, area, "
        "submitted_on, gathered_by, source, form, sha256, loaded_at, loaded_by, is_current, "
        "rows_loaded, rows_quarantined, report_json, files) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?, ?, ?) RETURNING number",
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
            files or None,
        ],
    ).fetchall()[0][0]


# A table's rows of one submission up to this many cells (rows x (columns + line)) go in as
# parameters of INSERT … VALUES, more as a scan of their Arrow slice: a scan costs ~1.0 ms of CPU
# however few its rows, VALUES ~0.7-0.85 ms for a return's kpis, sites or documents (1-4 rows), as
# much as a scan at ~50 cells (measured: the notes of issue 15). A submission's own rows are
# inserted so for a pack's stories, and for a return loaded on its own (the upload page, or a
# batch written again one submission at a time: `_write_batch`).
FEW_CELLS = 32


def _columns_sql(table: spec.Table) -> tuple[str, str]:
    """A table's columns as an INSERT names them, and as a SELECT of its checked text gives them,
    each cast to its column's type."""
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    return columns, ", ".join(f'CAST("{c.name}" AS {c.duckdb_type})' for c in table.columns)


def _insert(con: duckdb.DuckDBPyConnection, table: spec.Table, rows: pa.Table, key: dict[str, object]) -> None:
    """Bulk insert one submission's typed rows of one table (no row-by-row Python, no DataFrame).
    `key`: the columns every row carries, the submission's number for a table of a return
    (written to `<table>_rows`, migration 0008), its id, provider and period for the pack's
    stories. Either way each value becomes its column's type as the INSERT casts it.

    Many rows: DuckDB scans the Arrow slice the validation made, found among this function's
    variables as `_incoming_rows` (a replacement scan: half the cost of registering a view and
    dropping it again). A few (FEW_CELLS): their values as parameters, never in the statement's
    text."""
    target = store.rows_table(table.name)
    columns, values = _columns_sql(table)
    into = f"INSERT INTO {target} ({', '.join(key)}, line, {columns})"
    if rows.num_rows * (len(table.columns) + 1) <= FEW_CELLS:
        row = "(" + ", ".join(["?"] * (len(key) + 1 + len(table.columns))) + ")"
        cells = [rows.column(name).to_pylist() for name in ["line", *(c.name for c in table.columns)]]
        con.execute(
            f"{into} VALUES {', '.join([row] * rows.num_rows)}",
            [value for row_cells in zip(*cells) for value in (*key.values(), *row_cells)],
        )
        return
    _incoming_rows = rows  # noqa: F841 (read by DuckDB, by name)
    marks = ", ".join("?" for _ in key)
    con.execute(f"{into} SELECT {marks}, line, {values} FROM _incoming_rows", list(key.values()))
