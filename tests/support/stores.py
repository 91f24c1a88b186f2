"""Small real stores written straight from readable fixture files, for tests of the parts
after loading (the engine, runs, preview, stories, report, sign-offs). The returns
pipeline has its own tests; these skip it so a fixture is a few lines of CSV.

Two fixture sets:
- tests/fixtures/engine: `load_fixture` (one current return per provider) and
  `build_store` (rows given in the test itself), read with `fixture_standard`;
- tests/fixtures/stories: `put_returns` (the returns the report and sign-off tests
  audit) and `load_pack` (the evidence pack, through the real ingest).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path

from audits import capture, engine, ingest, references, runs, spec, store
from audits.standard_files import parse_standard_text
from audits.standard_model import Standard

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENGINE = FIXTURES / "engine"
PERIOD = "2026-Q2"
STORIES = FIXTURES / "stories"
STORIES_STANDARDS = STORIES / "standards"
STORIES_RETURNS = STORIES / "returns"
PACK = STORIES / "pack-P001-2026-Q2"


def typed_cell(table: str, column: str, text: str):
    """A fixture cell as the store holds it (the fixture files leave out unused columns)."""
    if text == "":
        return None
    kind = spec.TABLES[table].column(column).type
    if kind == spec.DATE:
        return dt.date.fromisoformat(text)
    if kind == spec.BOOLEAN:
        return text.lower() in spec.TRUE_WORDS
    if kind == spec.INTEGER:
        return int(text)
    if kind == spec.NUMBER:
        return float(text)
    return text


# --------------------------------------------------------------------------- the engine's fixtures


def build_store(
    db: Path, providers: dict[str, dict[str, list[dict]]], period: str = PERIOD, names: dict[str, str] | None = None
) -> Path:
    """A store with one current return per provider, rows written straight into the tables.

    providers: provider_id -> table -> rows (column -> value); missing columns are empty.
    """
    names = names or {}
    with store.writing(db) as con:
        store.ensure_period(con, period)
        for provider_id, tables in providers.items():
            digest = hashlib.sha256(json.dumps(tables, sort_keys=True, default=str).encode()).hexdigest()
            submission_id = f"{provider_id}-{period}-{digest[:8]}"
            con.execute(
                "INSERT OR IGNORE INTO providers VALUES (?, ?, 'Testshire')",
                [provider_id, names.get(provider_id, f"Provider {provider_id}")],
            )
            con.execute(
                "INSERT INTO submissions (submission_id, kind, provider_id, period, provider_name, "
                "sha256, loaded_at, is_current) VALUES (?, 'return', ?, ?, ?, ?, now(), true)",
                [submission_id, provider_id, period, names.get(provider_id), digest],
            )
            for table, rows in tables.items():
                insert_rows(con, table, submission_id, provider_id, period, rows)
    return db


def insert_rows(con, table: str, submission_id: str, provider_id: str, period: str, rows: list[dict]) -> None:
    """Rows of one submission (column -> value; missing columns empty), numbered from line 2
    as in a spreadsheet."""
    columns = spec.TABLES[table].column_names
    target, key = store.rows_key(con, table, submission_id, provider_id, period)
    for line, row in enumerate(rows, start=2):
        unknown = set(row) - set(columns)
        assert not unknown, f"not columns of {table}: {unknown}"
        con.execute(
            f"INSERT INTO {target} ({', '.join(key)}, line, "
            + ", ".join(f'"{c}"' for c in columns)
            + ") VALUES ("
            + ", ".join("?" for _ in range(len(key) + 1 + len(columns)))
            + ")",
            [*key.values(), line] + [row.get(c) for c in columns],
        )


def load_fixture(db: Path, folder: Path = ENGINE / "base", period: str = PERIOD) -> Path:
    """The readable fixture CSVs (a provider_id column, then the columns a test needs)."""
    with open(folder / "providers.csv", newline="") as handle:
        names = {r["provider_id"]: r["provider_name"] for r in csv.DictReader(handle)}
    providers: dict[str, dict[str, list[dict]]] = {p: {} for p in names}
    for table in spec.RETURN_TABLES:
        path = folder / table.file
        if not path.exists():
            continue
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                provider_id = row.pop("provider_id")
                typed = {c: typed_cell(table.name, c, v) for c, v in row.items()}
                providers[provider_id].setdefault(table.name, []).append(typed)
    return build_store(db, providers, period, names)


def fixture_standard(name: str) -> Standard:
    """A fixture standard read with the project's own loader."""
    path = ENGINE / "standards" / f"{name}.yaml"
    loaded, problems = parse_standard_text(path.read_text(), str(path))
    assert not problems, problems
    return loaded


def standard(measures: list[dict], status: str = "approved", id: str = "test-standard") -> Standard:
    """A standard made in the test itself from its measures (dicts as in a standards file)."""
    return Standard.model_validate(
        {
            "id": id,
            "title": "A test standard",
            "version": 1,
            "status": status,
            "approved_by": "Test Expert Citizens Group",
            "approved_on": "2026-09-10",
            "theme": "test",
            "statement": "What good looks like.",
            "why": "Why it matters.",
            "measures": measures,
        }
    )


def proportion(count_if: str, green: str = ">= 90%", **extra) -> dict:
    """A share-of-people measure 'm' as a standards file writes it (extra keys added or replaced)."""
    return {
        "id": "m",
        "label": "a measure",
        "table": "episodes",
        "kind": "proportion",
        "count_if": count_if,
        "green": green,
        **extra,
    }


