"""A run's input manifest: every input the audit run read, with its SHA-256, as one CSV.

Each audit PDF lists its own provider's files in full, but the ~150 other providers' returns
the benchmarks used are the same list in every report of a national period: the PDF prints
the SHA-256 of this manifest instead, and the manifest is written beside the period's PDFs
and into the published site's open data. Anyone holding the manifest checks it against the
hash in the PDF, and then each file against the manifest. The bytes are made in one place
(`csv_bytes`) so that the hash printed and the file written can never differ.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import duckdb

from audits import spec, tiers
from audits.cells import safe_cell

COLUMNS = ("kind", "name", "version", "sha256")
Input = tuple[str, str, str, str]  # kind, name, version, sha256 as the run recorded them


def file_name(period: str) -> str:
    """inputs-2026-Q2.csv (the period was checked against the specification's pattern)."""
    if not spec.is_period(period):
        raise ValueError(f"{period!r} is not a period written like 2026-Q2.")
    return f"inputs-{period}.csv"


def inputs(con: duckdb.DuckDBPyConnection, run_id: str) -> list[Input]:
    """The run's inputs as the run recorded them (audits.runs): each standards file read (its
    name and version) and each provider's whole submission (named by the provider's id)."""
    return [
        (kind, name, version or "", sha256)
        for kind, name, version, sha256 in con.execute(
            "SELECT kind, name, version, sha256 FROM run_inputs WHERE run_id = ? ORDER BY kind, name", [run_id]
        ).fetchall()
    ]


@tiers.output(tiers.PUBLIC, "a run's input manifest: standards files by name, submissions by checksum alone")
def csv_bytes(run_inputs: list[Input]) -> bytes:
    """The manifest file's exact bytes (UTF-8, a header, one line per input, "\\n" line ends).

    A submission is listed by its checksum alone, never its provider's id: the manifest is
    published with the signed reports, and a provider that is not signed off is named in no
    public output. A provider, or its auditor, finds its own submission by its checksum (its
    report lists it). The lines are sorted, so the order gives nothing away either."""
    lines = sorted(
        (kind, name if kind != "submission" else "", version, sha) for kind, name, version, sha in run_inputs
    )
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([safe_cell(cell) for cell in line] for line in lines)
    return handle.getvalue().encode("utf-8")


def sha256(run_inputs: list[Input]) -> str:
    """The SHA-256 of the manifest file: what the PDF prints."""
    return hashlib.sha256(csv_bytes(run_inputs)).hexdigest()


@tiers.output(tiers.PUBLIC, "a run's input manifest written beside the PDFs (audits.manifest.csv_bytes)")
def write(con: duckdb.DuckDBPyConnection, run_id: str, period: str, folder: Path) -> Path:
    """Write the run's manifest into `folder` as inputs-<period>.csv."""
    path = Path(folder) / file_name(period)
    path.write_bytes(csv_bytes(inputs(con, run_id)))
    return path
