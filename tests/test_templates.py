"""Blank templates and the providers' document come from the specification and match it."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits import reading, returns, spec, templates
from audits.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_blank_templates_are_complete_returns_waiting_for_values(tmp_path):
    written = templates.write_templates(tmp_path)
    assert [p.name for p in written] == [
        "return-template",
        "pack-template",
        "return-template.xlsx",
        "pack-template.xlsx",
    ]
    for path, kind, meta in (
        (tmp_path / "return-template", "return", spec.RETURN_META),
        (tmp_path / "pack-template", "pack", spec.PACK_META),
        (tmp_path / "return-template.xlsx", "return", spec.RETURN_META),
        (tmp_path / "pack-template.xlsx", "pack", spec.PACK_META),
    ):
        v = returns.validate(path)
        assert v.kind == kind
        # Nothing is missing but the values: every problem asks for a metadata value.
        assert sorted(p.column for p in v.problems) == sorted(f.name for f in meta)
        assert all("is missing: write the" in p.message for p in v.problems)


@pytest.mark.slow
def test_a_filled_in_template_loads(tmp_path):
    templates.write_templates(tmp_path)
    folder = tmp_path / "return-template"
    (folder / "return.yaml").write_text(
        "provider_id: P009\nprovider_name: Test\narea: Testshire\nperiod: 2026-Q1\nsubmitted_on: 2026-04-10\n"
    )
    with open(folder / "sites.csv", "a") as f:
        f.write("S1,Hub,yes,no,no,yes\n")
    v = returns.validate(folder)
    assert not v.problems and v.rows["sites"] == 1


@pytest.mark.slow
def test_workbook_template_has_every_table_and_column(tmp_path):
    path = templates.write_workbook(tmp_path / "r.xlsx", "return")
    sub = reading.read_submission(path)
    assert set(sub.tables) == {t.name for t in spec.RETURN_TABLES}
    for table in spec.RETURN_TABLES:
        assert sub.tables[table.name].header == list(table.column_names)
        assert sub.tables[table.name].cells.num_rows == 0


def test_meta_yaml_explains_each_key():
    text = templates.meta_yaml("return")
    for f in spec.RETURN_META:
        assert f"{f.name}: " in text and f.meaning in text and f.example in text


def test_the_document_covers_every_column_and_code():
    doc = templates.provider_doc()
    for table in spec.TABLES.values():
        assert f"## {table.file}" in doc
        for col in table.columns:
            assert f"| {col.name} | {col.type} |" in doc
            for code in col.codes:
                assert f"`{code}`" in doc
    assert "| discharge_reason | code | when discharge_date is filled in |" in doc
    assert "| after_missed | code | when outcome is missed |" in doc


@pytest.mark.slow
def test_committed_document_and_templates_are_current(tmp_path):
    """docs/ must be regenerated (python -m audits template --docs) after spec.py changes."""
    assert (ROOT / templates.DOC_PATH).read_text(encoding="utf-8") == templates.provider_doc()
    committed = ROOT / templates.DOC_TEMPLATES
    fresh = tmp_path / "fresh"
    templates.write_templates(fresh)
    for folder in (templates.RETURN_FOLDER, templates.PACK_FOLDER):
        names = sorted(p.name for p in (fresh / folder).iterdir())
        assert sorted(p.name for p in (committed / folder).iterdir()) == names
        for name in names:
            assert (committed / folder / name).read_text() == (fresh / folder / name).read_text(), name
    for book in (templates.RETURN_XLSX, templates.PACK_XLSX):
        old, new = reading.read_submission(committed / book), reading.read_submission(fresh / book)
        assert {n: t.header for n, t in old.tables.items()} == {n: t.header for n, t in new.tables.items()}


@pytest.mark.slow
def test_template_command(tmp_path):
    result = CliRunner().invoke(app, ["template", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t" / "return-template" / "episodes.csv").read_text().startswith("episode_id,person_id,")
    assert (tmp_path / "t" / "pack-template.xlsx").exists()
