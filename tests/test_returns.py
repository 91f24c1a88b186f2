"""Validation of returns and evidence packs: each rule of the specification, on the small
fixture returns under tests/fixtures/returns (see its README)."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from audits import returns, schemas, spec
from audits.problems import HIDDEN_VALUE

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
GOOD_RETURN = FIXTURES / "good-return"
GOOD_PACK = FIXTURES / "good-pack"


def make(tmp_path: Path, case: str | None = None, base: Path = GOOD_RETURN, remove=()) -> Path:
    """The good return (or pack) with a case's files laid over it."""
    target = tmp_path / (case or "good").replace("/", "-")
    shutil.copytree(base, target)
    if case:
        for f in (FIXTURES / case).iterdir():
            shutil.copy(f, target / f.name)
    for name in remove:
        (target / name).unlink()
    return target


def find(v, file=None, line=None, column=None, blocking=None):
    return [
        p
        for p in v.problems
        if (file is None or p.file == file)
        and (line is None or p.line == line)
        and (column is None or p.column == column)
        and (blocking is None or p.blocking == blocking)
    ]


@pytest.mark.slow
def test_good_return_loads_every_row_with_types():
    v = returns.validate(GOOD_RETURN)
    assert v.kind == "return" and v.form == "folder"
    assert v.problems == []
    assert not v.blocking
    assert v.rows == {"episodes": 5, "contacts": 9, "workforce": 4, "kpis": 2, "sites": 2, "documents": 2}
    assert v.meta == {
        "provider_id": "P001",
        "provider_name": "Northgate Recovery Partnership",
        "area": "Northshire",
        "period": "2026-Q2",
        "submitted_on": dt.date(2026, 7, 14),
    }
    ep = v.frames["episodes"]
    assert list(ep["line"]) == [2, 3, 4, 5, 6]
    assert str(ep["referral_date"].dtype) == "datetime64[us]"
    assert ep["choice_offered"].tolist() == [True, True, False, True, True]
    assert ep["aftercare_offered"].isna().tolist() == [True, False, True, False, True]
    assert str(ep["assessments"].dtype) == "Int64"
    assert v.frames["workforce"]["fte"].tolist() == [1.0, 0.8, 0.2, 1.0]
    assert v.quarantined.empty
    assert set(v.files) == {
        "return.yaml",
        "episodes.csv",
        "contacts.csv",
        "workforce.csv",
        "kpis.csv",
        "sites.csv",
        "documents.csv",
    }
    assert "Loadable: 24 rows." in v.report()


def test_good_pack():
    v = returns.validate(GOOD_PACK)
    assert v.kind == "pack" and not v.problems
    assert v.frames["stories"]["consent"].tolist() == ["yes", "no", "withdrawn"]
    assert v.meta["gathered_by"] == "Northshire Expert Citizens Group"


@pytest.mark.parametrize("name", ["episodes.csv", "contacts.csv", "workforce.csv", "kpis.csv", "sites.csv"])
def test_missing_required_file_refuses_the_return(tmp_path, name):
    v = returns.validate(make(tmp_path, remove=[name]))
    assert v.blocking
    [p] = find(v, file=name)
    assert p.blocking and "is missing" in p.message
    assert "Refused" in v.report()


def test_missing_optional_file_is_fine(tmp_path):
    v = returns.validate(make(tmp_path, remove=["documents.csv"]))
    assert not v.problems
    assert v.rows["documents"] == 0


def test_header_only_files_load(tmp_path):
    v = returns.validate(make(tmp_path, "ok/header-only-optional"))
    assert not v.problems
    assert v.rows["documents"] == 0 and v.rows["kpis"] == 0


def test_missing_meta_file(tmp_path):
    v = returns.validate(make(tmp_path, remove=["return.yaml"]))
    [p] = find(v, file="return.yaml")
    assert p.blocking and "is missing" in p.message


def test_missing_column_refuses_and_names_it(tmp_path):
    v = returns.validate(make(tmp_path, "bad/missing-column"))
    [p] = find(v, file="contacts.csv", column="staff_role")
    assert p.blocking and p.line == 1 and "missing from the header row" in p.message
    # The absent column is reported once, not again on every row as empty.
    assert len(find(v, column="staff_role")) == 1


