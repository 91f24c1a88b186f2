"""Turn a submission (a folder, a .zip of it, or an .xlsx workbook) into raw text tables.

All three forms become the same thing: the metadata as text and one table of text
cells per file, each row carrying the line a spreadsheet shows (header = line 1).
Types are decided later, in one place (audits.returns), so a return loads the same
whichever form it came in. Problems that stop a file being read at all (not UTF-8,
not a workbook, a ragged row) are blocking.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from audits import spec
from audits.problems import Problem, yaml_mistake

FORMS = ("folder", "zip", "xlsx")
META_SHEETS = {"return": "return", "pack": "pack"}  # sheet name -> kind
_TABLE_BY_FILE = {t.file: t for t in spec.TABLES.values()}


@dataclass
class RawTable:
    name: str  # table name, e.g. "episodes"
    file: str  # as problems name it: "episodes.csv" or "r.xlsx sheet episodes"
    cells: pa.Table  # text cells ("" = empty) plus an int64 'line' column
    header: list[str]  # column names as written (stripped)


@dataclass
class RawSubmission:
    source: Path
    form: str  # folder, zip or xlsx
    kind: str | None  # return or pack (None when it cannot be told)
    meta_file: str | None  # "return.yaml", "r.xlsx sheet return", …
    meta: dict[str, str] = field(default_factory=dict)
    meta_lines: dict[str, int] = field(default_factory=dict)
    tables: dict[str, RawTable] = field(default_factory=dict)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (sha256, bytes)
    problems: list[Problem] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_submission(path: Path) -> RawSubmission:
    """Read any of the three forms; never raises for a user's mistake."""
    path = Path(path)
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")}
        return _from_files(path, "folder", files)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_zip(path)
    if suffix in (".xlsx", ".xlsm"):
        return _from_xlsx(path)
    sub = RawSubmission(path, "folder", None, None)
    sub.problems.append(Problem(path.name, None, None, None, _not_a_form(path), True))
    return sub


def _not_a_form(path: Path) -> str:
    """What a file that is not a submission probably is, and how to make it one."""
    suffix = path.suffix.lower()
    head = path.open("rb").read(8) if path.is_file() else b""
    if suffix == ".xls" and head.startswith(b"PK"):
        return "is an .xlsx workbook saved with the ending .xls: rename it to end in .xlsx (the file itself is fine)"
    if suffix == ".xls":
        return (
            "is an old Excel 97-2003 workbook (.xls), which is not read: open it in Excel and use "
            "Save As, 'Excel Workbook (.xlsx)'"
        )
    if suffix == ".numbers":
        return "is an Apple Numbers file: in Numbers use File, Export To, Excel…, and give the .xlsx file"
    if suffix == ".ods":
        return "is a LibreOffice or OpenOffice file: use File, Save As, 'Excel 2007-365 (.xlsx)'"
    if suffix in (".csv", ".yaml", ".yml"):
        return (
            "is one file of a return: give the folder that holds it with the other files "
            "(return.yaml, episodes.csv, …), or a .zip of that folder"
        )
    return "is not a folder, a .zip or an .xlsx workbook: a return or evidence pack must be one of those three forms"


# --------------------------------------------------------------------------- folder and zip


def _from_zip(path: Path) -> RawSubmission:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir()
                and not m.filename.startswith("__MACOSX/")
                and not Path(m.filename).name.startswith(".")
            ]
            names = [m.filename for m in members]
            tops = {n.split("/", 1)[0] for n in names}
            # A zip of the folder holds "folder/episodes.csv": strip that one level.
            strip = len(tops) == 1 and all("/" in n for n in names)
            files = {}
            for m in members:
                name = m.filename.split("/", 1)[1] if strip else m.filename
                files[name] = archive.read(m)
    except (zipfile.BadZipFile, OSError) as error:
        sub = RawSubmission(path, "zip", None, None)
        sub.problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                f"cannot be opened as a .zip file ({error}); zip the return's folder again",
                True,
            )
        )
        return sub
    return _from_files(path, "zip", files)


def read_files(source: Path, form: str, files: dict[str, bytes]) -> RawSubmission:
    """A submission given as its files' bytes (file name -> bytes), read exactly as a folder is:
    the dashboard's story capture builds an evidence pack in memory and reads it here, so the
    people's words never touch the disk outside the store."""
    return _from_files(Path(source), form, files)


