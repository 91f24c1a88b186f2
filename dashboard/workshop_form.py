"""Form: a whole standard in plain words, and its YAML under "Advanced", in step both ways.

The fields come from the model of a standard (audits.standard_model), so a new optional field there
appears here with its label and hint: a text field becomes a box, a list of texts a box with
one on each line, a list of small records (like voices) a block each with "Add" and "Remove".
FIELDS gives a field its words and its place; a field not listed still appears, labelled with
its description. Measures have their own form (who or what is counted, what counts, the bars),
because they are the part a group needs help with most. Every change goes straight into the
working copy's text (dashboard.workshop_state), so nothing is lost between views or pages.
"""

from __future__ import annotations

import html
import json
import re
import typing
import urllib.parse
from dataclasses import dataclass

import streamlit as st
from pydantic import BaseModel, ValidationError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from audits import sentences, standard_edit, vocabulary, words
from audits.kinds import KINDS, kind_of
from audits.standard_model import Measure, Standard, Threshold
from dashboard import ui
from dashboard import workshop_conditions as wc
from dashboard import workshop_state as ws


@dataclass(frozen=True)
class Words:
    label: str
    help: str = ""
    long: bool = False  # a text box of several lines


# A field's words in the form. The workshop sets these fields itself, so they are not shown:
MANAGED = ("id", "version", "status", "approved_by", "approved_on", "measures")
FIELDS: dict[str, Words] = {
    "title": Words("Title", "The standard in a few plain words."),
    "theme": Words("Theme", "One word that groups standards together, such as access, workforce or recovery."),
    "statement": Words("What good looks like", "In the group's own words.", long=True),
    "why": Words("Why it matters", "In the group's own words.", long=True),
    "voices": Words("Voices", "One to three quotes from people with lived experience, each with its source."),
    "quote": Words(
        "The words, exactly as they were said or written", "Keep their spelling and punctuation.", long=True
    ),
    "source": Words(
        "Where they come from: the group and the year",
        "For example: Expert Link National Advisory Panel, 2020. Never a private person's name.",
    ),
}
ITEM = {"voices": "voice"}  # what one item of a list is called ("Add a voice")

OP_WORDS = {">=": "at least", "<=": "at most", "=": "exactly", ">": "more than", "<": "less than"}
NO_AMBER = "none"
NO_AMBER_WORDS = "never: it is met or not met"


def words_of(name: str, field) -> Words:
    return FIELDS.get(name) or Words(name.replace("_", " ").capitalize(), field.description or "")


def _item_model(annotation) -> type[BaseModel] | None:
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        found = _item_model(arg)
        if found:
            return found
    return None


def _is_text_list(annotation) -> bool:
    return any(
        typing.get_origin(a) is list and typing.get_args(a) == (str,)
        for a in (annotation, *typing.get_args(annotation))
    )


# --------------------------------------------------------------------------- what a widget gives, as the file keeps it


def as_text(value: str | None) -> str | None:
    """A text box: its words; emptied, the field is left out (and the check says if it is needed)."""
    return value if (value or "").strip() else None


def as_theme(value: str | None) -> str | None:
    return (value or "").strip().lower() or None


