"""Benchmark the audit PDFs at national scale: every provider's report for one period.

    .venv/bin/python bench/reports.py                  # the shared national store (bench/common.py)
    .venv/bin/python bench/reports.py --db FILE        # an already loaded and audited store

Target (issue 15): every PDF of a national-scale period (about 150 providers) in 30 s or
less on 2 workers. The store is the shared one of bench/common.py (bench/out/national/audit.duckdb:
the national demo with its evidence packs loaded, the period and the one before audited,
each step only when not yet done), so later runs skip straight to the timings. Building it
is not part of the target. The PDFs go to --work/pdf-<workers>.
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

from audits import findings, report_batch, runs, store  # noqa: E402
from bench import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an already loaded and audited store")
    common.add_arguments(parser)
    parser.add_argument("--period", help="default: the latest audited period")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    if args.db:
        db = args.db
        with store.reading(db) as con:
            period = args.period or con.execute("SELECT max(period) FROM runs").fetchone()[0]
    else:
        db, period = common.national_store(args.work, args.standards, args.providers, args.fresh, args.period)
    with store.reading(db) as con:
        run_id = runs.latest_run_id(con, period)
        providers = con.execute(
            "SELECT count(DISTINCT provider_id) FROM results WHERE run_id = ?", [run_id]
        ).fetchone()[0]
        stories = con.execute("SELECT count(*) FROM cur_stories WHERE period = ?", [period]).fetchone()[0]
    print(f"store {db}, period {period}, run {run_id}: {providers} providers, {stories} stories")

    for workers in args.workers:
        out = args.work / f"pdf-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        start, cpu = time.perf_counter(), _cpu()
        paths = report_batch.build_reports(db, period, out, organisation="Bench Audit Collective", workers=workers)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        pages = sum(_pages(p) for p in paths)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(
            f"{len(paths)} PDFs ({pages} pages, {size:.1f} MB) with {workers} worker(s): {seconds:.1f} s "
            f"({seconds / max(1, len(paths)):.2f} s each; CPU time {cpu:.1f} s, "
            f"{os.getloadavg()[0]:.1f} load average now)   [target with 2 workers: at most 30 s]"
        )

    start = time.perf_counter()
    with store.reading(db) as con:
        shared = findings.run_shared(con, run_id).per_provider(con)
        gather_start = time.perf_counter()
        first = sorted(shared.published["provider_id"].unique())[0]
        findings.gather(con, first, period, shared=shared)
        gather_one = time.perf_counter() - gather_start
    print(
        f"of which: reading what the run's reports share {gather_start - start:.2f} s once, "
        f"gathering one provider {gather_one:.3f} s"
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: meaningful on a busy machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
