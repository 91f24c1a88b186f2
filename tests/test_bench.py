"""The benchmark scripts run end to end on a tiny national demo, so they cannot rot.

These are smoke runs, never timings: bench/ is run by hand at national scale, with the load
average written beside each number (bench/README.md). Here each script runs on three providers
and its report is checked for the figures the notes copy, and the store it loaded for the rows
DuckDB itself reads from the same files.
"""

import re
import runpy
import sys
from pathlib import Path

import duckdb
import pytest

from audits import store

from support.stores import STORIES_STANDARDS, to_audit

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run(script: str, *args: str, monkeypatch, capsys) -> str:
    monkeypatch.setattr(sys, "argv", [str(BENCH / script), *args])
    runpy.run_path(str(BENCH / script), run_name="__main__")
    return capsys.readouterr().out


@pytest.mark.slow  # the benchmark scripts run end to end
def test_ingest_then_reports_benchmarks(tmp_path, monkeypatch, capsys):
    work = tmp_path / "national"
    out = run(
        "ingest.py", "--work", str(work), "--providers", "3", "--raw", "plain", monkeypatch=monkeypatch, capsys=capsys
    )
    assert "baseline DuckDB alone, read_csv(all_varchar = true, filename = true)" in out
    ratio = re.search(r"ratio: ([\d.]+)x DuckDB's plain glob read .* peak memory ([\d,]+) MiB", out)
    assert ratio and float(ratio.group(1)) > 0 and int(ratio.group(2).replace(",", "")) > 0
    # The baseline read the very files ours loaded: every contact of the demo, ours and DuckDB's.
    loaded = int(re.search(r"\(([\d,]+) rows loaded, ([\d,]+) held back", out).group(1).replace(",", ""))
    read = int(re.search(r"\(([\d,]+) rows; peak", out).group(1).replace(",", ""))
    held = int(re.search(r"rows loaded, ([\d,]+) held back", out).group(1).replace(",", ""))
    assert loaded + held == read
    raw = duckdb.connect(str(tmp_path / "stores" / "raw-plain.duckdb"), read_only=True)
    try:
        files = raw.execute("SELECT count(DISTINCT filename) FROM contacts").fetchall()[0][0]
    finally:
        raw.close()
    assert files == len(list((work / "returns").iterdir()))
    with store.reading(work / "audit.duckdb") as con:
        assert con.execute("SELECT count(*) FROM current_submissions").fetchall()[0][0] == len(
            list((work / "returns").iterdir())
        ) + len(list((work / "packs").iterdir()))

    out = run(
        "reports.py", "--work", str(work), "--providers", "3", "--workers", "1", monkeypatch=monkeypatch, capsys=capsys
    )
    made = re.search(r"(\d+) PDFs \((\d+) pages.* with 1 worker", out)
    assert made and int(made.group(1)) == 3 and int(made.group(2)) > 3
    assert len(list((work / "pdf-1").glob("*.pdf"))) == 3


@pytest.mark.slow
def test_years_benchmark(tmp_path, monkeypatch, capsys):
    work = tmp_path / "years"
    args = ("--work", str(work), "--providers", "3", "--years", "2", "--repeat", "1")
    out = run("years.py", *args, monkeypatch=monkeypatch, capsys=capsys)
    years = re.findall(r"year (\d) \((\d{4}-Q\d) to (\d{4}-Q\d)\): \d+ submissions, ([\d,]+) rows", out)
    assert [(y, a, b) for y, a, b, _ in years] == [("1", "2024-Q4", "2025-Q3"), ("2", "2025-Q4", "2026-Q3")]
    assert re.search(r"linear: the last year took [\d.]+x the first", out)
    assert re.search(r"audit of 2026-Q3 on the 2-year store .* median [\d.]+ s", out)
    with store.reading(work / "audit.duckdb") as con:
        periods = [p for (p,) in con.execute("SELECT DISTINCT period FROM cur_contacts ORDER BY 1").fetchall()]
        assert len(periods) == 8 and periods[0] == "2024-Q4" and periods[-1] == "2026-Q3"
        assert con.execute("SELECT count(*) FROM runs WHERE period = '2026-Q3'").fetchall()[0][0] == 1


@pytest.mark.slow
def test_command_benchmark(tmp_path, monkeypatch, capsys):
    """bench/command.py times `python -m audits run` in fresh processes, taking turns between trees,
    and never writes the store it is given."""
    db = to_audit(tmp_path / "audit.duckdb")
    before = db.read_bytes()
    root = str(BENCH.parent)
    args = ("--db", str(db), "--period", "2026-Q2", "--standards", str(STORIES_STANDARDS), "--repeat", "1")
    out = run("command.py", *args, "--trees", root, root, monkeypatch=monkeypatch, capsys=capsys)
    assert len(re.findall(r"^run 1 .*: wall [\d.]+ s, CPU [\d.]+ s; load average before ", out, re.M)) == 2
    assert re.search(r"python -m audits run --period 2026-Q2, fresh process, .*: wall median [\d.]+ s", out)
    assert db.read_bytes() == before
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == 0


def test_command_benchmark_writes_bytecode_only_in_its_untimed_first_audit(monkeypatch):
    """The first audit of each tree writes its bytecode, as an auditor's earlier run would, even in
    an environment that says not to; the timed runs keep the environment as it is."""
    command = runpy.run_path(str(BENCH / "command.py"), run_name="bench_command")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert "PYTHONDONTWRITEBYTECODE" not in command["environment"](write_bytecode=True)
    assert command["environment"](write_bytecode=False)["PYTHONDONTWRITEBYTECODE"] == "1"


def test_ingest_benchmarks_memory_counts_batches_waiting_in_shared_memory(tmp_path, monkeypatch):
    """Checked batches left in shared memory for the writer are memory no process holds yet:
    the ingest benchmark's peak counts them."""
    from audits import ingest

    bench_ingest = runpy.run_path(str(BENCH / "ingest.py"), run_name="bench_ingest")
    monkeypatch.setattr(ingest, "SHARED_MEMORY", tmp_path)
    alone = bench_ingest["_waiting_in_shared_memory"]()
    assert alone == 0
    batch = tmp_path / f"{ingest._SHIP_PREFIX}123-abc" / "batch1"
    batch.mkdir(parents=True)
    (batch / "contacts.arrow").write_bytes(b"\0" * 3 * 2**20)
    assert bench_ingest["_waiting_in_shared_memory"]() == 3 * 2**20
