"""Random files fed to validation (hypothesis): random bytes, random CSV, random zips and
random workbooks. Whatever arrives, `returns.validate` finishes, within a time and memory
bound, with a verdict (loadable or refused) and a report; the command line exits 0 or 1 and
never prints a traceback. The hand-made attacks are in test_hostile_files.py."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import returns, spec

# Random files through validation and the command line (a few seconds of CPU each): make test runs them.
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
GOOD_RETURN = HERE / "fixtures" / "returns" / "good-return"
GOOD_FILES = {f.name: f.read_bytes() for f in sorted(GOOD_RETURN.iterdir())}
# No example comes near these unless something is inflated, expanded or loops: a zip bomb
# or a billion laughs would take gigabytes and minutes. The deadline is loose because a
# busy two-core machine can make one small validation take ten seconds.
MEMORY = 256 * 2**20
# A few examples of each in `make test`; RANDOM_FILES=2000 for a long hunt by hand.
SETTINGS = settings(
    max_examples=int(os.environ.get("RANDOM_FILES", "10")),
    deadline=dt.timedelta(seconds=60),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

returns.validate(GOOD_RETURN)  # every module imported before memory is counted

# --------------------------------------------------------------------------- strategies

# Text a tired data officer or an attacker might put in a cell.
CELL = st.one_of(
    st.sampled_from(["", "yes", "no", "2026-04-01", "01/04/2026", "P001", "E1", "1", "-3.5", "=1+1", "heroin"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.text(alphabet=',"\r\n\t ;x\u200b\ufeff', max_size=12),
)
LINE_END = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def csv_text(draw) -> tuple[str, bytes]:
    """A CSV of one of the tables: real and made-up headings, ragged rows, quotes, blank lines."""
    table = draw(st.sampled_from(spec.RETURN_TABLES))
    header = draw(
        st.lists(st.one_of(st.sampled_from(table.column_names), st.text(max_size=8)), max_size=len(table.columns) + 2)
    )
    if draw(st.booleans()):
        header = list(table.column_names)
    rows = draw(st.lists(st.lists(CELL, max_size=len(header) + 2), max_size=8))
    end = draw(LINE_END)
    lines = [",".join(header)] + [",".join(_quoted(c) if draw(st.booleans()) else c for c in row) for row in rows]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return table.file, end.join(lines).encode(encoding, errors="replace")


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


META = st.one_of(
    st.just(GOOD_FILES["return.yaml"]),
    st.text(max_size=200).map(str.encode),
    st.builds(
        lambda k, v: f"{k}: {v}\n".encode(), st.sampled_from(["provider_id", "period", "x"]), st.text(max_size=30)
    ),
    st.sampled_from([b"a: &a [1]\nb: *a\n", b"provider_id: [[[[", b"- 1\n- 2\n", b"%YAML 1.1\n---\n", b"\xff\xfe"]),
)


@st.composite
def submission_files(draw) -> dict[str, bytes]:
    """The files of a return: the good ones, some replaced by random CSV, YAML or bytes."""
    files = dict(GOOD_FILES)
    for _ in range(draw(st.integers(0, 4))):
        name, data = draw(csv_text())
        files[name] = data
    if draw(st.booleans()):
        files["return.yaml"] = draw(META)
    for name in draw(st.lists(st.sampled_from(sorted(files)), max_size=2)):
        files[name] = draw(st.binary(max_size=300))
    return files


@st.composite
def random_zip(draw) -> bytes:
    """A zip of random entries: real names, odd names, names twice, folders, either method."""
    out = io.BytesIO()
    files = draw(submission_files())
    names = st.one_of(st.sampled_from(sorted(files)), st.text(min_size=1, max_size=12))
    entries = [(n, d) for n, d in files.items() if draw(st.booleans()) or n == "return.yaml"]
    entries += draw(st.lists(st.tuples(names, st.binary(max_size=200)), max_size=3))
    prefix = draw(st.sampled_from(["", "northgate/", "__MACOSX/", "a/b/"]))
    with zipfile.ZipFile(out, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": meant
        for name, data in entries:
            method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            archive.writestr(zipfile.ZipInfo(prefix + name), data, compress_type=method)
    data = bytearray(out.getvalue())
    for _ in range(draw(st.integers(0, 3))):  # a few bytes changed anywhere: flags, methods, sizes
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


WORKBOOK_VALUE = st.one_of(
    st.none(),
    CELL.map(lambda text: "".join(c for c in text if c >= " " or c in "\t\n\r")),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
)


@st.composite
def random_xlsx(draw) -> bytes:
    """A workbook: sheets named as tables (or not), random rows, then maybe damaged parts."""
    book = openpyxl.Workbook()
    meta = book.active
    meta.title = draw(st.sampled_from(["return", "pack", "Return", "notes"]))
    for key in draw(st.lists(st.sampled_from(["provider_id", "period", "submitted_on", "area", "x"]), max_size=6)):
        meta.append([key, draw(WORKBOOK_VALUE)])
    for table in draw(st.lists(st.sampled_from(spec.RETURN_TABLES), max_size=4, unique=True)):
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        for _ in range(draw(st.integers(0, 5))):
            sheet.append(draw(st.lists(WORKBOOK_VALUE, max_size=len(table.columns) + 1)))
    out = io.BytesIO()
    book.save(out)
    if not draw(st.booleans()):
        return out.getvalue()
    damaged = io.BytesIO()
    with zipfile.ZipFile(out) as old, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as new:
        parts = old.namelist()
        victim = draw(st.sampled_from(parts))
        how = draw(st.sampled_from(["cut", "junk", "dtd", "dimension", "drop"]))
        for name in parts:
            data = old.read(name)
            if name == victim:
                if how == "drop":
                    continue
                data = {
                    "cut": data[: len(data) // 2],
                    "junk": draw(st.binary(max_size=100)),
                    "dtd": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + data,
                    "dimension": data.replace(b"<dimension ref=", b'<dimension ref="A1:A1" old='),
                }[how]
            new.writestr(name, data)
    return damaged.getvalue()


@st.composite
def random_submission(draw) -> tuple[str, object]:
    """(form, content): a folder's files, a zip, a workbook, or bytes named as one of them."""
    return draw(
        st.one_of(
            st.tuples(st.just("folder"), submission_files()),
            st.tuples(st.just(".zip"), random_zip()),
            st.tuples(st.just(".xlsx"), random_xlsx()),
            st.tuples(st.sampled_from([".zip", ".xlsx", ".csv"]), st.binary(max_size=400)),
        )
    )


