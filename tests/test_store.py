"""Opening the store: a wrong --db is a plain message and exit 1, never a traceback."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import app


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--period", "2026-Q2"],
        ["export", "--period", "2026-Q2", "--csv", "out.csv"],
        ["ingest", str(Path(__file__).parent / "fixtures" / "returns" / "good-return")],
        ["report", "--provider", "P001", "--period", "2026-Q2", "--pdf", "out.pdf"],
    ],
)
def test_a_store_path_that_is_a_folder_or_not_a_store_is_said_plainly(tmp_path, command):
    not_a_store = tmp_path / "notes.duckdb"
    not_a_store.write_text("hello")
    for db, words in ((tmp_path, "is a folder, not a file"), (not_a_store, "cannot be opened as a store")):
        result = CliRunner().invoke(app, command + ["--db", str(db)])
        assert result.exit_code == 1, result.output
        assert words in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
