"""Loading standards files: every mistake with its file, line and fix; YAML traps; the real folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from audits import store
from audits.cli import app
from audits.expressions import compile_expression
from audits.standard_files import SCHEMA_FILE, SCHEMA_LINE, load_standards, parse_standard_text, schema_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "standards"
BAD = FIXTURES / "bad"
REAL = ROOT / "standards"


def problems_of(name: str) -> list[str]:
    """The problems of one bad fixture, as shown to the person ("standards/x.yaml, line 3: ...")."""
    path = BAD / f"{name}.yaml"
    standard, problems = parse_standard_text(path.read_text(encoding="utf-8"), f"standards/{path.name}")
    assert standard is None
    return [str(p) for p in problems]


# ------------------------------------------------------------------ one mistake, one message


@pytest.mark.parametrize(
    "name, line, words",
    [
        ("misspelt-column", 14, "'lived_experiance' is not a column of workforce. Did you mean 'lived_experience'?"),
        ("unknown-key", 9, "'statment' is not a field of a standard. Did you mean 'statement'?"),
        ("unknown-measure-key", 17, "'weigth' is not a field of a measure. Did you mean 'weight'?"),
        (
            "missing-kind",
            12,
            "'kind' is missing from this measure. Add a line 'kind:' with proportion, count or median.",
        ),
        ("bad-threshold", 18, "'about 25%' is not a threshold"),
        ("threshold-without-percent", 18, 'write the threshold as a percentage, like ">= 25%"'),
        ("amber-above-green", 19, 'amber ">= 35%" can never be reached with green ">= 25%"'),
        ("unquoted-threshold", 18, 'Put a threshold in double quotes: green: ">= 25%"'),
        ("bad-date", 7, "'2026-02-30' is not a date: write it as year-month-day"),
        ("bad-status", 5, "'aproved' is not allowed for status: use one of draft, approved or retired"),
        ("approved-without-date", 5, "an approved standard needs approved_by and approved_on"),
        ("version-in-words", 4, "version should be a whole number, like 2, not 'two'"),
        ("duplicate-key", 9, "'theme' is written twice (first on line 8)"),
        ("injection", 14, "Only one condition is allowed: remove the ';'"),
        ("reads-a-file", 14, "reads a file or the network, which is never allowed"),
        ("sub-query", 14, "is a sub-query, which is not allowed"),
        ("function-call", 14, "is a function call (lower), which is not allowed. To ignore capitals, use ilike"),
        ("voice-without-year", 22, "has no year. Name the group and the year"),
        ("count-with-count-if", 14, "count_if is only for a proportion or a rate; a count uses where"),
        ("python-tag", 3, "tags (words starting with !, such as !!str) are not used"),
        ("yaml-1-1", 1, "'%YAML' and '%TAG' lines are not used"),
        ("alias", 9, "anchors and aliases (&name, *name) are not allowed"),
        ("tab-indent", 13, "there is a tab character (at position 1 of the line): these files use spaces, never tabs"),
        (
            "colon-in-title",
            3,
            "the value of title has a ': ' in it, so put the whole value in double quotes: "
            'title: "Peers: people with lived experience work in every team"',
        ),
        ("status-in-capitals", 5, "'Approved' is not allowed for status: write it in lower case, approved"),
        (
            "threshold-without-comparison",
            18,
            "'25%' is not a threshold: it needs a comparison. "
            'Did you mean ">= 25%" (at least 25%) or "<= 25%" (at most 25%)?',
        ),
        ("too-many-voices", 20, "voices can have at most 3"),
        (
            "id-not-file-name",
            2,
            "does not match the file name 'id-not-file-name.yaml'. Rename the file to peer-workforce.yaml",
        ),
    ],
)
def test_each_mistake_has_its_line_and_fix(name, line, words):
    problems = problems_of(name)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"standards/{name}.yaml, line {line}: ")
    assert words in problems[0]


def test_the_example_from_the_format_reads_exactly():
    text = (BAD / "misspelt-column.yaml").read_text().replace("id: misspelt-column", "id: peer-workforce")
    _, problems = parse_standard_text(text, "standards/peer-workforce.yaml")
    assert [str(p) for p in problems] == [
        "standards/peer-workforce.yaml, line 14: 'lived_experiance' is not a column of workforce. "
        "Did you mean 'lived_experience'?"
    ]


def test_a_missing_field_of_the_standard_names_the_file():
    assert problems_of("missing-why") == [
        "standards/missing-why.yaml: 'why' is missing from the standard. Add a line 'why:' with why it "
        "matters, in the group's own words."
    ]


def test_an_empty_file():
    assert "the file is empty" in problems_of("empty")[0]


def test_every_mistake_in_a_file_at_once():
    text = (FIXTURES / "good" / "peer-workforce.yaml").read_text()
    text = (
        text.replace("version: 2", "version: two")
        .replace("lived_experience = 'yes'", "lived_experiance = 'yes'")
        .replace('green: ">= 25%"', 'green: "about 25%"')
    )
    _, problems = parse_standard_text(text, "standards/peer-workforce.yaml")
    assert [p.line for p in problems] == [4, 14, 18]


def test_every_file_of_a_folder_at_once(tmp_path):
    for name in ("misspelt-column", "bad-date", "duplicate-key"):
        shutil.copy(BAD / f"{name}.yaml", tmp_path)
    shutil.copy(FIXTURES / "good" / "peer-workforce.yaml", tmp_path)
    result = load_standards(tmp_path)
    assert not result.ok
    assert sorted(Path(p.file).name for p in result.problems) == [
        "bad-date.yaml",
        "duplicate-key.yaml",
        "misspelt-column.yaml",
    ]
    # nothing half-loaded: only the good file's standard is there, and an audit refuses (ok is False)
    assert [s.id for s in result.standards] == ["peer-workforce"]


def test_duplicate_ids_across_files():
    result = load_standards(FIXTURES / "duplicate-ids")
    messages = [str(p) for p in result.problems]
    assert any("peer-workforce-copy.yaml, line 2: the id 'peer-workforce' is already used by" in m for m in messages)
    assert [s.id for s in result.standards] == ["peer-workforce"]
    assert not result.ok


def test_a_missing_folder_and_a_yml_file(tmp_path):
    assert "there is no such folder" in str(load_standards(tmp_path / "nowhere").problems[0])
    shutil.copy(FIXTURES / "good" / "peer-workforce.yaml", tmp_path / "peer-workforce.yml")
    assert "rename it to peer-workforce.yaml" in str(load_standards(tmp_path).problems[0])


def test_a_file_not_saved_as_utf8(tmp_path):
    text = (FIXTURES / "good" / "peer-workforce.yaml").read_text().replace("every team", "every équipe")
    (tmp_path / "peer-workforce.yaml").write_bytes(text.encode("latin-1"))
    [problem] = load_standards(tmp_path).problems
    assert problem.line == 3 and "not saved as UTF-8" in problem.message


# ------------------------------------------------------------------ YAML traps


def test_a_billion_laughs_is_refused_before_it_grows():
    [problem] = problems_of("billion-laughs")
    assert "anchors and aliases" in problem


def test_no_and_on_stay_words():
    result = load_standards(FIXTURES / "traps")
    norway = {s.id: s for s in result.standards}["norway"]
    assert (norway.title, norway.theme, norway.approved_by) == ("NO", "on", "yes")
    # 'on:' as a key stays the word on (YAML 1.1 would make it true), so it is simply unknown
    on_key = [(p.line, p.message) for p in result.problems if p.file.endswith("on-key.yaml")]
    assert on_key == [
        (
            None,
            "'theme' is missing from the standard. Add a line 'theme:' with a word that groups "
            "standards, such as access or workforce.",
        ),
        (
            8,
            "'on' is not a field of a standard. The fields of a standard are: id, title, version, "
            "status, approved_by, approved_on, theme, statement, why, voices, measures, interview.",
        ),
    ]


def test_the_loader_leaves_ruamel_as_it_was_for_other_readers():
    import datetime as dt

    from ruamel.yaml import YAML

    parse_standard_text((FIXTURES / "good" / "peer-workforce.yaml").read_text(), "peer-workforce.yaml")
    assert YAML(typ="rt").load("day: 2026-04-01")["day"] == dt.date(2026, 4, 1)


# ------------------------------------------------------------------ statuses


def test_drafts_and_retired_are_loaded_but_not_audited(tmp_path):
    good = (FIXTURES / "good" / "peer-workforce.yaml").read_text()
    for status in ("draft", "retired"):
        (tmp_path / f"{status}-one.yaml").write_text(
            good.replace("id: peer-workforce", f"id: {status}-one").replace("status: approved", f"status: {status}")
        )
    shutil.copy(FIXTURES / "good" / "peer-workforce.yaml", tmp_path)
    result = load_standards(tmp_path)
    assert result.ok
    assert [s.id for s in result.standards] == ["draft-one", "peer-workforce", "retired-one"]
    assert [s.id for s in result.audited] == ["peer-workforce"]
    path, sha = result.files["peer-workforce"]
    assert path == tmp_path / "peer-workforce.yaml" and len(sha) == 64


# ------------------------------------------------------------------ the real standards


def test_the_real_standards_load_with_no_problems():
    result = load_standards(REAL)
    assert result.problems == []
    ids = {s.id for s in result.standards}
    assert {
        "trauma-informed-access",
        "no-opiate-free-discharge-targets",
        "lived-experience-workforce",
        "not-punitive",
        "mental-health-alongside",
        "housing-support",
        "aftercare",
        "no-going-back-to-step-one",
        "choice-in-how-to-engage",
        "women-and-out-of-hours-access",
        "person-first-language",
    } <= {s.id for s in result.audited}
    assert any(s.status == "draft" for s in result.standards) and len(ids) == len(result.standards)


def test_every_real_file_points_at_the_schema_and_says_thresholds_are_proposals():
    for path in sorted(REAL.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == SCHEMA_LINE, path.name
        assert any("proposal for the group to change" in line for line in lines[:5]), path.name


@pytest.mark.slow
def test_every_real_voice_names_a_group_and_a_year_and_no_more_than_three():
    for standard in load_standards(REAL).standards:
        assert 1 <= len(standard.voices) <= 3, standard.id
        for voice in standard.voices:
            assert voice.source in (
                "National Expert Citizens Group, 2020",
                "Expert Link National Advisory Panel, 2020",
            ), voice.source
        assert "proposal for the group to change" in standard.why


def test_the_schema_is_up_to_date_with_the_model():
    assert (REAL / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text(), (
        "standards/standard.schema.json is out of date: run python -m audits standards schema"
    )
    schema = json.loads(schema_text())
    assert schema["$defs"]["Measure"]["properties"]["green"]["type"] == "string"


@pytest.mark.slow
def test_every_real_expression_runs_over_a_real_store(tmp_path):
    """Not only accepted: DuckDB binds and runs each compiled expression over cur_<table>."""
    con = store.connect(tmp_path / "audit.duckdb")
    try:
        for standard in load_standards(REAL).standards:
            for m in standard.measures:
                parts = [
                    compile_expression(text, m.table, expect=expect)
                    for text, expect in (
                        (m.where, "condition"),
                        (m.count_if, "condition"),
                        (m.value, "number"),
                        (m.weight, "number"),
                    )
                    if text
                ]
                select = ", ".join(f"count({p})" for p in parts)
                assert con.execute(f"SELECT {select} FROM cur_{m.table}").fetchone() is not None
    except duckdb.Error as error:  # pragma: no cover - the message says which one failed
        pytest.fail(f"{standard.id}/{m.id}: {error}")
    finally:
        con.close()


# ------------------------------------------------------------------ the command line


@pytest.mark.slow
def test_check_command_exit_codes(tmp_path):
    runner = CliRunner()
    good = runner.invoke(app, ["standards", "check", str(REAL)])
    assert good.exit_code == 0, good.output
    assert "are valid" in good.output
    shutil.copy(BAD / "misspelt-column.yaml", tmp_path)
    shutil.copy(BAD / "bad-date.yaml", tmp_path)
    bad = runner.invoke(app, ["standards", "check", str(tmp_path)])
    assert bad.exit_code == 1
    assert "2 problems in 2 files" in bad.output
    assert "misspelt-column.yaml, line 14: 'lived_experiance' is not a column of workforce" in bad.output
    assert "bad-date.yaml, line 7:" in bad.output
    assert "Traceback" not in bad.output


def test_schema_command_writes_the_schema(tmp_path):
    result = CliRunner().invoke(app, ["standards", "schema", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()
    missing = CliRunner().invoke(app, ["standards", "schema", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "There is no folder" in missing.output


# ------------------------------------------------------------------ the guide for expert citizens

GUIDE = ROOT / "docs" / "standards-guide.md"


def test_the_guides_worked_example_of_a_new_standard_is_valid():
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split("```yaml\n   # yaml-language-server")[1].split("   ```")[0]
    yaml_text = "# yaml-language-server" + "\n".join(line.removeprefix("   ") for line in block.splitlines())
    standard, problems = parse_standard_text(yaml_text + "\n", "standards/drop-in-access.yaml")
    assert problems == [] and standard.status == "draft"


def test_the_guides_worked_change_is_valid():
    text = (REAL / "lived-experience-workforce.yaml").read_text(encoding="utf-8")
    changed = text.replace('green: ">= 90%"\n    amber: ">= 75%"', 'green: ">= 95%"\n    amber: ">= 85%"').replace(
        "version: 1", "version: 2"
    )
    standard, problems = parse_standard_text(changed, "standards/lived-experience-workforce.yaml")
    assert problems == []
    assert standard.measures[1].green.text == ">= 95%" and standard.version == 2


def test_the_guide_lists_every_column_and_value():
    from audits import spec

    text = GUIDE.read_text(encoding="utf-8")
    for table in spec.RETURN_TABLES:
        for column in table.columns:
            assert f"`{column.name}`" in text, column.name
            for code in column.codes:
                assert f"`{code}`" in text, (column.name, code)
