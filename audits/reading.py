"""Turn a submission (a folder, a .zip of it, or an .xlsx workbook) into raw text tables.

All three forms become the same thing: the metadata as text and one table of text
cells per file, each row carrying the line a spreadsheet shows (header = line 1).
Types are decided later, in one place (audits.returns), so a return loads the same
whichever form it came in. Problems that stop a file being read at all (not UTF-8,
not a workbook, a ragged row) are blocking.

Every file comes from outside, so nothing is trusted before it is measured: the limits of
audits.limits are checked before a file is read, a zip entry inflated or YAML built, and a
submission over one is refused whole (a zip bomb, a billion laughs, a 400 MB cell, a
symlink out of the folder, an entry named twice, a DTD in a workbook).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from audits import limits, safe_yaml, spec
from audits.problems import Problem, yaml_mistake

FORMS = ("folder", "zip", "xlsx")
# Python's csv module refuses a longer cell with a message about quotes (131,072 characters
# by default): set to the cell limit deliberately, and its refusal is worded in _long_cell.
csv.field_size_limit(limits.MAX_CELL_CHARS)
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
    """Read any of the three forms; never raises for a user's mistake.

    Sizes, counts and compression are checked against audits.limits before anything is
    read or inflated; a submission over a limit is refused whole, naming the file."""
    path = Path(path)
    if path.is_dir():
        return _from_folder(path)
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
    head = b""
    if path.is_file():
        with path.open("rb") as handle:
            head = handle.read(8)
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


# --------------------------------------------------------------------------- limits while reading

# What Python's zipfile raises on a damaged or doctored zip: a bad header or checksum, a
# truncated file, a name that is not the UTF-8 its flag claims (ValueError), a method it
# cannot read, a size that does not fit.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    OverflowError,
    zlib.error,
    struct.error,
)


def _refused(path: Path, form: str, problems: list[Problem]) -> RawSubmission:
    """A submission refused before any of it was read."""
    sub = RawSubmission(path, form, None, None)
    sub.problems += problems
    return sub


def _whole(name: str, message: str) -> Problem:
    return Problem(name, None, None, None, message, True)


def _file_limit(name: str) -> int:
    return limits.MAX_META_BYTES if name in (spec.RETURN_META_FILE, spec.PACK_META_FILE) else limits.MAX_FILE_BYTES


def _too_big(name: str, size: int | None, limit: int, where: str = "") -> Problem:
    """A file over its limit; `size` None when it was found out while reading (more than the limit)."""
    words = limits.size_words(size) if size is not None else f"more than {limits.size_words(limit)}"
    if limit == limits.MAX_META_BYTES:
        return _whole(
            name,
            f"{where}is {words}, but it holds only a few 'key: value' lines (the most is "
            f"{limits.size_words(limit)}): check it is the right file, and start from the template",
        )
    return _whole(
        name,
        f"{where}is {words} when unpacked; the most one file may be is {limits.size_words(limit)}, ten times "
        "what the largest provider's quarter needs. Check it is the right file and holds one quarter",
    )


def _too_much(name: str, size: int, limit: int) -> Problem:
    return _whole(
        name,
        f"holds {limits.size_words(size)} of files when unpacked; the most a return or evidence pack may hold "
        f"is {limits.size_words(limit)}. Check it holds only this quarter's files",
    )


def _too_many(name: str, what: str) -> Problem:
    return _whole(
        name,
        f"holds more than {limits.MAX_ENTRIES:,} {what}; a return holds 7 files at most. Give the return's "
        "own folder, or a .zip of it",
    )


def listing(path: Path) -> list[os.DirEntry]:
    """A submission folder's entries, no more than one past limits.MAX_ENTRIES (more than that is
    refused): a folder of a million entries is never listed in full."""
    with os.scandir(path) as entries:
        return list(itertools.islice(entries, limits.MAX_ENTRIES + 1))


def _from_folder(path: Path) -> RawSubmission:
    """The files of a folder, each checked before it is read. Links (symlinks) are refused,
    never followed: a return must not read files from outside its folder."""
    entries = sorted(listing(path), key=lambda e: e.name)
    if len(entries) > limits.MAX_ENTRIES:
        return _refused(path, "folder", [_too_many(path.name, "files")])
    problems: list[Problem] = []
    sizes: dict[str, int] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            problems.append(
                _whole(
                    entry.name,
                    "is a link (symlink) to a file somewhere else; links are not followed, so that nothing "
                    "outside the return's folder is ever read. Put a copy of the file itself in the folder",
                )
            )
        elif entry.is_file(follow_symlinks=False):
            sizes[entry.name] = entry.stat(follow_symlinks=False).st_size
    total = sum(sizes.values())
    if total > limits.MAX_SUBMISSION_BYTES:
        return _refused(path, "folder", [_too_much(path.name, total, limits.MAX_SUBMISSION_BYTES)])
    files: dict[str, bytes] = {}
    for name, size in sizes.items():
        limit = _file_limit(name)
        if size > limit:
            problems.append(_too_big(name, size, limit))
            continue
        try:
            # O_NOFOLLOW: not a link even if one was put there since the folder was listed.
            with os.fdopen(os.open(path / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as handle:
                data = _read_capped(handle, limit)  # the file may have grown since it was measured
        except OSError as error:
            problems.append(
                _whole(name, f"could not be read ({error.strerror or error}): copy it into the folder again")
            )
            continue
        if data is None:
            problems.append(_too_big(name, None, limit))
            continue
        files[name] = data
    return _from_files(path, "folder", files, problems)


def _archive_problems(path: Path, archive: zipfile.ZipFile, part_limit, total_limit: int, where: str) -> list[Problem]:
    """What stops the entries of a .zip or .xlsx being read, judged from its directory alone
    (nothing is inflated): passwords, compression methods that are not read, entries or a
    total over the limits, and sizes that would grow like a zip bomb's. `where` names an
    entry for the reader ("" in a .zip, "its part " in a workbook)."""
    problems = []
    locked: list[str] = []
    methods: dict[str, list[str]] = {}
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename
        total += info.file_size
        if info.flag_bits & 0x1:
            locked.append(name)
        elif info.compress_type not in limits.ZIP_METHODS:
            method = limits.ZIP_METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            methods.setdefault(method, []).append(name)
        elif info.file_size > part_limit(name):
            problems.append(_too_big(path.name, info.file_size, part_limit(name), f"{where}{name} "))
        elif info.file_size > limits.RATIO_FLOOR_BYTES and info.file_size > limits.MAX_RATIO * max(
            info.compress_size, 1
        ):
            problems.append(
                _whole(
                    path.name,
                    f"{where}{name} would grow from {limits.size_words(info.compress_size)} to "
                    f"{limits.size_words(info.file_size)} when unpacked, "
                    f"{info.file_size // max(info.compress_size, 1):,} times (real returns grow about 10 times; the "
                    f"most accepted is {limits.MAX_RATIO}): this is not an ordinary zip of a return. Zip the "
                    "return's folder again",
                )
            )
    workbook = "Open it in Excel (or LibreOffice) and save it again as .xlsx"
    if locked:
        fix = workbook + ", without a password" if where else "Make the .zip again without a password"
        problems.append(_whole(path.name, f"is protected by a password ({_some(locked)}), so it cannot be read. {fix}"))
    for method, names in methods.items():
        fix = (
            workbook
            if where
            else (
                "Make the .zip again with the computer's own 'Compress' (Windows: Send to, Compressed (zipped) "
                "folder; Mac: Compress), which uses the ordinary Deflate method"
            )
        )
        problems.append(_whole(path.name, f"is compressed with {method} ({_some(names)}), which is not read. {fix}"))
    if total > total_limit:
        problems.append(_too_much(path.name, total, total_limit))
    return problems


def _some(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")


def _open_archive(path: Path, form: str) -> tuple[zipfile.ZipFile | None, list[Problem]]:
    """The .zip or .xlsx opened, once its size and the size of its directory are known to be
    within the limits (Python reads the whole directory when it opens one)."""
    size = path.stat().st_size
    if size > limits.MAX_SUBMISSION_BYTES:
        return None, [
            _whole(
                path.name,
                f"is {limits.size_words(size)}; the most a return or evidence pack may be is "
                f"{limits.size_words(limits.MAX_SUBMISSION_BYTES)}. Check it is the right file and holds one quarter",
            )
        ]
    what = "an Excel workbook" if form == "xlsx" else "a .zip file"
    fix = "save it again as .xlsx" if form == "xlsx" else "zip the return's folder again"
    try:
        with path.open("rb") as handle:
            end = zipfile._EndRecData(handle)  # the directory's size, read before Python reads the directory
        if end is not None and (
            end[zipfile._ECD_ENTRIES_TOTAL] > limits.MAX_ENTRIES or end[zipfile._ECD_SIZE] > limits.MAX_DIRECTORY_BYTES
        ):
            return None, [_too_many(path.name, "files" if form == "zip" else "parts")]
        return zipfile.ZipFile(path), []
    except _ZIP_ERRORS as error:
        return None, [_whole(path.name, f"cannot be opened as {what} ({error}); {fix}")]


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """An entry inflated a piece at a time, stopping as soon as it passes `limit` (None):
    never trusts the size the directory declares."""
    with archive.open(info) as handle:
        return _read_capped(handle, limit)


def _read_capped(handle, limit: int) -> bytes | None:
    """A file's bytes read a piece at a time, or None as soon as there are more than `limit`."""
    chunks, read = [], 0
    while chunk := handle.read(limits.CHUNK_BYTES):
        read += len(chunk)
        if read > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _from_zip(path: Path) -> RawSubmission:
    archive, problems = _open_archive(path, "zip")
    if archive is None:
        return _refused(path, "zip", problems)
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir() and not m.filename.startswith("__MACOSX/") and not Path(m.filename).name.startswith(".")
        ]
        problems = _archive_problems(path, archive, _file_limit_of_entry, limits.MAX_SUBMISSION_BYTES, "")
        if problems:
            return _refused(path, "zip", problems)
        names = [m.filename for m in members]
        tops = {n.split("/", 1)[0] for n in names}
        # A zip of the folder holds "folder/episodes.csv": strip that one level.
        strip = len(tops) == 1 and all("/" in n for n in names)
        by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for m in members:
            by_name.setdefault(m.filename.split("/", 1)[1] if strip else m.filename, []).append(m)
        twice = [
            _whole(
                name,
                f"appears {len(found)} times in {path.name}: only one copy could be read, and which one "
                "would be a guess. Zip the return's folder again, so that it holds each file once",
            )
            for name, found in by_name.items()
            if len(found) > 1
        ]
        if twice:
            return _refused(path, "zip", twice)
        files: dict[str, bytes] = {}
        for name, (m,) in by_name.items():
            limit = _file_limit(name)
            try:
                data = _read_entry(archive, m, limit)
            except _ZIP_ERRORS as error:
                problems.append(_whole(name, f"cannot be unpacked from {path.name} ({error}); zip the folder again"))
                continue
            if data is None:
                problems.append(_too_big(name, None, limit, f"in {path.name} "))
                continue
            files[name] = data
    return _from_files(path, "zip", files, problems)


