"""The store's cache of checked standards (migration 0009): a file found there gives exactly the
standard a fresh read gives, and a changed file, tool or library is always read afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audits import runs, standard_files, store
from audits.standard_files import keep_checked, load_standards

from support.stores import ENGINE, PERIOD, load_fixture

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
FOLDERS = [
    HERE.parent / "standards",
    FIXTURES / "standards" / "good",
    FIXTURES / "standards" / "bad",
    FIXTURES / "standards" / "traps",
    FIXTURES / "standards" / "duplicate-ids",
    FIXTURES / "engine" / "standards",
    FIXTURES / "engine" / "standards-invalid",
    FIXTURES / "dashboard" / "standards",
    FIXTURES / "stories" / "standards",
]


@pytest.fixture
def read_afresh(monkeypatch):
    """The names of the files read afresh (not from either cache) from here on."""
    monkeypatch.setattr(standard_files, "_PASSED", {})
    names: list[str] = []
    afresh = standard_files._parse_afresh

    def counted(text, file_name):
        names.append(Path(file_name).name)
        return afresh(text, file_name)

    monkeypatch.setattr(standard_files, "_parse_afresh", counted)
    return names


def _kept(db: Path, folder: Path) -> standard_files.StandardsLoad:
    """Load a folder with the store at hand and keep what passed, as an audit does."""
    with store.writing(db) as con:
        load = load_standards(folder, con)
        con.execute("BEGIN TRANSACTION")
        keep_checked(con, load)
        con.execute("COMMIT")
    return load


def _set_fields(value):
    """Every model's fields as set, all the way down (what model_dump(exclude_unset=True) reads)."""
    if isinstance(value, list):
        return [_set_fields(v) for v in value]
    if hasattr(value, "model_fields_set"):
        return (sorted(value.model_fields_set), {k: _set_fields(getattr(value, k)) for k in type(value).model_fields})
    return value


def _same(found: standard_files.StandardsLoad, fresh: standard_files.StandardsLoad) -> None:
    assert found.standards == fresh.standards
    assert [s.model_dump_json() for s in found.standards] == [s.model_dump_json() for s in fresh.standards]
    assert [repr(s) for s in found.standards] == [repr(s) for s in fresh.standards]
    assert _set_fields(found.standards) == _set_fields(fresh.standards)
    assert found.problems == fresh.problems
    assert found.files == fresh.files
    assert found.audited == fresh.audited


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f"{f.parent.name}/{f.name}")
def test_a_file_found_in_the_store_gives_exactly_the_standard_a_fresh_read_gives(tmp_path, folder, read_afresh):
    fresh = load_standards(folder)
    db = tmp_path / "audit.duckdb"
    first = _kept(db, folder)
    _same(first, fresh)
    assert set(first.to_keep) == {sha for _, sha in first.files.values()}

    read_afresh.clear()
    standard_files._PASSED.clear()
    with store.reading(db) as con:  # a reader finds them; nothing is left to keep
        found = load_standards(folder, con)
    _same(found, fresh)
    assert found.to_keep == {}
    # only files with a problem are read again (and their problems found afresh)
    passed = {path.name for path, _ in fresh.files.values()}
    assert not passed & set(read_afresh)
    assert sorted(read_afresh) == sorted(p.name for p in folder.glob("*.yaml") if p.name not in passed)


