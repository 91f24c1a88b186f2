"""The plain-English report: one line per problem, repeats grouped and counted."""

from audits.problems import Problem, as_json_ready, group, quote, report


def test_one_problem_names_file_line_column_value_and_expectation():
    p = Problem(
        "episodes.csv",
        9,
        "substance_group",
        "heroin",
        "is not one of opiate, non_opiate, alcohol, non_opiate_and_alcohol",
        False,
    )
    assert p.text() == (
        "episodes.csv line 9, substance_group: 'heroin' is not one of opiate, "
        "non_opiate, alcohol, non_opiate_and_alcohol"
    )


def test_whole_file_problem_has_no_line():
    p = Problem("sites.csv", None, None, None, "is missing: it is required", True)
    assert p.text() == "sites.csv: is missing: it is required"


def test_a_mistake_repeated_on_1204_lines_is_one_line_counted():
    problems = [
        Problem("contacts.csv", 9 + 3 * n, "mode", "telephone", "is not one of in_person, phone", False)
        for n in range(1204)
    ]
    [g] = group(problems)
    assert g.count == 1204
    assert g.text() == (
        "contacts.csv, mode: 'telephone' is not one of in_person, phone "
        "(on 1,204 lines: 9, 12, 15, 18, 21 … and 1,199 more)"
    )


def test_many_different_values_are_summarised():
    problems = [Problem("episodes.csv", n, "sex", f"v{n}", "is not one of female, male", False) for n in range(2, 12)]
    text = group(problems)[0].text()
    assert text.startswith("episodes.csv, sex: 'v2', 'v3', 'v4' and 7 other values is not one of")
    assert "(on 10 lines: 2, 3, 4, 5, 6 … and 5 more)" in text


def test_report_lists_blocking_problems_first_then_file_by_file():
    problems = [
        Problem("contacts.csv", 4, "mode", "x", "is not one of a, b", False),
        Problem("episodes.csv", 7, "sex", "", "must be filled in", False),
        Problem("episodes.csv", 3, "sex", "", "must be filled in", False),
        Problem("kpis.csv", None, None, None, "is missing", True),
    ]
    text = report("Return P001 2026-Q2", problems, "Refused.")
    lines = text.splitlines()
    assert lines[:3] == ["Return P001 2026-Q2", "Refused.", "Problems that stop it loading (1):"]
    assert lines[3] == "  ✖ kpis.csv: is missing"
    assert lines[5] == "  ◐ contacts.csv line 4, mode: 'x' is not one of a, b"
    assert lines[6] == "  ◐ episodes.csv, sex: (empty) must be filled in (on 2 lines: 3, 7)"


def test_quote():
    assert quote("") == "(empty)"
    assert quote("abc") == "'abc'"
    assert quote("x" * 100) == "'" + "x" * 57 + "…'"


def test_json_form_for_the_store():
    problems = [Problem("a.csv", n, "c", "v", "is wrong", False) for n in range(2, 300)]
    [g] = as_json_ready(problems)
    assert g["count"] == 298 and len(g["lines"]) == 100 and g["text"].startswith("a.csv, c: 'v' is wrong")
