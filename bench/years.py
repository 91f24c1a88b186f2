"""Benchmark: three national years loaded one after another, then one period audited on that store.

    .venv/bin/python bench/years.py                   # 3 national years (about 24 million contacts)
    .venv/bin/python bench/years.py --providers 20    # a quicker, smaller run

The demo of bench/common.py written over `--years` years (default 3) into bench/out/years
(--work), then loaded a year at a time with audits.ingest.ingest into one store, each year
timed: if loading grows linearly, every year takes about as long as the first, however much is
in the store already. Then the latest period is audited on the full store (audits.runs.run_audit,
the command line's `audit`), `--repeat` times. Targets (issue 15): time growing linearly with
the years; the audit of one period under 2 s. Run it by hand, and write down the load average
printed beside each number.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits import demo, ingest, runs, store  # noqa: E402
from bench import common  # noqa: E402
from bench.common import load_average  # noqa: E402


def cpu_seconds() -> float:
    # The ingest's validating worker process counts once it has ended (the ingest waits for it).
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_arguments(parser)
    parser.set_defaults(work=ROOT / "bench" / "out" / "years")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="audits of the latest period timed")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    common.write_demo(args.work, providers=args.providers, fresh=args.fresh, years=args.years)
    periods = demo.national_periods(args.years)
    paths = common.submissions(args.work)
    db = args.work / common.STORE
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    print(f"{len(paths)} submissions over {len(periods)} quarters ({periods[0]} to {periods[-1]}) into {db}")

    seconds = []
    for year in range(args.years):
        quarters = set(periods[4 * year : 4 * year + 4])
        these = [p for p in paths if p.name.split("-", 1)[1] in quarters]
        before = load_average()
        started, cpu = time.perf_counter(), cpu_seconds()
        outcomes = ingest.ingest(these, db=db, loaded_by="bench")
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        seconds.append(elapsed)
        rows = sum(sum(o.rows.values()) for o in outcomes if o.loaded)
        with store.reading(db) as con:
            held = con.execute("SELECT count(*) FROM contacts").fetchall()[0][0]
        print(
            f"year {year + 1} ({min(quarters)} to {max(quarters)}): {len(these)} submissions, {rows:,} rows in "
            f"{elapsed:.1f} s (CPU {cpu:.1f} s; {rows / elapsed:,.0f} rows/s); the store now holds {held:,} "
            f"contacts; load average before {before}",
            flush=True,
        )
    print(
        f"linear: the last year took {seconds[-1] / seconds[0]:.2f}x the first "
        f"(1.00 when loading does not slow as the store grows)"
    )

    times = []
    for _ in range(args.repeat):
        before = load_average()
        started = time.perf_counter()
        runs.run_audit(db, periods[-1], args.standards, run_by="bench")
        times.append(time.perf_counter() - started)
    print(
        f"audit of {periods[-1]} on the {args.years}-year store (load standards, checks, record): median "
        f"{statistics.median(times):.2f} s, max {max(times):.2f} s over {args.repeat}   [target < 2 s]; "
        f"load average before the last {before}"
    )


if __name__ == "__main__":
    main()
