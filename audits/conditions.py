"""Conditions as the workshop's form holds them, and back: the `where` and `count_if` of a
measure as clauses a person picks from menus, and its `value` or `weight` as a number.

The files keep the whitelisted SQL-like text (audits.expressions checks it; nothing here is
trusted to run). This module reads that text into a small structure the form can show, any
of several groups, each group every one of its clauses, written back as text with
`render_condition`, and said in plain words by `condition_words` for the read-back sentence
of a measure (audits.sentences). A condition outside that structure (arithmetic on numbers,
`not (...)` around several clauses, `like` with its exact capitals) gives None: the form then
keeps it as text under "Advanced", never rewritten and never lost, and the sentence quotes it.

    clause types   what the form offers                      written as
    yes_no         Offered a peer supporter: yes / no        peer_support_offered / not ...
    code           Housing need: is one of / is not one of   housing_need in ('urgent', 'problem')
    number         Number of assessments: exactly 1          assessments = 1
    days           Days from referral to first contact <= 3  first_contact_date - referral_date <= 3
    date           Referral date: on or after the first day  referral_date >= period_start
                   of the quarter; 730 days before the last  trauma_training_date >= period_end - 730
    text           The full text contains "service user"     text ilike '%service user%'
    filled         Date treatment ended: filled in / empty   discharge_date is not null
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlglot
from sqlglot import exp

from audits import spec, vocabulary

YES_NO, CODE, NUMBER, DAYS, DATE, TEXT, FILLED = "yes_no", "code", "number", "days", "date", "text", "filled"
COMPARE = (">=", "<=", "=", ">", "<", "<>")
DATE_OPS = (">=", ">", "<=", "<", "=")
TEXT_OPS = ("contains", "starts", "ends", "is", "equals")
PERIOD_DAYS = tuple(vocabulary.QUARTER_DAYS)
_SQL_OPS = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "<>": "<>"}


@dataclass(frozen=True)
class Clause:
    """One condition on one column, as the form shows it (see the table in the docstring)."""

    type: str
    column: str
    op: str
    values: tuple[str, ...] = ()  # code: the codes; text: the words looked for (any of them)
    number: float | None = None  # number, days: the number compared with
    anchor: str | None = None  # date: period_start, period_end or day
    day: dt.date | None = None  # date with the anchor 'day'
    offset: int = 0  # date: days added to the anchor (negative: before it)
    since: str | None = None  # days: the earlier date; `column` is the later one


Group = tuple[Clause, ...]  # every clause holds
Condition = tuple[Group, ...]  # any group holds


@dataclass(frozen=True)
class Number:
    """A number taken from each row: a number column, or the days from `since` to `column`."""

    column: str
    since: str | None = None


class _NotShown(Exception):
    """The text is outside what the form can show."""


# --------------------------------------------------------------------------- reading


def parse_condition(text: str | None, table: str) -> Condition | None:
    """The form's structure of a condition, () for no condition, None when the form cannot show it."""
    if text is None or not str(text).strip():
        return ()
    try:
        tree = sqlglot.parse_one(str(text), read="duckdb")
        groups = [_group(node, table) for node in _flatten(tree, exp.Or)]
    except (_NotShown, sqlglot.errors.SqlglotError, ValueError, KeyError, RecursionError):
        return None
    return _merge(groups)


def parse_number(text: str | None, table: str) -> Number | None:
    """A `value` or `weight` as the form shows it; None when the form cannot show it."""
    if text is None or not str(text).strip():
        return None
    try:
        node = _bare(sqlglot.parse_one(str(text), read="duckdb"))
        if isinstance(node, exp.Column):
            name = _column(node, table)
            if vocabulary.column_type(table, name) in (spec.INTEGER, spec.NUMBER):
                return Number(name)
        if isinstance(node, exp.Sub):
            later, since = _date_column(node.this, table), _date_column(node.expression, table)
            return Number(later, since)
    except (_NotShown, sqlglot.errors.SqlglotError, ValueError, KeyError, RecursionError):
        return None
    return None


def _bare(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _flatten(node: exp.Expression, kind: type) -> list[exp.Expression]:
    node = _bare(node)
    if isinstance(node, kind):
        return _flatten(node.this, kind) + _flatten(node.expression, kind)
    return [node]


def _group(node: exp.Expression, table: str) -> Group:
    clauses = []
    for part in _flatten(node, exp.And):
        ors = _flatten(part, exp.Or)
        if len(ors) == 1:
            clauses.append(_clause(part, table))
            continue
        merged = _merge([(_clause(o, table),) for o in ors])  # 'a = x or a = y' inside an 'and'
        if len(merged) != 1 or len(merged[0]) != 1:
            raise _NotShown
        clauses.append(merged[0][0])
    return tuple(clauses)


def _mergeable(a: Clause, b: Clause) -> bool:
    return a.column == b.column and a.op == b.op and (a.type, a.op) in ((CODE, "in"), (TEXT, a.op)) and a.type == b.type


def _merge(groups: list[Group]) -> Condition:
    """Neighbouring groups of one clause on the same column join into one clause of several
    values: "housing_need = 'urgent' or housing_need = 'problem'" is one menu with two ticks."""
    out: list[Group] = []
    for group in groups:
        if out and len(group) == 1 and len(out[-1]) == 1 and _mergeable(out[-1][0], group[0]):
            out[-1] = (replace(out[-1][0], values=out[-1][0].values + group[0].values),)
        else:
            out.append(group)
    return tuple(out)


def _column(node: exp.Expression, table: str) -> str:
    node = _bare(node)
    if not isinstance(node, exp.Column) or node.table or not isinstance(node.this, exp.Identifier):
        raise _NotShown
    name = node.name.lower()
    if name not in PERIOD_DAYS and name not in spec.TABLES[table].column_names:
        raise _NotShown
    return name


def _date_column(node: exp.Expression, table: str) -> str:
    name = _column(node, table)
    if vocabulary.column_type(table, name) != spec.DATE:
        raise _NotShown
    return name


def _number(node: exp.Expression) -> float:
    node = _bare(node)
    if isinstance(node, exp.Neg):
        return -_number(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        return float(node.name)
    raise _NotShown


def _word(node: exp.Expression) -> str:
    node = _bare(node)
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    raise _NotShown


def _anchor(node: exp.Expression, table: str) -> tuple[str, dt.date | None, int]:
    """The date a date column is compared with: (anchor, day, offset)."""
    node = _bare(node)
    if isinstance(node, exp.Column):
        name = _column(node, table)
        if name not in PERIOD_DAYS:
            raise _NotShown
        return name, None, 0
    if isinstance(node, (exp.Add, exp.Sub)):
        left, right = _bare(node.this), _bare(node.expression)
        if isinstance(node, exp.Add) and not isinstance(left, exp.Column):
            left, right = right, left
        anchor, _, _ = _anchor(left, table)
        days = _number(right)
        if not float(days).is_integer() or days < 0:
            raise _NotShown
        return anchor, None, int(days) * (1 if isinstance(node, exp.Add) else -1)
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.DATE):
        node = _bare(node.this)
    return "day", dt.date.fromisoformat(_word(node)), 0


def _clause(node: exp.Expression, table: str) -> Clause:
    node = _bare(node)
    if isinstance(node, exp.Column):
        name = _column(node, table)
        if vocabulary.column_type(table, name) != spec.BOOLEAN:
            raise _NotShown
        return Clause(YES_NO, name, "yes")
    if isinstance(node, exp.Not):
        inner = _bare(node.this)
        if isinstance(inner, exp.Column):
            yes = _clause(inner, table)
            return replace(yes, op="no")
        if isinstance(inner, exp.In):
            clause = _clause(inner, table)
            if clause.type != CODE:
                raise _NotShown
            return replace(clause, op="not_in")
        if isinstance(inner, exp.Is):
            clause = _clause(inner, table)
            return replace(clause, op="filled")
        raise _NotShown
    if isinstance(node, exp.Is):
        if not isinstance(_bare(node.expression), exp.Null):
            raise _NotShown
        return Clause(FILLED, _column(node.this, table), "empty")
    if isinstance(node, exp.In):
        if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
            raise _NotShown
        name = _column(node.this, table)
        kind = vocabulary.column_type(table, name)
        values = tuple(_word(v) for v in node.expressions)
        if kind == spec.CODE:
            return Clause(CODE, name, "in", values)
        if kind == spec.TEXT:
            return Clause(TEXT, name, "equals", values)
        raise _NotShown
    if isinstance(node, exp.ILike):
        name = _column(node.this, table)
        if vocabulary.column_type(table, name) != spec.TEXT:
            raise _NotShown
        return _pattern(name, _word(node.expression))
    if type(node) in _SQL_OPS:
        return _comparison(node, _SQL_OPS[type(node)], table)
    raise _NotShown


def _pattern(column: str, pattern: str) -> Clause:
    starts, ends = pattern.startswith("%"), pattern.endswith("%") and len(pattern) > 1
    core = pattern[1 if starts else 0 : len(pattern) - (1 if ends else 0)]
    if not core or "%" in core:
        raise _NotShown
    op = {(True, True): "contains", (False, True): "starts", (True, False): "ends", (False, False): "is"}[starts, ends]
    return Clause(TEXT, column, op, (core,))


def _comparison(node: exp.Expression, op: str, table: str) -> Clause:
    left, right = _bare(node.this), _bare(node.expression)
    period_left = isinstance(left, exp.Column) and left.name.lower() in PERIOD_DAYS
    if isinstance(right, exp.Column) and right.name.lower() not in PERIOD_DAYS:
        if period_left or not isinstance(left, (exp.Column, exp.Sub)):
            left, right, op = right, left, _FLIP[op]  # 'period_start <= referral_date' is about referral_date
    if isinstance(left, exp.Sub) and not isinstance(_bare(left.expression), exp.Literal):
        later, since = _date_column(left.this, table), _date_column(left.expression, table)
        days = _number(right)
        if not days.is_integer():
            raise _NotShown
        return Clause(DAYS, later, op, number=days, since=since)
    name = _column(left, table)
    kind = vocabulary.column_type(table, name)
    if kind == spec.BOOLEAN and isinstance(right, exp.Boolean) and op in ("=", "<>"):
        yes = right.this if op == "=" else not right.this
        return Clause(YES_NO, name, "yes" if yes else "no")
    if kind == spec.CODE and op in ("=", "<>"):
        return Clause(CODE, name, "in" if op == "=" else "not_in", (_word(right),))
    if kind == spec.TEXT and op == "=":
        return Clause(TEXT, name, "equals", (_word(right),))
    if kind in (spec.INTEGER, spec.NUMBER):
        return Clause(NUMBER, name, op, number=_number(right))
    if kind == spec.DATE and op in DATE_OPS:
        anchor, day, offset = _anchor(right, table)
        return Clause(DATE, name, op, anchor=anchor, day=day, offset=offset)
    raise _NotShown


# --------------------------------------------------------------------------- writing


def quote(word: str) -> str:
    """A word in single quotes, a quote inside it doubled (SQL's way)."""
    return "'" + str(word).replace("'", "''") + "'"


def _figure(number: float | None) -> str:
    number = 0 if number is None else number
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _date_text(clause: Clause) -> str:
    if clause.anchor == "day":
        return quote(clause.day.isoformat() if clause.day else "")
    if clause.offset:
        return f"{clause.anchor} {'+' if clause.offset > 0 else '-'} {abs(clause.offset)}"
    return str(clause.anchor)


_PATTERNS = {"contains": "%{}%", "starts": "{}%", "ends": "%{}", "is": "{}"}


def render_clause(clause: Clause, joined: bool = False) -> str:
    """One clause as expression text; `joined` brackets a clause of several words looked for,
    when it sits beside others joined by 'and'."""
    c = clause.column
    if clause.type == YES_NO:
        return c if clause.op == "yes" else f"not {c}"
    if clause.type == CODE:
        values = clause.values or ("",)
        if len(values) == 1:
            return f"{c} {'=' if clause.op == 'in' else '<>'} {quote(values[0])}"
        listed = ", ".join(quote(v) for v in values)
        return f"{c} {'in' if clause.op == 'in' else 'not in'} ({listed})"
    if clause.type == NUMBER:
        return f"{c} {clause.op} {_figure(clause.number)}"
    if clause.type == DAYS:
        return f"{c} - {clause.since} {clause.op} {_figure(clause.number)}"
    if clause.type == DATE:
        return f"{c} {clause.op} {_date_text(clause)}"
    if clause.type == FILLED:
        return f"{c} is {'not ' if clause.op == 'filled' else ''}null"
    if clause.type == TEXT:
        values = clause.values or ("",)
        if clause.op == "equals":
            if len(values) == 1:
                return f"{c} = {quote(values[0])}"
            return f"{c} in ({', '.join(quote(v) for v in values)})"
        text = " or ".join(f"{c} ilike {quote(_PATTERNS[clause.op].format(v))}" for v in values)
        return f"({text})" if joined and len(values) > 1 else text
    raise ValueError(f"unknown clause type {clause.type}")


def render_condition(condition: Condition) -> str:
    """The condition as expression text ('' for no condition)."""
    parts = []
    for group in condition:
        text = " and ".join(render_clause(c, joined=len(group) > 1) for c in group)
        parts.append(f"({text})" if len(group) > 1 and len(condition) > 1 else text)
    return " or ".join(parts)


def render_number(number: Number) -> str:
    return f"{number.column} - {number.since}" if number.since else number.column


# --------------------------------------------------------------------------- what the form offers


def clause_types(table: str) -> dict[str, list[str]]:
    """Clause type -> the columns it may be about, for the form's menus."""
    dates = vocabulary.menu_columns(table, spec.DATE)
    return {
        YES_NO: vocabulary.menu_columns(table, spec.BOOLEAN),
        CODE: vocabulary.menu_columns(table, spec.CODE),
        NUMBER: vocabulary.menu_columns(table, spec.INTEGER, spec.NUMBER),
        DAYS: dates if len(dates) >= 2 else [],
        DATE: dates,
        TEXT: vocabulary.menu_columns(table, spec.TEXT),
        FILLED: [
            c.name
            for c in spec.TABLES[table].columns
            if vocabulary.FIELDS[table][c.name].menu and not vocabulary.always_filled(table, c.name)
        ],
    }


def default_clause(table: str, column: str, kind: str | None = None) -> Clause:
    """A fresh clause about a column, as the form starts it when someone picks the column."""
    ctype = vocabulary.column_type(table, column)
    if kind == DAYS:
        dates = vocabulary.menu_columns(table, spec.DATE)
        since = next((d for d in dates if d != column), column)
        return Clause(DAYS, column, "<=", number=3, since=since)
    if kind == FILLED:
        return Clause(FILLED, column, "filled")
    if ctype == spec.BOOLEAN:
        return Clause(YES_NO, column, "yes")
    if ctype == spec.CODE:
        return Clause(CODE, column, "in", (spec.TABLES[table].column(column).codes[0],))
    if ctype in (spec.INTEGER, spec.NUMBER):
        return Clause(NUMBER, column, ">=", number=1)
    if ctype == spec.DATE:
        return Clause(DATE, column, ">=", anchor="period_start")
    return Clause(TEXT, column, "contains", ("",))


def first_clause(table: str) -> Clause:
    """What "Add a condition" starts with: the table's first yes/no, coded or date column."""
    for kind in (spec.BOOLEAN, spec.CODE, spec.DATE, spec.INTEGER, spec.NUMBER, spec.TEXT):
        columns = vocabulary.menu_columns(table, kind)
        if columns:
            return default_clause(table, columns[0])
    raise ValueError(f"{table} has no column a condition can use")


# --------------------------------------------------------------------------- changes the form makes

DAYS_FIELD = "__days__"  # the form's choice "days between two dates"
WHEN = {  # the form's choice of the date a date is compared with: (anchor, direction of the offset)
    "start": ("period_start", 0),
    "end": ("period_end", 0),
    "before_end": ("period_end", -1),
    "before_start": ("period_start", -1),
    "after_start": ("period_start", 1),
    "after_end": ("period_end", 1),
    "day": ("day", 0),
}


def when_of(clause: Clause) -> str:
    """The form's choice of date for a date clause (see WHEN)."""
    if clause.anchor == "day":
        return "day"
    sign = (clause.offset > 0) - (clause.offset < 0)
    return next(k for k, (a, s) in WHEN.items() if a == clause.anchor and s == sign)


def with_part(clause: Clause, part: str, value, table: str, today: dt.date | None = None) -> Clause:
    """A clause with one of its parts changed as a form widget sets it."""
    if part == "field":
        if value == DAYS_FIELD:
            dates = vocabulary.menu_columns(table, spec.DATE)
            return Clause(DAYS, dates[1] if len(dates) > 1 else dates[0], "<=", number=3, since=dates[0])
        return default_clause(table, value)
    if part == "op":
        if value in ("filled", "empty"):
            return Clause(FILLED, clause.column, value)
        if clause.type == FILLED:
            return replace(default_clause(table, clause.column), op=value)
        return replace(clause, op=value)
    if part == "values":
        return replace(clause, values=tuple(value))
    if part == "number":
        return replace(clause, number=float(value))
    if part in ("since", "later"):
        return replace(clause, **{"since" if part == "since" else "column": value})
    if part == "when":
        anchor, sign = WHEN[value]
        days = abs(clause.offset) or 7
        day = clause.day or today or dt.date.today()
        return replace(clause, anchor=anchor, offset=sign * days, day=day if anchor == "day" else None)
    if part == "days":
        sign = (clause.offset > 0) - (clause.offset < 0) or -1
        return replace(clause, offset=sign * int(value))
    if part == "day":
        return replace(clause, day=value)
    raise ValueError(f"unknown part {part}")


def with_clause(condition: Condition, group: int, index: int, clause: Clause | None) -> Condition:
    """The condition with one clause replaced (None: removed; an emptied group goes too)."""
    groups = [list(g) for g in condition]
    if clause is None:
        del groups[group][index]
    else:
        groups[group][index] = clause
    return tuple(tuple(g) for g in groups if g)


def with_added(condition: Condition, table: str, group: int | None = None) -> Condition:
    """The condition with a new clause: in `group` ('and'), or as a new group ('or')."""
    clause = first_clause(table)
    if group is None or not condition:
        return condition + ((clause,),)
    return tuple(g + (clause,) if i == group else g for i, g in enumerate(condition))