def read_files(source: Path, form: str, files: dict[str, bytes]) -> RawSubmission:
    """A submission given as its files' bytes (file name -> bytes), read exactly as a folder is:
    the dashboard's story capture builds an evidence pack in memory and reads it here, so the
    people's words never touch the disk outside the store."""
    return _from_files(Path(source), form, files)


def _file_limit_of_entry(name: str) -> int:
    return _file_limit(name.rsplit("/", 1)[-1])


def kind_of(present: set[str]) -> str:
    """A submission's kind by the names of its files: a pack when it holds the pack's metadata
    and not a return's, or, holding neither, the stories file; else a return (audits.ingest
    orders its batches by it before reading)."""
    has_return, has_pack = spec.RETURN_META_FILE in present, spec.PACK_META_FILE in present
    if has_pack and not has_return:
        return "pack"
    return "pack" if not has_return and not has_pack and spec.STORIES.file in present else "return"


def _from_files(
    source: Path, form: str, files: dict[str, bytes], refused: list[Problem] | None = None
) -> RawSubmission:
    """The submission from its files' bytes; `refused` are the problems of files that were
    not read at all (over a limit, a link), which still count as present."""
    refused = refused or []
    present = set(files) | {p.file for p in refused}
    if not present:
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
    has_return = spec.RETURN_META_FILE in present
    has_pack = spec.PACK_META_FILE in present
    kind = kind_of(present)
    meta_file = spec.PACK_META_FILE if kind == "pack" else spec.RETURN_META_FILE
    sub = RawSubmission(source, form, kind, meta_file)
    sub.problems += refused
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
    elif meta_file in files:
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
    loaded = flat_yaml(text)
    try:
        # Nothing is built until the events show one flat group of 'key: value' lines: no
        # aliases to expand, no nesting to recurse into (audits.safe_yaml).
        hazard = None if loaded is not None else safe_yaml.first_hazard(text, max_depth=1)
        if hazard is not None:
            sub.problems.append(_meta_hazard(name, hazard))
            return
        # The base loader keeps every value as text: "001" stays "001", dates stay as written.
        if loaded is None:
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
    if len(loaded) > limits.MAX_META_LINES:
        sub.problems.append(_too_many_fields(name))
        return
    lines = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        match = re.match(r"\s*([A-Za-z_][\w]*)\s*:", raw_line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    sub.meta = {str(k).strip(): ("" if v is None else str(v)).strip() for k, v in loaded.items()}
    sub.meta_lines = lines


# The plainest YAML there is: 'key: value' lines at the left margin, each value a plain word
# or words (no quotes, colons, hashes or characters outside ASCII), with blank and '#' comment
# lines between. Every metadata file the template makes is so.
_FLAT_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): +([A-Za-z0-9][A-Za-z0-9 ._/()&,+-]*)")
_FLAT_SKIP = re.compile(r" *(#[\x20-\x7e]*)?")


