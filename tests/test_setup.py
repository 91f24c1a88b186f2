"""`make run`'s one step, `python -m audits setup-demo`, end to end on a clean folder: the demo
written, loaded, its stories read by the demo's auditor, every quarter audited, one account per
role printed. The path every new person takes first, so it must never break."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audits import store
from audits.cli import app


@pytest.mark.slow  # the whole demo made, loaded and audited, twice (~2 min)
def test_setup_demo_makes_a_working_demo_store_and_is_idempotent(tmp_path):
    db, demo_dir = tmp_path / "audit.duckdb", tmp_path / "demo"
    args = ["setup-demo", "--db", str(db), "--demo-dir", str(demo_dir)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Traceback" not in first.output and "Demo accounts" in first.output
    for role in ("commissioner", "auditor", "expert_citizen", "provider"):
        assert role in first.output
    with store.reading(db) as con:
        periods = {r[0] for r in con.execute("SELECT DISTINCT period FROM current_submissions").fetchall()}
        audited = {r[0] for r in con.execute("SELECT DISTINCT period FROM runs").fetchall()}
        marked = con.execute("SELECT count(*) FROM story_tags WHERE tagged_by = 'demo set-up'").fetchone()[0]
    assert len(periods) == 8 and audited == periods and marked > 0
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "not loading again" in again.output
    with store.reading(db) as con:
        assert con.execute("SELECT count(DISTINCT period) FROM runs").fetchone()[0] == 8
