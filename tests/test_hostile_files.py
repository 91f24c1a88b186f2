"""Files that attack and files that used to crash (issue 9): every one is refused whole with
a plain message naming the file and the fix, or read correctly; none inflates, expands or
follows anything first, and none ends in a traceback.

Small cases are fixture files under tests/fixtures/hostile (see its README); zip bombs,
workbooks with a DTD and other binary or large files are made here, streamed.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from audits import cells, expressions, limits, reading, returns, runs, spec, store, templates
from audits.cli import app
from audits.report import ReportError, report_file_name
from audits.standard_files import load_standards

from support.stores import ENGINE, PERIOD, load_fixture

HERE = Path(__file__).parent
HOSTILE = HERE / "fixtures" / "hostile"
GOOD_RETURN = HERE / "fixtures" / "returns" / "good-return"
GOOD_PACK = HERE / "fixtures" / "returns" / "good-pack"
ROOT = HERE.parent


def make(tmp_path: Path, case: str | None = None, base: Path = GOOD_RETURN) -> Path:
    """The good return (or pack) with a hostile case's files laid over it."""
    target = tmp_path / (case or base.name)
    shutil.copytree(base, target)
    if case:
        for f in (HOSTILE / case).iterdir():
            shutil.copy(f, target / f.name)
    return target


def blocking(v) -> list:
    return [p for p in v.problems if p.blocking]


def only_problem(v):
    """The one blocking problem: the submission is refused whole (audits.ingest loads nothing of it)."""
    [problem] = blocking(v)
    return problem


def zip_of(folder: Path, path: Path, extra: list[tuple[str, bytes]] = (), **options) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, **options) as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, f.name)
        for name, data in extra:
            archive.writestr(name, data)
    return path


def patch_headers(path: Path, offset_local: int, offset_central: int, change) -> None:
    """Change one field of every entry's local and central header (its flags or its method)."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", offset_local), (b"PK\x01\x02", offset_central)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] = change(data[at + offset])
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def peak_bytes(work) -> tuple[object, int]:
    """What `work()` returns, and the most memory Python held while it ran."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- 6: ids and meta fields


@pytest.mark.parametrize(
    ("case", "column", "words"),
    [
        ("provider-id-path", "provider_id", "it has '/' at character 5"),
        ("provider-id-dots", "provider_id", "it has '.' at character 1"),
        ("provider-id-invisible", "provider_id", "an invisible character (U+200B ZERO WIDTH SPACE) at character 3"),
        ("provider-id-lookalike", "provider_id", "U+0420 CYRILLIC CAPITAL LETTER ER), which is not one of A to Z"),
        ("provider-id-formula", "provider_id", "it has '=' at character 1"),
        ("provider-id-space", "provider_id", "it has a space at character 2"),
        ("period-lookalike", "period", "U+0662 ARABIC-INDIC DIGIT TWO"),
        ("name-line-break", "provider_name", "a line break at character 10"),
    ],
)
def test_ids_and_names_outside_the_specification_are_refused(tmp_path, case, column, words):
    v = returns.validate(make(tmp_path, case))
    problem = only_problem(v)
    assert (problem.file, problem.column) == ("return.yaml", column)
    assert problem.line == {"provider_id": 1, "provider_name": 2, "period": 4}[column]
    assert words in problem.message
    assert column not in v.meta


@pytest.mark.slow
def test_nothing_of_a_refused_submission_is_loaded(tmp_path):
    from audits import ingest

    db = tmp_path / "audit.duckdb"
    refused, good = ingest.ingest([make(tmp_path, "provider-id-path"), GOOD_RETURN], db=db, loaded_by="test")
    assert not refused.loaded and good.loaded
    with store.reading(db) as con:
        assert con.execute("SELECT DISTINCT provider_id FROM submissions").fetchall() == [("P001",)]
        assert con.execute("SELECT count(*) FROM episodes").fetchone()[0] == 5


def test_an_id_rule_is_named_with_the_fix(tmp_path):
    problem = only_problem(returns.validate(make(tmp_path, "provider-id-path")))
    assert problem.value == "P009/../audit-P001"
    assert spec.ID_RULE in problem.message and "for example P001" in problem.message