def test_unknown_column_and_file_are_warnings(tmp_path):
    folder = make(tmp_path)
    (folder / "sites.csv").write_text(
        "site_id,name,private_waiting_area,women_only_space,"
        "open_outside_office_hours,drop_in,colour\nSITE1,Hub,yes,yes,no,yes,blue\n"
    )
    (folder / "notes.txt").write_text("hello")
    v = returns.validate(folder)
    assert not v.blocking
    assert find(v, file="sites.csv", column="colour", blocking=False)
    assert find(v, file="notes.txt", blocking=False)


def test_bad_period_refuses(tmp_path):
    v = returns.validate(make(tmp_path, "bad/bad-period"))
    [p] = find(v, file="return.yaml", column="period")
    assert p.blocking and p.value == "2026-Q5" and p.line == 4
    assert "2026-Q2" in p.message


def test_bad_yaml_names_the_line(tmp_path):
    v = returns.validate(make(tmp_path, "bad/bad-yaml"))
    [p] = find(v, file="return.yaml")
    assert p.blocking and p.line is not None and "not valid YAML" in p.message


def test_missing_meta_values_are_each_named(tmp_path):
    folder = make(tmp_path)
    (folder / "return.yaml").write_text("provider_id: P001\nperiod: 2026-Q2\nsubmitted_on: 14/07/2026\n")
    v = returns.validate(folder)
    assert {p.column for p in v.problems} == {"provider_name", "area", "submitted_on"}
    assert all(p.blocking for p in v.problems)


def test_duplicate_ids_refuse_the_return(tmp_path):
    v = returns.validate(make(tmp_path, "bad/duplicate-ids"))
    dup = find(v, file="episodes.csv", column="episode_id", blocking=True)
    assert [(p.line, p.value) for p in dup] == [(3, "E2"), (7, "E2")]
    assert "unique" in dup[0].message
    assert "on 2 lines: 3, 7" in v.report()


def test_cp1252_file_is_refused_naming_the_first_bad_line(tmp_path):
    v = returns.validate(make(tmp_path, "bad/cp1252"))
    [p] = find(v, file="documents.csv")
    assert p.blocking and p.line == 3
    assert "UTF-8" in p.message and "CSV UTF-8" in p.message


def test_byte_order_mark_is_accepted(tmp_path):
    v = returns.validate(make(tmp_path, "ok/bom"))
    assert not v.problems
    assert v.frames["contacts"]["contact_id"].iloc[0] == "C1"


def test_booleans_in_any_accepted_spelling(tmp_path):
    v = returns.validate(make(tmp_path, "ok/booleans"))
    assert not v.problems
    sites = v.frames["sites"].set_index("site_id")
    flags = ["private_waiting_area", "women_only_space", "open_outside_office_hours", "drop_in"]
    assert [bool(x) for x in sites.loc["SITE1", flags]] == [True, True, True, True]
    assert [bool(x) for x in sites.loc["SITE2", flags]] == [False, False, False, False]
    assert [bool(x) for x in sites.loc["SITE3", flags]] == [True, True, True, False]


def test_ragged_row_is_refused_with_its_line(tmp_path):
    v = returns.validate(make(tmp_path, "bad/ragged-row"))
    [p] = find(v, file="sites.csv")
    assert p.blocking and p.line == 3 and "double quotes" in p.message


@pytest.fixture(scope="module")
def row_problems(tmp_path_factory):
    return returns.validate(make(tmp_path_factory.mktemp("rows"), "bad/row-problems"))


