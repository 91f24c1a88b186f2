"""Reading the three forms into text cells with spreadsheet line numbers."""

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits import reading, spec

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
GOOD_RETURN = FIXTURES / "good-return"


def cells(sub, table):
    return sub.tables[table].cells.to_pylist()


def test_folder_gives_text_cells_and_lines():
    sub = reading.read_submission(GOOD_RETURN)
    assert (sub.form, sub.kind, sub.meta_file, sub.problems) == ("folder", "return", "return.yaml", [])
    assert sub.meta["period"] == "2026-Q2" and sub.meta_lines["period"] == 4
    first = cells(sub, "episodes")[0]
    assert first["line"] == 2 and first["referral_date"] == "2026-03-02" and first["discharge_date"] == ""
    assert sub.files["episodes.csv"][1] == (GOOD_RETURN / "episodes.csv").stat().st_size


def test_yaml_values_stay_as_written(tmp_path):
    folder = tmp_path / "r"
    shutil.copytree(GOOD_RETURN, folder)
    (folder / "return.yaml").write_text("provider_id: 001\nperiod: 2026-Q2\nsubmitted_on: 2026-07-14\n")
    sub = reading.read_submission(folder)
    assert sub.meta["provider_id"] == "001" and sub.meta["submitted_on"] == "2026-07-14"


def test_zip_with_or_without_its_folder(tmp_path):
    for inner in ("northgate/", ""):
        path = tmp_path / f"r{len(inner)}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for f in GOOD_RETURN.iterdir():
                archive.write(f, inner + f.name)
        sub = reading.read_submission(path)
        assert sub.form == "zip" and not sub.problems
        assert cells(sub, "contacts") == cells(reading.read_submission(GOOD_RETURN), "contacts")


def test_broken_zip_and_workbook_are_blocking(tmp_path):
    for name in ("r.zip", "r.xlsx"):
        (tmp_path / name).write_bytes(b"not really")
        [p] = reading.read_submission(tmp_path / name).problems
        assert p.blocking and p.file == name


def test_workbook_cells_become_the_text_a_csv_holds():
    assert reading.cell_text(dt.datetime(2026, 4, 1)) == "2026-04-01"
    assert reading.cell_text(dt.date(2026, 4, 1)) == "2026-04-01"
    assert reading.cell_text(True) == "yes" and reading.cell_text(False) == "no"
    assert reading.cell_text(1.0) == "1" and reading.cell_text(0.8) == "0.8" and reading.cell_text(3) == "3"
    assert reading.cell_text(None) == ""


def test_workbook_sheets_and_meta(tmp_path):
    book = openpyxl.Workbook()
    meta = book.active
    meta.title = "return"
    meta.append(["key", "value"])
    meta.append(["provider_id", "P001"])
    meta.append(["period", "2026-Q2"])
    sites = book.create_sheet("sites")
    sites.append(list(spec.SITES.column_names))
    sites.append(["SITE1", "Hub", True, False, "yes", 1])
    sites.append([None] * 6)
    book.create_sheet("notes")
    path = tmp_path / "r.xlsx"
    book.save(path)
    sub = reading.read_submission(path)
    assert sub.kind == "return" and sub.meta == {"provider_id": "P001", "period": "2026-Q2"}
    assert sub.meta_lines == {"provider_id": 2, "period": 3}
    assert cells(sub, "sites") == [
        {
            "site_id": "SITE1",
            "name": "Hub",
            "private_waiting_area": "yes",
            "women_only_space": "no",
            "open_outside_office_hours": "yes",
            "drop_in": "1",
            "line": 2,
        }
    ]
    [p] = sub.problems
    assert p.file == "r.xlsx sheet notes" and not p.blocking


def test_workbook_without_meta_sheet_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "episodes"
    book.save(tmp_path / "r.xlsx")
    problems = reading.read_submission(tmp_path / "r.xlsx").problems
    assert any(p.blocking and "no sheet named 'return'" in p.message for p in problems)


def test_csv_edge_cases():
    table = spec.DOCUMENTS
    raw, problems = reading.read_csv_bytes(table, "documents.csv", b"")
    assert raw is None and problems[0].blocking and "is empty" in problems[0].message
    raw, problems = reading.read_csv_bytes(table, "documents.csv", b"document_id,title,title\n")
    assert raw is None and problems[0].column == "title" and "more than once" in problems[0].message
    # A value holding a line break is still one spreadsheet row.
    raw, problems = reading.read_csv_bytes(
        table, "documents.csv", b'document_id,title,text\nD1,A,"two\nlines"\nD2,B,one\n'
    )
    assert not problems and [r["line"] for r in raw.cells.to_pylist()] == [2, 3]
    # Windows line endings and a byte-order mark.
    raw, problems = reading.read_csv_bytes(table, "documents.csv", b"\xef\xbb\xbfdocument_id,title,text\r\nD1,A,x\r\n")
    assert not problems and raw.cells.to_pylist() == [{"document_id": "D1", "title": "A", "text": "x", "line": 2}]


