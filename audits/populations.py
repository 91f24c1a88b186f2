"""The groups of people a measure counts, as conditions, and which groups lie inside others.

Disclosure control (audits.disclosure) has to know when two published counts are counts of
groups one inside the other: then their difference is itself a count of people. "Everyone who
left treatment" and "everyone who left treatment and did not die" differ by exactly the deaths.
That is read from the standards' own definitions, never from the data, so it is the same
knowledge anyone reading the standards has.

A group is a set of conditions that must all hold (the conjuncts of `where`, then `count_if`
or its negation), each held as the SQL the expression whitelist writes (audits.expressions),
under the engine's rule that a missing value never meets a condition. Group A lies inside
group B when every condition of B follows from the conditions of A: because it is one of them;
because it only says a value is present that a condition of A already needs (`a - b <= 3`
needs `a - b` to be present); or, for conditions on coded and yes/no columns, because no
combination of their values meets A's conditions and fails B's (tried exhaustively over the
codes of the specification, in SQL's three-valued logic). The reasoning is sound but not complete: it never says
"inside" wrongly, and a nesting it cannot prove is treated as no nesting.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp

from audits import spec
from audits.expressions import compile_expression
from audits.kinds import kind_of

ROLES = ("denominator", "numerator", "complement")
# Null-propagating nodes: a condition made only of these is false (never met) when any column
# in it is missing.
_STRICT = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Like, exp.ILike)
_PASSING = (exp.Column, exp.Identifier, exp.Literal, exp.Paren, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Tuple)
_MAX_COMBINATIONS = 20_000


@dataclass(frozen=True)
class Literal:
    """One condition of a group: its SQL (as the whitelist writes it) and whether it is negated
    (a negated condition holds where the condition is false or missing)."""

    sql: str
    negated: bool = False


@dataclass(frozen=True)
class Group:
    table: str
    literals: frozenset[Literal]

    def __str__(self) -> str:
        if not self.literals:
            return f"every row of {self.table}"
        return " and ".join(
            (f"not {lit.sql}" if lit.negated else lit.sql) for lit in sorted(self.literals, key=lambda x: x.sql)
        )


def _conjuncts(sql: str) -> list[str]:
    tree = sqlglot.parse_one(sql, read="duckdb").unnest()
    parts = list(tree.flatten()) if isinstance(tree, exp.And) else [tree]
    return [p.unnest().sql(dialect="duckdb") for p in parts]


@lru_cache(maxsize=4096)
def _literals(text: str | None, table: str, negated: bool) -> tuple[Literal, ...]:
    if not text:
        return ()
    sql = compile_expression(text, table, expect="condition")
    if negated:  # not (a and b) does not split into conditions that must all hold
        return (Literal(sqlglot.parse_one(sql, read="duckdb").unnest().sql(dialect="duckdb"), True),)
    return tuple(Literal(c) for c in _conjuncts(sql))


def groups_of(measure) -> dict[str, Group]:
    """role -> Group for a measure over a table of people; {} for a measure of things (KPIs,
    sites, documents), which disclosure control leaves alone."""
    if not spec.TABLES[measure.table].counts_people:
        return {}
    out = {}
    for role, conditions in kind_of(measure).groups(measure).items():
        literals: list[Literal] = []
        for text, negated in conditions:
            literals += _literals(text, measure.table, negated)
        out[role] = Group(measure.table, frozenset(literals))
    return out


@lru_cache(maxsize=8192)
def _tree(lit: Literal) -> exp.Expression:
    return sqlglot.parse_one(lit.sql, read="duckdb")


@lru_cache(maxsize=8192)
def _columns(lit: Literal) -> frozenset[str]:
    return frozenset(c.name for c in _tree(lit).find_all(exp.Column))


def _strict(node: exp.Expression) -> bool:
    """True when the condition cannot hold unless every column in it has a value."""
    if not isinstance(node, _STRICT):
        return False
    return all(isinstance(n, _STRICT + _PASSING) for n in node.walk())


def _present(lit: Literal) -> frozenset[str] | None:
    """The columns a condition says are present ('x - y is not null'), or None."""
    if lit.negated:
        return None
    node = _tree(lit).unnest()
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is) and isinstance(node.this.expression, exp.Null):
        inner = node.this.this
        if all(isinstance(n, _PASSING) for n in inner.walk()):
            return frozenset(c.name for c in inner.find_all(exp.Column))
    return None


def _domain(table: str, column: str) -> list | None:
    """Every value a coded or yes/no column can hold (missing included), or None."""
    if column not in spec.TABLES[table].column_names:
        return None
    col = spec.TABLES[table].column(column)
    if col.type == spec.BOOLEAN:
        return [True, False, None]
    if col.type == spec.CODE and col.codes:
        return [*col.codes, None]
    return None


class _Unsupported(Exception):
    """A condition the small evaluator does not read: no nesting is claimed from it."""


def _value(node: exp.Expression, row: dict):
    """SQL's three-valued reading of a condition on coded and yes/no columns (None: unknown)."""
    if isinstance(node, exp.Paren):
        return _value(node.this, row)
    if isinstance(node, exp.Column):
        return row[node.name]
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    if isinstance(node, exp.Not):
        inner = _value(node.this, row)
        return None if inner is None else not inner
    if isinstance(node, (exp.And, exp.Or)):
        left, right = _value(node.this, row), _value(node.expression, row)
        if isinstance(node, exp.And):
            return False if False in (left, right) else (None if None in (left, right) else True)
        return True if True in (left, right) else (None if None in (left, right) else False)
    if isinstance(node, (exp.EQ, exp.NEQ)):
        left, right = _value(node.this, row), _value(node.expression, row)
        if left is None or right is None:
            return None
        return (left == right) if isinstance(node, exp.EQ) else (left != right)
    if isinstance(node, exp.In) and not node.args.get("query"):
        left = _value(node.this, row)
        options = [_value(e, row) for e in node.expressions]
        if left is None:
            return None
        if left in options:
            return True
        return None if None in options else False
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        return _value(node.this, row) is None
    raise _Unsupported(node.sql())


