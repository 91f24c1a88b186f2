"""The attacker (tests/support/disclosure_attacker.py) against every public output, on stores built to
be hard and on the small demo. It must find no count of 1-4 people it can pin to one value.

Each claim the attacker makes is checked against the truth (the run's exact results): a claim
that is wrong means the attacker reasoned unsoundly, which fails the test too, so the attacker
cannot pass by guessing. A control test gives it the auditor's exact file as if it were public,
and it must then find the deaths: it is not toothless.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from audits import report, runs, store

from support import apptest, hard_store
from support import disclosure_attacker as attacker

# The attacker over whole stores, PDFs and sites (3-60 CPU-seconds each): make test runs them.
pytestmark = pytest.mark.slow

HERE = Path(__file__).parent


def _csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def knowledge_of(db: Path, period: str) -> attacker.Knowledge:
    """What the attacker may read first: the standards as audited in each run of the quarter."""
    with store.reading(db) as con:
        versions = [
            r[0]
            for r in con.execute("SELECT run_id FROM runs WHERE period = ? ORDER BY started_at", [period]).fetchall()
        ]
        standards = {v: runs.run_standards(con, v) for v in versions}
        names = dict(con.execute("SELECT provider_name, provider_id FROM providers").fetchall())
    return attacker.Knowledge(standards, names)


def read_public_csv(db: Path, period: str, run_id: str, folder: Path, k: attacker.Knowledge) -> None:
    """`export --public` of one version (each on its own copy of the store, so that each is the
    first release there: every version a reader could ever have seen)."""
    copy = folder / f"{run_id}.duckdb"
    shutil.copy(db, copy)
    with store.writing(copy) as con:
        out = runs.export_csv(con, period, folder / f"{run_id}.csv", run_id=run_id, public=True)
    attacker.read_csv_rows(_csv_rows(out), run_id, k)


def read_pdfs(db: Path, period: str, folder: Path, k: attacker.Knowledge, providers: list[str] | None = None) -> None:
    with store.reading(db) as con:
        from audits import disclosure

        run_id = disclosure.public_run_id(con, period)
        every = sorted(disclosure.public_results(con, run_id)["provider_id"].unique())
    for provider in providers or every:
        out = report.build_report(db, provider, period, folder / f"{provider}.pdf")
        attacker.read_pdf_text(_pdf_text(out), provider, run_id, k)


def read_site(db: Path, period: str, version: str, folder: Path, k: attacker.Knowledge) -> list[str]:
    """The published site (audits.publish) of one version, on its own copy of the store: that
    version released, every provider that may be signed signed off for it, the site written; the
    attacker reads its open data (CSV and JSON) and every provider's page. The providers
    published."""
    from audits import disclosure, publish, signoffs

    copy = folder / f"site-{version}.duckdb"
    shutil.copy(db, copy)
    with store.writing(copy) as con:
        disclosure.release(con, period, version, "test", how="release")
        for provider in sorted(disclosure.public_results(con, version)["provider_id"].unique()):
            if not signoffs.not_ready(con, provider, period):
                signoffs.record_signoff(
                    con, provider, period, version, "Ann Auditor", "Fair Audit Co", signoffs.DECLARATION, "test"
                )
        # an older version is published as released (a later run of the quarter exists)
        done = publish.publish(con, period, folder / f"site-{version}", "test", supersede=False)
    attacker.read_site(done.out_dir, version, k)
    return done.providers


def read_dashboard(db: Path, period: str, k: attacker.Knowledge, monkeypatch) -> None:
    """What the dashboard sends an expert citizen (the public tier) for every standard of the
    quarter: each measure's table and the chart's JSON, as the browser gets them."""
    import json

    from streamlit.testing.v1 import AppTest

    from audits import accounts, disclosure
    from dashboard import ui

    monkeypatch.setenv(store.DB_ENV, str(db))
    with store.reading(db) as con:
        version = disclosure.public_run_id(con, period)
    at = AppTest.from_file(str(HERE.parent / "app.py"), default_timeout=60)
    at.session_state["account"] = accounts.Account("expert", "Expert", "expert_citizen", None)
    at.run()
    at.session_state["period"] = period
    at.switch_page("dashboard/standard.py").run()
    for standard in k.standards[version]:
        at.selectbox(key="_standard_standard_id").select(standard.id).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.header[0].value == ui.md(standard.title)  # people's text made safe for Markdown
        # st.table's frames, or the static HTML tables of a long page (dashboard.ui.HTML_TABLE_ROWS)
        tables = [t for t in apptest.every_table(at) if "Provider" in t.columns]
        assert len(tables) >= len(standard.measures), standard.id  # every measure's table is read
        for measure, table in zip(standard.measures, tables):
            for _, row in table.iterrows():
                provider = k.names[row["Provider"]]
                key = (version, provider, standard.id, measure.id)
                cell = k.cell(*key, "dashboard")
                said = " ".join(str(row[c]) for c in ("Figure", "95% interval", "Rating"))
                attacker.read_figure_words(said, cell, measure, k, key, "dashboard")
        for chart in at.get("plotly_chart"):
            for measure in standard.measures:
                if chart.proto.id.endswith(("funnel_" + measure.id, "intervals_" + measure.id)):
                    attacker.read_chart(json.loads(chart.proto.spec), version, standard.id, measure.id, k)


def truth(db: Path, version: str, provider: str, group: tuple[str, str, str]) -> int:
    standard, measure, role = group
    with store.reading(db) as con:
        df = runs.read_results(con, version, provider)
    row = df[(df["standard_id"] == standard) & (df["measure_id"] == measure)].iloc[0]
    d, n = int(row["denominator_rows"]), row["numerator_rows"]
    n = None if n is None or n is pd.NA else int(n)  # a median counts no numerator
    return {"denominator": d, "numerator": n, "complement": None if n is None else d - n}[role]


def disclosures(db: Path, period: str, k: attacker.Knowledge) -> list[str]:
    """The attacker's claims, checked against the truth: every true count of 1-4 it pinned."""
    found = list(f"{f['what']}: {f['key']} {f['values']}" for f in k.findings)
    for claim in attacker.attack(k, period):
        if claim.what in ("revision", "benchmark", "contradiction"):
            found.append(f"{claim.what} {claim.version} {claim.provider} {claim.groups} = {claim.value}")
            continue
        if claim.what == "count":
            real = truth(db, claim.version, claim.provider, claim.groups[0])
        else:
            inner, outer = claim.groups
            real = truth(db, claim.version, claim.provider, outer) - truth(db, claim.version, claim.provider, inner)
        assert real == claim.value, f"the attacker reasoned wrongly: {claim} (truth {real})"
        found.append(f"{claim.what} {claim.provider} {claim.groups} = {claim.value}")
    return found


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard")
    db = folder / "audit.duckdb"
    standards = hard_store.build(db, folder)
    return db, standards


