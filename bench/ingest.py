"""Benchmark: validate and load a national year of returns, next to DuckDB reading the same CSVs.

    .venv/bin/python bench/ingest.py                  # national scale, data in bench/out/national
    .venv/bin/python bench/ingest.py --providers 20   # a quicker, smaller run

The demo files are the shared ones of bench/common.py (written once into bench/out/national;
--fresh writes them again). Then, in the same run:
1. ours: audits.ingest.ingest validates (pandera) and loads every return and pack, replacing
   the shared store bench/out/national/audit.duckdb (so bench/engine.py and bench/reports.py
   that follow only have to audit it);
2. raw: DuckDB alone reads every CSV file into tables in bench/out/stores
   (CREATE TABLE … AS SELECT * FROM read_csv([...files], union_by_name = true)).
Prints rows per second, the ratio ours / raw (target: within 3x) and peak memory
(target: under 2 GiB). Run it by hand: timings depend on the machine and its load.
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

from audits import spec, store  # noqa: E402
from bench import common  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """Samples resident memory during one phase (ru_maxrss only ever grows over the process)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib())
            time.sleep(0.05)

    def __enter__(self) -> PeakMemory:
        self.peak = rss_mib()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib())


RAW_OPTIONS = {
    # DuckDB's own type detection; union_by_name because providers' files differ in how
    # they write booleans, so the types sniffed from one file do not fit all of them.
    "typed": "union_by_name = true",
    # Every column as text: less work for DuckDB, no types (a lower bar for us to meet).
    "text": "all_varchar = true, union_by_name = true",
}


def raw_read(paths: list[Path], db: Path, how: str) -> tuple[float, int]:
    """DuckDB alone: every table's CSV files into one table each."""
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    started = time.perf_counter()
    rows = 0
    for table in spec.TABLES.values():
        files = [str(p / table.file) for p in paths if (p / table.file).exists()]
        if not files:
            continue
        con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM read_csv(?, {RAW_OPTIONS[how]})", [files])
        rows += con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, rows


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
        f"{size / 2**20:,.0f} MiB of files; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )

    def ours() -> tuple[float, int, int, int, float]:
        db = args.work / common.STORE
        with PeakMemory() as memory:
            started = time.perf_counter()
            outcomes = common.load(args.work, db)
            elapsed = time.perf_counter() - started
        loaded = sum(sum(o.rows.values()) for o in outcomes if o.loaded)
        held = sum(o.quarantined for o in outcomes if o.loaded)
        refused = sum(not o.loaded for o in outcomes)
        with store.reading(db) as con:
            stored = con.execute("SELECT count(*) FROM contacts").fetchone()[0]
        assert stored == sum(o.rows.get("contacts", 0) for o in outcomes if o.loaded)
        return elapsed, loaded, held, refused, memory.peak

    def raw() -> dict[str, tuple[float, int, float]]:
        results = {}
        for how in RAW_OPTIONS:
            with PeakMemory() as memory:
                elapsed, rows = raw_read(paths, work / f"raw-{how}.duckdb", how)
            results[how] = (elapsed, rows, memory.peak)
        return results

    if args.order == "raw-first":
        raws = raw()
        ours_s, loaded, held, refused, ours_mem = ours()
    else:
        ours_s, loaded, held, refused, ours_mem = ours()
        raws = raw()

    for how, (raw_s, raw_rows, raw_mem) in raws.items():
        print(
            f"DuckDB alone, read_csv({RAW_OPTIONS[how]}): {raw_s:8.1f} s  {raw_rows / raw_s:12,.0f} rows/s  "
            f"({raw_rows:,} rows; peak {raw_mem:,.0f} MiB); ours is {ours_s / raw_s:.2f}x this"
        )
    print(
        f"validate + load (audits.ingest): {ours_s:8.1f} s  {(loaded + held) / ours_s:12,.0f} rows/s  "
        f"({loaded:,} rows loaded, {held:,} held back, {refused} refused)"
    )
    worst = max(ours_s / r[0] for r in raws.values())
    print(
        f"ratio: {worst:.2f}x the faster raw read (target within 3x); "
        f"peak memory {ours_mem:,.0f} MiB (target under 2,048 MiB); "
        f"process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
