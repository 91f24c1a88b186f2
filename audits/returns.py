"""Validate a provider return or an evidence pack, in any of its three forms.

The result says what can be loaded (typed frames of good rows), what is held back
(quarantined rows, each with its reasons) and every problem found, all at once.
Blocking problems (missing file or column, unreadable file, bad metadata, duplicate
ids) refuse the whole submission.

Many submissions are validated together (`validate_many`): each table of the whole
batch is typed and checked in one vectorised pass, because a national year is 600
returns and per-return overhead would dominate.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audits import cells, reading, schemas, spec
from audits.problems import HIDDEN_VALUE, Problem, as_json_ready, quote, report

QUARANTINE_COLUMNS = ["table_name", "file_name", "line", "key_value", "reasons", "row_json"]

TYPE_MESSAGES = {
    spec.DATE: "is not a date written YYYY-MM-DD (for example 2026-04-01)",
    spec.BOOLEAN: "is not yes or no (true/false, y/n and 1/0 are accepted too)",
    spec.INTEGER: "is not a whole number",
    spec.NUMBER: "is not a number",
}


# Ways a value is commonly written by a spreadsheet set to other habits, with the fix.
# (type, pattern, message); the first pattern that matches wins, else TYPE_MESSAGES.
HINTS = (
    (
        spec.DATE,
        r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$",
        "looks like day/month/year: dates are written year-month-day, YYYY-MM-DD (so 14/07/2026 is "
        "2026-07-14). In Excel, format the column as yyyy-mm-dd before saving",
    ),
    (
        spec.DATE,
        r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}$",
        "has / or . between year, month and day: write it with dashes, YYYY-MM-DD (so 2026/07/14 is 2026-07-14)",
    ),
    (
        spec.DATE,
        r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}",
        "has a time after the date: write the date alone, YYYY-MM-DD",
    ),
    (spec.NUMBER, r"^[+-]?\d*,\d+$", "has a comma as the decimal point: write it with a full stop (0.5, not 0,5)"),
    (spec.INTEGER, r"^[+-]?\d*,\d+$", "is not a whole number (and has a comma as the decimal point)"),
)


def _type_messages(column_type: str, values: pa.Array) -> np.ndarray:
    """The message for each cell that is not of its type, with a hint where the way it is
    written is recognised (day/month/year dates, a decimal comma)."""
    messages = np.full(len(values), TYPE_MESSAGES[column_type], dtype=object)
    done = np.zeros(len(values), dtype=bool)
    for hint_type, pattern, message in HINTS:
        if hint_type == column_type:
            match = pc.match_substring_regex(values, pattern).to_numpy(zero_copy_only=False) & ~done
            messages[match] = message
            done |= match
    return messages


@dataclass
class Batch:
    """The good rows of every submission validated together, typed: one Arrow table per table
    of the specification (with `line`), each submission's rows a contiguous span of it, so
    audits.ingest hands DuckDB Arrow slices instead of converting a DataFrame per file."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    spans: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)  # table -> number -> rows
    # table -> number -> which rows of its span are good, for a submission with rows held back
    # (the held-back rows stay in `tables`: filtering every batch's tables to drop a few
    # hundred rows a year copied all eight million, ~0.9 CPU-s of the validating process)
    kept: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)

    def rows(self, table_name: str, number: int) -> pa.Table | None:
        """One submission's good rows of one table (a slice: nothing is copied, unless rows of
        it are held back)."""
        span = self.spans.get(table_name, {}).get(number)
        if span is None:
            return None
        rows = self.tables[table_name].slice(span[0], span[1] - span[0])
        kept = self.kept.get(table_name, {}).get(number)
        return rows if kept is None else rows.filter(kept)


