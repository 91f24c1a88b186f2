"""Fixtures shared by the test modules, and how the tests are laid out.

- tests/test_<module>.py tests audits/<module>.py; tests/test_dashboard_<page>.py tests the
  page dashboard/<page>.py in Streamlit's AppTest (test_dashboard_auth.py: sign-in and roles).
- tests/support/: plain helpers the modules share (stores written from the fixture files,
  the dashboard's store, AppTest helpers). A test module never imports another test module.
- tests/fixtures/: small files a person can read; tests/browser/: the real app in Debian's
  Chromium (marker `browser`, `make test-browser`).
- Marker `slow`: every test that took about half a CPU-second or more (measured per test, with
  process and child CPU time, not wall time, which a busy machine inflates): the AppTest tests
  over the dashboard's store (its nine audit runs alone take ~5 s), whole command runs, the
  demo audited or at national scale, argon2 hashes, a process killed mid-ingest, random
  files, signed PDFs, publication and action plans (those four modules are slow as a whole).
  A module-scoped fixture shared by several quick tests (the report's PDF, the engine's
  fixture store) stays in the quick loop; the tests of the demo's written files do not. `make test-fast` runs everything else
  (`-m "not slow and not browser"`, about 40 CPU-seconds of tests and 15 of start-up across
  both workers); `make test` runs all but the browser.

The dashboard's store (nine audited quarters) is built once per run and shared by the xdist
workers. Tests that only look at pages share it through `shared_env`, as visitors share a
server: st.cache_data then serves them as it serves later visitors, and at the end of the
run the store and its standards must be byte for byte as built. A test that uploads, runs,
reviews, signs off or saves a standard takes `env`, a private copy. `make test` and
`make test-fast` use `--dist loadfile`: a module's tests run in one worker, so a
module-scoped fixture (the small demo, the report's PDF) is built once, not once per worker.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from audits import store

from support import dashboard_store


def _digest(*paths: Path) -> dict[str, str]:
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*"))) if f.is_file()]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


@pytest.fixture(scope="session")
def dashboard_files(tmp_path_factory):
    """The dashboard's store and a copy of its standards, built once per run: the xdist workers
    of a run share one (the first to ask builds it; the other waits on the lock). At the end
    of the run it must be byte for byte as built."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, shared by its workers
    folder = root / "dashboard-store"
    with open(root / "dashboard-store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.exists():
            partial = root / f"dashboard-store-{os.getpid()}"
            partial.mkdir()
            dashboard_store.build_store(partial / "audit.duckdb")
            shutil.copytree(dashboard_store.STANDARDS, partial / "standards")
            partial.rename(folder)
    db, standards = folder / "audit.duckdb", folder / "standards"
    built = _digest(db, standards)
    yield db, standards
    assert _digest(db, standards) == built, "a test given shared_env wrote to the shared dashboard store: give it env"


def _point_at(monkeypatch, db: Path, standards: Path) -> tuple[Path, Path]:
    monkeypatch.setenv(store.DB_ENV, str(db))
    monkeypatch.setenv("LIVED_STANDARDS_DIR", str(standards))  # dashboard.data.STANDARDS_ENV
    return db, standards


@pytest.fixture()
def shared_env(dashboard_files, monkeypatch):
    """The run's one dashboard store and standards, for a test that only looks."""
    return _point_at(monkeypatch, *dashboard_files)


@pytest.fixture()
def env(dashboard_files, tmp_path, monkeypatch):
    """A copy of the built store and of the standards, so a test may write to both."""
    db, standards = dashboard_files
    shutil.copy(db, tmp_path / "audit.duckdb")
    shutil.copytree(standards, tmp_path / "standards")
    return _point_at(monkeypatch, tmp_path / "audit.duckdb", tmp_path / "standards")