def test_control_the_attacker_finds_the_deaths_in_the_auditors_exact_file(hard, tmp_path):
    """Handed the restricted file as if it were public, the attacker works the deaths out by
    subtracting aftercare's denominator from withdrawn-by-provider's: it has teeth."""
    db, _ = hard
    k = knowledge_of(db, hard_store.PERIOD)
    with store.reading(db) as con:
        run_id = runs.latest_run_id(con, hard_store.PERIOD)
        out = runs.export_csv(con, hard_store.PERIOD, tmp_path / "exact.csv", run_id=run_id)
    attacker.read_csv_rows(_csv_rows(out), run_id, k)
    found = disclosures(db, hard_store.PERIOD, k)
    deaths = [f for f in found if "difference" in f and "aftercare-offered', 'denominator'" in f and "withdrawn" in f]
    assert any("P001" in f and f.endswith("= 2") for f in deaths), found
    assert any("P002" in f and f.endswith("= 1") for f in deaths), found
    assert any(f.startswith("count P005") and "choice-offered', 'complement'" in f for f in found), found


def test_no_small_count_can_be_worked_out_of_the_hard_stores_public_csv_and_pdfs(hard, tmp_path):
    db, _ = hard
    for period in (hard_store.PERIOD, hard_store.LONE_PERIOD):
        k = knowledge_of(db, period)
        for version in k.standards:
            read_public_csv(db, period, version, tmp_path, k)
        read_pdfs(db, period, tmp_path, k)
        for version in k.standards:
            assert read_site(db, period, version, tmp_path, k)
        assert {"site", "site-csv", "site-json"} <= set().union(*(c.sources for c in k.cells.values()))
        assert disclosures(db, period, k) == []


