"""Form: a condition built from menus, and a number taken from each row.

"Only count people … [Referral date] [on or after] [the first day of the quarter]"; "What
counts … [Days between two dates] from [Referral date] to [Date of the first supportive
contact] [at most] [3]". audits.conditions reads and writes the text and audits.vocabulary
names every field and value; this module only draws the menus and passes each choice on. A
condition the menus cannot show is kept as written, in a box of its own, never rewritten.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from audits import conditions as cd
from audits import spec, standard_edit, vocabulary
from dashboard import workshop_state as ws

NUMBER_OPS = {">=": "at least", "<=": "at most", "=": "exactly", ">": "more than", "<": "less than", "<>": "not"}
OPS = {
    cd.YES_NO: {"yes": "Yes", "no": "No"},
    cd.CODE: {"in": "is one of", "not_in": "is not one of"},
    cd.NUMBER: NUMBER_OPS,
    cd.DAYS: NUMBER_OPS,
    cd.DATE: {">=": "on or after", ">": "after", "<=": "on or before", "<": "before", "=": "on"},
    cd.TEXT: {
        "contains": "contains",
        "starts": "starts with",
        "ends": "ends with",
        "is": "is (capitals or not)",
        "equals": "is exactly",
    },
}
FILLED_OPS = {"filled": "is filled in", "empty": "is empty"}
WHEN_WORDS = {
    "start": "the first day of the quarter",
    "end": "the last day of the quarter",
    "before_end": "a number of days before the last day of the quarter",
    "before_start": "a number of days before the first day of the quarter",
    "after_start": "a number of days after the first day of the quarter",
    "after_end": "a number of days after the last day of the quarter",
    "day": "a day I choose",
}


def _name(table: str, column: str) -> str:
    if column == cd.DAYS_FIELD:
        return "Days between two dates"
    if column in vocabulary.QUARTER_DAYS:
        return vocabulary.QUARTER_DAYS[column].capitalize()
    return vocabulary.field_of(table, column).name


def _current(standard_id: str, path: tuple, table: str) -> cd.Condition | None:
    doc = standard_edit.load(ws.work(standard_id)["text"])
    return cd.parse_condition(standard_edit.get(doc, path), table)


def _write(standard_id: str, path: tuple, condition: cd.Condition, redraw: bool = True) -> None:
    """The condition into the text; `redraw` the form when the menus it shows change (a clause
    added, removed or of another kind), not for a value typed into a menu that stays."""
    ws.apply(standard_id, standard_edit.edit, path, cd.render_condition(condition) or None, from_form=not redraw)


def _clause_changed(standard_id: str, path: tuple, table: str, group: int, index: int, part: str, key: str) -> None:
    condition = _current(standard_id, path, table)
    if condition is None:
        return
    value = st.session_state.get(key)
    if part == "values" and not value:
        ws.flash("info", "Choose at least one value, or remove the condition.")
        ws.work(standard_id)["rev"] += 1  # redraw the menu with the values it still has
        return
    if part == "values" and isinstance(value, str):  # words looked for, one on each line
        value = [line for line in value.splitlines() if line.strip()]
    before = condition[group][index]
    clause = cd.with_part(before, part, value, table)
    same_menus = clause.type == before.type and part in ("values", "number", "days", "day", "since", "later")
    _write(standard_id, path, cd.with_clause(condition, group, index, clause), redraw=not same_menus)


def _removed(standard_id: str, path: tuple, table: str, group: int, index: int) -> None:
    condition = _current(standard_id, path, table)
    if condition is not None:
        _write(standard_id, path, cd.with_clause(condition, group, index, None))


def _added(standard_id: str, path: tuple, table: str, group: int | None) -> None:
    condition = _current(standard_id, path, table) or ()
    _write(standard_id, path, cd.with_added(condition, table, group))


def _raw_changed(standard_id: str, path: tuple, key: str) -> None:
    ws.apply(standard_id, standard_edit.edit, path, st.session_state.get(key) or None, from_form=False)


def condition_editor(standard_id: str, doc, path: tuple, table: str, name: str, empty: str) -> None:
    """Every clause of a condition as menus, each in a box of its own; `name` says which
    condition it is (for the box of a condition kept as written), `empty` what none means."""
    doc = standard_edit.load(ws.work(standard_id)["text"])
    text = standard_edit.get(doc, path)
    condition = cd.parse_condition(text, table)
    if condition is None:
        st.caption(
            "This condition is written in a way the menus cannot show, so it is kept exactly as written. "
            "Change it here or in the YAML under Advanced; the sentence above says what it counts."
        )
        key = ws.key(standard_id, *path, "raw")
        st.text_input(
            f"{name}: the condition as written",
            value=str(text),
            key=key,
            on_change=_raw_changed,
            args=(standard_id, path, key),
        )
        return
    if not condition:
        st.caption(empty)
    for g, group in enumerate(condition):
        if g:
            st.markdown("**or**")
        for i, clause in enumerate(group):
            if i:
                st.caption("and")
            _clause_row(standard_id, path, table, g, i, clause)
        if len(group) and st.button(
            "And another condition",
            key=ws.key(standard_id, *path, g, "and"),
            icon=":material/add:",
            on_click=_added,
            args=(standard_id, path, table, g),
            type="tertiary",
        ):
            pass
    st.button(
        "Or, another way to be counted" if condition else "Add a condition",
        key=ws.key(standard_id, *path, "or"),
        icon=":material/add:",
        on_click=_added,
        args=(standard_id, path, table, None),
        type="tertiary",
    )


def _clause_row(standard_id: str, path: tuple, table: str, g: int, i: int, clause: cd.Clause) -> None:
    def key(part: str) -> str:
        return ws.key(standard_id, *path, g, i, part)

    def changed(part: str) -> dict:
        return {"on_change": _clause_changed, "args": (standard_id, path, table, g, i, part, key(part))}

    types = cd.clause_types(table)
    fields = vocabulary.menu_columns(table) + ([cd.DAYS_FIELD] if types[cd.DAYS] else [])
    field = cd.DAYS_FIELD if clause.type == cd.DAYS else clause.column
    with st.container(border=True, key=f"ws_clause_{'_'.join(str(p) for p in path)}_{g}_{i}"):
        first, second, remove = st.columns([5, 4, 2], vertical_alignment="bottom")
        first.selectbox(
            "About",
            fields,
            index=fields.index(field) if field in fields else 0,
            format_func=lambda c: _name(table, c),
            key=key("field"),
            **changed("field"),
        )
        ops = dict(OPS[cd.CODE if clause.type == cd.CODE else clause.type] if clause.type != cd.FILLED else {})
        if clause.type == cd.FILLED:
            ops = dict(OPS.get(_type_of(table, clause.column), {}))
        if clause.column in types[cd.FILLED] and clause.type != cd.DAYS:
            ops.update(FILLED_OPS)
        second.selectbox(
            "Is",
            list(ops),
            index=list(ops).index(clause.op) if clause.op in ops else 0,
            format_func=ops.get,
            key=key("op"),
            **changed("op"),
        )
        remove.button(
            "Remove",
            key=key("remove"),
            icon=":material/close:",
            help="Remove this condition",
            on_click=_removed,
            args=(standard_id, path, table, g, i),
        )
        _values(table, clause, key, changed)


def _type_of(table: str, column: str) -> str:
    """The clause type a column's own menus use (for a column chosen as filled in or empty)."""
    return cd.default_clause(table, column).type


def _values(table: str, clause: cd.Clause, key, changed) -> None:
    """The second line of a clause: the values, number or date it is compared with."""
    if clause.type == cd.CODE:
        codes = spec.TABLES[table].column(clause.column).codes
        labels = vocabulary.field_of(table, clause.column).codes
        st.multiselect(
            "Values",
            list(codes),
            default=[v for v in clause.values if v in codes],
            format_func=lambda v: labels.get(v, v),
            key=key("values"),
            **changed("values"),
        )
    elif clause.type == cd.NUMBER:
        st.number_input(
            "Number",
            value=float(clause.number or 0),
            step=1.0,
            format="%g",
            key=key("number"),
            **changed("number"),
        )
    elif clause.type == cd.DAYS:
        dates = vocabulary.menu_columns(table, spec.DATE)
        since, later, days = st.columns([4, 4, 2], vertical_alignment="bottom")
        since.selectbox(
            "From",
            dates,
            index=dates.index(clause.since) if clause.since in dates else 0,
            format_func=lambda c: _name(table, c),
            key=key("since"),
            **changed("since"),
        )
        later.selectbox(
            "To",
            dates,
            index=dates.index(clause.column) if clause.column in dates else 0,
            format_func=lambda c: _name(table, c),
            key=key("later"),
            **changed("later"),
        )
        days.number_input(
            "Days", value=int(clause.number or 0), min_value=0, step=1, key=key("number"), **changed("number")
        )
    elif clause.type == cd.DATE:
        when = cd.when_of(clause)
        left, right = st.columns([6, 3], vertical_alignment="bottom")
        left.selectbox(
            "The date",
            list(WHEN_WORDS),
            index=list(WHEN_WORDS).index(when),
            format_func=WHEN_WORDS.get,
            key=key("when"),
            **changed("when"),
        )
        if clause.anchor == "day":
            right.date_input(
                "Day",
                value=clause.day or dt.date.today(),
                format="DD/MM/YYYY",
                key=key("day"),
                **changed("day"),
            )
        elif clause.offset:
            right.number_input(
                "Days", value=abs(clause.offset), min_value=1, step=1, key=key("days"), **changed("days")
            )
    elif clause.type == cd.TEXT:
        st.text_area(
            "Words or phrases to look for, one on each line",
            value="\n".join(clause.values),
            height=90,
            key=key("values"),
            **changed("values"),
        )