def theme_label(theme: str) -> str:
    """A theme as the list shows it: 'harm reduction' for the file's 'harm-reduction' or
    'harm_reduction', with a capital first letter, so that nobody reads an id."""
    words = str(theme).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def as_lines(value: str | None) -> list[str] | None:
    """A box with one item on each line."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()] or None


def shown_text(value) -> str:
    """What a text box shows of a field."""
    return "" if value is None else str(value).strip()


def threshold_value(op: str, number: float | None, percent: bool) -> str | None:
    """[at least] [90] % as the file writes it: '>= 90%'; no partly met: None."""
    if op == NO_AMBER:
        return None
    return f"{op} {float(number or 0):g}{'%' if percent else ''}"


# --------------------------------------------------------------------------- generic fields


def field_widget(standard_id: str, doc, path: tuple, name: str, field, themes: list[str]) -> None:
    """One field of the model, drawn by its type."""
    words = words_of(name, field)
    value = standard_edit.get(doc, path)
    key = ws.key(standard_id, *path)
    item = _item_model(field.annotation)
    if item is not None:
        _list_of_records(standard_id, doc, path, name, item, field)
        return
    if _is_text_list(field.annotation):
        text = "\n".join(str(v) for v in value or [])
        st.text_area(
            words.label,
            value=text,
            help=(words.help + " One on each line.").strip(),
            key=key,
            on_change=ws.set_field,
            args=(
                standard_id,
                path,
                key,
                as_lines,
            ),
        )
        return
    if name == "theme":
        options = sorted(set(themes) | ({str(value)} if value else set()))
        st.selectbox(
            words.label,
            options,
            index=options.index(str(value)) if value in options else None,
            format_func=theme_label,
            help=words.help + " Choose one, or type a new one.",
            accept_new_options=True,
            key=key,
            on_change=ws.set_field,
            args=(standard_id, path, key, as_theme),
        )
        return
    widget = st.text_area if words.long else st.text_input
    widget(
        words.label,
        value=shown_text(value),
        help=words.help or None,
        placeholder=words.help or None,
        key=key,
        on_change=ws.set_field,
        args=(standard_id, path, key, as_text),
    )


def _list_of_records(standard_id: str, doc, path: tuple, name: str, item: type[BaseModel], field) -> None:
    """A list of small records (voices, or any list of the kind added later): a block each."""
    words = words_of(name, field)
    one = ITEM.get(name, "item")
    records = standard_edit.get(doc, path) or []
    most = next((m.max_length for m in field.metadata if hasattr(m, "max_length")), None)
    st.markdown(f"**{words.label}**")
    if words.help:
        st.caption(words.help)
    for i, _record in enumerate(records):
        with st.container(border=True, key=f"ws_{name}_{i}"):
            for sub, subfield in item.model_fields.items():
                field_widget(standard_id, doc, path + (i, sub), sub, subfield, [])
            st.button(
                f"Remove this {one}",
                key=ws.key(standard_id, *path, i, "remove"),
                icon=":material/delete:",
                on_click=ws.apply,
                args=(standard_id, standard_edit.remove, path + (i,)),
                kwargs={"from_form": False},
            )
    if most is None or len(records) < most:
        st.button(
            f"Add a {one}",
            key=ws.key(standard_id, *path, "add"),
            icon=":material/add:",
            on_click=ws.apply,
            args=(standard_id, standard_edit.add_item, path),
            kwargs={"from_form": False},
        )
    else:
        st.caption(f"A standard has at most {most} {name}: keep the strongest ones.")


INTERVIEW_GROUPS = {
    "people_using_services": "Questions for people using the service",
    "families": "Questions for family members",
    "staff": "Questions for staff",
}


def interview_widget(standard_id: str, doc) -> None:
    """The interview guide (`interview`): what peer interviewers ask about this standard, a box
    for each group with one question a line. A group left empty is asked general questions."""
    st.markdown("**Interview guide: what peer interviewers ask about this standard**")
    st.caption(
        "One question a line, up to four for each group, in plain words as you would ask them. A group left "
        "empty is asked general questions about the statement. Printed on one page for each visit."
    )
    keys = {group: ws.key(standard_id, "interview", group) for group in INTERVIEW_GROUPS}
    for group, label in INTERVIEW_GROUPS.items():
        asked = standard_edit.get(doc, ("interview", group)) or []
        st.text_area(
            label,
            value="\n".join(str(q) for q in asked),
            height=110,
            key=keys[group],
            on_change=_set_interview,
            args=(standard_id, keys),
        )


def _set_interview(standard_id: str, keys: dict[str, str]) -> None:
    """All three boxes into the one field, as the file keeps it (each question in quotes)."""
    asked = {group: as_lines(st.session_state.get(key)) for group, key in keys.items()}
    value = {g: [DoubleQuotedScalarString(" ".join(q.split())) for q in qs] for g, qs in asked.items() if qs}
    ws.apply(standard_id, standard_edit.edit, ("interview",), value or None)


# --------------------------------------------------------------------------- measures


def _plain(value):
    return json.loads(json.dumps(value, default=str))


def measure_model(doc, index: int) -> Measure | None:
    """The measure as the model reads it, when it has no problem (for its sentence)."""
    try:
        return Measure.model_validate(_plain(standard_edit.get(doc, ("measures", index))))
    except (ValidationError, ValueError, TypeError):
        return None


def read_back(measure: Measure | None) -> None:
    """The measure said back in one sentence, as the dashboard and the PDF will say it."""
    if measure is None:
        st.markdown(
            _sentence_box("The sentence that reads this measure back appears when the problems below are fixed."),
            unsafe_allow_html=True,
        )
        return
    st.markdown(_sentence_box(sentences.read_back(measure)), unsafe_allow_html=True)


def _sentence_box(text: str) -> str:
    return (
        '<div role="note" aria-label="The measure in one sentence" style="border-left: 4px solid #00756b; '
        'background: #e0f3ef; padding: 0.6rem 0.8rem; border-radius: 0.3rem; margin: 0.2rem 0 0.8rem 0">'
        f"<strong>In one sentence:</strong> {html.escape(text)}</div>"
    )


def _threshold(standard_id: str, path: tuple, op_key: str, number_key: str, percent: bool) -> None:
    op = st.session_state.get(op_key)
    number = st.session_state.get(number_key)
    if op != NO_AMBER and number is None:  # a partly met bar just added: start it a little below (or above) met
        green = standard_edit.get(standard_edit.load(ws.work(standard_id)["text"]), path[:-1] + ("green",))
        try:
            bar = Threshold.parse(str(green))
            number = max(0.0, bar.number - 15) if op in (">=", ">") else bar.number + 15
        except ValueError:
            number = 0
    value = threshold_value(op, number, percent)
    # a partly met bar added or taken out changes the widgets shown: redraw the form then
    added_or_removed = (op == NO_AMBER) != (
        standard_edit.get(standard_edit.load(ws.work(standard_id)["text"]), path) is None
    )
    ws.apply(standard_id, standard_edit.edit, path, value, from_form=not added_or_removed)


def bar_widgets(standard_id: str, doc, index: int, which: str, label: str) -> None:
    """[at least] [90] % : a threshold as a comparison, a number and the kind's unit."""
    path = ("measures", index, which)
    measure = standard_edit.get(doc, ("measures", index))
    kind = kind_of(str(measure.get("kind")))
    try:
        current = Threshold.parse(str(standard_edit.get(doc, path))) if standard_edit.get(doc, path) else None
    except ValueError:
        current = None
    ops = dict(OP_WORDS)
    if which == "amber":
        ops = {NO_AMBER: NO_AMBER_WORDS, **ops}
    op_key, number_key = ws.key(standard_id, *path, "op"), ws.key(standard_id, *path, "number")
    args = (standard_id, path, op_key, number_key, kind.percent)
    unit = "%" if kind.percent else kind.threshold_unit(measure_model(doc, index) or _loose(measure)).strip()
    op = current.op if current else (NO_AMBER if which == "amber" else ">=")
    st.markdown(
        f"<div style='font-size: 0.875rem; margin-bottom: -0.25rem'>{html.escape(label)}</div>", unsafe_allow_html=True
    )
    # one line, even on a phone: [at least] [90] %
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.selectbox(
            label,
            list(ops),
            index=list(ops).index(op),
            format_func=ops.get,
            key=op_key,
            on_change=_threshold,
            args=args,
            width=150 if op != NO_AMBER else 280,
            label_visibility="collapsed",
        )
        if op != NO_AMBER:
            st.number_input(
                f"{label}: number",
                value=float(current.number if current else 0),
                min_value=0.0,
                step=1.0,
                format="%g",
                key=number_key,
                on_change=_threshold,
                args=args,
                label_visibility="collapsed",
                width=105,
            )
            if unit:
                st.markdown(html.escape(unit), width="content")