def _holds(lit: Literal, row: dict) -> bool:
    """Does the row meet the literal, with a missing value never meeting a condition?"""
    met = _value(_tree(lit), row) is True
    return not met if lit.negated else met


@lru_cache(maxsize=8192)
def _follows_on_codes(table: str, given: frozenset[Literal], wanted: Literal) -> bool:
    """Over every combination of the codes of the columns involved, does `wanted` hold
    wherever all of `given` hold? Only for conditions on coded and yes/no columns."""
    columns = sorted(_columns(wanted).union(*(_columns(g) for g in given)))
    domains = [_domain(table, c) for c in columns]
    if not columns or any(d is None for d in domains):
        return False
    size = 1
    for d in domains:
        size *= len(d)
    if size > _MAX_COMBINATIONS:
        return False
    try:
        for values in itertools.product(*domains):
            row = dict(zip(columns, values))
            if all(_holds(g, row) for g in given) and not _holds(wanted, row):
                return False
    except _Unsupported:
        return False
    return True


def _implied(table: str, given: frozenset[Literal], wanted: Literal) -> bool:
    if wanted in given:
        return True
    present = _present(wanted)
    if present is not None and any(not g.negated and _strict(_tree(g)) and present <= _columns(g) for g in given):
        return True
    coded = frozenset(g for g in given if all(_domain(table, c) is not None for c in _columns(g)))
    return _follows_on_codes(table, coded, wanted)


def inside(a: Group, b: Group) -> bool:
    """Is every row of group a also a row of group b (by the definitions alone)?"""
    return a.table == b.table and all(_implied(a.table, a.literals, w) for w in b.literals)


def same(a: Group, b: Group) -> bool:
    return inside(a, b) and inside(b, a)
