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
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audits import reading, schemas, spec
from audits.problems import Problem, as_json_ready, quote, report

QUARANTINE_COLUMNS = ["table_name", "file_name", "line", "key_value", "reasons", "row_json"]

TYPE_MESSAGES = {
    spec.DATE: "is not a date written YYYY-MM-DD (for example 2026-04-01)",
    spec.BOOLEAN: "is not yes or no (true/false, y/n and 1/0 are accepted too)",
    spec.INTEGER: "is not a whole number",
    spec.NUMBER: "is not a number",
}


@dataclass
class Validation:
    source: Path
    form: str                                  # folder, zip or xlsx
    kind: str | None                           # return or pack
    meta: dict                                 # provider_id, period, … (submitted_on as a date)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)   # good rows, typed, with 'line'
    quarantined: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)             # name -> sha256
    sizes: dict[str, int] = field(default_factory=dict)             # name -> bytes

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
        return {name: len(frame) for name, frame in self.frames.items()}

    def title(self) -> str:
        what = "Evidence pack" if self.kind == "pack" else "Return"
        who = " ".join(str(self.meta.get(k)) for k in ("provider_id", "period") if self.meta.get(k))
        return f"{what} {who or '(provider and period unknown)'}: {self.source}"

    def verdict(self) -> str:
        if self.blocking:
            return "Refused: nothing of it can be loaded until the problems below are fixed."
        held = len(self.quarantined)
        loaded = sum(self.rows.values())
        text = f"Loadable: {loaded:,} rows"
        if held:
            text += f", {held:,} rows held back in quarantine (kept with their reasons)"
        return text + "."

    def report(self) -> str:
        return report(self.title(), self.problems, self.verdict())

    def report_json(self) -> list[dict]:
        return as_json_ready(self.problems)


def validate(path: Path) -> Validation:
    """Validate one return or evidence pack (folder, .zip or .xlsx)."""
    return validate_many([path])[0]


def validate_many(paths: list[Path]) -> list[Validation]:
    """Validate several submissions, checking each table of all of them in one pass."""
    raws = [reading.read_submission(Path(p)) for p in paths]
    validations = [_begin(raw) for raw in raws]
    for kind, tables in (("return", spec.RETURN_TABLES), ("pack", spec.PACK_TABLES)):
        members = [(v, raw) for v, raw in zip(validations, raws) if v.kind == kind]
        if members:
            _check_tables(tables, members)
    return validations


# --------------------------------------------------------------------------- metadata and headers

def _begin(raw: reading.RawSubmission) -> Validation:
    v = Validation(raw.source, raw.form, raw.kind, {}, problems=list(raw.problems),
                   files={n: s for n, (s, _) in raw.files.items()},
                   sizes={n: b for n, (_, b) in raw.files.items()})
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
            v.problems.append(Problem(raw.meta_file, line, f.name, None,
                                      f"is missing: write the {f.meaning}, for example {f.example}", True))
            continue
        if f.name == "period":
            try:
                spec.parse_period(value)
            except ValueError:
                v.problems.append(Problem(raw.meta_file, line, f.name, value,
                                          "is not a quarter written like 2026-Q2", True))
                continue
        if f.type == spec.DATE:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                v.problems.append(Problem(raw.meta_file, line, f.name, value,
                                          f"is not a date written YYYY-MM-DD (for example {f.example})", True))
                continue
        v.meta[f.name] = value
    for key in raw.meta:
        if key not in known:
            v.problems.append(Problem(raw.meta_file, raw.meta_lines.get(key), key, None,
                                      "is not a field of this file and was ignored (fields: "
                                      + ", ".join(sorted(known)) + ")", False))
    tables = spec.PACK_TABLES if raw.kind == "pack" else spec.RETURN_TABLES
    for table in tables:
        rt = raw.tables.get(table.name)
        if rt is None:
            if table.required_file and not _unreadable(raw, table):
                v.problems.append(Problem(_file_name(raw, table), None, None, None,
                                          "is missing: it is required (it may hold only the header row)",
                                          True))
            continue
        for col in table.columns:
            if col.name not in rt.header:
                v.problems.append(Problem(rt.file, 1, col.name, None,
                                          "is missing from the header row: add the column (cells may be "
                                          "empty where the specification allows)", True))
        for name in rt.header:
            if name and name not in table.column_names and not name.startswith("Unnamed: "):
                v.problems.append(Problem(rt.file, 1, name, None,
                                          "is not a column of the specification and was ignored", False))
    return v


def _file_name(raw: reading.RawSubmission, table: spec.Table) -> str:
    return f"{raw.source.name} sheet {table.name}" if raw.form == "xlsx" else table.file


def _unreadable(raw: reading.RawSubmission, table: spec.Table) -> bool:
    name = _file_name(raw, table)
    return any(p.file == name and p.blocking for p in raw.problems)


# --------------------------------------------------------------------------- typing