def _loose(measure):
    """A stand-in with a measure's table and value, for a unit when the measure has problems."""
    return type("Loose", (), {"table": measure.get("table"), "value": measure.get("value")})()


def measure_form(standard_id: str, doc, index: int) -> None:
    measure = standard_edit.get(doc, ("measures", index))
    table = str(measure.get("table"))
    kind_name = str(measure.get("kind"))
    path = ("measures", index)
    n = index + 1
    with st.container(border=True, key=f"ws_measure_{index}"):
        st.markdown(f"#### Measure {n}: {ui.md(measure.get('label') or '')}")
        read_back(measure_model(doc, index))
        key = ws.key(standard_id, *path, "label")
        st.text_input(
            "What is measured, in a few plain words",
            value=str(measure.get("label") or ""),
            key=key,
            on_change=ws.set_field,
            args=(standard_id, path + ("label",), key),
        )
        tables = list(vocabulary.COUNTED)
        key = ws.key(standard_id, *path, "table")
        st.selectbox(
            "Who or what is counted",
            tables,
            index=tables.index(table) if table in tables else None,
            placeholder="Choose who or what is counted",
            format_func=lambda t: vocabulary.counted(t).menu,
            key=key,
            on_change=_set_table,
            args=(standard_id, index, key),
            help="Changing this starts the conditions afresh, as each table has its own columns.",
        )
        if table not in vocabulary.COUNTED or kind_name not in KINDS:
            st.caption(
                "The rest of this measure appears when who or what is counted, and what is worked out, are "
                "ones the form knows: choose them here, or correct them in the YAML under Advanced."
            )
            if table in vocabulary.COUNTED:
                _kind_choice(standard_id, index, kind_name, table, vocabulary.counted(table).noun, words.unit(table, 1))
            return
        noun = vocabulary.counted(table).noun
        st.markdown(f"**Which {noun} are looked at**")
        wc.condition_editor(
            standard_id, doc, path + ("where",), table, "Which are looked at", f"All {noun} are looked at."
        )
        one = words.unit(table, 1)
        _kind_choice(standard_id, index, kind_name, table, noun, one)
        kind = KINDS[kind_name]
        fields = kind.needs + kind.allows
        if "count_if" in fields:
            st.markdown(f"**Which of them count towards the {kind.title.lower().removeprefix('a ')}**")
            wc.condition_editor(
                standard_id, doc, path + ("count_if",), table, "What counts", "Add at least one condition."
            )
        if "value" in fields:
            wc.number_picker(standard_id, doc, path + ("value",), table, f"The number taken from each {one}")
        weights = [c for c in vocabulary.menu_columns(table) if vocabulary.field_of(table, c).weight]
        if "weight" in fields and (weights or measure.get("weight")):
            wc.number_picker(
                standard_id, doc, path + ("weight",), table, "How each is counted", once="Each counted once"
            )
        st.markdown("**When it is met**")
        bar_widgets(standard_id, doc, index, "green", "Met when the figure is")
        bar_widgets(standard_id, doc, index, "amber", "Partly met when the figure is")
        if kind.minimum_count:
            key = ws.key(standard_id, *path, "min_count")
            st.number_input(
                f"Too few to tell with fewer than this many {noun}",
                value=int(measure.get("min_count", 10)),
                min_value=1,
                step=1,
                key=key,
                on_change=ws.set_field,
                args=(standard_id, path + ("min_count",), key, int),
                help="A handful of people cannot show whether a service is good or bad. 10 unless you say otherwise.",
            )
        st.button(
            f"Remove measure {n}",
            key=ws.key(standard_id, *path, "remove"),
            icon=":material/delete:",
            on_click=ws.apply,
            args=(standard_id, standard_edit.remove, path),
            kwargs={"from_form": False},
            disabled=len(doc.get("measures") or []) <= 1,
            help="A standard needs at least one measure.",
        )


