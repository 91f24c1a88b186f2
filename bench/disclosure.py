"""Disclosure control by hand: what the protection costs, and what the attacker finds, per quarter.

For every audited quarter of a store (the small demo, or the shared national store):

* cost: rows of people with something hidden, counts hidden (numerators and denominators), and
  ratings merged or withheld, by the rule on main before issue 10 (`stats.suppress_results`,
  read from git) and by audits.disclosure now, with the part that is primary (counts of 1-4
  themselves: the least any rule must hide);
* time: working out a run's public results (audits.disclosure.protect);
* the attacker (tests/support/disclosure_attacker.py) against the public CSV of each rule, and with
  --pdf against every provider's PDF, with --dashboard against what an expert citizen's
  dashboard sends, with --site against the published site (every provider signed off on a copy):
  counts of 1-4 it pins to one value.

    cat /proc/loadavg; .venv/bin/python bench/disclosure.py --scale small --pdf --dashboard --site
    cat /proc/loadavg; .venv/bin/python bench/disclosure.py --scale national --pdf
    cat /proc/loadavg; .venv/bin/python bench/disclosure.py --scale national --periods 1 --pdf --pdf-providers 20
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

from audits import disclosure, runs, store  # noqa: E402

from support import disclosure_attacker as attacker  # noqa: E402


def main_rule():
    """stats.suppress_results as it was on main before this work: the 'before' of the cost."""
    source = subprocess.run(
        ["git", "show", "5e75343:audits/stats.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("stats_before")
    exec(compile(source, "stats_before.py", "exec"), module.__dict__)
    return module.suppress_results


def small_store(work: Path) -> Path:
    from audits import demo, ingest

    db = work / "audit.duckdb"
    if db.exists():
        return db
    work.mkdir(parents=True, exist_ok=True)
    written = demo.write_demo(work / "files", scale="small")
    ingest.ingest(sorted(written), db=db, loaded_by="bench")
    for period in demo.SMALL_PERIODS:
        runs.run_audit(db, period, ROOT / "standards", run_by="bench")
    return db


def _cost(public, people) -> dict:
    rows = public[people]
    hidden = rows["hidden"] if "hidden" in rows else None
    if hidden is None:  # the rule before: a suppressed column, NaN counts
        return {
            "rows": int(rows["suppressed"].sum()),
            "counts": int(rows["numerator"].isna().sum() + rows["denominator"].isna().sum())
            - int((rows["denominator_rows"] == 0).sum()),
            "ratings": 0,
        }
    return {
        "rows": int((hidden != "").sum()),
        "counts": int((hidden != "").sum() + (hidden == "all").sum()),
        "ratings": int(rows["rating"].isin(disclosure.NOT_ONE_BAND).sum()),
        "primary": int((rows["reason"] == "small").sum()),
        "linked": int((rows["reason"] == "linked").sum()),
        "earlier": int((rows["reason"] == "earlier").sum()),
    }


def _csv_of(df, path: Path) -> list[dict]:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(runs.EXPORT_COLUMNS)
        for record in df[runs.EXPORT_COLUMNS].itertuples(index=False):
            writer.writerow([runs._cell(v) for v in record])
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def most_hidden(db: Path, period: str, n: int) -> list[str]:
    """The n providers of the quarter's public results with the most rows hidden or rated as a
    range (the PDFs worth reading first when there is no time to read all of them)."""
    with store.reading(db) as con:
        public = disclosure.public_results(con, disclosure.public_run_id(con, period))
    score = (public["hidden"] != "") | public["rating"].isin(disclosure.NOT_ONE_BAND)
    return list(score.groupby(public["provider_id"]).sum().sort_values(ascending=False, kind="stable").index[:n])


def attack(
    db: Path,
    period: str,
    rows: list[dict] | None,
    folder: Path,
    pdf: bool,
    dashboard: bool,
    site: bool = False,
    pdf_providers: int | None = None,
) -> tuple[int, float]:
    import test_disclosure_attack as harness

    started, cpu = time.perf_counter(), time.process_time()
    k = harness.knowledge_of(db, period)
    version = next(iter(k.standards)) if len(k.standards) == 1 else runs_latest(db, period)
    k.standards = {version: k.standards[version]}
    if rows is None:
        harness.read_public_csv(db, period, version, folder, k)
    else:
        attacker.read_csv_rows(rows, version, k)
    if pdf:
        harness.read_pdfs(db, period, folder, k, most_hidden(db, period, pdf_providers) if pdf_providers else None)
    if dashboard:
        harness.read_dashboard(db, period, k, _Env())
    if site:
        harness.read_site(db, period, version, folder, k)
    found = harness.disclosures(db, period, k)
    for line in found[:10]:
        print("    ", line)
    print(
        f"     ({time.process_time() - cpu:.0f} CPU-s in this process; load {open('/proc/loadavg').read().split()[0]})"
    )
    return len(found), time.perf_counter() - started


def runs_latest(db: Path, period: str) -> str:
    with store.reading(db) as con:
        return runs.latest_run_id(con, period)


class _Env:
    def setenv(self, key, value):
        import os

        os.environ[key] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("small", "national"), default="small")
    parser.add_argument("--pdf", action="store_true", help="the attacker reads every provider's PDF too")
    parser.add_argument("--dashboard", action="store_true", help="and the expert citizen's dashboard")
    parser.add_argument("--site", action="store_true", help="and the published site (pages, CSV, JSON)")
    parser.add_argument(
        "--pdf-providers", type=int, default=None, help="read the PDFs of only the N providers with most hidden"
    )
    parser.add_argument("--periods", type=int, default=None, help="only the latest N audited quarters")
    common.add_arguments(parser)
    args = parser.parse_args()
    if args.scale == "small":
        work = args.work if args.work != common.WORK else ROOT / "bench" / "out" / "small"
        db = small_store(work)
    else:
        db, _ = common.national_store(args.work, args.standards, args.providers, args.fresh)
    before_rule = main_rule()
    with store.reading(db) as con:
        latest = runs.latest_run_ids(con)
    periods = list(latest)[-args.periods :] if args.periods else list(latest)
    totals = {"before": 0, "after": 0}
    for period in periods:
        run_id = latest[period]
        with store.reading(db) as con:
            results = runs.read_results(con, run_id)
            standards = runs.run_standards(con, run_id)
        people = results["denominator_rows"].notna()
        started, cpu = time.perf_counter(), time.process_time()
        disclosure.protect(results.drop(columns=["provider_name"]), standards)
        protect_s, protect_cpu = time.perf_counter() - started, time.process_time() - cpu
        with store.reading(db) as con:
            after = disclosure.public_results(con, run_id)
        before = before_rule(results)
        cost_before, cost_after = _cost(before, people.values), _cost(after, people.values)
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            copy = folder / "store.duckdb"
            shutil.copy(db, copy)
            old, old_s = attack(copy, period, _csv_of(before, folder / "before.csv"), folder, False, False)
            new, new_s = attack(copy, period, None, folder, args.pdf, args.dashboard, args.site, args.pdf_providers)
        totals["before"] += old
        totals["after"] += new
        print(
            f"{period}: {int(people.sum())} rows of people; protect {protect_s:.2f} s ({protect_cpu:.2f} CPU-s)\n"
            f"  hidden before (main's rule): {cost_before}\n"
            f"  hidden now: {cost_after}\n"
            f"  attacker, CSV of main's rule: {old} counts of 1-4 pinned ({old_s:.0f} s)\n"
            f"  attacker, every public output now (CSV{', PDFs' if args.pdf else ''}"
            f"{', dashboard' if args.dashboard else ''}{', site' if args.site else ''}): {new} pinned ({new_s:.0f} s)",
            flush=True,
        )
    print(f"total pinned: before {totals['before']}, now {totals['after']}")


if __name__ == "__main__":
    main()
