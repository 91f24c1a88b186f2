"""Time the national demo generation and print its sizes.

Run by hand: `.venv/bin/python bench/demo.py [--out DIR] [--seed N]`. The small scale goes to a
temporary folder, removed afterwards; the national scale is always written again into the
shared folder of bench/common.py (default bench/out/national), where bench/ingest.py,
bench/engine.py and bench/reports.py then find it. Prints the wall time of the small and the
national scale, the rows written, the size on disk and the calibration figures against
England 2024-25.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from audits import demo  # noqa: E402
from bench import common  # noqa: E402


def size_on_disk(folder: Path) -> int:
    """The demo's files only (the shared folder also holds the benchmarks' store)."""
    return sum(p.stat().st_size for sub in ("returns", "packs") for p in (folder / sub).rglob("*") if p.is_file())


def calibration(out: Path) -> dict[str, float]:
    """The figures the national scale is calibrated to, measured on the files written."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""CREATE TABLE e AS SELECT * FROM read_csv('{out}/returns/*/episodes.csv', all_varchar = true,
                    filename = true)""")
    con.execute("CREATE TABLE d AS SELECT DISTINCT ON (episode_id) * FROM e ORDER BY episode_id, filename DESC")
    row = con.execute("""SELECT count(*),
        avg((substance_group = 'opiate')::int), avg((substance_group = 'alcohol')::int),
        avg((substance_group IN ('non_opiate', 'non_opiate_and_alcohol'))::int),
        sum((referral_date >= '2025-10-01')::int),
        avg(CASE WHEN first_intervention_date >= '2025-10-01'
                 THEN (first_intervention_date::date - referral_date::date > 21)::int END),
        avg(CASE WHEN discharge_reason <> '' THEN (discharge_reason LIKE 'completed%')::int END)
        FROM d""").fetchone()
    keys = (
        "distinct episodes",
        "opiate",
        "alcohol only",
        "non-opiate",
        "new in the year",
        "waited over 3 weeks",
        "leavers completing",
    )
    return dict(zip(keys, row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out",
        "--work",
        dest="out",
        type=Path,
        default=common.WORK,
        help=f"write the national files here (default {common.WORK.relative_to(ROOT)})",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="demo-bench-"))
    try:
        small = common.write_demo(scratch / "small", "small", args.seed, fresh=True)
        print(f"small scale:    {small:6.1f} s, {size_on_disk(scratch / 'small') / 1e6:7.1f} MB")
        out = args.out
        national = common.write_demo(out, "national", args.seed, fresh=True)
        made = (out / demo.MANIFEST).read_text(encoding="utf-8")
        print(f"national scale: {national:6.1f} s, {size_on_disk(out) / 1e6:7.1f} MB")
        print(made.strip())
        england = {
            "distinct episodes": demo.ENGLAND_IN_TREATMENT,
            "opiate": 0.42,
            "alcohol only": 0.30,
            "non-opiate": 0.28,
            "new in the year": demo.ENGLAND_NEW,
            "waited over 3 weeks": 0.02,
            "leavers completing": 0.46,
        }
        print(f"{'figure':22} {'demo':>10} {'England 2024-25':>16}")
        for key, value in calibration(out).items():
            fmt = (lambda v: f"{v:,.0f}") if england[key] > 1 else (lambda v: f"{v:.1%}")
            print(f"{key:22} {fmt(value):>10} {fmt(england[key]):>16}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