def _from_files(source: Path, form: str, files: dict[str, bytes]) -> RawSubmission:
    if not files:
        sub = RawSubmission(source, form, None, None)
        sub.problems.append(
            Problem(
                source.name,
                None,
                None,
                None,
                f"is empty: a return holds {spec.RETURN_META_FILE} and "
                f"{', '.join(t.file for t in spec.RETURN_TABLES)}; an evidence pack "
                f"{spec.PACK_META_FILE} and {spec.STORIES.file}. "
                "'python -m audits template' writes blank ones",
                True,
            )
        )
        return sub
    has_return = spec.RETURN_META_FILE in files
    has_pack = spec.PACK_META_FILE in files
    kind = "pack" if has_pack and not has_return else "return"
    if not has_return and not has_pack and spec.STORIES.file in files:
        kind = "pack"
    meta_file = spec.PACK_META_FILE if kind == "pack" else spec.RETURN_META_FILE
    sub = RawSubmission(source, form, kind, meta_file)
    sub.files = {name: (sha256(data), len(data)) for name, data in sorted(files.items())}
    if has_return and has_pack:
        sub.problems.append(
            Problem(
                spec.PACK_META_FILE,
                None,
                None,
                None,
                "is next to return.yaml: a return and an evidence pack must be submitted separately",
                True,
            )
        )
    if not has_return and not has_pack:
        sub.problems.append(
            Problem(
                meta_file,
                None,
                None,
                None,
                f"is missing: every return needs {spec.RETURN_META_FILE} and every "
                f"evidence pack {spec.PACK_META_FILE} (see the templates)",
                True,
            )
        )
    else:
        _read_yaml(sub, meta_file, files[meta_file])
    tables = spec.PACK_TABLES if kind == "pack" else spec.RETURN_TABLES
    for name, data in sorted(files.items()):
        table = _TABLE_BY_FILE.get(name)
        if name in (spec.RETURN_META_FILE, spec.PACK_META_FILE):
            continue
        if table is None or table not in tables:
            sub.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"is not part of {'an evidence pack' if kind == 'pack' else 'a return'} and was ignored",
                    False,
                )
            )
            continue
        raw, problems = read_csv_bytes(table, name, data)
        sub.problems += problems
        if raw is not None:
            sub.tables[table.name] = raw
    return sub


def _read_yaml(sub: RawSubmission, name: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        sub.problems.append(_not_utf8(name, data, error))
        return
    try:
        # The base loader keeps every value as text: "001" stays "001", dates stay as written.
        loaded = YAML(typ="base").load(text)
    except MarkedYAMLError as error:
        line, words = yaml_mistake(error, text)
        sub.problems.append(Problem(name, line, None, None, f"is not valid YAML: {words}", True))
        return
    except YAMLError as error:
        sub.problems.append(
            Problem(name, None, None, None, f"is not valid YAML ({error}); write one 'key: value' per line", True)
        )
        return
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        sub.problems.append(Problem(name, None, None, None, "must hold 'key: value' lines (see the template)", True))
        return
    lines = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        match = re.match(r"\s*([A-Za-z_][\w]*)\s*:", raw_line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    sub.meta = {str(k).strip(): ("" if v is None else str(v)).strip() for k, v in loaded.items()}
    sub.meta_lines = lines


# --------------------------------------------------------------------------- CSV


def _not_utf8(name: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    line = data.count(b"\n", 0, error.start) + 1
    seen = bytes([data[error.start]]).decode("cp1252", errors="replace")
    shown = f"probably '{seen}' saved by Windows, " if seen.isprintable() and seen != "\ufffd" else ""
    return Problem(
        name,
        line,
        None,
        None,
        f"is not saved as UTF-8 text: line {line} has a character UTF-8 cannot read "
        f"({shown}byte 0x{data[error.start]:02x}; often a £, an accented letter or a curly "
        "quote). In Excel use Save As, 'CSV UTF-8 (Comma delimited)'",
        True,
    )


def read_csv_bytes(table: spec.Table, name: str, data: bytes) -> tuple[RawTable | None, list[Problem]]:
    """Parse one CSV file's bytes into text cells; blocking problems if it cannot be read.

    The fast path is Arrow's multi-threaded CSV reader. A file with blank lines (which
    would shift the line numbers a spreadsheet shows), or one Arrow refuses (not UTF-8,
    a ragged row), takes the slow path, which finds the exact line to report.
    """
    end = data.find(b"\n")
    try:
        first = data[: end if end >= 0 else len(data)].decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(name, data, error)]
    header = [h.strip() for h in next(csv.reader([first.rstrip("\r")]), [])]
    if not any(header):
        return None, [
            Problem(name, None, None, None, "is empty: it needs at least the header row (see the templates)", True)
        ]
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        return None, [
            Problem(name, 1, d, None, "appears more than once in the header row; keep one", True) for d in duplicates
        ]
    if not set(header) & set(table.column_names):
        text = data[:20_000].decode("utf-8-sig", errors="replace")
        below = list(csv.reader(text.splitlines()[1:11]))
        problem = header_row_problem(table, name, first.rstrip("\r"), header, below)
        if problem is not None:
            return None, [problem]
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    # Valid CSV holds an even number of double quotes; an odd number is a quote left open,
    # which Arrow would quietly close at the end of the file.
    if b"\n\n" not in data and b"\n\r\n" not in data and data.count(b'"') % 2 == 0:
        try:
            cells = pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=len(data) > 4_000_000),
                parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in data),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            return RawTable(table.name, name, _finish(cells), header), []
        except pa.ArrowInvalid:
            pass  # the slow path below says exactly what and where
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(name, data, error)]
    rows, problem = _csv_rows(name, data.decode("utf-8-sig"), len(names))
    if problem is not None:
        return None, [problem]
    cells = pa.table({n: pa.array([row[i] for row in rows], pa.string()) for i, n in enumerate(names)})
    return RawTable(table.name, name, _finish(cells), header), []


def _csv_rows(name: str, text: str, width: int) -> tuple[list[list[str]], Problem | None]:
    """Every row after the header, one per spreadsheet row (blank rows kept, so line numbers
    stay as a spreadsheet shows them), each exactly `width` cells. Empty cells past the last
    heading (Excel leaves them after a deleted column) are dropped; a row with more values
    than headings, or a quote left open, is a blocking problem naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        next(reader, None)
        for row in reader:
            line = len(rows) + 2
            if len(row) > width:
                if any(cell.strip() for cell in row[width:]):
                    return [], Problem(
                        name,
                        line,
                        None,
                        None,
                        f"has {len(row)} cells but the header has {width}: put any value "
                        "that holds a comma in double quotes",
                        True,
                    )
                row = row[:width]
            rows.append(row + [""] * (width - len(row)))
    except csv.Error as error:
        line = len(rows) + 2
        if "unexpected end of data" in str(error):
            return [], Problem(
                name,
                line,
                None,
                None,
                'has a double quote (") that opens a value but is never closed, so the rest '
                "of the file would be read as one value: close the quote at the end of "
                "the value",
                True,
            )
        return [], Problem(
            name,
            line,
            None,
            None,
            'has a double quote (") inside a value that is in quotes. Inside quotes, write '
            'each " twice (""), as Excel does when it saves a CSV, or leave it out',
            True,
        )
    return rows, None


def _finish(cells: pa.Table) -> pa.Table:
    """Add spreadsheet lines; drop unnamed empty columns and wholly empty rows."""
    for column in list(cells.column_names):
        if column.startswith("Unnamed: ") and not pc.any(pc.not_equal(cells[column], "")).as_py():
            cells = cells.drop_columns([column])
    cells = cells.append_column("line", pa.array(np.arange(2, cells.num_rows + 2, dtype=np.int64)))
    names = [c for c in cells.column_names if c != "line"]
    if names and cells.num_rows:
        maybe_blank = pc.equal(pc.utf8_trim_whitespace(cells[names[0]]), "")
        if pc.any(maybe_blank).as_py():
            blank = maybe_blank
            for column in names[1:]:
                blank = pc.and_(blank, pc.equal(pc.utf8_trim_whitespace(cells[column]), ""))
            cells = cells.filter(pc.invert(blank))
    return cells


def header_row_problem(
    table: spec.Table, name: str, first: str, header: list[str], below: list[list[str]]
) -> Problem | None:
    """Why line 1 holds none of the table's headings, when it can be told: the file is
    separated by semicolons or tabs (Excel in a European language saves CSV with ';'),
    or the headings sit lower down under a title. One problem instead of one per column."""
    for mark, words in ((";", "semicolons (;)"), ("\t", "tabs")):
        if mark in first and {c.strip().strip('"') for c in first.split(mark)} & set(table.column_names):
            return Problem(
                name,
                1,
                None,
                None,
                f"is separated by {words}, not commas. Save it again from Excel as "
                "'CSV UTF-8 (Comma delimited)'; if Excel still uses semicolons, set the list "
                "separator to a comma (and the decimal symbol to a full stop) in the computer's "
                "region settings",
                True,
            )
    for offset, row in enumerate(below, start=2):
        cells = {c.strip() for c in row}
        if table.key in cells or len(cells & set(table.column_names)) >= 2:
            shown = next((h for h in header if h), "")
            return Problem(
                name,
                1,
                None,
                shown,
                f"is on line 1, but the column headings ({table.key}, …) are on line {offset}. "
                f"Delete the line{'s' if offset > 2 else ''} above the headings, so that the "
                "headings are line 1 and the first row of data is line 2",
                True,
            )
    return None


# --------------------------------------------------------------------------- xlsx


def cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold: real Excel dates become YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _from_xlsx(path: Path) -> RawSubmission:
    import openpyxl  # only needed for workbooks
    from openpyxl.utils.exceptions import InvalidFileException

    data = path.read_bytes()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        sub = RawSubmission(path, "xlsx", None, None)
        sub.problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                f"cannot be opened as an Excel workbook ({error}); save it again as .xlsx",
                True,
            )
        )
        return sub
    try:
        # Excel itself does not tell 'Episodes' from 'episodes', so neither do we.
        sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
        meta_sheets = [s for s in sheets if s in META_SHEETS]
        kind = (
            META_SHEETS[meta_sheets[0]]
            if len(meta_sheets) == 1
            else ("pack" if spec.STORIES.name in sheets else "return")
        )
        meta_name = kind
        sub = RawSubmission(path, "xlsx", kind, f"{path.name} sheet {meta_name}")
        sub.files = {path.name: (sha256(data), len(data))}
        if len(meta_sheets) == 2:
            sub.problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    "has both a 'return' and a 'pack' sheet: a return and an evidence "
                    "pack must be submitted separately",
                    True,
                )
            )
        elif not meta_sheets:
            sub.problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    "has no sheet named 'return' (or 'pack' for an evidence pack) with "
                    "the key/value rows: provider_id, period, …",
                    True,
                )
            )
        else:
            _meta_from_sheet(sub, sheets[meta_name])
        tables = spec.PACK_TABLES if kind == "pack" else spec.RETURN_TABLES
        wanted = {t.name: t for t in tables}
        for title, ws in sheets.items():
            if title in META_SHEETS:
                continue
            if title not in wanted:
                sub.problems.append(
                    Problem(
                        f"{path.name} sheet {ws.title}",
                        None,
                        None,
                        None,
                        f"is not part of {'an evidence pack' if kind == 'pack' else 'a return'} and was ignored",
                        False,
                    )
                )
                continue
            raw = _sheet_table(wanted[title], f"{path.name} sheet {title}", ws, sub.problems)
            if raw is not None:
                sub.tables[title] = raw
        return sub
    finally:
        book.close()


def _meta_from_sheet(sub: RawSubmission, ws) -> None:
    first = [cell_text(v).strip() for v in next(ws.iter_rows(max_row=1, values_only=True), ())]
    if len(set(first) & {"provider_id", "period"}) == 2:
        sub.problems.append(
            Problem(
                sub.meta_file,
                1,
                None,
                None,
                "has its fields across line 1 (provider_id, period, …) with the values "
                "below: write them down the sheet instead, one field a line, the name "
                "in column A and its value in column B",
                True,
            )
        )
        return
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [cell_text(v).strip() for v in row[:2]] + ["", ""]
        key, value = cells[0], cells[1]
        if not key or (number == 1 and key.lower() == "key"):
            continue
        if key not in sub.meta:
            sub.meta[key] = value
            sub.meta_lines[key] = number


def _sheet_table(table: spec.Table, name: str, ws, problems: list[Problem]) -> RawTable | None:
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None or not any(v is not None for v in header_row):
        problems.append(
            Problem(name, None, None, None, "is empty: it needs at least the header row (see the templates)", True)
        )
        return None
    header = [cell_text(v).strip() for v in header_row]
    while header and header[-1] == "":
        header.pop()
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        problems += [
            Problem(name, 1, d, None, "appears more than once in the header row; keep one", True) for d in duplicates
        ]
        return None
    width = len(header)
    body = []
    if not set(header) & set(table.column_names):
        for row in rows:  # the first rows, kept: the headings may be among them
            body.append([cell_text(v) for v in row])
            if len(body) == 10:
                break
        problem = header_row_problem(table, name, ",".join(header), header, body)
        if problem is not None:
            problems.append(problem)
            return None
        body = [cells[:width] + [""] * (width - len(cells[:width])) for cells in body]
    for row in rows:
        cells = [cell_text(v) for v in row[:width]]
        body.append(cells + [""] * (width - len(cells)))
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    cells = pa.table({n: pa.array([row[i] for row in body], pa.string()) for i, n in enumerate(names)})
    return RawTable(table.name, name, _finish(cells), header)
