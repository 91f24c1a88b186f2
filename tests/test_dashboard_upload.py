"""The auditor's upload page (dashboard/upload.py) in Streamlit's AppTest: a bad return's
messages with nothing loaded; a good one loaded, replacing the earlier, then audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits import store, words

from support.apptest import frames, no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "dashboard"


def upload_files(folder: Path):
    return [
        (p.name, p.read_bytes(), "text/csv" if p.suffix == ".csv" else "application/yaml")
        for p in sorted(folder.iterdir())
    ]


def test_a_bad_upload_shows_its_messages_and_loads_nothing(env):
    db, _ = env
    at = signed_in("auditor")
    at.switch_page("dashboard/upload.py").run()
    at.file_uploader[0].set_value(upload_files(FIXTURES / "bad-return")).run()
    no_exception(at)
    assert "cannot be loaded" in at.error[0].value
    blocking, held_back = frames(at)[:2]
    assert "Fix these first" in texts(at)
    period = blocking[blocking["Column"] == "period"].iloc[0]
    assert (period["File"], period["Line"]) == ("return.yaml", "4")
    assert "'2026-Q5' is not a quarter written like 2026-Q2" in period["Problem"]
    assert "substance_group" not in set(blocking["Column"])
    row = held_back[held_back["Column"] == "substance_group"].iloc[0]
    assert (row["File"], row["Line"]) == ("episodes.csv", "3")
    assert "'heroin' is not one of opiate, non_opiate, alcohol" in row["Problem"]
    assert not [b for b in at.button if b.label == "Load into the store"]
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM submissions WHERE source LIKE '%episodes%'").fetchone()[0] == 0


def test_a_good_upload_loads_and_the_audit_runs(env):
    db, _ = env
    at = signed_in("auditor")
    at.switch_page("dashboard/upload.py").run()
    with store.reading(db) as con:
        loaded_at, loaded_by = con.execute(
            "SELECT loaded_at, loaded_by FROM submissions WHERE provider_id = 'P001' AND period = '2026-Q2' "
            "AND kind = 'return' AND is_current"
        ).fetchone()
    at.file_uploader[0].set_value(upload_files(HERE / "fixtures" / "returns" / "good-return")).run()
    no_exception(at)
    earlier = f"the return loaded on {words.long_datetime(loaded_at)} by {loaded_by}"
    warning = [w.value for w in at.warning if "already has a return" in w.value]
    assert warning and f"This replaces {earlier}" in warning[0] and "stays in the history" in warning[0]
    at.button(key="load").click().run()
    no_exception(at)
    assert "Loaded" in at.success[-1].value
    assert f"This replaced {earlier} (from fixtures/P001-2026-Q2-return), which stays in the history" in (
        at.success[-1].value
    )
    at.run()  # still said after the page reruns
    assert f"This replaced {earlier}" in at.success[-1].value
    assert not [w for w in at.warning if "already has a return" in w.value]
    with store.reading(db) as con:
        current = con.execute(
            "SELECT loaded_by FROM submissions WHERE provider_id = 'P001' AND period = '2026-Q2' "
            "AND kind = 'return' AND is_current"
        ).fetchall()
        runs_before = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert current == [("auditor",)]
    at.switch_page("dashboard/audit.py").run()
    at.button(key="run_audit").click().run()
    no_exception(at)
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == runs_before + 1