@pytest.mark.parametrize(
    ("case", "column", "words"),
    [
        ("provider-id-list", "provider_id", "a list or a group of values was given"),
        ("meta-group", "area", "a list or a group of values was given"),
        ("provider-id-tag", "provider_id", "uses a tag"),
        ("meta-aliases", "a", "uses an anchor or an alias"),
    ],
)
def test_every_meta_field_is_one_plain_value(tmp_path, case, column, words):
    problem = only_problem(returns.validate(make(tmp_path, case)))
    assert (problem.file, problem.column) == ("return.yaml", column) and words in problem.message
    assert problem.line is not None


def test_a_pack_field_that_is_a_list_is_refused(tmp_path):
    problem = only_problem(returns.validate(make(tmp_path, "pack-gathered-by-list", GOOD_PACK)))
    assert (problem.file, problem.column, problem.line) == ("pack.yaml", "gathered_by", 4)


@pytest.mark.slow
def test_real_ids_are_accepted(tmp_path):
    for provider_id in ("P001", "001", "NHS-TRUST_7", "p9", "A" * 32):
        folder = make(tmp_path / provider_id)
        text = (folder / "return.yaml").read_text().replace("P001", provider_id)
        (folder / "return.yaml").write_text(text)
        v = returns.validate(folder)
        assert not v.problems and v.meta["provider_id"] == provider_id
    assert not spec.is_id("A" * 33) and not spec.is_id("P001\n") and not spec.is_period("2026-Q2\n")


@pytest.mark.slow
def test_a_billion_laughs_is_refused_before_it_is_built(tmp_path):
    folder = make(tmp_path, "meta-aliases")
    returns.validate(GOOD_RETURN)  # every module imported before memory is counted
    v, peak = peak_bytes(lambda: returns.validate(folder))
    assert v.blocking and "anchor or an alias" in blocking(v)[0].message
    assert peak < 30 * 2**20  # built, 531,441 copies would take far more


@pytest.mark.slow
def test_deeply_nested_meta_is_refused_without_recursion(tmp_path):
    folder = make(tmp_path)
    (folder / "return.yaml").write_text("provider_id: " + "[" * 20_000 + "]" * 20_000 + "\n")
    problem = only_problem(returns.validate(folder))
    assert (problem.column, problem.line) == ("provider_id", 1) and "a list or a group" in problem.message


def test_a_broken_bracket_is_told_as_a_syntax_mistake_not_as_a_list(tmp_path):
    folder = make(tmp_path)
    (folder / "return.yaml").write_text("provider_id: P001\narea: [Northshire\nperiod: 2026-Q2\n")
    problem = only_problem(returns.validate(folder))
    assert "not valid YAML" in problem.message


def test_pdf_names_refuse_anything_but_a_real_id():
    assert report_file_name("P001", "2026-Q2") == "audit-P001-2026-Q2.pdf"
    for provider_id, period in (("P009/../audit-P001", "2026-Q2"), ("x/../../etc", "2026-Q2"), ("P001", "../x")):
        with pytest.raises(ReportError, match="No PDF is made"):
            report_file_name(provider_id, period)


def test_the_dashboard_download_refuses_a_bad_id_before_writing_anything():
    from dashboard.pdfs import pdf_bytes

    with pytest.raises(ReportError):
        pdf_bytes("no-such-store.duckdb", "../../etc/passwd", "2026-Q2")


# --------------------------------------------------------------------------- 7: limits while reading


