"""Editing a standard's text as the workshop's form does: form -> YAML -> form loses nothing.

`as_the_form_shows_it` walks every field the form shows for a standard, reads it as the widget
shows it and writes it back through the same conversions and edits the widgets' callbacks use.
For every standard in standards/ the text must come back byte for byte (comments, quotes and
layout included), and the standard the audit reads must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from audits import conditions as cd
from audits import standard_edit as se
from audits.expressions import compile_expression
from audits.kinds import KINDS
from audits.standard_files import parse_standard_text
from audits.standard_model import Standard, Threshold
from dashboard import workshop_form as wf

REAL = Path(__file__).resolve().parent.parent / "standards"
FILES = sorted(REAL.glob("*.yaml"))


def as_the_form_shows_it(text: str) -> str:
    """Every field of the form, shown and written back as its widget would."""
    doc = se.load(text)
    for name, field in Standard.model_fields.items():
        if name in wf.MANAGED:
            continue
        if name == "interview":  # a box for each group, one question a line (workshop_form.interview_widget)
            asked = se.get(doc, (name,)) or {}
            boxes = {g: "\n".join(str(q) for q in (se.get(doc, (name, g)) or [])) for g in asked}
            value = {
                g: [DoubleQuotedScalarString(" ".join(q.split())) for q in wf.as_lines(b)] for g, b in boxes.items()
            }
            text = se.edit(text, (name,), {g: q for g, q in value.items() if q} or None)
            continue
        item = wf._item_model(field.annotation)
        if item is not None:
            for i, _ in enumerate(se.get(doc, (name,)) or []):
                for sub in item.model_fields:
                    shown = wf.shown_text(se.get(doc, (name, i, sub)))
                    text = se.edit(text, (name, i, sub), wf.as_text(shown))
        elif name == "theme":
            text = se.edit(text, (name,), wf.as_theme(se.get(doc, (name,))))
        else:
            text = se.edit(text, (name,), wf.as_text(wf.shown_text(se.get(doc, (name,)))))
    for i, measure in enumerate(doc["measures"]):
        table, kind = str(measure["table"]), KINDS[str(measure["kind"])]
        text = se.edit(text, ("measures", i, "label"), wf.as_text(wf.shown_text(measure["label"])))
        text = se.set_table(text, i, table)
        text = se.set_kind(text, i, kind.name)
        for field in ("where", "count_if"):
            condition = cd.parse_condition(measure.get(field), table)
            assert condition is not None, (measure["id"], field)
            text = se.edit(text, ("measures", i, field), cd.render_condition(condition) or None)
        for field in ("value", "weight"):
            if measure.get(field):
                text = se.edit(text, ("measures", i, field), cd.render_number(cd.parse_number(measure[field], table)))
        for which in ("green", "amber"):
            current = Threshold.parse(str(measure[which])) if measure.get(which) else None
            op, number = (current.op, current.number) if current else (wf.NO_AMBER, None)
            text = se.edit(text, ("measures", i, which), wf.threshold_value(op, number, kind.percent))
        if kind.minimum_count:
            text = se.edit(text, ("measures", i, "min_count"), int(measure.get("min_count", 10)))
    return text


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_form_to_yaml_to_form_loses_nothing(path):
    text = path.read_text(encoding="utf-8")
    assert se.dump(se.load(text)) == text  # the YAML round trip keeps the file as written
    again = as_the_form_shows_it(text)
    assert again == text
    before, _ = parse_standard_text(text, path.name)
    after, problems = parse_standard_text(again, path.name)
    assert problems == [] and after == before


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_conditions_rewritten_from_the_menus_mean_the_same(path):
    """As if someone touched every condition's menus: each is rewritten from its structure, and
    the audit runs the same SQL."""
    text = path.read_text(encoding="utf-8")
    doc = se.load(text)
    for i, measure in enumerate(doc["measures"]):
        for field in ("where", "count_if"):
            if measure.get(field):
                doc["measures"][i][field] = cd.render_condition(cd.parse_condition(measure[field], measure["table"]))
    rewritten, problems = parse_standard_text(se.dump(doc), path.name)
    original, _ = parse_standard_text(text, path.name)
    assert problems == []
    for a, b in zip(original.measures, rewritten.measures):
        for field in ("where", "count_if"):
            if getattr(a, field):
                assert compile_expression(getattr(a, field), a.table) == compile_expression(getattr(b, field), b.table)


def test_an_edit_keeps_comments_and_changes_only_its_line():
    text = (REAL / "trauma-informed-access.yaml").read_text(encoding="utf-8")
    changed = se.edit(text, ("measures", 1, "green"), ">= 80%")
    diff = [(a, b) for a, b in zip(text.splitlines(), changed.splitlines()) if a != b]
    assert diff == [('    green: ">= 90%"', '    green: ">= 80%"')]
    assert "# Referrals of the last 3 days of the quarter are left out" in changed
    assert se.edit(text, ("measures", 1, "green"), ">=90%") == text  # the same threshold, written differently


def test_long_text_is_folded_and_quotes_stay_as_the_founding_files_keep_them():
    text = (REAL / "aftercare.yaml").read_text(encoding="utf-8")
    statement = "Support does not stop when treatment ends. " * 4
    changed = se.edit(text, ("statement",), statement)
    assert "statement: >\n  Support does not stop" in changed
    block = changed.split("statement: >\n")[1].split("why:")[0]
    assert len(block.splitlines()) == 3 and all(len(line) <= se.WIDTH for line in block.splitlines())
    changed = se.add_item(changed, ("voices",))
    changed = se.edit(changed, ("voices", 2, "quote"), 'They said "no": I came back.')
    changed = se.edit(changed, ("voices", 2, "source"), "Expert Link National Advisory Panel, 2020")
    standard, problems = parse_standard_text(changed, "aftercare.yaml")
    assert problems == []
    assert " ".join(standard.statement.split()) == " ".join(statement.split())
    assert standard.voices[2].quote == 'They said "no": I came back.'
    assert '  - quote: "They said \\"no\\": I came back."' in changed


def test_a_value_never_takes_the_quotes_of_the_value_it_replaces():
    text = "id: x\nvoices:\n  - quote: ''\n    source: ''\n"
    changed = se.edit(text, ("voices", 0, "source"), "Test group, 2020")
    assert "source: Test group, 2020" in changed


def test_changing_what_is_worked_out_gives_the_fields_the_kind_needs():
    text = (REAL / "choice-in-how-to-engage.yaml").read_text(encoding="utf-8")
    for kind in KINDS:
        changed = se.set_kind(text, 0, kind)
        standard, problems = parse_standard_text(changed, "choice-in-how-to-engage.yaml")
        assert problems == [], (kind, problems)
        assert standard.measures[0].kind == kind
        assert ("min_count" in se.get(se.load(changed), ("measures", 0))) <= KINDS[kind].minimum_count
    median = se.set_kind(text, 0, "median")
    assert se.get(se.load(median), ("measures", 0, "value")) == "first_contact_date - referral_date"
    assert "count_if" not in se.get(se.load(median), ("measures", 0))


def test_changing_who_is_counted_starts_the_conditions_afresh():
    text = (REAL / "housing-support.yaml").read_text(encoding="utf-8")
    changed = se.set_table(text, 0, "sites")
    measure = se.get(se.load(changed), ("measures", 0))
    assert measure["table"] == "sites" and "where" not in measure
    assert measure["count_if"] == "private_waiting_area"
    assert parse_standard_text(changed, "housing-support.yaml")[1] == []


def test_a_new_standard_from_a_blank_or_a_copy_is_a_valid_draft_and_a_new_measure_is_named_by_its_label():
    blank = se.blank("drop-in-access", "People can walk in without an appointment")
    _, problems = parse_standard_text(blank, "drop-in-access.yaml")
    assert [p.message.split(" is empty")[0] for p in problems] == ["statement", "why"]  # the group's words to write
    blank = se.edit(se.edit(blank, ("statement",), "People can walk in."), ("why",), "Appointments are a barrier.")
    standard, problems = parse_standard_text(blank, "drop-in-access.yaml")
    assert problems == [] and standard.status == "draft" and standard.version == 1
    copy = se.copy_of((REAL / "aftercare.yaml").read_text(encoding="utf-8"), "aftercare-two", "Aftercare, again")
    standard, problems = parse_standard_text(copy, "aftercare-two.yaml")
    assert problems == [] and standard.status == "draft" and standard.approved_by is None
    more = se.add_measure(blank)
    more = se.edit(more, ("measures", 1, "label"), "Sites where people can walk in")
    ids = [m["id"] for m in se.get(se.load(more), ("measures",))]
    assert ids == ["new-measure-1", "sites-where-people-can-walk-in"]
    fewer = se.remove(more, ("measures", 0))
    assert [m["id"] for m in se.get(se.load(fewer), ("measures",))] == ["sites-where-people-can-walk-in"]


def test_a_new_optional_field_of_the_model_finds_its_place():
    """Fields go where the model lists them, so a field added to the model later (such as
    interview prompts) is written in its place with no change here."""
    assert se.model_at(("voices", 0, "quote")).__name__ == "Voice"
    assert se.model_at(("measures", 0, "green")).__name__ == "Measure"
    text = (REAL / "aftercare.yaml").read_text(encoding="utf-8")
    changed = se.edit(text, ("measures", 0, "min_count"), 5)
    lines = changed.splitlines()
    assert lines.index("    min_count: 5") == lines.index('    amber: ">= 75%"') + 1
    assert se.edit(text, ("measures", 0, "min_count"), 10) == text  # the model's default is not written


def test_text_that_is_not_yaml_is_refused_plainly():
    with pytest.raises(se.EditError, match="cannot be read"):
        se.edit("id: [unclosed", ("title",), "x")
    with pytest.raises(se.EditError, match="not a standard"):
        se.load("- a list")


GUIDE = REAL.parent / "docs" / "standards-guide.md"


def test_the_guides_worked_examples_done_in_the_workshops_form_give_the_guides_files():
    """The guide says how to make each worked example in the workshop; doing it with the form's
    own edits gives the standard the guide's YAML writes out."""
    block = GUIDE.read_text(encoding="utf-8").split("```yaml\n   # yaml-language-server")[1].split("   ```")[0]
    written = "# yaml-language-server" + "\n".join(line.removeprefix("   ") for line in block.splitlines())
    guide, problems = parse_standard_text(written + "\n", "drop-in-access.yaml")
    assert problems == []
    text = se.blank("drop-in-access", guide.title)
    text = se.edit(se.edit(text, ("statement",), guide.statement), ("why",), guide.why)
    text = se.add_item(text, ("voices",))
    text = se.edit(text, ("voices", 0, "quote"), guide.voices[0].quote)
    text = se.edit(text, ("voices", 0, "source"), guide.voices[0].source)
    text = se.edit(text, ("measures", 0, "label"), guide.measures[0].label)
    text = se.set_table(text, 0, "sites")  # Who or what is counted: Sites
    about = cd.with_part(cd.first_clause("sites"), "field", "drop_in", "sites")  # About: People can be seen ...
    text = se.edit(text, ("measures", 0, "count_if"), cd.render_condition(((about,),)))
    for which, op, number in (("green", ">=", 75), ("amber", ">=", 50)):
        text = se.edit(text, ("measures", 0, which), wf.threshold_value(op, number, True))
    text = se.edit(text, ("measures", 0, "min_count"), 1)
    made, problems = parse_standard_text(text, "drop-in-access.yaml")
    assert problems == []
    assert made.model_dump(exclude={"measures"}) == guide.model_dump(exclude={"measures"})
    assert made.measures[0].model_dump(exclude={"id"}) == guide.measures[0].model_dump(exclude={"id"})

    workforce = (REAL / "lived-experience-workforce.yaml").read_text(encoding="utf-8")
    by_hand = workforce.replace('green: ">= 90%"\n    amber: ">= 75%"', 'green: ">= 95%"\n    amber: ">= 85%"')
    in_form = se.edit(
        se.edit(workforce, ("measures", 1, "green"), wf.threshold_value(">=", 95, True)),
        ("measures", 1, "amber"),
        wf.threshold_value(">=", 85, True),
    )
    assert in_form == by_hand