def _kind_choice(standard_id: str, index: int, kind_name: str, table: str, noun: str, one: str) -> None:
    """What is worked out: every registered kind the table can give (a middle value needs a
    number from each row, which sites, say, do not have)."""
    key = ws.key(standard_id, "measures", index, "kind")
    kinds = [k for k in KINDS if "value" not in KINDS[k].needs or standard_edit.default_number(table)]
    kinds += [kind_name] if kind_name in KINDS and kind_name not in kinds else []
    st.radio(
        "What is worked out",
        kinds,
        index=kinds.index(kind_name) if kind_name in kinds else None,
        format_func=lambda k: _for_people(f"{KINDS[k].title}: {KINDS[k].explanation}", noun, one),
        key=key,
        on_change=_set_kind,
        args=(standard_id, index, key),
    )


def _for_people(explanation: str, noun: str, one: str) -> str:
    """A kind's explanation with 'rows' said as what this measure counts: 'the share of the
    people looked at that meet a condition'."""
    return re.sub(r"\brows\b", noun, re.sub(r"\brow\b", one, explanation))


def _set_table(standard_id: str, index: int, key: str) -> None:
    ws.apply(standard_id, standard_edit.set_table, index, st.session_state.get(key), from_form=False)


def _set_kind(standard_id: str, index: int, key: str) -> None:
    ws.apply(standard_id, standard_edit.set_kind, index, st.session_state.get(key), from_form=False)