# --------------------------------------------------------------------------- a number from each row

NONE = "__once__"


def _number_changed(standard_id: str, path: tuple, table: str, part: str, key: str) -> None:
    doc = standard_edit.load(ws.work(standard_id)["text"])
    current = cd.parse_number(standard_edit.get(doc, path), table)
    value = st.session_state.get(key)
    if part == "column":
        if value == NONE:
            number = None
        elif value == cd.DAYS_FIELD:
            dates = vocabulary.menu_columns(table, spec.DATE)
            number = cd.Number(dates[1] if len(dates) > 1 else dates[0], dates[0])
        else:
            number = cd.Number(value)
    elif current is not None and current.since:
        number = cd.Number(value, current.since) if part == "later" else cd.Number(current.column, value)
    else:
        return
    ws.apply(standard_id, standard_edit.edit, path, cd.render_number(number) if number else None, from_form=False)


def number_picker(standard_id: str, doc, path: tuple, table: str, label: str, once: str | None = None) -> None:
    """The number taken from each row (a middle value), or the number each row is counted by
    (a weight; `once` names the choice of counting each row once)."""
    text = standard_edit.get(doc, path)
    number = cd.parse_number(text, table)
    if text and number is None:
        key = ws.key(standard_id, *path, "raw")
        st.text_input(
            label + " (as written)", value=str(text), key=key, on_change=_raw_changed, args=(standard_id, path, key)
        )
        return
    types = cd.clause_types(table)
    current = NONE if number is None else cd.DAYS_FIELD if number.since else number.column
    if once:  # a weight: the numbers that make sense as one (full-time equivalent), and the one in use
        sensible = [c for c in types[cd.NUMBER] if vocabulary.field_of(table, c).weight]
        choices = [NONE] + sensible + ([current] if current not in sensible + [NONE] else [])
    else:
        choices = types[cd.NUMBER] + ([cd.DAYS_FIELD] if types[cd.DAYS] else [])

    def said(choice: str) -> str:
        if choice == NONE:
            return str(once)
        if once and choice != cd.DAYS_FIELD:
            return vocabulary.field_of(table, choice).weight or f"By {_name(table, choice).lower()}"
        return _name(table, choice)

    key = ws.key(standard_id, *path, "column")
    st.selectbox(
        label,
        choices,
        index=choices.index(current) if current in choices else 0,
        format_func=said,
        key=key,
        on_change=_number_changed,
        args=(standard_id, path, table, "column", key),
    )
    if number is not None and number.since:
        dates = vocabulary.menu_columns(table, spec.DATE)
        since, later = st.columns(2)
        for column, part, value in ((since, "since", number.since), (later, "later", number.column)):
            key = ws.key(standard_id, *path, part)
            column.selectbox(
                f"{label}: {'from' if part == 'since' else 'to'}",
                dates,
                index=dates.index(value) if value in dates else 0,
                format_func=lambda c: _name(table, c),
                key=key,
                on_change=_number_changed,
                args=(standard_id, path, table, part, key),
            )