@pytest.mark.parametrize(
    "file,line,column,value,words",
    [
        ("episodes.csv", 3, "discharge_reason", "", "is required when discharge_date is filled in"),
        ("episodes.csv", 4, "first_contact_date", "2026-04-28", "before this row's referral_date"),
        ("episodes.csv", 5, "discharge_date", "2026-07-03", "after the last day of the quarter"),
        ("episodes.csv", 6, "assessments", "0", "at least 1"),
        ("episodes.csv", 7, "referral_date", "14/05/2026", "YYYY-MM-DD"),
        ("episodes.csv", 7, "peer_support_offered", "maybe", "is not yes or no"),
        ("episodes.csv", 8, "sex", "", "must be filled in"),
        (
            "episodes.csv",
            9,
            "substance_group",
            "heroin",
            "is not one of opiate, non_opiate, alcohol, non_opiate_and_alcohol",
        ),
        ("contacts.csv", 3, "after_missed", "", "is required when outcome is missed"),
        ("contacts.csv", 4, "contact_date", "2026-07-23", "outside the quarter"),
        ("contacts.csv", 7, "episode_id", "E99", "is not the episode_id of any row in episodes.csv"),
        ("contacts.csv", 5, "episode_id", "E8", "held back"),
        ("contacts.csv", 6, "episode_id", "E8", "held back"),
        ("contacts.csv", 8, "episode_id", "E3", "held back"),
        ("workforce.csv", 3, "fte", "2", "at most 1.5"),
        ("workforce.csv", 5, "lived_experience", "maybe", "is not one of yes, no, prefer_not_to_say"),
    ],
)
def test_each_row_rule_is_reported_with_file_line_column_value(row_problems, file, line, column, value, words):
    [p] = find(row_problems, file=file, line=line, column=column)
    assert p.value == value and words in p.message and not p.blocking


def test_row_problems_quarantine_only_those_rows(row_problems):
    v = row_problems
    assert not v.blocking
    held = v.quarantined
    by_table = held.groupby("table_name")["line"].apply(sorted).to_dict()
    assert by_table == {"episodes": [3, 4, 5, 6, 7, 8, 9], "contacts": [3, 4, 5, 6, 7, 8], "workforce": [3, 5]}
    assert v.frames["episodes"]["episode_id"].tolist() == ["E1"]
    assert v.frames["contacts"]["contact_id"].tolist() == ["C1"]
    row = held[(held.table_name == "episodes") & (held.line == 7)].iloc[0]
    assert row.key_value == "E6"
    assert "referral_date: '14/05/2026'" in row.reasons and "peer_support_offered: 'maybe'" in row.reasons
    assert json.loads(row.row_json)["referral_date"] == "14/05/2026"
    child = held[(held.table_name == "contacts") & (held.line == 8)].iloc[0]
    assert "held back" in child.reasons
    # Every row is accounted for: loaded or held back, never dropped.
    assert len(v.frames["episodes"]) + len(by_table["episodes"]) == 8


def test_a_repeated_mistake_is_grouped_and_counted(tmp_path):
    folder = make(tmp_path)
    lines = ["contact_id,episode_id,contact_date,mode,outcome,after_missed,staff_role"]
    for n in range(1300):
        mode = "telephone" if n % 3 == 0 else "phone"
        lines.append(f"C{n},E1,2026-04-02,{mode},attended,,keyworker")
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n")
    v = returns.validate(folder)
    assert len(find(v, column="mode")) == 434
    report = v.report()
    assert (
        "contacts.csv, mode: 'telephone' is not one of in_person, phone, video, outreach, home_visit "
        "(on 434 lines: 2, 5, 8, 11, 14 … and 429 more)" in report
    )
    assert report.count("telephone") == 1


def test_blank_lines_keep_spreadsheet_line_numbers(tmp_path):
    folder = make(tmp_path)
    (folder / "sites.csv").write_text(
        "site_id,name,private_waiting_area,women_only_space,open_outside_office_hours,drop_in\n"
        "SITE1,Hub,yes,yes,no,yes\n\n,,,,,\nSITE2,Outreach,perhaps,no,no,no\n"
    )
    v = returns.validate(folder)
    [p] = v.problems
    assert p.line == 5 and p.value == "perhaps"


def test_pack_rules(tmp_path):
    v = returns.validate(make(tmp_path, "bad-pack/row-problems", base=GOOD_PACK))
    assert v.kind == "pack" and not v.blocking
    [consent] = find(v, column="consent")
    assert consent.line == 3 and consent.value == "maybe"
    [date] = find(v, column="gathered_on")
    assert date.line == 4 and date.value == "01/06/2026"
    assert v.frames["stories"]["story_id"].tolist() == ["ST1", "ST4"]


