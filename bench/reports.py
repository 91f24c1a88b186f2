"""Benchmark the audit PDFs at national scale: every provider's report for one period.

    .venv/bin/python bench/reports.py                  # builds (or reuses) the national store
    .venv/bin/python bench/reports.py --db FILE        # an already loaded and audited store

Target (issue 4): every PDF of a national-scale period (about 150 providers) in under
60 s in all. The store is the national demo with its evidence packs loaded and one
audit run of the period; it is kept in --work (default bench/out/reports) so later runs
skip straight to the timings. Building it is timed too but is not part of the target.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits import report, runs, store  # noqa: E402


def _prepare(work: Path, standards: Path, period: str | None) -> tuple[Path, str]:
    """The national demo loaded (returns and packs) and audited, in work/audit.duckdb."""
    from audits import demo, ingest

    db = work / "audit.duckdb"
    if db.exists():
        with store.reading(db) as con:
            period = period or con.execute("SELECT max(period) FROM runs").fetchone()[0]
        if period:
            return db, period
    work.mkdir(parents=True, exist_ok=True)
    shared = ROOT / "bench" / "out" / "national" / "demo"    # written by bench/engine.py, if it ran
    out = shared if (shared / "packs").is_dir() else work / "demo"
    if not (out / "returns").is_dir():
        start = time.perf_counter()
        demo.write_demo(out, scale="national")
        print(f"wrote the national demo in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    ingest.ingest(sorted((out / "returns").iterdir()) + sorted((out / "packs").iterdir()), db)
    print(f"loaded the returns and evidence packs in {time.perf_counter() - start:.1f} s")
    with store.reading(db) as con:
        periods = [r[0] for r in con.execute(
            "SELECT DISTINCT period FROM submissions WHERE kind = 'return' ORDER BY period").fetchall()]
    period = period or periods[-1]
    start = time.perf_counter()
    for p in periods[-2:]:          # the period and the one before, for "change since"
        runs.run_audit(db, p, standards, run_by="bench")
    print(f"ran the audits of {', '.join(periods[-2:])} in {time.perf_counter() - start:.1f} s")
    return db, period


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an already loaded and audited store")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "reports")
    parser.add_argument("--standards", type=Path, default=ROOT / "standards")
    parser.add_argument("--period", help="default: the latest audited period")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    if args.db:
        db = args.db
        with store.reading(db) as con:
            period = args.period or con.execute("SELECT max(period) FROM runs").fetchone()[0]
    else:
        db, period = _prepare(args.work, args.standards, args.period)
    with store.reading(db) as con:
        run_id = runs.latest_run_id(con, period)
        providers = con.execute("SELECT count(DISTINCT provider_id) FROM results WHERE run_id = ?",
                                [run_id]).fetchone()[0]
        stories = con.execute("SELECT count(*) FROM cur_stories WHERE period = ?", [period]).fetchone()[0]
    print(f"store {db}, period {period}, run {run_id}: {providers} providers, {stories} stories")

    for workers in args.workers:
        out = args.work / f"pdf-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        start, cpu = time.perf_counter(), _cpu()
        paths = report.build_reports(db, period, out, organisation="Bench Audit Collective", workers=workers)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        pages = sum(_pages(p) for p in paths)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(paths)} PDFs ({pages} pages, {size:.1f} MB) with {workers} worker(s): {seconds:.1f} s "
              f"({seconds / max(1, len(paths)):.2f} s each; CPU time {cpu:.1f} s, "
              f"{os.getloadavg()[0]:.1f} load average now)   [target < 60 s]")

    start = time.perf_counter()
    with store.reading(db) as con:
        published = report.published_results(con, run_id)
        gather_start = time.perf_counter()
        first = sorted(published["provider_id"].unique())[0]
        report.gather(con, first, period, run_id=run_id, published=published)
        gather_one = time.perf_counter() - gather_start
    print(f"of which: suppressing the run's results {gather_start - start:.2f} s once, "
          f"gathering one provider {gather_one:.3f} s")


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: meaningful on a busy machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _pages(path: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