@dataclass
class Validation:
    source: Path
    form: str  # folder, zip or xlsx
    kind: str | None  # return or pack
    meta: dict  # provider_id, period, … (submitted_on as a date)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # good rows, typed, with 'line'
    quarantined: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256
    sizes: dict[str, int] = field(default_factory=dict)  # name -> bytes
    batch: Batch | None = None  # the good rows again, as loaded (validate_many)
    number: int = 0  # this submission's place in the batch (`_sub`)
    counts: dict[str, int] = field(default_factory=dict)  # good rows per table (kept when frames are let go)

    @property
    def blocking(self) -> bool:
        return any(p.blocking for p in self.problems)

    @property
    def sha256(self) -> str:
        """Of the whole submission: its files' checksums in name order (the same for a
        folder and a zip of it)."""
        text = "".join(f"{name}\t{digest}\n" for name, digest in sorted(self.files.items()))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def rows(self) -> dict[str, int]:
        return dict(self.counts)

    def title(self) -> str:
        what = "Evidence pack" if self.kind == "pack" else "Return"
        who = " ".join(str(self.meta.get(k)) for k in ("provider_id", "period") if self.meta.get(k))
        return f"{what} {who or '(provider and period unknown)'}: {self.source}"

    def verdict(self) -> str:
        if self.blocking:
            return "Refused: nothing of it can be loaded until the problems below are fixed."
        held = len(self.quarantined)
        loaded = sum(self.rows.values())
        text = f"Loadable: {loaded:,} row{'s' if loaded != 1 else ''}"
        if held:
            text += f", {held:,} row{'s' if held != 1 else ''} held back in quarantine (kept with their reasons)"
        return text + "."

    def report(self) -> str:
        return report(self.title(), self.problems, self.verdict())

    def report_json(self) -> list[dict]:
        return as_json_ready(self.problems)


def validate(path: Path) -> Validation:
    """Validate one return or evidence pack (folder, .zip or .xlsx)."""
    return validate_many([path])[0]


BATCH = 40  # submissions checked together: fast, and memory stays small


def validate_batches(paths: list[Path], size: int = BATCH) -> Iterator[list[Validation]]:
    """Validate many submissions a batch at a time (a national year is 1,200 of them)."""
    paths = [Path(p) for p in paths]
    for start in range(0, len(paths), size):
        yield validate_many(paths[start : start + size])


def validate_many(paths: list[Path], frames: bool = True) -> list[Validation]:
    """Validate several submissions, checking each table of all of them in one pass.

    `frames=False` (audits.ingest, which loads the batch's Arrow tables) leaves out each
    submission's pandas frames of good rows: making them is a copy of every row."""
    return _validate([reading.read_submission(Path(p)) for p in paths], frames)


def validate_files(source: str, form: str, files: dict[str, bytes]) -> Validation:
    """Validate a submission made in memory (file name -> bytes) by the same checks as a file:
    how the dashboard's story capture makes its evidence pack, so every rule holds for it."""
    return _validate([reading.read_files(Path(source), form, files)])[0]


def _validate(raws: list[reading.RawSubmission], frames: bool = True) -> list[Validation]:
    validations = [_begin(raw) for raw in raws]
    batch = Batch()
    for number, v in enumerate(validations):
        v.batch, v.number = batch, number
    for kind, tables in (("return", spec.RETURN_TABLES), ("pack", spec.PACK_TABLES)):
        members = [(v, raw) for v, raw in zip(validations, raws) if v.kind == kind]
        if members:
            _check_tables(tables, members, frames)
    return validations


# --------------------------------------------------------------------------- metadata and headers