def test_cp1252_names_the_first_bad_line():
    data = (FIXTURES / "bad" / "cp1252" / "documents.csv").read_bytes()
    raw, [p] = reading.read_csv_bytes(spec.DOCUMENTS, "documents.csv", data)
    assert raw is None and p.blocking and p.line == 3 and "0xe9" in p.message


def test_workbook_title_row_above_the_headings(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "return"
    sites = book.create_sheet("sites")
    sites.append(["Our sites"])
    sites.append(list(spec.SITES.column_names))
    sites.append(["SITE1", "Hub", True, False, "yes", 1])
    book.save(tmp_path / "r.xlsx")
    problems = [p for p in reading.read_submission(tmp_path / "r.xlsx").problems if p.file == "r.xlsx sheet sites"]
    [p] = problems
    assert p.blocking and p.value == "Our sites" and "are on line 2" in p.message


def test_sheet_names_are_read_without_regard_to_capitals_or_spaces(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Return"
    book.active.append(["provider_id", "P001"])
    sites = book.create_sheet("Sites ")
    sites.append(list(spec.SITES.column_names))
    sites.append(["SITE1", "Hub", "yes", "no", "yes", "no"])
    book.save(tmp_path / "r.xlsx")
    sub = reading.read_submission(tmp_path / "r.xlsx")
    assert sub.meta == {"provider_id": "P001"} and cells(sub, "sites")[0]["site_id"] == "SITE1"
    assert sub.problems == []


def test_files_that_are_not_a_submission_say_what_to_do(tmp_path):
    book = openpyxl.Workbook()
    book.save(tmp_path / "saved-as.xls")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    (tmp_path / "r.numbers").write_bytes(b"PK\x03\x04")
    (tmp_path / "episodes.csv").write_text("episode_id\n")
    (tmp_path / "empty").mkdir()
    expected = {
        "saved-as.xls": "rename it to end in .xlsx",
        "old.xls": "Save As, 'Excel Workbook (.xlsx)'",
        "r.numbers": "Export To, Excel",
        "episodes.csv": "give the folder that holds it",
        "empty": "is empty: a return holds return.yaml",
    }
    for name, words in expected.items():
        [p] = reading.read_submission(tmp_path / name).problems
        assert p.blocking and p.file == name and words in p.message, (name, p.message)


def test_cp1252_shows_the_character_meant():
    raw, [p] = reading.read_csv_bytes(spec.KPIS, "kpis.csv", "kpi_id,name\nK1,Payment £50\n".encode("cp1252"))
    assert p.line == 2 and "probably '£' saved by Windows" in p.message


def test_a_return_sheet_laid_out_across_is_refused_with_the_fix(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "return"
    book.active.append(["provider_id", "provider_name", "area", "period", "submitted_on"])
    book.active.append(["P001", "Northgate", "Northshire", "2026-Q2", "2026-07-14"])
    book.save(tmp_path / "r.xlsx")
    [p] = [p for p in reading.read_submission(tmp_path / "r.xlsx").problems if p.file == "r.xlsx sheet return"]
    assert p.blocking and p.line == 1 and "write them down the sheet" in p.message


def test_plain_metadata_is_read_as_the_yaml_parser_reads_it():
    """The quick reading of plain 'key: value' files (reading.flat_yaml) gives exactly the
    parser's mapping, and anything else is left to the parser (None): checked on thousands of
    files made at random from the pieces people and spreadsheets write."""
    import random

    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    keys = ["provider_id", "period", "area", "_x", "Provider ID", "a1", "key ", "p-id", "ä", "<<", "null", "true"]
    values = [
        "P001",
        "2026-Q3",
        "2026-07-14",
        "Northgate Recovery Partnership",
        "A & B",
        "x, y",
        "(a) b/c",
        "1e3",
        "001",
        "yes",
        "null",
        "~",
        "-1",
        "a - b",
        "a  b",
        "a #b",
        "a: b",
        "'q'",
        '"q"',
        "é",
        "*a",
        "&a b",
        "!t",
        "[1]",
        "{a: 1}",
        "|",
        ">",
        "%",
        "@x",
        "`x",
        "a\tb",
        "",
        " ",
        "a ",
        "...",
    ]
    lines = [
        "",
        " ",
        "# note",
        "  # indented note",
        "#é",
        "---",
        "...",
        "%YAML 1.2",
        "  more words",
        "- item",
        "\t",
        "plain words",
        ": x",
    ]
    parser = YAML(typ="base")
    rng = random.Random(15)
    taken = 0
    for _ in range(3000):
        parts = []
        odd = rng.choice([0.02, 0.3])  # nearly plain files, and files with many odd pieces
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.8:
                key = rng.choice(keys) if rng.random() < odd else rng.choice(keys[:4])
                value = rng.choice(values) if rng.random() < odd else rng.choice(values[:12])
                parts.append(f"{key}:{' ' if rng.random() > odd else rng.choice(['  ', ''])}{value}")
            else:
                parts.append(rng.choice(lines) if rng.random() < odd else rng.choice(lines[:4]))
        text = (rng.choice(["\n", "\r\n", "\r"]) if rng.random() < odd else "\n").join(parts) + rng.choice(
            ["", "\n", "\r\n"]
        )
        fast = reading.flat_yaml(text)
        if fast is None:
            continue
        taken += 1
        try:
            slow = parser.load(text)
        except YAMLError as error:
            raise AssertionError(f"{text!r}: read quickly as {fast}, but the parser refuses it ({error})") from None
        assert {str(k): str(v) for k, v in slow.items()} == fast, text
    assert taken > 300  # the plain form is common enough to be exercised
    assert reading.flat_yaml("provider_id: P001\nperiod: 2026-Q3\n") == {"provider_id": "P001", "period": "2026-Q3"}
    assert reading.flat_yaml("provider_id: P001\nprovider_id: P002\n") is None  # the parser names the line


# --------------------------------------------------------------------------- the fast and the slow path

_CELLS = st.one_of(
    st.sampled_from(["", " ", "x", "2026-04-01", "a b", '"', '""', ",", "\n", "\r\n", "é", "\u00a0"]),
    st.text(alphabet=',"\r\n x', max_size=6),
)


@st.composite
def _csv_bytes(draw) -> bytes:
    """The kpis table's header, then rows of odd cells: blank lines, quotes, commas and line
    breaks in quotes, short and long rows, either line end, with or without a last line end."""
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(spec.KPIS.column_names)]
    for row in draw(st.lists(st.lists(_CELLS, max_size=len(spec.KPIS.columns) + 1), max_size=6)):
        lines.append(",".join('"' + c.replace('"', '""') + '"' if draw(st.booleans()) else c for c in row))
    text = end.join(lines) + (end if draw(st.booleans()) else "")
    return text.encode("utf-8")


# derandomize: the same 300 files every run, so CI does not turn red on a file only one run
# happened to draw (the one found so far is pinned below, as a known difference)
@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(_csv_bytes())
def test_arrow_reads_a_csv_as_python_csv_does(data):
    """The fast path (Arrow, blank lines kept as empty rows) and the slow one (Python's csv)
    give the same cells on the same lines, or the fast one gives way to the slow one."""
    table = spec.KPIS
    fast, fast_problems = reading.read_csv_bytes(table, table.file, data)
    header = [h.strip() for h in table.column_names]
    slow, slow_problems = reading.read_slowly(table, table.file, reading._plain_line_ends(data), header)
    assert fast_problems == slow_problems
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert fast.cells.to_pylist() == slow.cells.to_pylist()


def test_a_quote_closed_before_the_cell_ends_is_reported_by_both_paths():
    table = spec.KPIS
    data = b'kpi_id,name,measure,target,payment_linked,set_by\n,,,,,""x'
    fast, fast_problems = reading.read_csv_bytes(table, table.file, data)
    slow, slow_problems = reading.read_slowly(table, table.file, data, [h.strip() for h in table.column_names])
    assert slow_problems and fast_problems == slow_problems


@pytest.mark.parametrize(
    "text, fast",
    [
        ('k1,"Smith, J",x\n', True),
        ('k1,"He said ""hi""",x\r\n', True),
        ('k1,"",""""\n"two\nlines",x,y', True),
        ('k1,"a,""b"""\n', True),  # a quote run just after a comma, inside a value in quotes
        ('k1,""x\n', False),  # text after a closing quote: Arrow reads x, Python's csv stops
        ('k1,"a,"x\n', False),  # the same, where the closing quote follows a comma
        ('k1,"ab"cd,x\n', False),
        ("k1,5'10\" and 6'1\"\n", True),  # quotes inside a cell not in quotes are read alike
        ("k1,5'10\"\n", False),  # an odd number of quotes: the slow path says where
    ],
)
def test_a_file_goes_the_fast_way_only_where_arrow_reads_its_quotes_as_python_does(text, fast):
    data = ("kpi_id,name,measure\n" + text).encode()
    assert reading._quotes_read_alike(data) is fast
    # whichever way it goes, both paths agree on it
    table = spec.KPIS
    header = [h.strip() for h in table.column_names]
    full = (",".join(header) + "\n" + text).encode()
    got, problems = reading.read_csv_bytes(table, table.file, full)
    slow, slow_problems = reading.read_slowly(table, table.file, full, header)
    assert problems == slow_problems and (got is None) == (slow is None)
    assert fast or problems or text == "k1,5'10\"\n"


def test_blank_lines_keep_the_line_numbers_a_spreadsheet_shows():
    table = spec.KPIS
    header = ",".join(table.column_names)
    for end in ("\n", "\r\n"):
        data = end.join([header, "k1,a,b,c,yes,x", "", "k2,a,b,c,no,x", "", ""]).encode()
        raw, problems = reading.read_csv_bytes(table, table.file, data)
        assert problems == [] and [r["line"] for r in raw.cells.to_pylist()] == [2, 4]
        assert [r["kpi_id"] for r in raw.cells.to_pylist()] == ["k1", "k2"]
