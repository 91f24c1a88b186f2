"""Benchmark: the auditor's own command, `python -m audits run --period P`, from a fresh process.

    .venv/bin/python bench/command.py --db /path/to/audit.duckdb --period 2026-Q3 --repeat 5
    .venv/bin/python bench/command.py --db STORE --period 2026-Q3 --trees /tmp/main-tree .

bench/years.py times the audit inside a process that has imported everything already; an auditor
pays the imports too (pandas, DuckDB, ...), each time. Here every run is a new process, on a
fresh copy of the store (`--db` is never written). Each tree's code first audits one copy once,
untimed, as an auditor's store has been audited before: the store's cache then holds the
standards this code checked (audits.standard_files; a change to any of the code's files is a new
key). That first run also writes the tree's bytecode (audits/**/__pycache__), even where
PYTHONDONTWRITEBYTECODE is set (as in this project's sessions), as an auditor's earlier run or a
pip install would: without it each run compiles the ~40 modules of audits/ from source (~0.08
CPU-s), and a tree whose tests had left bytecode behind was timed against one without. Every
timed run of that tree audits a fresh copy of that store, so each protects against the same
earlier runs of the quarter. With `--trees A B` the runs take turns between the code of two trees
(each run from its tree, whose `audits` then wins over the installed one), for paired before/after
numbers on the same store. Printed per run: wall and CPU seconds (the process and its children)
and the load average; then the median and max of each tree.
Target (issue 15): the audit of one period under 2 s, from the command line.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_average  # noqa: E402


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def environment(write_bytecode: bool) -> dict[str, str]:
    """This process's environment for an audit; with write_bytecode, Python writes the bytecode
    of the modules it compiles (PYTHONDONTWRITEBYTECODE left out)."""
    env = dict(os.environ)
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def audit(tree: Path, db: Path, period: str, standards: Path, write_bytecode: bool = False) -> tuple[float, float]:
    """`python -m audits run` of the code in `tree` on the store `db`: (wall s, CPU s)."""
    command = [sys.executable, "-m", "audits", "run", "--period", period, "--db", str(db)]
    command += ["--standards", str(standards)]
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True, env=environment(write_bytecode))
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{tree}: the audit failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the store to copy for each run (never written)")
    parser.add_argument("--period", required=True, help="the quarter to audit, such as 2026-Q3")
    parser.add_argument("--standards", type=Path, default=ROOT / "standards", help="the standards folder")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tree")
    parser.add_argument("--trees", type=Path, nargs="+", default=[ROOT], help="code to run, taking turns")
    args = parser.parse_args()

    trees = [tree.resolve() for tree in args.trees]
    standards = args.standards.resolve()
    timings: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory(prefix="bench-command-") as folder:
        audited = {}  # tree -> its copy of the store, audited once by its code
        for n, tree in enumerate(trees):
            audited[tree] = Path(folder) / f"audited-{n}.duckdb"
            shutil.copyfile(args.db, audited[tree])
            audit(tree, audited[tree], args.period, standards, write_bytecode=True)
        copy = Path(folder) / "timed.duckdb"
        for turn in range(args.repeat):
            for tree in trees:
                shutil.copyfile(audited[tree], copy)
                before = load_average()
                wall, cpu = audit(tree, copy, args.period, standards)
                timings[tree].append((wall, cpu))
                print(
                    f"run {turn + 1} {tree}: wall {wall:.2f} s, CPU {cpu:.2f} s; load average before {before}",
                    flush=True,
                )
    for tree, measured in timings.items():
        walls, cpus = [w for w, _ in measured], [c for _, c in measured]
        print(
            f"python -m audits run --period {args.period}, fresh process, {tree}: wall median "
            f"{statistics.median(walls):.2f} s, max {max(walls):.2f} s; CPU median {statistics.median(cpus):.2f} s, "
            f"max {max(cpus):.2f} s over {len(measured)}   [target < 2 s]"
        )


if __name__ == "__main__":
    main()