def _begin(raw: reading.RawSubmission) -> Validation:
    v = Validation(
        raw.source,
        raw.form,
        raw.kind,
        {},
        problems=list(raw.problems),
        files={n: s for n, (s, _) in raw.files.items()},
        sizes={n: b for n, (_, b) in raw.files.items()},
    )
    if raw.kind is None or raw.meta_file is None:
        return v
    fields = spec.PACK_META if raw.kind == "pack" else spec.RETURN_META
    known = {f.name for f in fields}
    meta_read = not any(p.file == raw.meta_file and p.blocking for p in raw.problems)
    for f in fields:
        value = raw.meta.get(f.name, "")
        line = raw.meta_lines.get(f.name)
        if not meta_read:
            break
        if value == "":
            v.problems.append(
                Problem(
                    raw.meta_file,
                    line,
                    f.name,
                    None,
                    f"is missing: write the {f.meaning}, for example {f.example}",
                    True,
                )
            )
            continue
        message = meta_value_problem(f, value)
        if message is not None:
            shown = value if len(value) <= 60 else value[:57] + "…"
            v.problems.append(Problem(raw.meta_file, line, f.name, shown, message, True))
            continue
        v.meta[f.name] = dt.date.fromisoformat(value) if f.type == spec.DATE else value
    for key in raw.meta:
        if key not in known:
            v.problems.append(
                Problem(
                    raw.meta_file,
                    raw.meta_lines.get(key),
                    key,
                    None,
                    "is not a field of this file and was ignored (fields: " + ", ".join(sorted(known)) + ")",
                    False,
                )
            )
    tables = spec.PACK_TABLES if raw.kind == "pack" else spec.RETURN_TABLES
    for table in tables:
        rt = raw.tables.get(table.name)
        if rt is None:
            if table.required_file and not _unreadable(raw, table):
                v.problems.append(
                    Problem(
                        _file_name(raw, table),
                        None,
                        None,
                        None,
                        "is missing: it is required (it may hold only the header row)",
                        True,
                    )
                )
            continue
        v.problems += header_problems(table, rt.file, rt.header)
    return v


def meta_value_problem(f: spec.MetaField, value: str) -> str | None:
    """What is wrong with one value of return.yaml or pack.yaml, or None. Ids and periods
    follow the specification's strict patterns (they end up in file names and links);
    names are one line of plain text."""
    if f.pattern is None:  # a name
        odd = next(((i, c) for i, c in enumerate(value, start=1) if _invisible(c)), None)
        if odd:
            return (
                f"must be {f.rule}, but it has {_character(odd[1])} at character {odd[0]}: write it again as plain text"
            )
        if len(value) > spec.NAME_MAX:
            return f"is {len(value):,} characters long; the most is {spec.NAME_MAX}: write the name only"
        return None
    if f.pattern.fullmatch(value) and (f.type != spec.DATE or _is_date(value)):
        return None
    allowed = spec.ID_CHARACTERS if f.pattern is spec.ID_RE else _PLAIN
    odd = next(((i, c) for i, c in enumerate(value, start=1) if c not in allowed), None)
    where = f"; it has {_character(odd[1])} at character {odd[0]}" if odd else ""
    if f.name == "period":
        return _period_message(value) + where
    if f.type == spec.DATE:
        return f"is not a date written YYYY-MM-DD (for example {f.example}){where}"
    if len(value) > spec.ID_MAX:
        where += f"; it is {len(value):,} characters long"
    elif not odd:
        where = f"; it starts with '{value[0]}'"
    return f"is not written as an id is: {f.rule} (for example {f.example}){where}"


_PLAIN = frozenset(string.ascii_letters + string.digits + "-")