def test_control_the_site_reader_finds_the_deaths_in_a_site_of_exact_figures(hard, tmp_path, monkeypatch):
    """A site published from the exact figures (as if publish.public_results were not switched to
    disclosure control): reading the site alone, the attacker works the deaths out. It has teeth."""
    from audits import publish

    db, _ = hard
    monkeypatch.setattr(publish, "public_results", lambda con, run_id: runs.read_results(con, run_id))
    k = knowledge_of(db, hard_store.PERIOD)
    (version,) = k.standards
    assert read_site(db, hard_store.PERIOD, version, tmp_path, k)
    found = disclosures(db, hard_store.PERIOD, k)
    deaths = [f for f in found if "difference" in f and "aftercare-offered', 'denominator'" in f and "withdrawn" in f]
    assert any("P001" in f and f.endswith("= 2") for f in deaths), found


def test_two_runs_of_a_quarter_cannot_be_subtracted(hard, tmp_path):
    """P001 sends its return again with one more death: the second run's public figures, and
    both versions together, give no death count away."""
    db, standards = hard
    copy = tmp_path / "rerun.duckdb"
    shutil.copy(db, copy)
    hard_store.rerun(copy, standards)
    k = knowledge_of(copy, hard_store.PERIOD)
    assert len(k.standards) == 2
    for version in k.standards:
        read_public_csv(copy, hard_store.PERIOD, version, tmp_path, k)
        assert read_site(copy, hard_store.PERIOD, version, tmp_path, k)
    read_pdfs(copy, hard_store.PERIOD, tmp_path, k)
    assert disclosures(copy, hard_store.PERIOD, k) == []


def test_export_public_of_a_quarter_with_deaths_behind_nested_measures_pins_no_death(hard, tmp_path):
    """The command an auditor runs: the file it writes, and its note, read by the attacker."""
    from typer.testing import CliRunner

    from audits.cli import app

    db, _ = hard
    copy = tmp_path / "cli.duckdb"
    shutil.copy(db, copy)
    out = tmp_path / "public.csv"
    done = CliRunner().invoke(
        app, ["export", "--period", hard_store.PERIOD, "--csv", str(out), "--public", "--db", str(copy)]
    )
    assert done.exit_code == 0, done.output
    k = knowledge_of(copy, hard_store.PERIOD)
    (version,) = k.standards
    attacker.read_csv_rows(_csv_rows(out), version, k)
    assert disclosures(copy, hard_store.PERIOD, k) == []
    rows = {(r["provider_id"], r["measure_id"]): r for r in _csv_rows(out)}
    # the deaths are in neither denominator pair: one of the two nested denominators is hidden
    for provider in ("P001", "P002"):
        assert "" in (
            rows[(provider, "aftercare-offered")]["denominator"],
            rows[(provider, "withdrawn-by-provider")]["denominator"],
        )
    notes = runs.notes_path(out).read_text()
    assert "Figures marked * are not shown." in notes and "so that a small count cannot be worked out" in notes
    # a second, different version of the quarter is refused
    again = CliRunner().invoke(
        app,
        [
            "run",
            "--period",
            hard_store.PERIOD,
            "--standards",
            str(hard_store.standards_dir(tmp_path / "s")),
            "--db",
            str(copy),
        ],
    )
    assert again.exit_code == 0, again.output
    with store.reading(copy) as con:
        older, newer = (
            r[0]
            for r in con.execute(
                "SELECT run_id FROM runs WHERE period = ? ORDER BY started_at", [hard_store.PERIOD]
            ).fetchall()
        )
    refused = CliRunner().invoke(
        app, ["export", "--period", hard_store.PERIOD, "--csv", str(out), "--public", "--run", newer, "--db", str(copy)]
    )
    assert refused.exit_code == 1 and "--supersede" in refused.output, refused.output
    same = CliRunner().invoke(
        app,
        ["export", "--period", hard_store.PERIOD, "--csv", str(tmp_path / "again.csv"), "--public", "--db", str(copy)],
    )
    assert same.exit_code == 0 and io.StringIO(out.read_text()).read() == (tmp_path / "again.csv").read_text()
    assert older in (tmp_path / "again.csv").read_text()


# --------------------------------------------------------------------------- each protection is needed