def _copy(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "standards"
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.slow
def test_a_changed_file_is_read_afresh_and_kept_beside_the_old_one(tmp_path, read_afresh):
    folder = _copy(FIXTURES / "engine" / "standards", tmp_path)
    db = tmp_path / "audit.duckdb"
    _kept(db, folder)
    peer = folder / "peer-workforce.yaml"
    peer.write_text(peer.read_text(encoding="utf-8").replace("version: 2", "version: 3"), encoding="utf-8")
    read_afresh.clear()
    standard_files._PASSED.clear()
    load = _kept(db, folder)
    assert read_afresh == ["peer-workforce.yaml"]
    assert next(s for s in load.standards if s.id == "peer-workforce").version == 3
    assert list(load.to_keep) == [load.files["peer-workforce"][1]]
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM standard_cache").fetchall()[0][0] == 6


@pytest.mark.slow
def test_other_code_misses_and_its_rows_are_replaced(tmp_path, monkeypatch, read_afresh):
    folder = FIXTURES / "engine" / "standards"
    db = tmp_path / "audit.duckdb"
    _kept(db, folder)
    monkeypatch.setattr(standard_files, "code_key", lambda: "other code")
    read_afresh.clear()
    standard_files._PASSED.clear()
    load = _kept(db, folder)
    assert sorted(read_afresh) == sorted(p.name for p in folder.glob("*.yaml"))
    with store.reading(db) as con:
        keys = con.execute("SELECT DISTINCT code_key FROM standard_cache").fetchall()
    assert keys == [("other code",)] and len(load.to_keep) == 5


def test_the_code_key_changes_with_any_module_migration_or_library_version(tmp_path):
    root = tmp_path / "audits"
    shutil.copytree(Path(standard_files.__file__).parent, root, ignore=shutil.ignore_patterns("__pycache__"))
    libraries = (("pydantic", "2.0"), ("duckdb", "1.0"))
    key = standard_files.code_key_of(root, libraries)
    assert standard_files.code_key_of(root, libraries) == key
    assert standard_files.code_key_of(root, (("pydantic", "2.1"), ("duckdb", "1.0"))) != key
    kinds = root / "kinds" / "proportion.py"
    kinds.write_text(kinds.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    changed = standard_files.code_key_of(root, libraries)
    assert changed != key
    (root / "migrations" / "9999_more.sql").write_text("SELECT 1;\n", encoding="utf-8")
    assert standard_files.code_key_of(root, libraries) != changed
    # this process's key covers the libraries that read and check a file
    assert {name for name, _ in standard_files._LIBRARIES} >= {"pydantic", "ruamel.yaml", "duckdb", "sqlglot"}


@pytest.mark.slow
def test_a_stored_standard_the_model_refuses_is_read_afresh_from_its_file(tmp_path, read_afresh):
    folder = FIXTURES / "engine" / "standards"
    fresh = load_standards(folder)
    db = tmp_path / "audit.duckdb"
    _kept(db, folder)
    sha = fresh.files["warm-welcome"][1]
    with store.writing(db) as con:  # an expression outside the whitelist, written into the cache by hand
        body = con.execute("SELECT body_json FROM standard_cache WHERE sha256 = ?", [sha]).fetchall()[0][0]
        assert '"count_if":"' in body
        bad = body.replace('"count_if":"', '"count_if":"read_csv(\'/etc/passwd\') IS NOT NULL OR ', 1)
        con.execute("UPDATE standard_cache SET body_json = ? WHERE sha256 = ?", [bad, sha])
    read_afresh.clear()
    standard_files._PASSED.clear()
    with store.reading(db) as con:
        found = load_standards(folder, con)
    _same(found, fresh)
    assert read_afresh == ["warm-welcome.yaml"]


@pytest.mark.slow
def test_a_store_from_before_the_cache_table_is_read_without_it(tmp_path, read_afresh):
    db = tmp_path / "audit.duckdb"
    with store.writing(db) as con:
        con.execute("DROP TABLE standard_cache")
        load = load_standards(FIXTURES / "standards" / "good", con)
    assert load.ok and len(load.to_keep) == 1 and read_afresh == ["peer-workforce.yaml"]


@pytest.mark.slow
def test_an_audit_keeps_what_it_checked_and_the_next_audit_reads_nothing_afresh(tmp_path, read_afresh):
    db = load_fixture(tmp_path / "audit.duckdb")
    folder = ENGINE / "standards"
    with pytest.raises(runs.RunError):  # an audit that does not run keeps nothing
        runs.run_audit(db, "2025-Q1", folder)
    with store.reading(db) as con:
        assert con.execute("SELECT count(*) FROM standard_cache").fetchall()[0][0] == 0
    first = runs.run_audit(db, PERIOD, folder)
    with store.reading(db) as con:
        kept = dict(con.execute("SELECT sha256, code_key FROM standard_cache").fetchall())
        before = runs.read_results(con, first).drop(columns="run_id")
    assert set(kept) == {sha for _, sha in load_standards(folder).files.values()}
    assert set(kept.values()) == {standard_files.code_key()}

    read_afresh.clear()
    standard_files._PASSED.clear()
    second = runs.run_audit(db, PERIOD, folder)
    assert read_afresh == []
    with store.reading(db) as con:
        after = runs.read_results(con, second).drop(columns="run_id")
        assert [s.model_dump_json() for s in runs.run_standards(con, second)] == [
            s.model_dump_json() for s in runs.run_standards(con, first)
        ]
    assert after.equals(before)


def test_an_audit_says_the_standards_problems_before_a_store_it_cannot_open(tmp_path):
    """The store is opened first (for its cache), but what is said is in the order it always was."""
    missing = tmp_path / "none.duckdb"
    with pytest.raises(runs.RunError, match="the standards in .* have 2 problems"):
        runs.run_audit(missing, PERIOD, FIXTURES / "standards" / "traps")
    with pytest.raises(store.StoreMissing, match="There is no store at"):
        runs.run_audit(missing, PERIOD, FIXTURES / "standards" / "good")
    assert not missing.exists()