def _coerce(table: spec.Table, text: pd.DataFrame) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Typed columns from text cells, with the cells that could not be read as their type."""
    typed = {}
    bad = []
    for col in table.columns:
        s = text[col.name].str.strip()
        empty = (s == "").to_numpy()
        if col.type in (spec.TEXT, spec.CODE):
            out = s.where(~empty, None).astype("str")
            fail = None
        elif col.type == spec.DATE:
            out = pd.to_datetime(s.where(~empty, None), format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
            fail = out.isna().to_numpy() & ~empty
        elif col.type == spec.BOOLEAN:
            lower = s.str.lower()
            is_true = lower.isin(spec.TRUE_WORDS).to_numpy()
            is_false = lower.isin(spec.FALSE_WORDS).to_numpy()
            values = pd.array(is_true, dtype="boolean")
            values[~(is_true | is_false)] = pd.NA
            out = pd.Series(values, index=s.index)
            fail = ~(is_true | is_false) & ~empty
        else:
            numbers = pd.to_numeric(s.where(~empty, None), errors="coerce")
            fail = numbers.isna().to_numpy() & ~empty
            if col.type == spec.INTEGER:
                fractional = (numbers.notna() & (numbers != numbers.round())).to_numpy()
                fail = fail | fractional
                numbers = numbers.where(~fractional)
                out = numbers.astype("Float64").astype("Int64")
            else:
                out = numbers.astype("Float64")
        typed[col.name] = out
        if fail is not None and fail.any():
            idx = np.flatnonzero(fail)
            bad.append(pd.DataFrame({"index": text.index.to_numpy()[idx], "column": col.name,
                                     "message": TYPE_MESSAGES[col.type], "blocking": False}))
    frame = pd.DataFrame(typed, index=text.index)
    return frame, bad


# --------------------------------------------------------------------------- checking a batch

def _check_tables(tables: tuple[spec.Table, ...], members: list[tuple[Validation, reading.RawSubmission]]) -> None:
    starts, ends = [], []
    for v, _ in members:
        try:
            start, end = spec.parse_period(v.meta.get("period", ""))
            starts.append(np.datetime64(start, "us"))
            ends.append(np.datetime64(end, "us"))
        except ValueError:
            starts.append(np.datetime64("NaT", "us"))
            ends.append(np.datetime64("NaT", "us"))
    starts_a, ends_a = np.array(starts), np.array(ends)
    keys: dict[str, tuple[np.ndarray, np.ndarray, pd.Index]] = {}  # table -> (all, held back, key values)

    for table in tables:
        parts, missing = [], set()
        for i, (v, raw) in enumerate(members):
            rt = raw.tables.get(table.name)
            if rt is None:
                continue
            cols = {"line": rt.frame["line"].to_numpy()}
            for c in table.column_names:
                if c in rt.frame.columns:
                    cols[c] = rt.frame[c]
                else:
                    cols[c] = pd.Series("", index=rt.frame.index, dtype="str")
                    missing.add((i, c))
            part = pd.DataFrame({k: (c.to_numpy() if isinstance(c, pd.Series) else c) for k, c in cols.items()})
            part[schemas.SUB] = i
            parts.append(part)
        if not parts:
            text = pd.DataFrame({c: pd.Series([], dtype="str") for c in table.column_names})
            text["line"] = pd.Series([], dtype="int64")
            text[schemas.SUB] = pd.Series([], dtype="int64")
        else:
            text = pd.concat(parts, ignore_index=True)
        for c in table.column_names:
            text[c] = text[c].astype("str")
        sub = text[schemas.SUB].to_numpy()

        typed, bad = _coerce(table, text)
        typed[schemas.SUB] = sub
        typed[schemas.START] = starts_a[sub] if len(sub) else pd.Series([], dtype="datetime64[us]")
        typed[schemas.END] = ends_a[sub] if len(sub) else pd.Series([], dtype="datetime64[us]")
        fails = bad + [schemas.failures(table.name, typed)]

        if table.parent is not None:
            fails.append(_parent_failures(table, text, keys))
        failures = pd.concat([_NO_FAILURES, *[f for f in fails if len(f)]], ignore_index=True)
        # A cell that is not even of its type is reported once, not again as "empty".
        failures = failures.drop_duplicates(["index", "column"], keep="first")
        if missing:
            pairs = pd.MultiIndex.from_arrays([sub[failures["index"].to_numpy()], failures["column"].to_numpy()])
            failures = failures[~pairs.isin(list(missing))]
        held = np.unique(failures.loc[~failures["blocking"], "index"].to_numpy())
        # Remember every (submission, key) and the held-back ones, so that children (contacts
        # of a held-back episode) follow their parent and unknown parents are found.
        codes, uniques = _key_codes(sub, text[table.key])
        keys[table.name] = (codes, codes[held], uniques)
        _distribute(table, members, text, typed, failures, held)


def _key_codes(sub: np.ndarray, keys: pd.Series, uniques: pd.Index | None = None) -> tuple[np.ndarray, pd.Index]:
    """(submission, key) pairs as single integers, for fast membership tests."""
    values = keys.str.strip().to_numpy()
    if uniques is None:
        codes, found = pd.factorize(values)
        uniques = pd.Index(found)
    else:
        codes = uniques.get_indexer(values)
    width = max(len(uniques), 1) + 1
    return sub.astype(np.int64) * width + codes.astype(np.int64), uniques


def _parent_failures(table: spec.Table, text: pd.DataFrame, keys: dict) -> pd.DataFrame:
    column, parent_name = table.parent
    parent = spec.TABLES[parent_name]
    all_codes, held_codes, uniques = keys[parent_name]
    sub = text[schemas.SUB].to_numpy()
    codes, _ = _key_codes(sub, text[column], uniques)
    known = uniques.get_indexer(text[column].str.strip().to_numpy()) >= 0
    exists = known & np.isin(codes, all_codes)
    empty = (text[column].str.strip() == "").to_numpy()
    orphan = ~exists & ~empty
    under_held = exists & np.isin(codes, held_codes)
    out = [_NO_FAILURES]
    if orphan.any():
        out.append(pd.DataFrame({"index": text.index.to_numpy()[orphan], "column": column,
                                 "message": f"is not the {parent.key} of any row in {parent.file} of this return",
                                 "blocking": False}))
    if under_held.any():
        out.append(pd.DataFrame({"index": text.index.to_numpy()[under_held], "column": column,
                                 "message": f"belongs to a row of {parent.file} that was held back; "
                                            "held back with it until that row is fixed",
                                 "blocking": False}))
    return pd.concat(out, ignore_index=True)


_NO_FAILURES = pd.DataFrame({"index": pd.Series([], dtype="int64"), "column": pd.Series([], dtype="str"),
                             "message": pd.Series([], dtype="str"), "blocking": pd.Series([], dtype=bool)})


def _distribute(table: spec.Table, members, text: pd.DataFrame, typed: pd.DataFrame,
                failures: pd.DataFrame, held: np.ndarray) -> None:
    """Hand each submission its problems, its quarantined rows and its good rows."""
    sub = text[schemas.SUB].to_numpy()
    keep = np.ones(len(text), dtype=bool)
    keep[held] = False
    positions = pd.Series(np.arange(len(text))).groupby(sub).indices if len(text) else {}
    fail_sub = sub[failures["index"].to_numpy()] if len(failures) else np.array([], dtype=np.int64)
    fail_groups = pd.Series(np.arange(len(failures))).groupby(fail_sub).indices if len(failures) else {}
    columns = ["line", *table.column_names]
    for i, (v, raw) in enumerate(members):
        rt = raw.tables.get(table.name)
        file_name = rt.file if rt is not None else _file_name(raw, table)
        pos = positions.get(i, np.array([], dtype=np.int64))
        good = pos[keep[pos]]
        frame = typed.iloc[good][list(table.column_names)].copy()
        frame.insert(0, "line", text["line"].to_numpy()[good])
        v.frames[table.name] = frame.reset_index(drop=True)
        mine = failures.iloc[fail_groups[i]] if i in fail_groups else failures.iloc[0:0]
        if not len(mine):
            continue
        idx = mine["index"].to_numpy()
        lines = text["line"].to_numpy()[idx]
        values = np.empty(len(mine), dtype=object)
        for column, group_pos in pd.Series(np.arange(len(mine))).groupby(mine["column"].to_numpy()).indices.items():
            values[group_pos] = text[column].to_numpy()[idx[group_pos]]
        for line, column, value, message, blocking in zip(lines, mine["column"], values, mine["message"],
                                                          mine["blocking"]):
            v.problems.append(Problem(file_name, int(line), column, str(value).strip(), message, bool(blocking)))
        row_fails = mine[~mine["blocking"].to_numpy()]
        if len(row_fails):
            row_values = values[~mine["blocking"].to_numpy()]
            v.quarantined = pd.concat([v.quarantined, _quarantine_rows(table, file_name, text, row_fails,
                                                                       row_values)], ignore_index=True)


def _quarantine_rows(table: spec.Table, file_name: str, text: pd.DataFrame, fails: pd.DataFrame,
                     values: np.ndarray) -> pd.DataFrame:
    """One row per held-back line: its key, every reason, and the row as written (JSON)."""
    reasons = pd.DataFrame({
        "index": fails["index"].to_numpy(),
        "reason": [f"{c}: {quote(str(v).strip())} {m}" for c, v, m in zip(fails["column"], values, fails["message"])],
    })
    joined = reasons.groupby("index", sort=True)["reason"].agg("; ".join)
    rows = text.loc[joined.index, list(table.column_names)]
    row_json = rows.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    return pd.DataFrame({
        "table_name": table.name, "file_name": file_name,
        "line": text.loc[joined.index, "line"].to_numpy().astype(int),
        "key_value": rows[table.key].str.strip().to_numpy(),
        "reasons": joined.to_numpy(), "row_json": row_json,
    })
