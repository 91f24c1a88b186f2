"""Benchmark the engine at national scale: a full audit run and the workshop's impact preview.

    .venv/bin/python bench/engine.py                 # the shared national store (bench/common.py)
    .venv/bin/python bench/engine.py --db FILE       # an already loaded store

Targets (issue 3): every standard run in under 2 s after loading; an impact preview in
under 1 s. The store is the shared one of bench/common.py (bench/out/national/audit.duckdb:
the national demo written, loaded and audited once, each step only when not yet done),
so later runs skip straight to the timings. Building it is not part of the target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits import engine, preview, runs, store  # noqa: E402
from audits.standard_files import load_standards  # noqa: E402
from audits.standard_model import Threshold  # noqa: E402
from bench import common  # noqa: E402


def _timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def _loosened(standard):
    """The standard with its first measure's green threshold moved by 5 points (an edit)."""
    measure = standard.measures[0]
    step = 5 if measure.green.percent else 1
    number = measure.green.number - step if measure.green.higher_is_better else measure.green.number + step
    text = f"{measure.green.op} {number:g}{'%' if measure.green.percent else ''}"
    edited = standard.model_copy(deep=True)
    edited.measures[0] = measure.model_copy(update={"green": Threshold.parse(text), "amber": None})
    return edited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an already loaded store (default: the shared one in --work)")
    common.add_arguments(parser)
    parser.add_argument("--period", help="default: the latest period with returns")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    db = args.db or common.national_store(args.work, args.standards, args.providers, args.fresh, args.period)[0]

    load = load_standards(args.standards)
    if not load.ok:
        sys.exit("The standards are not valid:\n" + load.report())
    with store.reading(db) as con:
        period = args.period or preview.preview_period(con)
        sizes = {
            t: con.execute(f"SELECT count(*) FROM cur_{t} WHERE period = ?", [period]).fetchone()[0]
            for t in ("episodes", "contacts", "workforce", "kpis", "sites", "documents")
        }
        providers = len(engine.providers_of(con, period))
    measures = sum(len(s.measures) for s in load.audited)
    print(f"store {db}, period {period}: {providers} providers, " + ", ".join(f"{n:,} {t}" for t, n in sizes.items()))
    print(f"{len(load.audited)} approved standards, {measures} measures")

    def checks():
        with store.reading(db) as con:
            engine.lock_down(con)
            return engine.evaluate(con, load.audited, period)

    times, result = _timed(checks, args.repeat)
    print(
        f"checks only (all standards, read-only): median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s ({len(result.measures):,} measure results)"
    )
    times, _ = _timed(lambda: runs.run_audit(db, period, args.standards, run_by="bench"), args.repeat)
    print(
        f"full audit run (load standards, checks, record): median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s   [target < 2 s]"
    )

    previews = []
    for standard in load.audited:
        edited = _loosened(standard)

        def one(edited=edited):
            with store.reading(db) as con:
                return preview.impact_preview(con, edited, period)

        times, df = _timed(one, args.repeat)
        previews.append((statistics.median(times), standard.id, int(df["changed"].sum())))
    previews.sort()
    slowest = previews[-1]
    print(
        f"impact preview (open store, one standard, compare with latest run): median over standards "
        f"{statistics.median(p[0] for p in previews):.3f} s, slowest {slowest[0]:.3f} s "
        f"({slowest[1]})   [target < 1 s]"
    )


if __name__ == "__main__":
    main()