def test_return_and_pack_together_is_refused(tmp_path):
    folder = make(tmp_path)
    shutil.copy(GOOD_PACK / "pack.yaml", folder / "pack.yaml")
    assert returns.validate(folder).blocking


def test_not_a_submission(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    v = returns.validate(path)
    assert v.blocking and "folder, a .zip or an .xlsx" in v.problems[0].message


def test_batch_validation_keeps_submissions_apart(tmp_path):
    """Two returns checked in one pass: ids may repeat across returns, not within one."""
    a = make(tmp_path / "a")
    b = make(tmp_path / "b", "bad/row-problems")
    va, vb = returns.validate_many([a, b])
    assert not va.problems and va.rows["episodes"] == 5
    assert vb.rows["episodes"] == 1 and find(vb, line=9, column="substance_group")
    # Episode E3 is held back in b only: a's contacts of E3 stay.
    assert "C6" in va.frames["contacts"]["contact_id"].tolist()


def test_rule_phrases_are_all_used_by_the_specification():
    """Each phrase schemas.py turns into a check still appears in a column's meaning."""
    meanings = " ".join(c.meaning for t in spec.TABLES.values() for c in t.columns)
    for phrase in schemas.RULE_PHRASES:
        assert phrase in meanings, phrase
    fte = spec.WORKFORCE.column("fte")
    assert schemas.comparisons(fte) == [(">", 0.0), ("<=", 1.5)]


@pytest.mark.slow
def test_validate_command_exit_codes(tmp_path):
    from typer.testing import CliRunner

    from audits.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(GOOD_RETURN), str(make(tmp_path, "bad/row-problems"))])
    assert ok.exit_code == 0, ok.output
    assert "episodes.csv line 9, substance_group: 'heroin' is not one of" in ok.output
    assert "2 of 2 can be loaded" in ok.output
    refused = runner.invoke(app, ["validate", str(make(tmp_path, "bad/bad-period"))])
    assert refused.exit_code == 1 and "Refused" in refused.output and "Traceback" not in refused.output
    usage = runner.invoke(app, ["validate", str(tmp_path / "no-such-return")])
    assert usage.exit_code == 2
    assert runner.invoke(app, ["validate", "--help"]).exit_code == 0


def test_a_renamed_column_is_one_problem_with_a_suggestion(tmp_path):
    v = returns.validate(make(tmp_path, "bad/renamed-column"))
    [p] = v.problems
    assert p.blocking and p.file == "contacts.csv" and p.line == 1 and p.value == "Staff Role"
    assert "column G" in p.message and "Did you mean 'staff_role'?" in p.message
    assert "was ignored" not in v.report() and "is missing" not in v.report()


def test_a_semicolon_separated_file_is_one_problem_and_its_children_are_not_orphans(tmp_path):
    v = returns.validate(make(tmp_path, "bad/semicolon"))
    [p] = v.problems
    assert p.blocking and p.file == "episodes.csv" and p.line == 1
    assert "separated by semicolons" in p.message and "CSV UTF-8 (Comma delimited)" in p.message


def test_a_title_line_above_the_headings_is_one_problem(tmp_path):
    v = returns.validate(make(tmp_path, "bad/title-row"))
    [p] = v.problems
    assert p.blocking and p.file == "sites.csv" and p.line == 1
    assert p.value.startswith("Sites of Northgate") and "headings (site_id, …) are on line 2" in p.message


def test_an_empty_episodes_file_does_not_make_every_contact_an_orphan(tmp_path):
    v = returns.validate(make(tmp_path, "bad/empty-episodes"))
    [p] = v.problems
    assert p.blocking and p.file == "episodes.csv" and "is empty" in p.message


@pytest.mark.slow
def test_values_written_the_european_way_get_the_fix(tmp_path):
    folder = make(tmp_path, "bad/written-otherwise")
    v = returns.validate(folder)
    [period] = find(v, file="return.yaml", column="period")
    assert period.value == "Q2 2026" and "write 2026-Q2" in period.message
    (folder / "return.yaml").write_text((GOOD_RETURN / "return.yaml").read_text())
    v = returns.validate(folder)
    [dmy] = find(v, file="episodes.csv", line=2, column="referral_date")
    assert dmy.value == "02/03/2026" and "looks like day/month/year" in dmy.message and "YYYY-MM-DD" in dmy.message
    [ymd] = find(v, file="episodes.csv", line=3, column="referral_date")
    assert "with dashes" in ymd.message
    [fte] = find(v, file="workforce.csv", column="fte")
    assert fte.line == 3 and "comma as the decimal point" in fte.message and not fte.blocking