@pytest.mark.slow
def test_a_zip_bomb_is_refused_from_its_directory_without_inflating(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in GOOD_RETURN.iterdir():
            if f.name != "contacts.csv":
                archive.write(f, f.name)
        with archive.open("contacts.csv", "w", force_zip64=True) as entry:  # streamed, never held
            entry.write(b"contact_id,episode_id\n")
            zeros = b"0" * 2**20
            for _ in range(limits.MAX_FILE_BYTES // 2**20 + 20):
                entry.write(zeros)
    assert path.stat().st_size < 2**20
    v, peak = peak_bytes(lambda: returns.validate(path))
    messages = [p.message for p in blocking(v)]
    assert all(p.file == "bomb.zip" for p in blocking(v))
    assert any("contacts.csv is 120 MB when unpacked; the most one file may be is 100 MB" in m for m in messages)
    assert peak < 30 * 2**20


def test_an_entry_that_grows_like_a_bomb_is_refused_even_under_the_size_limits(tmp_path):
    path = zip_of(GOOD_RETURN, tmp_path / "r.zip", [("notes.txt", b" " * (5 * 2**20))])
    problem = only_problem(returns.validate(path))
    assert problem.file == "r.zip" and "notes.txt would grow from" in problem.message
    assert f"the most accepted is {limits.MAX_RATIO}" in problem.message


def test_a_zip_with_too_many_entries_is_refused_before_its_directory_is_read(tmp_path):
    path = zip_of(GOOD_RETURN, tmp_path / "r.zip", [(f"junk/{i}.txt", b"") for i in range(limits.MAX_ENTRIES)])
    problem = only_problem(returns.validate(path))
    assert problem.file == "r.zip" and f"more than {limits.MAX_ENTRIES:,} files" in problem.message


def test_a_zip_over_the_total_is_refused(tmp_path, monkeypatch):
    path = zip_of(GOOD_RETURN, tmp_path / "r.zip")
    monkeypatch.setattr(limits, "MAX_SUBMISSION_BYTES", path.stat().st_size + 10)  # the zip fits, its files not
    problem = only_problem(returns.validate(path))
    assert problem.file == "r.zip"
    assert "holds 2.3 KB of files when unpacked; the most a return or evidence pack may hold is" in problem.message


def test_a_zip_entry_is_read_a_piece_at_a_time_and_stopped_at_the_limit(tmp_path):
    path = zip_of(GOOD_RETURN, tmp_path / "r.zip")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("contacts.csv")
        assert reading._read_entry(archive, info, info.file_size) == (GOOD_RETURN / "contacts.csv").read_bytes()
        assert reading._read_entry(archive, info, info.file_size - 1) is None


def test_a_file_that_grows_after_it_was_measured_is_stopped_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CHUNK_BYTES", 100)
    with (GOOD_RETURN / "contacts.csv").open("rb") as handle:
        assert reading._read_capped(handle, 487) is None
    with (GOOD_RETURN / "contacts.csv").open("rb") as handle:
        assert reading._read_capped(handle, 488) == (GOOD_RETURN / "contacts.csv").read_bytes()


def test_files_over_the_limits_are_refused_without_being_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 800)
    v = returns.validate(make(tmp_path))
    problem = only_problem(v)
    assert problem.file == "episodes.csv" and "is 889 bytes" in problem.message
    assert "the most one file may be is 800 bytes" in problem.message
    assert "missing" not in " ".join(p.message for p in v.problems)


def test_a_meta_file_of_more_than_a_few_lines_is_refused(tmp_path):
    folder = make(tmp_path)
    with (folder / "return.yaml").open("a") as handle:
        handle.write("# padding\n" * 7_000)
    problem = only_problem(returns.validate(folder))
    assert problem.file == "return.yaml" and "the most is 64 KB" in problem.message


def test_a_csv_of_a_million_blank_lines_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LINES", 1_000)
    folder = make(tmp_path)
    (folder / "sites.csv").write_bytes((GOOD_RETURN / "sites.csv").read_bytes() + b"\n" * 2_000)
    problem = only_problem(returns.validate(folder))
    assert problem.file == "sites.csv" and "the most a file may have is 1,000" in problem.message


def test_a_header_wider_than_excel_is_refused(tmp_path):
    folder = make(tmp_path)
    header = ",".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 1))
    (folder / "sites.csv").write_text(header + "\n")
    problem = only_problem(returns.validate(folder))
    assert problem.file == "sites.csv" and "16,385 columns" in problem.message


@pytest.mark.parametrize("blank_line", [False, True])
def test_a_long_valid_cell_is_read_whether_or_not_the_file_has_a_blank_line(tmp_path, blank_line):
    """Item 17: 200,000 characters used to be refused as 'a double quote inside a value',
    but only when the file had a blank line (Python's csv module and its 131,072 limit)."""
    folder = make(tmp_path)
    words = "word " * 40_000
    text = (GOOD_RETURN / "documents.csv").read_text() + ("\n" if blank_line else "") + f'D9,Policy,"{words}"\n'
    (folder / "documents.csv").write_text(text)
    v = returns.validate(folder)
    assert not v.blocking
    assert words.strip() in set(v.frames["documents"]["text"])