def rows_of(result: engine.EngineResult, measure_id: str = "m") -> dict[str, dict]:
    """One measure's result rows, by provider."""
    frame = result.measures[result.measures["measure_id"] == measure_id]
    return {r["provider_id"]: r for r in frame.to_dict("records")}


def people_met(n_met: int, n: int, column: str = "peer_support_offered") -> list[dict]:
    """n episodes, the first n_met of them with `column` true."""
    return [{"episode_id": f"E{i}", column: i < n_met} for i in range(n)]


# --------------------------------------------------------------------------- the stories' fixtures


def put_returns(con, period: str) -> None:
    """The readable fixture CSVs (provider_id, then the columns the standards use) as one
    current return per provider."""
    store.ensure_period(con, period)
    with open(STORIES_RETURNS / "providers.csv", encoding="utf-8", newline="") as handle:
        providers = list(csv.DictReader(handle))
    for p in providers:
        con.execute(
            "INSERT OR IGNORE INTO providers VALUES (?, ?, ?)", [p["provider_id"], p["provider_name"], p["area"]]
        )
        sub = f"{p['provider_id']}-{period}"
        digest = hashlib.sha256(sub.encode()).hexdigest()
        con.execute(
            "INSERT INTO submissions (submission_id, kind, provider_id, period, provider_name, area, "
            "sha256, loaded_at, is_current) VALUES (?, 'return', ?, ?, ?, ?, ?, now(), true)",
            [sub, p["provider_id"], period, p["provider_name"], p["area"], digest],
        )
        for table in ("episodes", "workforce", "kpis"):
            with open(STORIES_RETURNS / f"{table}.csv", encoding="utf-8", newline="") as handle:
                rows = [r for r in csv.DictReader(handle) if r.pop("provider_id") == p["provider_id"]]
            typed = [{c: typed_cell(table, c, v) for c, v in row.items()} for row in rows]
            insert_rows(con, table, sub, p["provider_id"], period, typed)
    # one quarantined row, to show in the data-quality annex
    con.execute(
        "INSERT INTO quarantine VALUES (?, 'P001', ?, 'episodes', 'episodes.csv', 23, 'E99', ?, '{}')",
        [f"P001-{period}", period, "referral_date '2026-13-01' is not a date: write it as 2026-04-01"],
    )


def audited_returns(db: Path, period: str = "2026-Q2") -> str:
    """A store holding the fixture returns of one quarter, audited against the stories'
    fixture standards: the run's id."""
    with store.writing(db) as con:
        put_returns(con, period)
    return runs.run_audit(db, period, STORIES_STANDARDS, run_by="test")


def to_audit(db: Path) -> Path:
    """A store holding 2026-Q2's fixture returns and the fixture pack, not audited yet."""
    with store.writing(db) as con:
        put_returns(con, "2026-Q2")
    load_pack(db)
    return db


def audited_with_pack(db: Path) -> tuple[Path, str]:
    """Two quarters of the fixture returns (2026-Q1, 2026-Q2), the fixture pack for 2026-Q2, both
    audited: the store and the 2026-Q2 run's id."""
    with store.writing(db) as con:
        put_returns(con, "2026-Q1")
        put_returns(con, "2026-Q2")
    load_pack(db)
    runs.run_audit(db, "2026-Q1", STORIES_STANDARDS, run_by="test")
    return db, runs.run_audit(db, "2026-Q2", STORIES_STANDARDS, run_by="test")


def captured(**changes) -> capture.Captured:
    """A story as the capture form records it (a consented one about P001's welcome), with changes."""
    values = dict(
        provider_id="P001",
        gathered_on=dt.date(2026, 6, 10),
        teller="person_using_services",
        consent="yes",
        use_of_words="quoted",
        story="Someone rang me back the next day and I never had to tell it all again.",
        standards={"warm-welcome": "confirms"},
        reference=references.make(),
        interviewer="Sam Peer",
        credit=False,
        hours=1.5,
        gathered_by="Northshire Peer Interviewers",
    )
    values.update(changes)
    return capture.Captured(**values)


def read_rows(folder: Path = PACK) -> list[dict]:
    with open(folder / "stories.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_pack(db: Path, rows: list[dict] | None = None, provider_id: str = "P001", period: str = "2026-Q2") -> None:
    """Load the fixture pack with the real ingest; with rows (or another provider or quarter),
    a resubmission of it with those rows (written next to the store)."""
    folder = PACK
    if rows is not None or provider_id != "P001" or period != "2026-Q2":
        folder = pack_folder(db, rows if rows is not None else read_rows(), provider_id, period)
    (outcome,) = ingest.ingest([folder], db, loaded_by="test")
    assert outcome.loaded, outcome


def pack_folder(db: Path, rows: list[dict], provider_id: str, period: str) -> Path:
    """A copy of the fixture pack with these rows, provider and quarter, next to the store."""
    folder = db.parent / f"pack-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    pack_yaml = (PACK / "pack.yaml").read_text(encoding="utf-8")
    (folder / "pack.yaml").write_text(
        pack_yaml.replace("provider_id: P001", f"provider_id: {provider_id}").replace(
            "period: 2026-Q2", f"period: {period}"
        ),
        encoding="utf-8",
    )
    with open(folder / "stories.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder
