"""Benchmark: validate and load a national year of returns, next to DuckDB reading the same CSVs.

    .venv/bin/python bench/ingest.py                  # national scale, data in bench/out/national
    .venv/bin/python bench/ingest.py --providers 20   # a quicker, smaller run

The demo files are the shared ones of bench/common.py (written once into bench/out/national;
--fresh writes them again). Then, in the same run:
1. ours: audits.ingest.ingest validates (pandera) and loads every return and pack, replacing
   the shared store bench/out/national/audit.duckdb (so bench/engine.py and bench/reports.py
   that follow only have to audit it);
2. the baseline: DuckDB alone reads every CSV file into one table per table in
   bench/out/stores, the fastest honest way: one read_csv per table over a glob, all text, with
   the file name (CREATE TABLE contacts AS SELECT * FROM read_csv('…/returns/*/contacts.csv',
   all_varchar = true, filename = true)); then, as context only, a list of files read with
   union_by_name (which sniffs every file), typed and all text.
Prints wall and CPU seconds, rows per second, the ratio ours / baseline (target: at most 2x),
peak memory (target: under 2 GiB) and the load average. Run it by hand: timings depend on the
machine and its load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from audits import ingest, spec, store  # noqa: E402
from bench import common  # noqa: E402
from bench.common import load_average  # noqa: E402


def rss_mib() -> float:
    """Resident memory of this process and its children (the ingest validates in a worker
    process), plus the checked batches waiting in shared memory for the writer (files in
    /dev/shm are memory too, but no process's until it maps them), MiB."""
    total = _waiting_in_shared_memory() / 2**20
    for pid in ["self", *_children()]:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
        except OSError:
            pass  # a child that has just ended
    return total


def _waiting_in_shared_memory() -> int:
    """Bytes of the ingest's Arrow files in shared memory not yet taken by the writer
    (audits.ingest._shipping); once mapped and removed they count in the writer's VmRSS."""
    total = 0
    for file in ingest.SHARED_MEMORY.glob(f"{ingest._SHIP_PREFIX}*/*/*"):
        try:
            total += file.stat().st_size
        except OSError:
            pass  # taken by the writer meanwhile
    return total


def _children() -> list[str]:
    pids = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            pass
    return pids


# How often resident memory is sampled. Every 0.05 s, the sampling thread (reading /proc 20
# times a second) took ~1.6% of a core, counted as ours and run on the 2 cores the ingest uses
# (3.3 CPU-s in a 210 s national run under load); a batch's memory rises and falls over
# seconds, so 0.25 s still sees the peak.
SAMPLE_SECONDS = 0.25


class PeakMemory:
    """Samples resident memory during one phase (ru_maxrss only ever grows over the process)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib())
            time.sleep(SAMPLE_SECONDS)

    def __enter__(self) -> PeakMemory:
        self.peak = rss_mib()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib())


# DuckDB alone reading the same files, each way into one table per table of the specification.
# "plain" is the baseline (issue 15): the fastest honest way to do the same reading, one
# read_csv per table over a glob of every submission's file, all text (our ingest types the
# cells itself), with the file name of each row kept. The others are context only.
RAW_OPTIONS = {
    "plain": "all_varchar = true, filename = true",
    # DuckDB's own type detection; union_by_name sniffs every one of the ~4,200 files
    # (providers' files differ in how they write booleans), about 4x slower.
    "typed": "union_by_name = true",
    "text": "all_varchar = true, union_by_name = true",
}
BASELINE = "plain"


def raw_read(work: Path, paths: list[Path], db: Path, how: str) -> tuple[float, float, int]:
    """DuckDB alone: every table's CSV files into one table each; (wall, CPU seconds, rows)."""
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    started, cpu = time.perf_counter(), cpu_seconds()
    rows = 0
    for table in spec.TABLES.values():
        folder = "packs" if table in spec.PACK_TABLES else "returns"
        if how == BASELINE:
            if not any((p / table.file).exists() for p in paths if p.parent.name == folder):
                continue
            source = f"read_csv('{work / folder}/*/{table.file}', {RAW_OPTIONS[how]})"
            con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM {source}")
        else:
            files = [str(p / table.file) for p in paths if (p / table.file).exists()]
            if not files:
                continue
            con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM read_csv(?, {RAW_OPTIONS[how]})", [files])
        rows += con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]
    con.close()  # the last checkpoint is part of writing the store
    return time.perf_counter() - started, cpu_seconds() - cpu, rows


def cpu_seconds() -> float:
    """CPU time of this process so far, every thread (DuckDB's too), and of its ended children
    (the ingest's validating process, which ends before `ingest` returns): steadier than wall
    time on a shared machine, so printed beside it."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_arguments(parser, "--out")
    parser.add_argument("--scale", default="national", choices=["small", "national"])
    parser.add_argument(
        "--order",
        choices=["raw-first", "ours-first"],
        default="ours-first",
        help="ours first (default) so its peak memory is not inflated by DuckDB's",
    )
    parser.add_argument(
        "--raw",
        nargs="*",
        choices=list(RAW_OPTIONS),
        default=list(RAW_OPTIONS),
        help=f"DuckDB's reads to time ({BASELINE!r} is the baseline; the others are context)",
    )
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    common.write_demo(args.work, scale=args.scale, providers=args.providers, fresh=args.fresh)
    paths = common.submissions(args.work)
    work = args.work.parent / "stores"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    size = sum(f.stat().st_size for p in paths for f in p.iterdir())
    print(
        f"{len(paths)} submissions ({sum(1 for p in paths if p.parent.name == 'returns')} returns), "
        f"{size / 2**20:,.0f} MiB of files; {os.cpu_count()} cores; load average {load_average()}",
        flush=True,
    )

    def ours() -> tuple[float, float, int, int, int, float]:
        db = args.work / common.STORE
        with PeakMemory() as memory:
            started, cpu = time.perf_counter(), cpu_seconds()
            outcomes = common.load(args.work, db)
            elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        loaded = sum(sum(o.rows.values()) for o in outcomes if o.loaded)
        held = sum(o.quarantined for o in outcomes if o.loaded)
        refused = sum(not o.loaded for o in outcomes)
        with store.reading(db) as con:
            stored = con.execute("SELECT count(*) FROM contacts").fetchall()[0][0]
        assert stored == sum(o.rows.get("contacts", 0) for o in outcomes if o.loaded)
        print(f"  ours: {elapsed:.1f} s (CPU {cpu:.1f} s); load now {load_average()}", flush=True)
        return elapsed, cpu, loaded, held, refused, memory.peak

    def raw() -> dict[str, tuple[float, float, int, float]]:
        results = {}
        for how in args.raw:
            before = load_average()
            with PeakMemory() as memory:
                elapsed, cpu, rows = raw_read(args.work, paths, work / f"raw-{how}.duckdb", how)
            results[how] = (elapsed, cpu, rows, memory.peak, before)
            print(f"  DuckDB {how}: {elapsed:.1f} s (CPU {cpu:.1f} s); load now {load_average()}", flush=True)
        return results

    before = load_average()
    if args.order == "raw-first":
        raws = raw()
        before = load_average()
        ours_s, ours_cpu, loaded, held, refused, ours_mem = ours()
    else:
        ours_s, ours_cpu, loaded, held, refused, ours_mem = ours()
        raws = raw()

    for how, (raw_s, raw_cpu, raw_rows, raw_mem, raw_load) in raws.items():
        label = "baseline" if how == BASELINE else "context "
        print(
            f"{label} DuckDB alone, read_csv({RAW_OPTIONS[how]}): {raw_s:7.1f} s (CPU {raw_cpu:6.1f} s) "
            f"{raw_rows / raw_s:11,.0f} rows/s ({raw_rows:,} rows; peak {raw_mem:,.0f} MiB; load before "
            f"{raw_load}); ours is {ours_s / raw_s:.2f}x this"
        )
    print(
        f"ours     validate + load (audits.ingest): {ours_s:7.1f} s (CPU {ours_cpu:6.1f} s) "
        f"{(loaded + held) / ours_s:11,.0f} rows/s ({loaded:,} rows loaded, {held:,} held back, "
        f"{refused} refused; load before {before})"
    )
    if BASELINE in raws:
        raw_s, raw_cpu = raws[BASELINE][:2]
        print(
            f"ratio: {ours_s / raw_s:.2f}x DuckDB's plain glob read (target at most 2x; CPU "
            f"{ours_cpu / raw_cpu:.2f}x); peak memory {ours_mem:,.0f} MiB (target under 2,048 MiB); "
            f"process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB; "
            f"load average now {load_average()}"
        )


if __name__ == "__main__":
    main()