def _without(db: Path, tmp_path: Path, name: str, monkeypatch, patch) -> Path:
    """A copy of the store whose public results are worked out again with one protection off."""
    copy = tmp_path / f"{name}.duckdb"
    shutil.copy(db, copy)
    with store.writing(copy) as con:
        con.execute("DELETE FROM public_results")
        con.execute("DELETE FROM public_standard_results")
    patch()
    return copy


@pytest.mark.parametrize("protection", ["rating bands", "nested measures", "benchmark"])
def test_control_without_each_protection_the_attacker_finds_a_small_count(hard, tmp_path, monkeypatch, protection):
    """Switch one protection off and the attacker, reading the public CSV and PDFs, finds what it
    protected: the 1 of 99 behind a Met at <= 2%, the deaths between aftercare and withdrawn,
    the hidden counts inside a benchmark of every provider."""
    from audits import disclosure

    db, _ = hard
    patches = {
        "rating bands": lambda: monkeypatch.setattr(disclosure, "_pinned", lambda members, signed: False),
        "nested measures": lambda: monkeypatch.setattr(disclosure.populations, "inside", lambda a, b: False),
        "benchmark": lambda: monkeypatch.setattr(
            disclosure, "_public_benchmark", lambda rows, measure: rows[0].get("benchmark")
        ),
    }
    copy = _without(db, tmp_path, protection.replace(" ", "-"), monkeypatch, patches[protection])
    k = knowledge_of(copy, hard_store.PERIOD)
    (version,) = k.standards
    read_public_csv(copy, hard_store.PERIOD, version, tmp_path, k)
    read_pdfs(copy, hard_store.PERIOD, tmp_path, k)
    found = "\n".join(disclosures(copy, hard_store.PERIOD, k))
    expected = {
        "rating bands": "count P003 (('not-punitive', 'withdrawn-by-provider', 'numerator'),) = 1",
        "nested measures": "difference P001 (('aftercare', 'aftercare-offered', 'denominator'), ('not-punitive', 'withdrawn-by-provider', 'denominator')) = 2",
        "benchmark": "benchmark",
    }[protection]
    assert expected in found, found


def test_control_without_protection_against_earlier_runs_a_revision_is_read(hard, tmp_path, monkeypatch):
    from audits import disclosure

    db, standards = hard
    copy = tmp_path / "rerun.duckdb"
    shutil.copy(db, copy)
    monkeypatch.setattr(disclosure, "_earlier_counts", lambda frames: {})
    hard_store.rerun(copy, standards)
    k = knowledge_of(copy, hard_store.PERIOD)
    for version in k.standards:
        read_public_csv(copy, hard_store.PERIOD, version, tmp_path, k)
    found = "\n".join(disclosures(copy, hard_store.PERIOD, k))
    assert "revision" in found and "P001" in found, found


# --------------------------------------------------------------------------- the small demo


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """The small demo (8 providers x 8 quarters), written, loaded and audited as setup-demo does."""
    from audits import demo, ingest

    folder = tmp_path_factory.mktemp("demo")
    written = demo.write_demo(folder / "files", scale="small")
    db = folder / "audit.duckdb"
    ingest.ingest(sorted(written), db=db, loaded_by="test")
    for period in demo.SMALL_PERIODS:
        runs.run_audit(db, period, standards_dir=HERE.parent / "standards")
    return db


def test_no_small_count_can_be_worked_out_of_the_small_demo(small_demo, tmp_path, monkeypatch):
    """The latest quarter through every public output (CSV, every PDF, the dashboard an expert
    citizen sees); the first quarter through its CSV. Every quarter, by hand: bench/disclosure.py."""
    from audits import demo

    latest, first = demo.SMALL_PERIODS[-1], demo.SMALL_PERIODS[0]
    k = knowledge_of(small_demo, latest)
    (version,) = k.standards
    read_public_csv(small_demo, latest, version, tmp_path, k)
    read_pdfs(small_demo, latest, tmp_path, k)
    read_dashboard(small_demo, latest, k, monkeypatch)
    assert read_site(small_demo, latest, version, tmp_path, k)
    assert {"csv", "pdf", "dashboard", "chart", "site", "site-csv", "site-json"} <= set().union(
        *(c.sources for c in k.cells.values())
    )
    assert disclosures(small_demo, latest, k) == []
    k = knowledge_of(small_demo, first)
    read_public_csv(small_demo, first, next(iter(k.standards)), tmp_path, k)
    assert disclosures(small_demo, first, k) == []