def flat_yaml(text: str) -> dict[str, str] | None:
    """The mapping YAML's base loader makes of `text` when `text` is in the plainest form
    (above), read without the YAML parser (a fiftieth of its time: a national year has 1,200
    of these files); None for anything else, which the parser then reads and judges. Only
    a form both read alike is taken here (tests/test_reading.py compares them)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    loaded: dict[str, str] = {}
    for line in text.split("\n"):
        match = _FLAT_LINE.fullmatch(line)
        if match is None:
            if _FLAT_SKIP.fullmatch(line):
                continue
            return None
        key, value = match.groups()
        if key in loaded:
            return None  # the parser says which line repeats it
        loaded[key] = value.rstrip(" ")
    return loaded or None


def _meta_hazard(name: str, hazard: safe_yaml.Hazard) -> Problem:
    key = hazard.key
    if hazard.kind == safe_yaml.DEPTH and key is not None:
        message = (
            "must be one value written after the colon, but a list or a group of values was given: "
            f"write it on one line, for example {key}: {_META_EXAMPLES.get(key, '…')}"
        )
    elif hazard.kind == safe_yaml.DEPTH:
        message = "must hold 'key: value' lines, one field a line (see the template)"
    elif hazard.kind == safe_yaml.ALIAS:
        message = "uses an anchor or an alias (&name, *name): write each value out in full"
    elif hazard.kind == safe_yaml.TAG:
        message = "uses a tag (a word starting with !, such as !!str): remove it, and put the value in quotes if it needs them"
    elif hazard.kind == safe_yaml.DOCUMENTS:
        message = "holds more than one document: remove the second '---' and what follows it"
    else:
        message = "has a '%YAML' or '%TAG' line, which is not used here: remove the line"
    return Problem(name, hazard.line, key, None, message, True)


def _too_many_fields(name: str) -> Problem:
    return _whole(
        name,
        f"has more than {limits.MAX_META_LINES:,} fields, but it holds five (provider_id, period, …): "
        "check it is the right file, and start from the template",
    )


_META_EXAMPLES = {f.name: f.example for f in spec.RETURN_META + spec.PACK_META}


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

    The fast path is Arrow's multi-threaded CSV reader (blank lines kept as rows, so the line
    numbers stay those a spreadsheet shows). A file Arrow refuses (not UTF-8, a ragged row, a
    quote left open) takes the slow path, which finds the exact line to report.
    """
    data = _plain_line_ends(data)
    # A file has fewer lines than bytes: only one of more bytes than the most lines is counted.
    lines = data.count(b"\n") if len(data) > limits.MAX_LINES else 0
    if lines > limits.MAX_LINES:
        return None, [
            _whole(
                name,
                f"has {lines:,} lines; the most a file may have is {limits.MAX_LINES:,} (the largest real "
                "table has about 120,000). Check it is the right file and holds one quarter",
            )
        ]
    end = data.find(b"\n")
    try:
        first = data[: end if end >= 0 else len(data)].decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(name, data, error)]
    try:
        header = [h.strip() for h in next(csv.reader([first.rstrip("\r")]), [])]
    except csv.Error:  # only a heading longer than a cell may be
        return None, [_long_cell(name, 1, None, None)]
    if len(header) > limits.MAX_COLUMNS:
        return None, [_too_wide(name, len(header))]
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
    # A file with double quotes goes the fast way only if Arrow reads them as Python's csv does
    # (_quotes_read_alike: a pass over the file, made only where a quote is).
    quoted = b'"' in data
    if not quoted or _quotes_read_alike(data):
        try:
            cells = pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=len(data) > 4_000_000),
                # A blank line is kept as a row of empty cells, as the slow path keeps it, so the
                # lines after it keep the numbers a spreadsheet shows (_finish drops the row).
                parse_options=pacsv.ParseOptions(newlines_in_values=quoted, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            return _raw_table(table, name, cells, header, len(data))
        except pa.ArrowInvalid:
            pass  # the slow path below says exactly what and where
    return read_slowly(table, name, data, header)


def _quotes_read_alike(data: bytes) -> bool:
    """Whether Python's csv (strict), the slow path, reads this file without a problem: only then
    is Arrow's reading of its double quotes the same, and the fast path may read it.

    Arrow forgives two mistakes Python's csv reports: a quote left open (Arrow closes it at the
    end of the file) and text after a closing quote (`"ab"cd` or `""x` read as `abcd`, `x`). Which
    quote closes a value depends on every quote before it, so the file is read through once in C,
    a few lines at a time, keeping nothing (~0.6 CPU-s for 64 MB with every cell in quotes; a
    search of the quotes' places with numpy took 30 times that, and a gigabyte)."""
    if data.count(b'"') % 2:
        return False
    lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        for _ in csv.reader(lines, strict=True):
            pass
    except (csv.Error, UnicodeDecodeError):
        return False
    return True


def read_slowly(table: spec.Table, name: str, data: bytes, header: list[str]) -> tuple[RawTable | None, list[Problem]]:
    """The slow path of `read_csv_bytes` (Python's csv module, row by row), which finds the exact
    line of what stops a file being read; whatever both read, they read alike (tests/test_reading.py)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, [_not_utf8(name, data, error)]
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    rows, problem = _csv_rows(name, text, len(names))
    if problem is not None:
        return None, [problem]
    cells = pa.table({n: pa.array([row[i] for row in rows], pa.string()) for i, n in enumerate(names)})
    return _raw_table(table, name, cells, header, len(data))


def _plain_line_ends(data: bytes) -> bytes:
    """Lines ended by a carriage return alone (old Mac files, some exports) read as lines,
    just as CR LF ones do; a file that has no lone CR is returned as it is."""
    if b"\r" not in data:  # a search stops at the first; a count reads every byte
        return data
    returns = data.count(b"\r")
    if returns != data.count(b"\r\n"):
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _raw_table(
    table: spec.Table, name: str, cells: pa.Table, header: list[str], size: int | None = None
) -> tuple[RawTable | None, list[Problem]]:
    """The table with its spreadsheet lines, unless a cell is longer than any cell may be
    (`size`: the file's bytes, when known)."""
    cells = _finish(cells)
    limit = limits.MAX_CELL_CHARS
    # A file no longer than a cell may be holds no cell that is too long.
    for column in cells.column_names if size is None or size > limit else ():
        # Bytes first (read from the offsets, no decoding): a cell has at least as many bytes
        # as characters, so only a column with a long enough cell is counted in characters.
        if column == "line" or not cells.num_rows or pc.max(pc.binary_length(cells[column])).as_py() <= limit:
            continue
        lengths = pc.utf8_length(cells[column])
        longest = pc.max(lengths).as_py()
        if longest > limit:
            index = pc.index(pc.greater(lengths, limit), True).as_py()
            shown = None if column.startswith("Unnamed: ") else column
            return None, [_long_cell(name, cells["line"][index].as_py(), shown, longest)]
    return RawTable(table.name, name, cells, header), []


def _long_cell(name: str, line: int, column: str | None, length: int | None) -> Problem:
    size = f"{length:,} characters" if length else f"more than {limits.MAX_CELL_CHARS:,} characters"
    return Problem(
        name,
        line,
        column,
        None,
        f"holds {size} in one cell; the most a cell may hold is {limits.MAX_CELL_CHARS:,} (Excel itself "
        'stops at 32,767). Often a double quote (") opened a value and was not closed where it should have '
        "been, so that many lines were read as one value: look at this line and the ones just above it",
        True,
    )


def _too_wide(name: str, width: int) -> Problem:
    return Problem(
        name,
        1,
        None,
        None,
        f"has {width:,} columns in its header row; the most is {limits.MAX_COLUMNS:,} (Excel's own most), and "
        "a table of the specification has 21 at most. Check it is the right file",
        True,
    )


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
        if "field larger than field limit" in str(error):
            return [], _long_cell(name, line, None, None)
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


# The first bytes of an Office file in the older compound format: what Excel saves when a
# workbook has a password to open it (and what an .xls is).
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _workbook_problems(path: Path) -> list[Problem]:
    """Everything that stops a workbook being handed to openpyxl: the zip checks of any
    submission (with the larger sizes of XML), parts named twice, and DTDs."""
    with path.open("rb") as handle:
        if handle.read(8) == _COMPOUND_FILE:
            return [
                _whole(
                    path.name,
                    "is protected by a password (or is an old .xls workbook with the ending .xlsx), so it "
                    "cannot be read. In Excel remove the password (File, Info, Protect Workbook, Encrypt "
                    "with Password) and save it as 'Excel Workbook (.xlsx)'",
                )
            ]
    archive, problems = _open_archive(path, "xlsx")
    if archive is None:
        return problems
    with archive:
        problems = _archive_problems(
            path, archive, lambda name: limits.MAX_WORKBOOK_PART_BYTES, limits.MAX_WORKBOOK_BYTES, "its part "
        )
        names = [info.filename for info in archive.infolist()]
        if len(set(names)) < len(names):
            problems.append(
                _whole(
                    path.name,
                    "holds two parts of the same name, so what it holds would be a guess: open it in Excel "
                    "and save it again as .xlsx",
                )
            )
        if problems:
            return problems
        try:
            doctypes = [info.filename for info in archive.infolist() if _declares_dtd(archive, info)]
        except _ZIP_ERRORS as error:
            return [_whole(path.name, f"cannot be opened as an Excel workbook ({error}); save it again as .xlsx")]
    if doctypes:
        return [
            _whole(
                path.name,
                f"has a document type declaration (<!DOCTYPE …>) in its part {doctypes[0]}, which Excel "
                "never writes and which can make a file fetch or expand other files: open it in Excel and "
                "save it again as .xlsx",
            )
        ]
    return []


_ELEMENT = re.compile(r"<[^?!]")


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a part's XML starts with a <!DOCTYPE …>: read up to its first element only
    (a DTD can only come before it), never the whole part."""
    with archive.open(info) as handle:
        head = handle.read(64 * 1024)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif head[:2] in (b"<\x00", b"\x00<"):
        text = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    element = _ELEMENT.search(text)
    return "<!DOCTYPE" in (text[: element.start()] if element else text)


def _from_xlsx(path: Path) -> RawSubmission:
    import openpyxl  # only needed for workbooks

    problems = _workbook_problems(path)
    if problems:
        return _refused(path, "xlsx", problems)
    data = path.read_bytes()
    # openpyxl meets a damaged part (malformed XML, a style or a cell it cannot make sense
    # of) with whichever exception its code reaches: any of them means the same thing to
    # the person who sent the file, so all are caught here, at the edge of the parser.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 (see above)
        return _refused(path, "xlsx", [_damaged(path, error)])
    try:
        return _workbook_submission(path, data, book)
    except Exception as error:  # noqa: BLE001 (see above)
        return _refused(path, "xlsx", [_damaged(path, error)])
    finally:
        book.close()


def _damaged(path: Path, error: Exception) -> Problem:
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
    return _whole(
        path.name,
        f"cannot be read as an Excel workbook: part of it is damaged or not written as Excel writes it "
        f"({detail}). Open it in Excel (or LibreOffice) and save it again as .xlsx",
    )


def _workbook_submission(path: Path, data: bytes, book) -> RawSubmission:
    # Excel itself does not tell 'Episodes' from 'episodes', so neither do we.
    sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
    meta_sheets = [s for s in sheets if s in META_SHEETS]
    kind = (
        META_SHEETS[meta_sheets[0]] if len(meta_sheets) == 1 else ("pack" if spec.STORIES.name in sheets else "return")
    )
    meta_name = kind
    sub = RawSubmission(path, "xlsx", kind, f"{path.name} sheet {meta_name}")
    sub.files = {path.name: (sha256(data), len(data))}
    if len(meta_sheets) == 2:
        sub.problems.append(
            _whole(
                path.name,
                "has both a 'return' and a 'pack' sheet: a return and an evidence pack must be submitted separately",
            )
        )
    elif not meta_sheets:
        sub.problems.append(
            _whole(
                path.name,
                "has no sheet named 'return' (or 'pack' for an evidence pack) with the key/value rows: "
                "provider_id, period, …",
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


def _meta_from_sheet(sub: RawSubmission, ws) -> None:
    ws.reset_dimensions()
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
    try:
        for number, row in enumerate(_capped(ws.iter_rows(values_only=True)), start=1):
            cells = [cell_text(v).strip() for v in row[:2]] + ["", ""]
            key, value = cells[0], cells[1]
            if not key or (number == 1 and key.lower() == "key"):
                continue
            if key not in sub.meta:
                sub.meta[key] = value
                sub.meta_lines[key] = number
            if len(sub.meta) > limits.MAX_META_LINES:
                break
    except _TooLong:
        pass  # the fields are all counted below
    if len(sub.meta) > limits.MAX_META_LINES:
        sub.problems.append(_too_many_fields(sub.meta_file))
        sub.meta, sub.meta_lines = {}, {}


def _sheet_table(table: spec.Table, name: str, ws, problems: list[Problem]) -> RawTable | None:
    # A read-only sheet believes the size the file declares (<dimension ref="A1:G10"/>) and
    # quietly stops there; forget it, and read every row the sheet really holds.
    ws.reset_dimensions()
    rows = _capped(ws.iter_rows(values_only=True))
    header_row = next(rows, None)
    if header_row is None or not any(v is not None for v in header_row):
        problems.append(
            Problem(name, None, None, None, "is empty: it needs at least the header row (see the templates)", True)
        )
        return None
    header = [cell_text(v).strip() for v in header_row]
    while header and header[-1] == "":
        header.pop()
    if len(header) > limits.MAX_COLUMNS:
        problems.append(_too_wide(name, len(header)))
        return None
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
    try:
        for row in rows:
            cells = [cell_text(v) for v in row[:width]]
            body.append(cells + [""] * (width - len(cells)))
    except _TooLong:
        problems.append(
            _whole(
                name,
                f"has more than {limits.MAX_LINES:,} rows (Excel itself holds 1,048,576; the largest real "
                "table has about 120,000). Check it is the right sheet and holds one quarter",
            )
        )
        return None
    names = [h if h else f"Unnamed: {i}" for i, h in enumerate(header)]
    cells = pa.table({n: pa.array([row[i] for row in body], pa.string()) for i, n in enumerate(names)})
    raw, long_cells = _raw_table(table, name, cells, header)
    problems += long_cells
    return raw


class _TooLong(Exception):
    """A sheet with more rows than limits.MAX_LINES."""


def _capped(rows):
    """A sheet's rows, stopping with _TooLong past the limit: a sheet of a few bytes can say
    its one row is row 100,000,000, and read-only openpyxl fills the gap with empty rows."""
    for number, row in enumerate(rows, start=1):
        if number > limits.MAX_LINES:
            raise _TooLong
        yield row