@pytest.mark.parametrize("blank_line", [False, True])
def test_a_cell_over_the_limit_is_refused_with_a_true_message(tmp_path, blank_line):
    folder = make(tmp_path)
    lines = (GOOD_RETURN / "documents.csv").read_text().splitlines()
    long = "x" * (limits.MAX_CELL_CHARS + 1)
    lines[1:1] = [""] * blank_line + [f'D9,Policy,"{long}"']
    (folder / "documents.csv").write_text("\n".join(lines) + "\n")
    problem = only_problem(returns.validate(folder))
    assert (problem.file, problem.line) == ("documents.csv", 2 + blank_line)
    assert "in one cell; the most a cell may hold is 1,000,000" in problem.message
    assert "inside a value that is in quotes" not in problem.message


def test_an_unclosed_quote_that_swallows_the_file_is_still_named(tmp_path):
    folder = make(tmp_path)
    rows = (GOOD_RETURN / "documents.csv").read_text() + 'D9,Policy,"never closed\n' + "more words\n" * 10
    (folder / "documents.csv").write_text(rows)
    problem = only_problem(returns.validate(folder))
    assert problem.line == 4 and "never closed" in problem.message


def test_the_upload_page_has_the_same_limit_as_the_reader():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(rf"^maxUploadSize = {limits.MAX_UPLOAD_MB}$", config, re.M)
    assert limits.MAX_UPLOAD_MB * 2**20 == limits.MAX_SUBMISSION_BYTES


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self.size, self._data = name, len(data), data

    def getvalue(self) -> bytes:
        return self._data


def test_the_upload_page_refuses_too_much_or_a_file_twice_before_writing(tmp_path, monkeypatch):
    from dashboard.upload import place

    files = [_Upload(f.name, f.read_bytes()) for f in sorted(GOOD_RETURN.iterdir())]
    monkeypatch.setattr(limits, "MAX_SUBMISSION_BYTES", 1_000)
    path, message = place(files, tmp_path)
    assert path is None and "the most one return or evidence pack may be is 1,000 bytes" in message
    assert "Nothing was read" in message and not list(tmp_path.iterdir())
    monkeypatch.undo()
    path, message = place(files + files[:1], tmp_path)
    assert path is None and "contacts.csv was chosen twice" in message and not list(tmp_path.iterdir())
    path, message = place([_Upload("..", b"x"), *files[1:]], tmp_path)
    assert path is None and "without a name" in message and not list(tmp_path.iterdir())


def test_the_limits_are_in_the_providers_document():
    doc = templates.provider_doc()
    assert "## Limits" in doc and "| characters in one cell | 1,000,000 |" in doc
    assert (ROOT / templates.DOC_PATH).read_text() == doc


# --------------------------------------------------------------------------- workbooks


def workbook(path: Path, rows: int = 5) -> Path:
    book = openpyxl.Workbook()
    meta = book.active
    meta.title = "return"
    for key, value in (("provider_id", "P001"), ("period", "2026-Q2"), ("submitted_on", "2026-07-14")):
        meta.append([key, value])
    meta.append(["provider_name", "Northgate"])
    meta.append(["area", "Northshire"])
    for table in spec.RETURN_TABLES:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
    sites = book["sites"]
    for i in range(rows):
        sites.append([f"S{i}", f"Site {i}", "yes", "no", "yes", "no"])
    book.save(path)
    return path


def rewrite(path: Path, target: Path, edits: dict) -> Path:
    """A copy of a workbook with some parts changed (edits: part name -> bytes -> bytes)."""
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, edits.get(info.filename, lambda d: d)(data))
    return target


def sheet_part(path: Path, title: str) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(title) + 1
    book.close()
    return f"xl/worksheets/sheet{index}.xml"