def _invisible(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _character(c: str) -> str:
    """A character as a person can find it, invisible or look-alike ones by their Unicode name."""
    if c == "\n" or c == "\r":
        return "a line break"
    if c == "\t":
        return "a tab"
    if c == " ":
        return "a space"
    name = unicodedata.name(c, "")
    code = f"U+{ord(c):04X}" + (f" {name}" if name else "")
    if _invisible(c):
        return f"an invisible character ({code})"
    if not c.isascii() and c.isalpha():
        return f"'{c}' ({code}), which is not one of A to Z even if it looks like one"
    if not c.isascii():
        return f"'{c}' ({code})"
    return f"'{c}'"


def _period_message(value: str) -> str:
    """What is wrong with a period, with the quarter it probably means ('Q2 2026' -> 2026-Q2)."""
    text = value.strip().upper()
    match = re.fullmatch(r"Q\s*([1-4])[\s/_.-]*(\d{4})", text) or re.fullmatch(r"(\d{4})[\s/_.-]*Q\s*([1-4])", text)
    if match:
        a, b = match.groups()
        year, quarter = (b, a) if len(a) == 1 else (a, b)
        return f"is not how a quarter is written here: write {year}-Q{quarter} (year, dash, Q and the quarter)"
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if match and 1 <= int(match.group(2)) <= 12:
        year, month = match.groups()
        return (
            f"is a month or a day, but the period is a quarter: {value.strip()} is in "
            f"{year}-Q{(int(month) - 1) // 3 + 1}; write that"
        )
    return (
        "is not a quarter written like 2026-Q2 (the year, a dash, Q and the quarter's number, "
        "1 to 4: 2026-Q2 is April to June 2026)"
    )


def _plain_name(name: str) -> str:
    """A heading as it was probably meant: 'Staff Role ' and 'staff-role' -> 'staff_role'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _letter(index: int) -> str:
    """A spreadsheet's column letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_problems(table: spec.Table, file_name: str, header: list[str]) -> list[Problem]:
    """Missing and unknown columns; a heading that is nearly a missing column is one problem
    ("'Staff Role' … Did you mean 'staff_role'?"), not a missing column and an ignored one."""
    missing = [c for c in table.column_names if c not in header]
    optional = {c.name for c in table.columns if c.header_optional}
    unknown = [h for h in header if h and h not in table.column_names and not h.startswith("Unnamed: ")]
    problems = []
    for column in missing:
        near = [h for h in unknown if _plain_name(h) == column] or difflib.get_close_matches(
            _plain_name(column), [_plain_name(h) for h in unknown], n=1, cutoff=0.8
        )
        if near:
            heading = next(h for h in unknown if h == near[0] or _plain_name(h) == near[0])
            unknown.remove(heading)
            problems.append(
                Problem(
                    file_name,
                    1,
                    None,
                    heading,
                    f"in column {_letter(header.index(heading))} is not a column name of "
                    f"the specification. Did you mean '{column}'? "
                    f"Rename the heading to {column}, exactly so: lower case, with "
                    "underscores, no spaces",
                    True,
                )
            )
        elif column in optional:
            continue  # added after version 1: a file may leave it out (but never misspell it)
        else:
            problems.append(
                Problem(
                    file_name,
                    1,
                    column,
                    None,
                    "is missing from the header row: add the column (cells may be "
                    "empty where the specification allows)",
                    True,
                )
            )
    problems += [
        Problem(file_name, 1, name, None, "is not a column of the specification and was ignored", False)
        for name in unknown
    ]
    return problems


def _file_name(raw: reading.RawSubmission, table: spec.Table) -> str:
    return f"{raw.source.name} sheet {table.name}" if raw.form == "xlsx" else table.file


def _unreadable(raw: reading.RawSubmission, table: spec.Table) -> bool:
    name = _file_name(raw, table)
    return any(p.file == name and p.blocking for p in raw.problems)


# --------------------------------------------------------------------------- typing

_NUMBER = cells.NUMBER_PATTERN
_TO_PANDAS = {
    pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.bool_(): pd.BooleanDtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float64(): pd.Float64Dtype(),
}


def _coerce(table: spec.Table, text: pa.Table) -> tuple[pa.Table, pd.DataFrame, list[pd.DataFrame]]:
    """Typed columns from text cells (Arrow compute, no Python loop over rows), as Arrow (to
    load) and pandas (to validate), with the cells that could not be read as their type."""
    typed = {}
    bad = []
    for col in table.columns:
        s = pc.utf8_trim_whitespace(text[col.name])
        empty = pc.equal(s, "")
        null = pa.scalar(None, pa.string())
        fail = None
        if col.type in (spec.TEXT, spec.CODE):
            out = pc.if_else(empty, null, s)
        elif col.type == spec.DATE:
            out = pc.strptime(pc.if_else(empty, null, s), format="%Y-%m-%d", unit="us", error_is_null=True)
            fail = pc.and_(pc.is_null(out), pc.invert(empty))
        elif col.type == spec.BOOLEAN:
            lower = pc.utf8_lower(s)
            is_true = pc.is_in(lower, pa.array(spec.TRUE_WORDS))
            is_false = pc.is_in(lower, pa.array(spec.FALSE_WORDS))
            out = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
            fail = pc.and_(pc.invert(pc.or_(is_true, is_false)), pc.invert(empty))
        else:
            numeric = pc.match_substring_regex(s, _NUMBER)
            numbers = pc.cast(pc.if_else(numeric, s, null), pa.float64())
            fail = pc.and_(pc.invert(numeric), pc.invert(empty))
            if col.type == spec.INTEGER:
                whole = pc.equal(pc.floor(numbers), numbers)
                fraction = pc.and_(numeric, pc.invert(pc.fill_null(whole, True)))
                fail = pc.or_(fail, fraction)
                out = pc.cast(pc.if_else(fraction, pa.scalar(None, pa.float64()), numbers), pa.int64())
            else:
                out = numbers
        typed[col.name] = out
        if fail is not None:
            idx = np.flatnonzero(fail.to_numpy(zero_copy_only=False))
            if len(idx):
                bad.append(
                    pd.DataFrame(
                        {
                            "index": idx,
                            "column": col.name,
                            "message": _type_messages(col.type, s.take(pa.array(idx))),
                            "blocking": False,
                        }
                    )
                )
    arrow = pa.table(typed)
    frame = arrow.to_pandas(types_mapper=_TO_PANDAS.get)
    for col in table.columns:
        if col.type == spec.DATE:
            frame[col.name] = frame[col.name].astype("datetime64[us]")
    return arrow, frame, bad


# --------------------------------------------------------------------------- checking a batch

_NO_FAILURES = pd.DataFrame(
    {
        "index": pd.Series([], dtype="int64"),
        "column": pd.Series([], dtype="str"),
        "message": pd.Series([], dtype="str"),
        "blocking": pd.Series([], dtype=bool),
    }
)


def _batch_text(table: spec.Table, members) -> tuple[pa.Table, set]:
    """One text table of this table's rows from every submission, in submission order."""
    parts, missing = [], set()
    for i, (_, raw) in enumerate(members):
        rt = raw.tables.get(table.name)
        if rt is None:
            continue
        n = rt.cells.num_rows
        cols = {}
        for c in table.column_names:
            if c in rt.cells.column_names:
                cols[c] = rt.cells[c]
            else:
                cols[c] = pa.chunked_array([pa.array([""] * n, pa.string())])
                missing.add((i, c))
        cols["line"] = rt.cells["line"]
        cols[schemas.SUB] = pa.chunked_array([pa.array(np.full(n, i, dtype=np.int64))])
        parts.append(pa.table(cols))
    if not parts:
        fields = [pa.field(c, pa.string()) for c in table.column_names]
        fields += [pa.field("line", pa.int64()), pa.field(schemas.SUB, pa.int64())]
        return pa.schema(fields).empty_table(), missing
    return pa.concat_tables(parts), missing


def _check_tables(
    tables: tuple[spec.Table, ...], members: list[tuple[Validation, reading.RawSubmission]], frames: bool = True
) -> None:
    starts, ends = [], []
    for v, _ in members:
        try:
            start, end = spec.parse_period(v.meta.get("period", ""))
            starts.append(np.datetime64(start, "us"))
            ends.append(np.datetime64(end, "us"))
        except ValueError:
            starts.append(np.datetime64("NaT", "us"))
            ends.append(np.datetime64("NaT", "us"))
    starts_a = np.array(starts, dtype="datetime64[us]")
    ends_a = np.array(ends, dtype="datetime64[us]")
    keys: dict[str, tuple[np.ndarray, np.ndarray, pa.Array]] = {}  # table -> (all, held back, key values)

    for table in tables:
        text, missing = _batch_text(table, members)
        sub = text[schemas.SUB].to_numpy()
        codes, uniques = _key_codes(sub, text[table.key])
        arrow, typed, bad = _coerce(table, text)
        checked = typed.assign(
            **{schemas.SUB: sub, schemas.START: starts_a[sub], schemas.END: ends_a[sub], schemas.KEY: codes}
        )
        fails = bad + [schemas.failures(table.name, checked)]
        if table.parent is not None:
            # Without a readable parent table every row would be an orphan: say nothing more.
            parent = spec.TABLES[table.parent[1]]
            readable = np.array(
                [
                    parent.name in raw.tables
                    and not any(p.blocking and p.file == raw.tables[parent.name].file for p in v.problems)
                    for v, raw in members
                ]
                + [False]
            )
            fails.append(_parent_failures(table, text, sub, keys, readable[sub]))
        failures = pd.concat([_NO_FAILURES, *[f for f in fails if len(f)]], ignore_index=True)
        # A cell that is not even of its type is reported once, not again as "empty".
        failures = failures.drop_duplicates(["index", "column"], keep="first")
        if missing and len(failures):
            pairs = pd.MultiIndex.from_arrays([sub[failures["index"].to_numpy()], failures["column"].to_numpy()])
            failures = failures[~pairs.isin(list(missing))]
        held = np.unique(failures.loc[~failures["blocking"].astype(bool), "index"].to_numpy()).astype(np.int64)
        # Remember every (submission, key) and the held-back ones, so that children (contacts
        # of a held-back episode) follow their parent and unknown parents are found.
        keys[table.name] = (codes, codes[held], uniques)
        _distribute(table, members, text, sub, typed if frames else None, failures, held)
        keep = np.ones(len(sub), dtype=bool)
        keep[held] = False
        batch = members[0][0].batch
        batch.tables[table.name] = arrow.append_column("line", text["line"])
        bounds = np.searchsorted(sub, np.arange(len(members) + 1))  # members' rows are contiguous and in order
        batch.spans[table.name] = {v.number: (int(bounds[i]), int(bounds[i + 1])) for i, (v, _) in enumerate(members)}
        batch.kept[table.name] = {
            members[i][0].number: keep[bounds[i] : bounds[i + 1]] for i in np.unique(sub[held]).tolist()
        }


def _key_codes(sub: np.ndarray, keys, uniques: pa.Array | None = None) -> tuple[np.ndarray, pa.Array]:
    """(submission, key) pairs as single integers, for fast duplicate and membership tests.

    Without `uniques` the keys are dictionary-encoded (one hashing pass); with them (a
    parent table's keys) each key is looked up, -1 when unknown.
    """
    values = pc.utf8_trim_whitespace(keys)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if uniques is None:
        encoded = pc.dictionary_encode(values)
        uniques = encoded.dictionary
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        codes = pc.fill_null(pc.index_in(values, value_set=uniques), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    width = len(uniques) + 1
    return sub.astype(np.int64) * width + codes, uniques


def _parent_failures(
    table: spec.Table, text: pa.Table, sub: np.ndarray, keys: dict, readable: np.ndarray
) -> pd.DataFrame:
    column, parent_name = table.parent
    parent = spec.TABLES[parent_name]
    all_codes, held_codes, uniques = keys[parent_name]
    codes, _ = _key_codes(sub, text[column], uniques)
    exists = np.isin(codes, all_codes)
    empty = pc.equal(pc.utf8_trim_whitespace(text[column]), "").to_numpy(zero_copy_only=False)
    orphan = ~exists & ~empty & readable
    under_held = exists & np.isin(codes, held_codes) if len(held_codes) else np.zeros(len(codes), bool)
    out = [_NO_FAILURES]
    if orphan.any():
        out.append(
            pd.DataFrame(
                {
                    "index": np.flatnonzero(orphan),
                    "column": column,
                    "message": f"is not the {parent.key} of any row in {parent.file} of this return",
                    "blocking": False,
                }
            )
        )
    if under_held.any():
        out.append(
            pd.DataFrame(
                {
                    "index": np.flatnonzero(under_held),
                    "column": column,
                    "message": f"belongs to a row of {parent.file} that was held back; "
                    "held back with it until that row is fixed",
                    "blocking": False,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def _distribute(
    table: spec.Table,
    members,
    text: pa.Table,
    sub: np.ndarray,
    typed: pd.DataFrame | None,
    failures: pd.DataFrame,
    held: np.ndarray,
) -> None:
    """Hand each submission its problems, its quarantined rows and its good rows (their
    count, and their frame unless `typed` is None).

    Rows of one submission are contiguous in the batch, so its frame is a slice.
    """
    keep = np.ones(len(sub), dtype=bool)
    keep[held] = False
    lines = text["line"].to_numpy()
    bounds = np.searchsorted(sub, np.arange(len(members) + 1))
    fail_idx = failures["index"].to_numpy().astype(np.int64)
    fail_sub = sub[fail_idx] if len(fail_idx) else np.array([], dtype=np.int64)
    for i, (v, raw) in enumerate(members):
        rt = raw.tables.get(table.name)
        file_name = rt.file if rt is not None else _file_name(raw, table)
        start, stop = bounds[i], bounds[i + 1]
        mask = keep[start:stop]
        v.counts[table.name] = int(mask.sum())
        if typed is not None:
            frame = typed.iloc[start:stop]
            if not mask.all():
                frame = frame[mask]
            frame = frame.reset_index(drop=True)
            frame.insert(0, "line", lines[start:stop][mask])
            v.frames[table.name] = frame
        mine = failures[fail_sub == i] if len(fail_idx) else failures
        if not len(mine):
            continue
        idx = mine["index"].to_numpy().astype(np.int64)
        values = np.empty(len(mine), dtype=object)
        mine_columns = mine["column"].to_numpy()
        for column in np.unique(mine_columns):
            pos = np.flatnonzero(mine_columns == column)
            values[pos] = [_shown(table, str(x).strip()) for x in text[column].take(pa.array(idx[pos])).to_pylist()]
        blocking = mine["blocking"].to_numpy().astype(bool)
        for line, column, value, message, block in zip(lines[idx], mine_columns, values, mine["message"], blocking):
            v.problems.append(Problem(file_name, int(line), column, value, message, bool(block)))
        if (~blocking).any():
            held_rows = _quarantine_rows(table, file_name, text, mine[~blocking], values[~blocking])
            v.quarantined = (
                pd.concat([v.quarantined, held_rows], ignore_index=True) if len(v.quarantined) else held_rows
            )


# A value of stories.csv is echoed in a problem only when it is short and one word (a
# code, a date, an id): story words typed into the wrong column ('consent: "my worker
# told me…" is not one of yes, no, withdrawn') would otherwise reach the screen, the
# quarantine reasons and the dashboard.
_STORY_VALUE_SHOWN = 20


def _shown(table: spec.Table, value: str) -> str:
    if table.name != spec.STORIES.name or value == "":
        return value
    if len(value) <= _STORY_VALUE_SHOWN and not any(c.isspace() for c in value):
        return value
    return HIDDEN_VALUE


def _quarantine_rows(
    table: spec.Table, file_name: str, text: pa.Table, fails: pd.DataFrame, values: np.ndarray
) -> pd.DataFrame:
    """One row per held-back line: its key, every reason, and the row as written (JSON)."""
    reasons = pd.DataFrame(
        {
            "index": fails["index"].to_numpy().astype(np.int64),
            "reason": [f"{c}: {quote(v)} {m}" for c, v, m in zip(fails["column"], values, fails["message"])],
        }
    )
    joined = reasons.groupby("index", sort=True)["reason"].agg("; ".join)
    rows = text.select(list(table.column_names)).take(pa.array(joined.index.to_numpy())).to_pandas()
    return pd.DataFrame(
        {
            "table_name": table.name,
            "file_name": file_name,
            "line": text["line"].take(pa.array(joined.index.to_numpy())).to_numpy().astype(int),
            "key_value": rows[table.key].str.strip().to_numpy(),
            "reasons": joined.to_numpy(),
            "row_json": [json.dumps(r, ensure_ascii=False) for r in rows.to_dict(orient="records")],
        }
    )
