"""Loading into a real DuckDB store: each submission all or nothing, quarantine, history of
resubmissions, identical data from all three forms, and a process killed mid-ingest."""

import concurrent.futures
import datetime as dt
import functools
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from audits import ingest, reading, returns, spec, store
from audits.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
GOOD_RETURN = FIXTURES / "good-return"
GOOD_PACK = FIXTURES / "good-pack"
ROOT = Path(__file__).resolve().parent.parent


def make(tmp_path: Path, case: str | None = None, base: Path = GOOD_RETURN) -> Path:
    """The good return (or pack) with a case's files laid over it."""
    target = tmp_path / (case or "good").replace("/", "-")
    shutil.copytree(base, target)
    if case:
        for f in (FIXTURES / case).iterdir():
            shutil.copy(f, target / f.name)
    return target


def snapshot(db: Path) -> dict:
    """Every row of every table, in a stable order."""
    with store.reading(db) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
        ]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


@pytest.mark.slow
def test_a_return_and_a_pack_load_with_their_history(tmp_path):
    db = tmp_path / "audit.duckdb"
    outcomes = ingest.ingest([GOOD_RETURN, GOOD_PACK], db=db, loaded_by="auditor-a")
    assert [o.loaded for o in outcomes] == [True, True]
    assert outcomes[0].rows["contacts"] == 9 and outcomes[1].withdrawals == 1
    with store.reading(db) as con:
        subs = con.execute(
            "SELECT kind, provider_id, period, is_current, loaded_by, loaded_at, form, "
            "submitted_on, gathered_by, rows_loaded FROM submissions ORDER BY kind DESC"
        ).fetchall()
        assert [s[:5] for s in subs] == [
            ("return", "P001", "2026-Q2", True, "auditor-a"),
            ("pack", "P001", "2026-Q2", True, "auditor-a"),
        ]
        assert all(isinstance(s[5], dt.datetime) for s in subs)
        assert subs[0][7] == dt.date(2026, 7, 14) and subs[1][8] == "Northshire Expert Citizens Group"
        files = dict(
            con.execute(
                "SELECT file_name, f.sha256 FROM submission_files f JOIN submissions s "
                "USING (submission_id) WHERE s.kind = 'return'"
            ).fetchall()
        )
        assert files["episodes.csv"] == hashlib.sha256((GOOD_RETURN / "episodes.csv").read_bytes()).hexdigest()
        assert len(files) == 7
        assert con.execute("SELECT provider_name, area FROM providers").fetchall() == [
            ("Northgate Recovery Partnership", "Northshire")
        ]
        row = con.execute(
            "SELECT line, referral_date, choice_offered, assessments, period_start, period_end "
            "FROM cur_episodes WHERE episode_id = 'E2'"
        ).fetchone()
        assert row == (3, dt.date(2026, 4, 7), True, 1, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
        assert con.execute("SELECT fte FROM cur_workforce WHERE staff_id = 'S2'").fetchone() == (0.8,)
        assert con.execute("SELECT story_id FROM story_withdrawals").fetchall() == [("ST3",)]
        assert con.execute("SELECT count(*) FROM cur_stories").fetchone() == (3,)


@pytest.mark.slow
def test_blocking_problems_load_nothing(tmp_path):
    db = tmp_path / "audit.duckdb"
    ingest.ingest([GOOD_PACK], db=db)
    before = snapshot(db)
    [outcome] = ingest.ingest([make(tmp_path, "bad/duplicate-ids")], db=db)
    assert not outcome.loaded and "Not loaded" in outcome.summary()
    assert snapshot(db) == before


@pytest.mark.slow
def test_rows_with_problems_are_quarantined_with_reasons(tmp_path):
    db = tmp_path / "audit.duckdb"
    [outcome] = ingest.ingest([make(tmp_path, "bad/row-problems")], db=db)
    assert outcome.loaded and outcome.quarantined == 15
    with store.reading(db) as con:
        assert con.execute("SELECT episode_id FROM cur_episodes").fetchall() == [("E1",)]
        held = con.execute(
            "SELECT table_name, line, key_value, reasons, "
            "json_extract_string(row_json, '$.substance_group') FROM quarantine "
            "WHERE table_name = 'episodes' AND line = 9"
        ).fetchone()
        assert held[:3] == ("episodes", 9, "E8") and "heroin" in held[3] and held[4] == "heroin"
        child = con.execute(
            "SELECT reasons FROM quarantine WHERE table_name = 'contacts' AND key_value = 'C4'"
        ).fetchone()[0]
        assert "held back" in child
        report = con.execute("SELECT report_json FROM submissions").fetchone()[0]
        assert "substance_group" in report


@pytest.mark.slow
def test_withdrawn_story_held_back_is_still_recorded(tmp_path):
    db = tmp_path / "audit.duckdb"
    [outcome] = ingest.ingest([make(tmp_path, "bad-pack/row-problems", base=GOOD_PACK)], db=db)
    assert outcome.loaded
    with store.reading(db) as con:
        # ST3 is held back (its date) but its withdrawal is recorded all the same.
        assert sorted(r[0] for r in con.execute("SELECT story_id FROM story_withdrawals").fetchall()) == ["ST3", "ST4"]


@pytest.mark.slow
def test_resubmission_replaces_atomically_and_keeps_the_earlier(tmp_path):
    db = tmp_path / "audit.duckdb"
    [first] = ingest.ingest([GOOD_RETURN], db=db, loaded_by="provider-upload")
    second_folder = make(tmp_path)
    with open(second_folder / "episodes.csv", "a") as f:
        f.write("E6,PX06,2026-06-20,2026-06-21,,,,alcohol,male,25-34,white,1,yes,yes,no,no,none,no,,no,no\n")
    [second] = ingest.ingest([second_folder], db=db, loaded_by="auditor-b")
    assert second.replaced == first.submission_id
    with store.reading(db) as con:
        rows = con.execute(
            "SELECT submission_id, is_current, replaced_by, loaded_by FROM submissions ORDER BY loaded_at"
        ).fetchall()
        assert rows == [
            (first.submission_id, False, second.submission_id, "provider-upload"),
            (second.submission_id, True, None, "auditor-b"),
        ]
        assert con.execute("SELECT count(*) FROM cur_episodes").fetchone() == (6,)
        assert con.execute("SELECT count(*) FROM episodes").fetchone() == (11,)
        shas = con.execute(
            "SELECT submission_id, sha256 FROM submission_files WHERE file_name = 'episodes.csv' ORDER BY submission_id"
        ).fetchall()
        assert len({s for _, s in shas}) == 2


def write_workbook(folder: Path, path: Path) -> Path:
    """The same return as one workbook, the way Excel would hold it: real dates,
    real TRUE/FALSE cells and numbers, not text."""
    book = openpyxl.Workbook()
    meta = book.active
    meta.title = "return"
    meta.append(["key", "value"])
    v = returns.validate(folder)
    for key, value in v.meta.items():
        meta.append([key, value])
    for table in spec.RETURN_TABLES:
        raw, _ = reading.read_csv_bytes(table, table.file, (folder / table.file).read_bytes())
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        rows = raw.cells.select(list(table.column_names)).to_pylist()
        for row in rows:
            cells = []
            for col in table.columns:
                text = row[col.name]
                if text == "":
                    cells.append(None)
                elif col.type == spec.DATE:
                    cells.append(dt.datetime.fromisoformat(text))
                elif col.type == spec.BOOLEAN:
                    cells.append(text.lower() in spec.TRUE_WORDS)
                elif col.type in (spec.INTEGER, spec.NUMBER):
                    cells.append(float(text) if "." in text else int(text))
                else:
                    cells.append(text)
            sheet.append(cells)
    book.save(path)
    return path


def table_contents(db: Path) -> dict:
    with store.reading(db) as con:
        return {
            t.name: con.execute(f"SELECT * EXCLUDE (submission_id) FROM {t.name} ORDER BY line").fetchall()
            for t in spec.RETURN_TABLES
        }


@pytest.mark.slow
def test_folder_zip_and_xlsx_load_identical_data(tmp_path):
    folder = GOOD_RETURN
    zipped = tmp_path / "northgate-2026-Q2.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, f"northgate-2026-Q2/{f.name}")
    workbook = write_workbook(folder, tmp_path / "northgate-2026-Q2.xlsx")
    contents = {}
    for form, path in (("folder", folder), ("zip", zipped), ("xlsx", workbook)):
        db = tmp_path / f"{form}.duckdb"
        [outcome] = ingest.ingest([path], db=db)
        assert outcome.loaded and outcome.validation.form == form and not outcome.validation.problems
        contents[form] = table_contents(db)
    assert contents["folder"]["episodes"] and contents["folder"]["documents"]
    assert contents["folder"] == contents["zip"] == contents["xlsx"]


@pytest.mark.slow
def test_a_few_rows_inserted_as_values_are_stored_as_the_arrow_scan_stores_them(tmp_path, monkeypatch):
    """A table's few rows go in as INSERT … VALUES parameters (ingest.FEW_CELLS), more as a scan
    of their Arrow slice: every table of a return and a pack, each loaded whole both ways, holds
    the same values (dates, numbers, yes/no, empty cells)."""
    contents = {}
    for way, few in (("scan", -1), ("values", 10**9)):
        monkeypatch.setattr(ingest, "FEW_CELLS", few)
        db = tmp_path / f"{way}.duckdb"
        ingest.ingest([GOOD_RETURN, GOOD_PACK], db=db)
        with store.reading(db) as con:
            contents[way] = {
                t.name: con.execute(f"SELECT * EXCLUDE (submission_id) FROM {t.name} ORDER BY line").fetchall()
                for t in spec.RETURN_TABLES + spec.PACK_TABLES
            }
    assert all(contents["scan"][t.name] for t in spec.RETURN_TABLES + spec.PACK_TABLES)
    assert any(None in row for row in contents["scan"]["episodes"])  # empty cells too
    assert contents["values"] == contents["scan"]


@pytest.mark.slow
def test_a_workbook_problem_names_the_sheet(tmp_path):
    path = write_workbook(GOOD_RETURN, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book["episodes"]["H3"] = "heroin"
    book.save(path)
    v = returns.validate(path)
    [p] = [p for p in v.problems if p.column == "substance_group"]
    assert (p.file, p.line, p.value) == ("r.xlsx sheet episodes", 3, "heroin")


# The killed scripts write their marker whole, by renaming a finished file onto it: a marker
# written in place exists, empty, before its text is in it, and a kill then reads it empty.
MARK = textwrap.dedent("""
    import os
    from pathlib import Path

    def mark(path, text):
        part = Path(str(path) + ".part")
        part.write_text(text)
        os.replace(part, path)
""")


def kill_when_inside(tmp_path: Path, code: str, marker: Path, *args: Path) -> None:
    """Run code as a script with args, wait until it writes marker (it is inside the ingest and
    stalls there), then kill it with SIGKILL, as a power cut or the OOM killer would."""
    script = tmp_path / "killed.py"
    script.write_text(MARK + code)
    process = subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "the ingest process ended before it was killed"
            assert time.monotonic() < deadline, "the ingest never reached the middle"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL


KILLED_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from audits import ingest

    original = ingest._insert_many

    def insert_then_stall(con, table, parts):
        original(con, table, parts)
        if table.name == "contacts":   # half way: episodes and contacts written, not committed
            mark(sys.argv[3], "inside the transaction")
            time.sleep(120)

    ingest._insert_many = insert_then_stall
    ingest.ingest([Path(sys.argv[1])], db=sys.argv[2], loaded_by="killed")
""")


@pytest.mark.slow
def test_a_process_killed_mid_ingest_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "audit.duckdb"
    ingest.ingest([GOOD_RETURN, GOOD_PACK], db=db)
    before = snapshot(db)
    resubmission = make(tmp_path)
    (resubmission / "kpis.csv").write_text("kpi_id,name,measure,target,payment_linked,set_by\n")
    marker = tmp_path / "inside"
    kill_when_inside(tmp_path, KILLED_SCRIPT, marker, resubmission, db, marker)
    assert snapshot(db) == before
    # And the store still works: the same resubmission now loads.
    [outcome] = ingest.ingest([resubmission], db=db)
    assert outcome.loaded and outcome.replaced


BATCH_KILLED_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from audits import ingest

    together = ingest._load_together

    def commit_then_stall(con, fresh, *rest):
        outcomes = together(con, fresh, *rest)
        # the batch's transaction has committed, its checkpoint not yet run
        mark(sys.argv[4], " ".join(o.kind for o in outcomes.values()))
        time.sleep(120)

    ingest._load_together = commit_then_stall
    ingest.ingest([Path(sys.argv[1]), Path(sys.argv[2])], db=sys.argv[3],
                  progress=lambda outcome: Path(sys.argv[5]).write_text("reported"))
""")


@pytest.mark.slow
def test_a_process_killed_after_a_commit_leaves_the_store_as_the_batch_found_it(tmp_path):
    """A batch's commit reaches the file only with its checkpoint, as its connection closes (no
    write-ahead log): a kill after the commit, before the checkpoint, loses the whole batch, of
    which nothing was reported as loaded, and the store stays as it was."""
    db = tmp_path / "audit.duckdb"
    ingest.ingest([GOOD_RETURN, GOOD_PACK], db=db)
    before = snapshot(db)
    pack = make(tmp_path / "pack", base=GOOD_PACK)
    resubmission = make(tmp_path)
    (resubmission / "kpis.csv").write_text("kpi_id,name,measure,target,payment_linked,set_by\n")
    marker, reported = tmp_path / "inside", tmp_path / "reported"
    kill_when_inside(tmp_path, BATCH_KILLED_SCRIPT, marker, pack, resubmission, db, marker, reported)
    assert marker.read_text() == "pack return"  # both had committed before the kill
    assert not reported.exists()
    assert snapshot(db) == before
    # Loading the batch again loads both.
    outcomes = ingest.ingest([pack, resubmission], db=db)
    assert [o.loaded for o in outcomes] == [True, True] and all(o.replaced for o in outcomes)
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM current_submissions").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 4


@pytest.mark.slow
def test_ingest_command(tmp_path):
    db = tmp_path / "cli.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(GOOD_RETURN), str(GOOD_PACK), "--db", str(db), "--by", "me"])
    assert result.exit_code == 0, result.output
    assert "Loaded return P001 2026-Q2" in result.output and "Loaded 2 of 2" in result.output
    bad = make(tmp_path, "bad/cp1252")
    result = runner.invoke(app, ["ingest", str(bad), "--db", str(db)])
    assert result.exit_code == 1
    assert "documents.csv line 3" in result.output and "nothing of those was loaded" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_ingest_command_says_plainly_when_the_store_is_busy(tmp_path, monkeypatch):
    db = tmp_path / "busy.duckdb"
    store.connect(db).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(store, "connect", functools.partial(store.connect, wait_seconds=0.3))
        result = CliRunner().invoke(app, ["ingest", str(GOOD_RETURN), "--db", str(db)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert f"process {holder.pid}" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_the_same_quarter_twice_in_one_command_is_loaded_once(tmp_path):
    db = tmp_path / "twice.duckdb"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(GOOD_RETURN), str(GOOD_RETURN), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "was given twice in this command" in result.output and "loaded once" in result.output
    other = make(tmp_path, "bad/row-problems")  # P001 2026-Q2 again, different files
    result = runner.invoke(app, ["ingest", str(GOOD_RETURN), str(other), "--db", str(db)])
    assert result.exit_code == 1
    assert "is a second, different return for the same provider and quarter" in result.output
    with store.reading(db) as con:
        history = con.execute("SELECT source, is_current FROM submissions ORDER BY loaded_at").fetchall()
    assert history == [(str(GOOD_RETURN), False), (str(GOOD_RETURN), True)]


@pytest.mark.slow
def test_ingest_report_counts_the_rows_it_loads(tmp_path):
    """The report printed while loading said 'Loadable: 0 rows' for a pack that loaded
    rows (the rows were freed before the report was printed)."""
    pack = make(tmp_path, "bad-pack/words-in-wrong-column", base=GOOD_PACK)
    result = CliRunner().invoke(app, ["ingest", str(pack), "--db", str(tmp_path / "a.duckdb")])
    assert result.exit_code == 0, result.output
    assert "Loadable: 1 row, 4 rows held back" in result.output
    assert "keyworker told me" not in result.output


def _as_loaded(db: Path, renumber: bool = False) -> dict:
    """Every row of every table without what differs between two loads of the same files
    (submission ids, times; with `renumber`, the submissions' numbers as their order: a
    transaction rolled back leaves a gap in the numbers, as any sequence does)."""
    varying = {"submission_id", "replaced_by", "loaded_at", "replaced_at", "recorded_at", "withdrawn_at"}
    with store.reading(db) as con:
        order = [n for (n,) in con.execute("SELECT number FROM submissions ORDER BY number").fetchall()]
        ranks = {n: rank for rank, n in enumerate(order)} if renumber else {}
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
        ]
        out = {}
        for t in tables:
            cursor = con.execute(f"SELECT * FROM {t}")
            names = [d[0] for d in cursor.description]
            out[t] = sorted(
                repr(
                    [
                        ranks.get(v, v) if n in ("number", "submission") else v
                        for n, v in zip(names, row)
                        if n not in varying and not n.endswith("_at")
                    ]
                )
                for row in cursor.fetchall()
            )
        return out


@pytest.mark.slow
def test_batches_validated_in_a_worker_process_load_exactly_as_in_one_batch(tmp_path):
    """A load of several batches validates them in a second process (audits.ingest._validator):
    the same outcomes, problems, quarantine and rows as the same files validated in one batch
    in this process."""
    paths = [
        make(tmp_path, "bad/row-problems"),
        make(tmp_path, "bad/duplicate-ids"),
        make(tmp_path, "bad-pack/row-problems", base=GOOD_PACK),
        make(tmp_path, "bad/written-otherwise"),
    ]
    once = ingest.ingest(paths, db=tmp_path / "one.duckdb", loaded_by="test")
    apart = ingest.ingest(paths, db=tmp_path / "apart.duckdb", loaded_by="test", batch=1)  # 4 batches

    def seen(o):
        v = o.validation
        return (o.source, o.loaded, o.rows, o.quarantined, o.withdrawals, o.same_as, v.report(), v.report_json())

    assert [seen(o) for o in apart] == [seen(o) for o in once]
    assert [o.loaded for o in once] == [True, False, True, False]  # the last: same quarter as the first
    assert _as_loaded(tmp_path / "apart.duckdb") == _as_loaded(tmp_path / "one.duckdb")
    assert once[0].quarantined and once[2].quarantined


def _fail_once(monkeypatch, name: str) -> list:
    """ingest.<name> raises a DuckDB error the first time it is called, as a full disk would."""
    calls = []
    original = getattr(ingest, name)

    def failing(*args):
        calls.append(name)
        if len(calls) == 1:
            raise duckdb.IOException("No space left on device")
        return original(*args)

    monkeypatch.setattr(ingest, name, failing)
    return calls


@pytest.mark.slow
def test_a_batch_whose_transaction_fails_is_written_again_one_submission_a_transaction(tmp_path, monkeypatch):
    """A batch is written in one transaction (ingest._load_together); if it fails, it is rolled
    back whole and written again one transaction a submission (ingest._load), as the store has
    always been written: the same rows, held-back rows and history either way."""
    paths = [make(tmp_path, "bad/row-problems"), make(tmp_path / "p", "bad-pack/row-problems", base=GOOD_PACK)]
    ingest.ingest([GOOD_RETURN, GOOD_PACK], db=tmp_path / "together.duckdb", loaded_by="test")
    together = ingest.ingest(paths, db=tmp_path / "together.duckdb", loaded_by="test")
    ingest.ingest([GOOD_RETURN, GOOD_PACK], db=tmp_path / "apart.duckdb", loaded_by="test")
    calls = _fail_once(monkeypatch, "_insert_many")  # the batch's first bulk insert fails
    loads = []
    load = ingest._load
    monkeypatch.setattr(ingest, "_load", lambda con, v, *rest: loads.append(v.kind) or load(con, v, *rest))
    apart = ingest.ingest(paths, db=tmp_path / "apart.duckdb", loaded_by="test")
    assert calls == ["_insert_many"] and loads == ["return", "pack"]
    assert [(o.loaded, o.rows, o.quarantined, bool(o.replaced)) for o in apart] == [
        (o.loaded, o.rows, o.quarantined, bool(o.replaced)) for o in together
    ]
    assert together[0].quarantined and together[1].quarantined and all(o.replaced for o in together)
    assert _as_loaded(tmp_path / "apart.duckdb", renumber=True) == _as_loaded(tmp_path / "together.duckdb", True)


@pytest.mark.slow
def test_when_a_submission_fails_one_at_a_time_the_ones_before_it_land_and_it_leaves_nothing(tmp_path, monkeypatch):
    """Written one transaction a submission (after the batch's transaction failed), a submission
    that fails leaves nothing of itself, the ones before it stay, and its error stops the command."""
    db = tmp_path / "audit.duckdb"
    second = make(tmp_path / "second")
    (second / "return.yaml").write_text((second / "return.yaml").read_text().replace("2026-Q2", "2026-Q3"))
    _fail_once(monkeypatch, "_load_together")
    calls = []
    add = ingest._add_submission

    def add_then_fail(con, validation, *rest):
        number = add(con, validation, *rest)
        calls.append(validation.meta["period"])
        if len(calls) == 2:
            raise duckdb.IOException("No space left on device")
        return number

    monkeypatch.setattr(ingest, "_add_submission", add_then_fail)
    with pytest.raises(store.StoreFull):
        ingest.ingest([GOOD_RETURN, second], db=db)
    assert calls == ["2026-Q2", "2026-Q3"]
    with store.reading(db) as con:
        assert con.execute("SELECT period FROM submissions").fetchall() == [("2026-Q2",)]
        assert con.execute("SELECT count(*) FROM episodes").fetchone() == (5,)
        assert con.execute("SELECT count(*) FROM periods WHERE period = '2026-Q3'").fetchone() == (0,)


class _BrokenWorker(concurrent.futures.Executor):
    """A worker process that died: every batch handed to it fails as a broken pool does."""

    def __init__(self) -> None:
        self.handed = 0

    def submit(self, fn, /, *args, **kwargs):
        self.handed += 1
        future = concurrent.futures.Future()
        future.set_exception(BrokenProcessPool("the worker process ended"))
        return future


@pytest.mark.slow
def returns_and_a_pack(tmp_path) -> list:
    """Three returns and a pack, each with problems of its own: four batches with batch=1."""
    return [
        make(tmp_path, "bad/row-problems"),
        make(tmp_path, "bad-pack/row-problems", base=GOOD_PACK),
        make(tmp_path, "bad/duplicate-ids"),
        make(tmp_path, "bad/written-otherwise"),
    ]


def test_batches_handed_to_a_worker_that_died_are_validated_here_all_of_them(tmp_path, monkeypatch):
    """The worker is handed batches ahead of the one being written (ingest.AHEAD): when it dies,
    every batch it held is checked in this process instead, none lost and none loaded twice."""
    paths = returns_and_a_pack(tmp_path)
    once = ingest.ingest(paths, db=tmp_path / "one.duckdb", loaded_by="test")
    broken = _BrokenWorker()
    monkeypatch.setattr(ingest, "_validator", lambda batches: broken)
    apart = ingest.ingest(paths, db=tmp_path / "apart.duckdb", loaded_by="test", batch=1)  # 4 batches
    assert broken.handed == ingest.AHEAD  # handed the 2nd and 3rd batches, then found broken
    assert [(o.source, o.loaded, o.rows, o.quarantined, o.validation.report()) for o in apart] == [
        (o.source, o.loaded, o.rows, o.quarantined, o.validation.report()) for o in once
    ]
    assert _as_loaded(tmp_path / "apart.duckdb") == _as_loaded(tmp_path / "one.duckdb")


@pytest.mark.slow
def test_checked_tables_reach_the_writer_through_shared_memory_and_nothing_is_left_there(tmp_path, monkeypatch):
    """The worker process leaves each batch's Arrow tables in a folder of shared memory
    (ingest._check) instead of pickling them; the writer maps them (ingest._received). The
    store gets the same rows as from one batch checked here, the ingest leaves no file behind,
    and a folder left by an ingest whose process was killed is removed (a live one's is kept)."""
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(ingest, "SHARED_MEMORY", shm)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = shm / f"{ingest._SHIP_PREFIX}{int(ended.stdout)}-gone"
    (stale / "x").mkdir(parents=True)
    (stale / "x" / "contacts.arrow").write_bytes(b"left by a killed ingest")
    alive = shm / f"{ingest._SHIP_PREFIX}{os.getppid()}-running"
    alive.mkdir()
    handed = []
    received = ingest._received

    def spying(validations, folder):
        handed.append((folder, sorted(p.name for p in Path(folder).iterdir()) if folder else None))
        return received(validations, folder)

    monkeypatch.setattr(ingest, "_received", spying)
    paths = [
        make(tmp_path, "bad/row-problems"),
        make(tmp_path, "bad-pack/row-problems", base=GOOD_PACK),
        make(tmp_path, "bad/written-otherwise"),
    ]
    once = ingest.ingest(paths, db=tmp_path / "one.duckdb", loaded_by="test")  # one batch: a thread, no folder
    assert handed == [(None, None)]
    handed.clear()
    apart = ingest.ingest(paths, db=tmp_path / "apart.duckdb", loaded_by="test", batch=1)  # 3 batches
    # The first batch is checked here; the worker process checked the other two.
    assert len(handed) == 2 and all(f is not None and Path(f).parent.parent == shm for f, _ in handed)
    assert handed[0][1] == sorted(f"{t.name}.arrow" for t in spec.PACK_TABLES)  # the pack's batch
    assert [(o.source, o.loaded, o.rows, o.quarantined, o.validation.report()) for o in apart] == [
        (o.source, o.loaded, o.rows, o.quarantined, o.validation.report()) for o in once
    ]
    assert _as_loaded(tmp_path / "apart.duckdb") == _as_loaded(tmp_path / "one.duckdb")
    assert sorted(p.name for p in shm.iterdir()) == [alive.name]


def _submission_of(folder: Path, size: int) -> Path:
    folder.mkdir(parents=True)
    (folder / "contacts.csv").write_bytes(b"x" * size)
    return folder


def test_batches_hold_a_set_number_then_more_small_submissions_up_to_a_size(tmp_path, monkeypatch):
    """ingest.batches: `size` submissions a batch, then more while the batch's files stay within
    `most_bytes` (a year's small evidence packs in one batch, not one per 40); never more than
    BATCH_MOST; in order, every submission once; a .zip counts its own size."""
    big = [_submission_of(tmp_path / f"big{i}", 600) for i in range(5)]
    small = [_submission_of(tmp_path / f"small{i}", 10) for i in range(12)]
    archive = tmp_path / "r.zip"
    archive.write_bytes(b"z" * 900)
    paths = big + small + [archive]
    chunks = ingest.batches(paths, size=2, most_bytes=1000)
    assert [p for chunk in chunks for p in chunk] == paths
    # Two big ones are 1,200 bytes: over the size, so no third; the fifth takes the small ones
    # up to 1,000 bytes (600 + 40 of them); the zip's 900 would pass it.
    assert [len(c) for c in chunks] == [2, 2, 13, 1]
    monkeypatch.setattr(ingest, "BATCH_MOST", 4)
    assert [len(c) for c in ingest.batches(paths, size=2, most_bytes=10_000)] == [4, 4, 4, 4, 2]
    assert ingest.batches([], size=2) == []


def test_the_returns_first_and_last_batches_hold_half_and_large_returns_fewer_a_batch(tmp_path):
    """With packs spread between them (ingest._tapered), the returns' batches hold at most
    `most_bytes` of files once they have `size` (large returns: fewer a batch, not `size` of
    any size), and the first and the last at most half of it (at least one each)."""
    rets = [_submission_of(tmp_path / f"r{i:02d}", 100) for i in range(10)]
    rets += [_submission_of(tmp_path / f"r{i:02d}", 400) for i in range(10, 16)]
    for folder in rets:
        (folder / "return.yaml").write_bytes(b"")
    packs = [_named(tmp_path / f"p{i}", "pack.yaml", "stories.csv") for i in range(2)]
    chunks = ingest.batches([*rets, *packs], size=2, most_bytes=1000)
    assert chunks[0] == [packs[0]] and chunks[-1] == [packs[1]]
    sizes = [[ingest._looks(p)[1] for p in chunk] for chunk in chunks[1:-1]]
    assert [p for chunk in chunks[1:-1] for p in chunk] == rets
    assert sum(sizes[0]) <= 500 and sum(sizes[-1]) <= 500
    assert all(sum(s) <= 1000 or len(s) <= 2 for s in sizes), sizes
    assert sizes == [[100] * 5, [100] * 5 + [400], [400] * 2, [400] * 2, [400]]


def _named(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_bytes(b"x" * 10)
    return folder


def test_batches_spread_the_packs_between_the_returns_each_kind_in_its_order(tmp_path, monkeypatch):
    """Evidence packs (pack.yaml, or stories.csv without either metadata file) go in up to
    PACK_SPREAD batches between the returns' batches, a pack batch first and last; each kind keeps its
    order; the returns' first and last batches hold half `most_bytes`. An archive, whose kind its
    name does not tell, keeps everything in order."""
    monkeypatch.setattr(ingest, "PACK_SPREAD", 2)
    rets = [_named(tmp_path / f"r{i}", "return.yaml", "contacts.csv") for i in range(5)]
    packs = [_named(tmp_path / f"p{i}", "pack.yaml", "stories.csv") for i in range(3)]
    packs.append(_named(tmp_path / "p3", "stories.csv"))
    both = _named(tmp_path / "both", "return.yaml", "pack.yaml")  # refused when read; counted a return
    paths = [rets[0], packs[0], rets[1], packs[1], rets[2], both, packs[2], rets[3], packs[3], rets[4]]
    chunks = ingest.batches(paths, size=2, most_bytes=0)
    assert chunks == [
        [packs[0], packs[1]],
        [rets[0]],  # the returns' first and last batches hold half as much (here: one each)
        [rets[1], rets[2]],
        [both, rets[3]],
        [rets[4]],
        [packs[2], packs[3]],
    ]
    archive = tmp_path / "r.zip"
    archive.write_bytes(b"z" * 10)
    assert [p for chunk in ingest.batches([*paths, archive], size=2, most_bytes=0) for p in chunk] == [*paths, archive]
    assert ingest.batches(rets, size=2, most_bytes=0) == [rets[0:2], rets[2:4], rets[4:]]


@pytest.mark.slow
def test_packs_loaded_between_returns_come_back_in_the_order_given(tmp_path, monkeypatch):
    """With the pack's batch written after the returns' (ingest._batches), the outcomes still
    come in the order the submissions were given, and the store holds what one batch makes."""
    paths = returns_and_a_pack(tmp_path)
    once = ingest.ingest(paths, db=tmp_path / "one.duckdb", loaded_by="test")
    batches = ingest._batches
    monkeypatch.setattr(ingest, "_batches", lambda paths: batches(paths, size=1, most_bytes=0))
    assert [len(c) for c in ingest._batches(paths)] == [1, 1, 1, 1] and ingest._batches(paths)[-1] == [1]
    reported = []
    apart = ingest.ingest(paths, db=tmp_path / "apart.duckdb", loaded_by="test", progress=reported.append)
    assert [o.source for o in reported] == [str(paths[i]) for i in (0, 2, 3, 1)]  # as each was loaded
    assert [(o.source, o.loaded, o.rows, o.quarantined, o.same_as, o.validation.report()) for o in apart] == [
        (o.source, o.loaded, o.rows, o.quarantined, o.same_as, o.validation.report()) for o in once
    ]
    assert _as_loaded(tmp_path / "apart.duckdb") == _as_loaded(tmp_path / "one.duckdb")