def test_a_sheet_whose_dimension_understates_it_loses_no_rows(tmp_path):
    """Item 8: 2,509 contacts once became 9, 'loadable', because of <dimension ref="A1:F3"/>."""
    path = workbook(tmp_path / "r.xlsx", rows=40)
    part = sheet_part(path, "sites")
    lied = rewrite(
        path, tmp_path / "lied.xlsx", {part: lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:F3"', d)}
    )
    with zipfile.ZipFile(lied) as archive:
        assert b'<dimension ref="A1:F3"' in archive.read(part)
    v = returns.validate(lied)
    assert len(v.frames["sites"]) == 40 and list(v.frames["sites"]["line"])[-1] == 41


def test_a_workbook_with_a_dtd_is_refused_before_openpyxl_reads_it(tmp_path):
    path = workbook(tmp_path / "r.xlsx")
    part = sheet_part(path, "sites")
    dtd = b'<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    bad = rewrite(path, tmp_path / "dtd.xlsx", {part: lambda d: b'<?xml version="1.0"?>\n' + dtd + d})
    problem = only_problem(returns.validate(bad))
    assert problem.file == "dtd.xlsx" and f"<!DOCTYPE …>) in its part {part}" in problem.message


@pytest.mark.parametrize("part", ["xl/styles.xml", "sheet"])
def test_a_workbook_with_a_damaged_part_gets_a_plain_message(tmp_path, part):
    path = workbook(tmp_path / "r.xlsx")
    name = sheet_part(path, "sites") if part == "sheet" else part
    bad = rewrite(path, tmp_path / "bad.xlsx", {name: lambda d: d[: len(d) // 2]})
    problem = only_problem(returns.validate(bad))
    assert problem.file == "bad.xlsx" and "part of it is damaged" in problem.message
    assert "save it again as .xlsx" in problem.message


def test_a_sheet_that_claims_a_far_row_stops_at_the_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_LINES", 1_000)
    path = workbook(tmp_path / "r.xlsx")
    part = sheet_part(path, "sites")
    far = rewrite(path, tmp_path / "far.xlsx", {part: lambda d: re.sub(rb'<row r="6"', b'<row r="99999999"', d)})
    problem = only_problem(returns.validate(far))
    assert problem.file == "far.xlsx sheet sites" and "more than 1,000 rows" in problem.message


def test_a_password_protected_workbook_is_named_as_such(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    problem = only_problem(returns.validate(path))
    assert "is protected by a password" in problem.message and "Encrypt with Password" in problem.message


def test_a_workbook_part_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_WORKBOOK_PART_BYTES", 2_000)
    v = returns.validate(workbook(tmp_path / "r.xlsx"))
    assert v.blocking and all(p.file == "r.xlsx" for p in blocking(v))
    assert any("its part xl/theme/theme1.xml is" in p.message for p in blocking(v))


def test_a_workbook_cell_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 100)
    book = openpyxl.load_workbook(workbook(tmp_path / "r.xlsx"))
    book["sites"]["B3"] = "x" * 101
    book.save(tmp_path / "long.xlsx")
    problem = only_problem(returns.validate(tmp_path / "long.xlsx"))
    assert (problem.file, problem.line, problem.column) == ("long.xlsx sheet sites", 3, "name")


# --------------------------------------------------------------------------- 9: formulas in what the tool writes


def test_cells_that_a_spreadsheet_would_run_are_neutralised():
    for text in ('=HYPERLINK("http://x","y")', "+44 7700", "-2+3", "@SUM(A1)", "\tx", "\r=1"):
        assert cells.safe_cell(text) == "'" + text
    for text in ("-3.5", "+2", "-1e3", "12", "P001", "", "a=b", "–5"):
        assert cells.safe_cell(text) == text
    assert cells.safe_cell(None) == "" and cells.safe_cell(-3.5) == "-3.5"


@pytest.mark.slow
def test_exports_neutralise_formulas_even_in_an_old_store(tmp_path):
    db = load_fixture(tmp_path / "audit.duckdb")
    runs.run_audit(db, PERIOD, ENGINE / "standards")
    attack = '=HYPERLINK("http://example.com","P001")'
    with store.writing(db) as con:  # as if loaded before ids had a pattern
        con.execute("UPDATE results SET provider_id = ? WHERE provider_id = 'P001'", [attack])
        # the run's public results (audits.disclosure) were kept with it, from the same ids
        con.execute("UPDATE public_results SET provider_id = ? WHERE provider_id = 'P001'", [attack])
    for public in (False, True):
        # a public export releases the quarter's one public version: it writes (audits.disclosure)
        with store.writing(db) if public else store.reading(db) as con:
            out = runs.export_csv(con, PERIOD, tmp_path / f"results-{public}.csv", public=public)
        text = out.read_text()
        assert f"'{attack}".replace('"', '""') in text and f",{attack}" not in text.replace('""', '"')


def test_templates_are_written_through_the_same_rule(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(templates, "safe_cell", lambda v: calls.append(v) or cells.safe_cell(v))
    templates.write_templates(tmp_path)
    assert "provider_id" in calls and "episode_id" in calls


# --------------------------------------------------------------------------- 12, 13: duplicates and links


def test_a_zip_holding_a_file_twice_is_refused(tmp_path):
    second = (GOOD_RETURN / "return.yaml").read_bytes().replace(b"P001", b"P002")
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = zip_of(GOOD_RETURN, tmp_path / "twice.zip", [("return.yaml", second)])
    problem = only_problem(returns.validate(path))
    assert problem.file == "return.yaml" and "appears 2 times in twice.zip" in problem.message


def test_a_folder_with_a_link_to_a_file_outside_is_refused(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text((GOOD_RETURN / "sites.csv").read_text())
    folder = make(tmp_path)
    (folder / "sites.csv").unlink()
    (folder / "sites.csv").symlink_to(secret)
    (folder / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    v = returns.validate(folder)
    files = sorted(p.file for p in blocking(v))
    assert files == ["elsewhere", "sites.csv"]
    assert all("links are not followed" in p.message for p in blocking(v))
    assert "missing" not in " ".join(p.message for p in v.problems)


def test_a_folder_of_too_many_files_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ENTRIES", 10)
    folder = make(tmp_path)
    for i in range(10):
        (folder / f"note{i}.txt").write_text("x")
    problem = only_problem(returns.validate(folder))
    assert problem.file == folder.name and "more than 10 files" in problem.message


# --------------------------------------------------------------------------- 14: no tracebacks


def test_a_password_protected_zip_is_named_as_such(tmp_path):
    path = zip_of(GOOD_RETURN, tmp_path / "locked.zip")
    patch_headers(path, 6, 8, lambda flags: flags | 0x1)
    problem = only_problem(returns.validate(path))
    assert problem.file == "locked.zip" and "is protected by a password (" in problem.message


@pytest.mark.parametrize(("method", "name"), [(9, "Deflate64"), (98, "PPMd"), (12, "BZIP2")])
def test_a_zip_compressed_another_way_is_named_as_such(tmp_path, method, name):
    path = zip_of(GOOD_RETURN, tmp_path / "other.zip")
    patch_headers(path, 8, 10, lambda _: method)
    problem = only_problem(returns.validate(path))
    assert f"is compressed with {name} (" in problem.message and "Deflate method" in problem.message


def test_a_zip_entry_whose_name_is_not_the_utf8_it_claims_is_refused_plainly(tmp_path):
    """Found by test_returns_random: the local header says UTF-8, the name's bytes are not."""
    path = zip_of(GOOD_RETURN, tmp_path / "names.zip")
    data = bytearray(path.read_bytes())
    data[7] |= 0x08  # the first entry's flag: its name is UTF-8
    data[30 + int.from_bytes(data[26:28], "little") - 1] = 0xC4  # the name's last byte starts a character
    path.write_bytes(bytes(data))
    problem = only_problem(returns.validate(path))
    assert "cannot be unpacked from names.zip" in problem.message and "zip the folder again" in problem.message


@pytest.mark.slow
def test_old_mac_line_endings_load_like_any_others(tmp_path):
    v = returns.validate(make(tmp_path, "old-mac-line-ends"))
    good = returns.validate(GOOD_RETURN)
    assert not v.problems
    assert v.frames["episodes"].equals(good.frames["episodes"])


def test_a_long_or_deep_expression_is_refused_plainly():
    chain = "+".join(["1"] * 502) + " > 1"  # 1,007 characters, 503 deep: once a RecursionError
    assert len(chain) == 1007
    with pytest.raises(expressions.ExpressionError, match="more than 100 conditions or sums inside each other"):
        expressions.compile_expression(chain, "episodes", "condition")
    with pytest.raises(expressions.ExpressionError, match="characters long; the most allowed is 2,000"):
        expressions.compile_expression("assessments > 1 and " * 120 + "true", "episodes", "condition")
    ok = " or ".join(["assessments = 1"] * 40)
    assert expressions.compile_expression(ok, "episodes", "condition")


@pytest.mark.slow
def test_a_deeply_nested_standards_file_is_refused_plainly(tmp_path):
    (tmp_path / "deep.yaml").write_text("id: deep\ntitle: " + "[" * 5_000 + "]" * 5_000 + "\n")
    (tmp_path / "nested.yaml").write_text("id: nested\n" + "".join("  " * i + "a:\n" for i in range(30)))
    (tmp_path / "huge.yaml").write_bytes(b"# " + b"x" * limits.MAX_STANDARD_FILE_BYTES + b"\n")
    load = load_standards(tmp_path)
    by_file = {Path(p.file).name: p for p in load.problems}
    assert "nested more than 20 deep" in by_file["deep.yaml"].message and by_file["deep.yaml"].line == 2
    assert "nested more than 20 deep" in by_file["nested.yaml"].message
    assert "far longer than a standard" in by_file["huge.yaml"].message


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_command_line_mistakes_end_plainly(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke("ingest", str(GOOD_RETURN), "--db", str(blocker / "sub" / "audit.duckdb"))
    assert result.exit_code == 1 and "cannot be made" in result.output
    result = invoke("demo", "--seed", "-5", "--out", str(tmp_path / "demo"))
    assert result.exit_code == 1 and "The seed must be a whole number, 0 or more" in result.output
    result = invoke("setup-demo", "--db", str(tmp_path / "d.duckdb"), "--demo-dir", str(blocker))
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    missing = ["setup-demo", "--db", str(tmp_path / "e.duckdb"), "--demo-dir", str(tmp_path / "demo2")]
    result = invoke(*missing, "--standards", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "There is no folder of standards" in result.output
    assert not (tmp_path / "demo2").exists() and not (tmp_path / "e.duckdb").exists()


@pytest.mark.slow
def test_hostile_files_at_the_command_line_end_in_a_message_not_a_traceback(tmp_path):
    """The real command, in its own process, on a few of the files above."""
    locked = zip_of(GOOD_RETURN, tmp_path / "locked.zip")
    patch_headers(locked, 6, 8, lambda flags: flags | 0x1)
    deep = make(tmp_path / "deep")
    (deep / "return.yaml").write_text("provider_id: " + "[" * 5_000 + "]" * 5_000 + "\n")
    paths = [locked, deep, make(tmp_path, "provider-id-path"), make(tmp_path, "old-mac-line-ends")]
    done = subprocess.run(
        [sys.executable, "-m", "audits", "validate", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "1 of 4 can be loaded; 3 refused until fixed." in done.stdout


def test_uploads_of_hostile_files_show_a_message(tmp_path):
    from dashboard.upload import place

    locked = zip_of(GOOD_RETURN, tmp_path / "locked.zip")
    patch_headers(locked, 6, 8, lambda flags: flags | 0x1)
    folder = tmp_path / "upload"
    folder.mkdir()
    path, _ = place([_Upload("locked.zip", locked.read_bytes())], folder)
    problem = only_problem(returns.validate(path))
    assert "protected by a password" in problem.message


def test_reading_a_submission_never_raises_on_odd_paths(tmp_path):
    (tmp_path / "empty.zip").write_bytes(b"")
    (tmp_path / "truncated.zip").write_bytes(zip_of(GOOD_RETURN, tmp_path / "x.zip").read_bytes()[:-30])
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "junk.xlsx").write_bytes(io.BytesIO(b"PK\x03\x04" + b"\0" * 100).getvalue())
    for name in ("empty.zip", "truncated.zip", "empty.xlsx", "junk.xlsx"):
        v = returns.validate(tmp_path / name)
        assert v.blocking and all(p.file == name for p in blocking(v)), name