def put(folder: Path, name: str, form: str, content) -> Path:
    if form == "folder":
        path = folder / name
        path.mkdir()
        for file_name, data in content.items():
            (path / file_name).write_bytes(data)
        return path
    path = folder / f"{name}{form}"
    path.write_bytes(content)
    return path


# --------------------------------------------------------------------------- properties


def resident() -> tuple[int, int]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), in bytes. Unlike
    tracemalloc it counts Arrow's and numpy's buffers too, and costs nothing while it runs."""
    with open("/proc/self/status") as status:
        values = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in status if line.startswith("Vm")}
    return values["VmRSS"], values["VmHWM"]


def check(form: str, content) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = put(Path(folder), "submission", form, content)
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # the peak starts again from here
        before, _ = resident()
        v = returns.validate(path)
        report = v.report()
        _, peak = resident()
    assert isinstance(v.blocking, bool) and report.startswith(("Return", "Evidence pack"))
    assert v.blocking or not [p for p in v.problems if p.blocking]
    assert peak - before < MEMORY, f"{(peak - before) / 2**20:.0f} MiB more while validating"


@SETTINGS
@given(submission_files())
def test_random_folders_end_in_a_verdict(files):
    check("folder", files)


@SETTINGS
@given(random_zip())
def test_random_zips_end_in_a_verdict(data):
    check(".zip", data)


@SETTINGS
@given(random_xlsx())
def test_random_workbooks_end_in_a_verdict(data):
    check(".xlsx", data)


@SETTINGS
@given(st.sampled_from([".zip", ".xlsx"]), st.binary(max_size=2000))
def test_random_bytes_end_in_a_verdict(suffix, data):
    check(suffix, data)


@settings(max_examples=1, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(random_submission(), min_size=5, max_size=5))
def test_the_command_line_exits_0_or_1_without_a_traceback(submissions):
    with tempfile.TemporaryDirectory() as folder:
        paths = [put(Path(folder), f"s{i}", form, content) for i, (form, content) in enumerate(submissions)]
        done = subprocess.run(
            [sys.executable, "-m", "audits", "validate", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=HERE.parent,
        )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "can be loaded" in done.stdout