@pytest.mark.parametrize(
    "value,words",
    [
        ("2026 Q2", "write 2026-Q2"),
        ("q2-2026", "write 2026-Q2"),
        ("2026-05-14", "is in 2026-Q2"),
        ("2026-Q5", "1 to 4"),
    ],
)
def test_period_messages_suggest_the_quarter(tmp_path, value, words):
    folder = make(tmp_path)
    (folder / "return.yaml").write_text((GOOD_RETURN / "return.yaml").read_text().replace("2026-Q2", value))
    [p] = find(returns.validate(folder), column="period")
    assert p.blocking and words in p.message


@pytest.mark.parametrize(
    "text,line,words",
    [
        ("provider_id: P001\n\tarea: Northshire\n", 2, "there is a tab character (at position 1 of the line)"),
        (
            'provider_id: P001\nprovider_name: "Northgate\narea: Northshire\n',
            2,
            "a quote opened on this line is never closed",
        ),
        (
            "provider_id: P001\nprovider_name: Northgate: Recovery\n",
            2,
            'put the whole value in double quotes: provider_name: "Northgate: Recovery"',
        ),
    ],
)
def test_yaml_slips_in_return_yaml_are_named_with_the_fix(tmp_path, text, line, words):
    folder = make(tmp_path)
    (folder / "return.yaml").write_text(text)
    [p] = find(returns.validate(folder), file="return.yaml")
    assert p.blocking and p.line == line and words in p.message and "is not valid YAML" in p.message


def test_trailing_empty_cells_and_rows_from_excel_load(tmp_path):
    v = returns.validate(make(tmp_path, "ok/trailing-empty-cells"))
    assert not v.problems and v.frames["sites"]["site_id"].tolist() == ["SITE1", "SITE2"]


def test_a_story_with_a_line_break_and_doubled_quotes_loads(tmp_path):
    v = returns.validate(make(tmp_path, "ok/quoted-story", base=GOOD_PACK))
    assert not v.problems
    last = v.frames["stories"].iloc[-1]
    assert last["line"] == 5
    assert last["story"] == 'She said "come in, sit down".\nThen she made me a tea, and I stayed.'


def test_a_stray_quote_in_a_story_names_its_line(tmp_path):
    v = returns.validate(make(tmp_path, "bad-pack/stray-quote", base=GOOD_PACK))
    [p] = v.problems
    assert p.blocking and p.file == "stories.csv" and p.line == 5
    assert 'write each " twice ("")' in p.message
    folder = make(tmp_path / "open", base=GOOD_PACK)
    with open(folder / "stories.csv", "a") as f:
        f.write('ST4,2026-06-01,person_using_services,,yes,"I never closed this quote\nST5,x,y,,yes,z\n')
    [p] = returns.validate(folder).problems
    assert p.blocking and p.line == 5 and "never closed" in p.message


def test_story_words_in_the_wrong_column_are_never_echoed(tmp_path):
    """A problem in stories.csv names line and column, but a value that may be people's
    words (long, or more than one word) is not repeated in the report or the quarantine."""
    v = returns.validate(make(tmp_path, "bad-pack/words-in-wrong-column", base=GOOD_PACK))
    assert not v.blocking
    report = v.report() + " ".join(v.quarantined["reasons"])
    for words in ("keyworker told me", "born in the hospital", "my fault"):
        assert words not in report
    [consent, short] = find(v, column="consent")
    assert consent.line == 3 and consent.value == HIDDEN_VALUE
    assert HIDDEN_VALUE in report and "'Yes-please'" in report
    assert short.line == 6 and short.value == "Yes-please"  # a one-word code is still shown
    assert [p.line for p in find(v, column="gathered_on")] == [4]
    assert [p.line for p in find(v, column="teller")] == [5]
    assert v.frames["stories"]["story_id"].tolist() == ["ST1"]
