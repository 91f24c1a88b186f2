"""The national-scale store the benchmarks share, built one way and once.

Three steps, each skipped when already done, so a benchmark run after another goes
straight to its own timings:

1. the demo files: audits.demo.write_demo into the work folder (default bench/out/national),
   redone when the folder holds another scale, seed or number of providers;
2. the store: every return and evidence pack loaded with audits.ingest.ingest into
   work/audit.duckdb, redone when the demo files are newer than the store;
3. the audits: audits.runs.run_audit of the period (default the latest) and the one before
   (for "change since"), redone when the standards files differ from the latest run's.

`--fresh` redoes all three. Each step prints how long it took; none of it is part of a target.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "national"
STANDARDS = ROOT / "standards"
STORE = "audit.duckdb"


def load_average() -> str:
    """The machine's 1-, 5- and 15-minute load averages, printed beside every time measured."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def add_arguments(parser: argparse.ArgumentParser, *work_names: str) -> None:
    """The options every benchmark on the shared store takes (work_names: extra spellings of --work)."""
    parser.add_argument(
        "--work",
        *work_names,
        dest="work",
        type=Path,
        default=WORK,
        help=f"the demo files and the store (default {WORK.relative_to(ROOT)}; made if missing)",
    )
    parser.add_argument("--standards", type=Path, default=STANDARDS, help="the standards folder")
    parser.add_argument(
        "--providers", type=int, default=None, help="fewer providers than the national 150, for a quick run"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="write the demo, load the store and run the audits again even if done"
    )


def submissions(work: Path) -> list[Path]:
    """Every return folder, then every evidence pack folder, of the demo in work."""
    return sorted((work / "returns").iterdir()) + sorted((work / "packs").iterdir())


def _demo_matches(work: Path, scale: str, seed: int, providers: int | None, years: int = 1) -> bool:
    from audits import demo

    manifest = work / demo.MANIFEST
    if not manifest.exists() or not (work / "returns").is_dir():
        return False
    made = json.loads(manifest.read_text(encoding="utf-8"))
    wanted = providers or (demo.NATIONAL_PROVIDERS if scale == "national" else len(demo.archetypes()))
    have = len({folder.name.split("-")[0] for folder in (work / "returns").iterdir()})
    periods = made.get("periods") == list(demo.national_periods(years)) if scale == "national" else True
    return made.get("scale") == scale and made.get("seed") == seed and have == wanted and periods


def write_demo(
    work: Path,
    scale: str = "national",
    seed: int = 1,
    providers: int | None = None,
    fresh: bool = False,
    years: int = 1,
) -> float | None:
    """The demo files in work; the seconds writing them took, or None when they were there already."""
    from audits import demo

    if not fresh and _demo_matches(work, scale, seed, providers, years):
        return None
    print(f"writing the {scale} demo ({years} year{'s' if years > 1 else ''}) to {work} …", flush=True)
    started = time.perf_counter()
    demo.write_demo(work, scale=scale, seed=seed, providers=providers, years=years)
    seconds = time.perf_counter() - started
    print(f"  written in {seconds:.1f} s", flush=True)
    return seconds


def store_is_loaded(work: Path) -> bool:
    """True when work/audit.duckdb was loaded after the demo files were last written."""
    from audits import demo, store

    db = work / STORE
    if not db.exists() or db.stat().st_mtime < (work / demo.MANIFEST).stat().st_mtime:
        return False
    with store.reading(db) as con:
        loaded = con.execute("SELECT count(*) FROM submissions WHERE is_current").fetchone()[0]
    return loaded == len(submissions(work))


def load(work: Path, db: Path | None = None):
    """Every return and pack of work's demo into db (default work/audit.duckdb, replaced); the outcomes."""
    from audits import ingest

    db = db or work / STORE
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    return ingest.ingest(submissions(work), db=db, loaded_by="bench")


def audited_periods(db: Path, standards: Path, period: str | None = None, fresh: bool = False) -> list[str]:
    """The period (default: the latest with returns) and the one before, audited with today's standards files."""
    from audits import runs, store
    from audits.standard_files import load_standards

    files = {(path.name, sha256) for path, sha256 in load_standards(standards).files.values()}
    with store.reading(db) as con:
        loaded = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT period FROM submissions WHERE kind = 'return' ORDER BY period"
            ).fetchall()
        ]
        if period is not None and period not in loaded:
            raise SystemExit(f"No return for {period} is loaded in {db}: choose one of {', '.join(loaded)}.")
        end = loaded.index(period) + 1 if period else len(loaded)
        periods = loaded[max(0, end - 2) : end]
        done = set()
        for period in periods:
            run_id = runs.latest_run_id(con, period)
            used = (
                set(
                    con.execute(
                        "SELECT name, sha256 FROM run_inputs WHERE run_id = ? AND kind = 'standard'", [run_id]
                    ).fetchall()
                )
                if run_id
                else None
            )
            if used == files:
                done.add(period)
    todo = periods if fresh else [p for p in periods if p not in done]
    if todo:
        started = time.perf_counter()
        for period in todo:
            runs.run_audit(db, period, standards, run_by="bench")
        print(f"ran the audits of {', '.join(todo)} in {time.perf_counter() - started:.1f} s", flush=True)
    return periods


def national_store(
    work: Path = WORK,
    standards: Path = STANDARDS,
    providers: int | None = None,
    fresh: bool = False,
    period: str | None = None,
) -> tuple[Path, str]:
    """The shared store, written, loaded and audited as needed; (its path, the audited period)."""
    work.mkdir(parents=True, exist_ok=True)
    rewritten = write_demo(work, providers=providers, fresh=fresh) is not None
    db = work / STORE
    if fresh or rewritten or not store_is_loaded(work):
        started = time.perf_counter()
        print(f"loading {len(submissions(work))} returns and evidence packs into {db} …", flush=True)
        load(work, db)
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    periods = audited_periods(db, standards, period, fresh=fresh)
    return db, periods[-1]