# --------------------------------------------------------------------------- the whole standard


def standard_form(standard_id: str, themes: list[str]) -> bool:
    """The form of the working copy; False when its YAML cannot be read (the form waits)."""
    try:
        doc = standard_edit.load(ws.work(standard_id)["text"])
    except standard_edit.EditError:
        st.warning(
            "The YAML under Advanced cannot be read just now, so the form is waiting for it. "
            "Nothing is lost: fix the line the message names, and the form comes back.",
            icon=":material/warning:",
        )
        return False
    st.subheader("About the standard")
    for name, field in Standard.model_fields.items():
        if name in MANAGED:
            continue
        if name == "interview":
            interview_widget(standard_id, doc)
            continue
        field_widget(standard_id, doc, (name,), name, field, themes)
    st.subheader("How it is checked")
    st.caption(
        "Each measure counts what providers report in their quarterly returns. The sentence at the top of a "
        "measure says what it counts, and changes as you change the menus."
    )
    for index in range(len(doc.get("measures") or [])):
        measure_form(standard_id, doc, index)
    st.button(
        "Add a measure",
        key=ws.key(standard_id, "measures", "add"),
        icon=":material/add:",
        on_click=ws.apply,
        args=(standard_id, standard_edit.add_measure),
        kwargs={"from_form": False},
    )
    return True


# --------------------------------------------------------------------------- the YAML, with line numbers

LINE_HEIGHT = 21  # px: the gutter's numbers are drawn at this spacing


def _gutter(lines: int) -> str:
    """An SVG of line numbers for the YAML box's background, scrolling with its text."""
    count = max(lines, 1) + 200
    numbers = "".join(
        f'<text x="34" y="{LINE_HEIGHT * i + 15 + 8}" text-anchor="end">{i + 1}</text>' for i in range(count)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="44" height="{LINE_HEIGHT * count + 16}">'
        f'<rect width="42" height="100%" fill="#f3f3f3"/>'
        f'<g font-family="monospace" font-size="12" fill="#6b6b6b">{numbers}</g></svg>'
    )
    return "data:image/svg+xml;utf8," + urllib.parse.quote(svg)


def yaml_editor(standard_id: str) -> None:
    """The standard's YAML, editable, with line numbers beside it."""
    text = ws.work(standard_id)["text"]
    key = ws.yaml_key(standard_id)
    st.html(
        f"""<style>
.st-key-ws_yaml textarea {{
  font-family: "Source Code Pro", monospace; font-size: 14px; line-height: {LINE_HEIGHT}px;
  white-space: pre; overflow-wrap: normal; overflow-x: auto; tab-size: 2;
  padding: 8px 8px 8px 52px; background: url("{_gutter(text.count(chr(10)) + 1)}") no-repeat local, #ffffff;
}}
</style>"""
    )
    with st.container(key="ws_yaml"):
        st.text_area(
            "The standard as a text file (YAML), with line numbers",
            value=text,
            height=min(40 + LINE_HEIGHT * (text.count("\n") + 2), 1400),
            key=key,
            on_change=_yaml_changed,
            args=(standard_id, key),
            help="Changes here show in the form above as soon as you click outside the box (or press Ctrl+Enter).",
        )


def _yaml_changed(standard_id: str, key: str) -> None:
    ws.replace(standard_id, st.session_state.get(key) or "", from_yaml=True)
