"""Safe expressions: the `where`, `count_if` and `value` of a measure.

Expert citizens write small SQL-style conditions ("lived_experience = 'yes'",
"first_contact_date - referral_date <= 2"). Those words end up inside a DuckDB
query, so nothing is trusted: the text is parsed with sqlglot and every node of
the tree must be on a short whitelist. Anything else (function calls,
sub-queries, other tables, several statements, casts, comments) is refused with a
plain-English message before anything runs. The SQL that runs is regenerated from
the checked tree, never the text as written, with every column name quoted.

A light type check rides along because it gives better messages than DuckDB's
("a date cannot be compared with a number", "'yse' is not one of the values of
lived_experience"), and because a mistake caught here is caught by
`standards check`, long before an audit.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re

import sqlglot
from sqlglot import errors as sqlglot_errors
from sqlglot import exp

from audits import limits, spec

PERIOD_COLUMNS = ("period_start", "period_end")
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Types the checker knows. "unknown" follows a mistake already reported, so that one
# mistake does not produce a cascade of messages.
BOOL, INTEGER, NUMBER, DATE, TEXT, NULL, UNKNOWN = ("yes/no", "integer", "number", "date", "text", "null", "unknown")
_SPEC_TYPES = {
    spec.TEXT: TEXT,
    spec.CODE: TEXT,
    spec.DATE: DATE,
    spec.BOOLEAN: BOOL,
    spec.INTEGER: INTEGER,
    spec.NUMBER: NUMBER,
}
_DESCRIBE = {
    BOOL: "a yes/no (true or false)",
    INTEGER: "a whole number",
    NUMBER: "a number",
    DATE: "a date",
    TEXT: "text",
    NULL: "null",
}
_NUMERIC = (INTEGER, NUMBER)

_COMPARISONS = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}
_ARITHMETIC = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_FILE_READERS = ("read_", "scan", "glob", "http", "s3", "attach", "copy", "install", "load")

ALLOWED = (
    "column names of the table, period_start, period_end, numbers, words in single quotes, "
    "dates like '2026-04-01', true, false, null, = <> < <= > >=, and, or, not, in (...), "
    "is null, is not null, like, ilike, + - * / and brackets"
)


class ExpressionError(ValueError):
    """An expression that is not allowed or does not make sense, in plain English.

    `problems` lists every mistake found in the one expression; the message joins them.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


def columns_of(table: str) -> dict[str, str]:
    """Column name -> checker type, for the columns an expression over `table` may use."""
    if table not in spec.TABLES:
        raise ExpressionError(
            f"'{table}' is not a table of the provider return. "
            f"Use one of: {', '.join(t.name for t in spec.RETURN_TABLES)}."
        )
    columns = {c.name: _SPEC_TYPES[c.type] for c in spec.TABLES[table].columns}
    columns.update({name: DATE for name in PERIOD_COLUMNS})
    return columns


@functools.lru_cache(maxsize=1024)
def compile_expression(text: str, table: str, expect: str | None = None) -> str:
    """Check `text` against the whitelist and return DuckDB SQL over the view cur_<table>.

    The SQL comes back in brackets so that it can be combined with other conditions
    without surprises of precedence. `expect` is "condition" (where, count_if: must be
    yes or no) or "number" (value: a number taken from each row); None checks the
    whitelist and the columns only.

    Remembered (a pure function of its arguments; a refused expression raises each time): an
    audit asks for the same ~30 expressions ~120 times (the engine, the breakdowns, disclosure
    control's groups of people), ~0.1 CPU-s of parsing and writing SQL again (issue 15).
    """
    columns = columns_of(table)
    tree = _parse(text)
    checker = _Checker(table, columns)
    result = checker.check(tree)
    if not checker.problems and expect is not None:
        wanted = {"condition": (BOOL,), "number": _NUMERIC}[expect]
        if result not in wanted + (UNKNOWN,):
            if expect == "condition":
                checker.problems.append(
                    f"'{text.strip()}' gives {_DESCRIBE.get(result, result)}, not a condition that is "
                    "true or false for each row. Compare it with something, for example "
                    "first_contact_date - referral_date <= 2."
                )
            else:
                checker.problems.append(
                    f"'{text.strip()}' gives {_DESCRIBE.get(result, result)}, not a number. "
                    "A median needs a number from each row, for example "
                    "first_contact_date - referral_date (days)."
                )
    if checker.problems:
        raise ExpressionError(checker.problems)
    return "(" + checker.rewrite(tree).sql(dialect="duckdb", identify=True, comments=False) + ")"


def _parse(text: str) -> exp.Expression:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("The expression is empty. Write a condition such as lived_experience = 'yes'.")
    if len(text) > limits.MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"The expression is {len(text):,} characters long; the most allowed is "
            f"{limits.MAX_EXPRESSION_CHARS:,}. Split it into simpler measures."
        )
    try:
        trees = sqlglot.parse(text, read="duckdb")
    except sqlglot_errors.TokenError:
        raise ExpressionError(
            f"'{text.strip()}' could not be read: a quote is not closed. Words go in single "
            "quotes, with both quotes: 'yes'."
        ) from None
    except sqlglot_errors.ParseError as error:
        detail = (error.errors or [{}])[0]
        where = f" near character {detail['col']}" if detail.get("col") else ""
        near = f" ('{detail['highlight']}')" if detail.get("highlight") else ""
        raise ExpressionError(
            f"'{text.strip()}' could not be read{where}{near}. Check for a missing value after "
            "a comparison or 'and'/'or', an unclosed bracket, or a stray word."
        ) from None
    except RecursionError:
        raise ExpressionError(f"'{text[:40]}…' has too many brackets inside each other.") from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise ExpressionError(
            "Only one condition is allowed: remove the ';' and anything after it. "
            "Statements such as DROP, SELECT or INSTALL are never run."
        )
    tree = trees[0]
    if _depth(tree) > limits.MAX_EXPRESSION_DEPTH:
        # Checked before anything walks the tree by recursion (the checker, the SQL writer).
        raise ExpressionError(
            f"'{text.strip()[:40]}…' has more than {limits.MAX_EXPRESSION_DEPTH} conditions or sums "
            "inside each other. For a list of values use in (…), for example assessments in (1, 2, 3); "
            "otherwise split it into simpler measures."
        )
    if not isinstance(tree, exp.Condition):  # DROP, SELECT, PRAGMA, INSTALL, ATTACH, COPY ...
        raise ExpressionError(
            f"'{text.strip()[:60]}' is a statement, not a condition. Statements are never run: "
            "write a condition such as lived_experience = 'yes'."
        )
    if any(node.comments for node in tree.walk()):
        raise ExpressionError(
            "Comments (-- or /* */) are not allowed inside an expression. "
            "Put a note on its own line in the YAML file, starting with #."
        )
    return tree


def _depth(tree: exp.Expression) -> int:
    """How deep the tree goes ('a or b or c' is 5: two ors, then a column), without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_expressions())
    return deepest


def _closest(name: str, candidates) -> str | None:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


def _snippet(node: exp.Expression) -> str:
    text = node.sql(dialect="duckdb", comments=False)
    return text if len(text) <= 60 else text[:57] + "…"


class _Checker:
    """Walks the tree once: refuses what is not on the whitelist and infers types."""

    def __init__(self, table: str, columns: dict[str, str]):
        self.table = table
        self.columns = columns
        self.problems: list[str] = []
        self.dates: set[int] = set()  # ids of text literals to be turned into dates

    def fail(self, message: str) -> str:
        if message not in self.problems:
            self.problems.append(message)
        return UNKNOWN

    # -- the walk ---------------------------------------------------------------
    def check(self, node: exp.Expression) -> str:
        kind = type(node)
        if kind is exp.Paren:
            return self.check(node.this)
        if kind is exp.Column:
            return self.column(node)
        if kind is exp.Literal:
            return TEXT if node.is_string else (INTEGER if re.fullmatch(r"\d+", node.name) else NUMBER)
        if kind is exp.Boolean:
            return BOOL
        if kind is exp.Null:
            return NULL
        if kind is exp.Cast and self._is_date_literal(node):
            return DATE
        if kind in (exp.And, exp.Or):
            word = "and" if kind is exp.And else "or"
            for side in (node.this, node.expression):
                self.want_condition(side, f"'{word}'")
            return BOOL
        if kind is exp.Not:
            self.want_condition(node.this, "'not'")
            return BOOL
        if kind in _COMPARISONS:
            return self.comparison(node, _COMPARISONS[kind])
        if kind is exp.In:
            return self.in_list(node)
        if kind is exp.Is:
            return self.is_null(node)
        if kind in (exp.Like, exp.ILike):
            return self.like(node, "like" if kind is exp.Like else "ilike")
        if kind in _ARITHMETIC:
            return self.arithmetic(node, _ARITHMETIC[kind])
        if kind is exp.Neg:
            inner = self.check(node.this)
            if inner not in _NUMERIC + (UNKNOWN,):
                return self.fail(
                    f"'-' in front of {_DESCRIBE.get(inner, inner)} makes no sense: only numbers can be negative."
                )
            return inner
        return self.refuse(node)

    def refuse(self, node: exp.Expression) -> str:
        snippet = _snippet(node)
        if isinstance(node, (exp.Select, exp.Subquery, exp.Exists, exp.SetOperation, exp.Query)):
            return self.fail(
                f"'{snippet}' is a sub-query, which is not allowed: a measure looks only at the "
                f"rows of its own table ({self.table})."
            )
        if isinstance(node, exp.Cast):
            return self.fail(
                f"'{snippet}' changes a type (cast or ::), which is not allowed. Dates are written "
                "in single quotes, like '2026-04-01'."
            )
        if isinstance(node, exp.Between):
            return self.fail(
                f"'{snippet}': between is not supported. Write two comparisons instead, for "
                "example days >= 1 and days <= 14."
            )
        if isinstance(node, exp.Case):
            return self.fail(
                f"'{snippet}': case ... when is not supported. Write the condition itself, "
                "for example choice_offered, or split it into two measures."
            )
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name.startswith(_FILE_READERS) or "read" in name or "file" in name:
                return self.fail(
                    f"'{snippet}' reads a file or the network, which is never allowed: a measure "
                    "looks only at the provider returns."
                )
            if name in ("lower", "upper", "lcase", "ucase"):
                return self.fail(
                    f"'{snippet}' is a function call ({name}), which is not allowed. To ignore "
                    "capitals, use ilike: title ilike '%service user%'."
                )
            return self.fail(f"'{snippet}' is a function call ({name}), which is not allowed. Allowed are: {ALLOWED}.")
        if isinstance(node, (exp.Placeholder, exp.Parameter)):
            return self.fail(f"'{snippet}': placeholders are not allowed; write the value itself.")
        if isinstance(node, exp.Star):
            return self.fail("'*' is not allowed: name the column you mean.")
        if isinstance(node, (exp.Table, exp.Dot)):
            return self.fail(f"'{snippet}': other tables cannot be used; a measure looks only at {self.table}.")
        return self.fail(f"'{snippet}' is not allowed in an expression. Allowed are: {ALLOWED}.")

    # -- pieces -----------------------------------------------------------------
    def column(self, node: exp.Column) -> str:
        if node.table or node.args.get("db") or node.args.get("catalog"):
            return self.fail(
                f"'{_snippet(node)}': other tables cannot be used. Write the column name on its own, "
                f"such as {node.name}."
            )
        if not isinstance(node.this, exp.Identifier):
            return self.refuse(node.this)
        name = node.name
        known = {c.lower(): c for c in self.columns}
        if name.lower() in known:
            return self.columns[known[name.lower()]]
        return self.fail(self.unknown_column(node.this))

    def unknown_column(self, identifier: exp.Identifier) -> str:
        name = identifier.name
        message = f"'{name}' is not a column of {self.table}."
        closest = _closest(name.lower(), self.columns)
        if closest:
            return f"{message} Did you mean '{closest}'?"
        elsewhere = [t.name for t in spec.RETURN_TABLES if t.name != self.table and name.lower() in t.column_names]
        if elsewhere:
            return (
                f"{message} It is a column of {' and '.join(elsewhere)}: a measure counts one table, "
                "so write a separate measure on that table."
            )
        if identifier.quoted:
            return f"{message} Words go in single quotes ('{name}'), not double quotes."
        return (
            f"{message} If you meant the word {name}, put it in single quotes: '{name}'. "
            f"The columns of {self.table} are: {', '.join(self.columns)}."
        )

    def want_condition(self, node: exp.Expression, where: str) -> None:
        kind = self.check(node)
        if kind not in (BOOL, NULL, UNKNOWN):
            self.fail(
                f"{where} joins conditions, but '{_snippet(node)}' is {_DESCRIBE[kind]}, not a "
                "condition. Compare it with something, for example fte >= 0.5."
            )

    def comparison(self, node: exp.Expression, op: str) -> str:
        left, right = node.this, node.expression
        left_type, right_type = self.check(left), self.check(right)
        if NULL in (left_type, right_type):
            return self.fail(
                f"'{_snippet(node)}' is never true: nothing equals null. Write "
                f"'{_snippet(left if right_type == NULL else right)} is null' "
                "(or 'is not null') instead."
            )
        self.check_pair(node, op, left, left_type, right, right_type)
        return BOOL

    def check_pair(self, node, op, left, left_type, right, right_type) -> None:
        """Two sides of a comparison (or of 'in') must be of the same kind."""
        if UNKNOWN in (left_type, right_type):
            return
        for a_type, b, b_type in ((left_type, right, right_type), (right_type, left, left_type)):
            if a_type == DATE and b_type == TEXT and isinstance(b, exp.Literal):
                self.date_literal(b)  # a word compared with a date must be a date
                return
        if left_type == right_type or (left_type in _NUMERIC and right_type in _NUMERIC):
            self.check_code(left, right)
            self.check_code(right, left)
            return
        hint = ""
        if BOOL in (left_type, right_type):
            column = left if left_type == BOOL else right
            hint = (
                f" {_snippet(column)} is yes or no: write {_snippet(column)} on its own for yes, "
                f"or not {_snippet(column)} for no."
            )
        elif DATE in (left_type, right_type):
            hint = " Dates are compared with dates, like '2026-04-01', or with period_start and period_end."
        self.fail(
            f"'{_snippet(node)}' compares {_DESCRIBE[left_type]} with {_DESCRIBE[right_type]}, "
            f"which cannot be compared.{hint}"
        )

    def check_code(self, column: exp.Expression, value: exp.Expression) -> None:
        """A coded column compared with a word: the word must be one of its codes."""
        if not (isinstance(column, exp.Column) and isinstance(value, exp.Literal) and value.is_string):
            return
        table = spec.TABLES[self.table]
        try:
            col = table.column(column.name.lower())
        except KeyError:
            return
        if col.codes and value.name not in col.codes:
            close = _closest(value.name, col.codes)
            hint = f" Did you mean '{close}'?" if close else ""
            self.fail(
                f"'{value.name}' is not one of the values of {col.name}: use one of {', '.join(col.codes)}.{hint}"
            )

    def date_literal(self, node: exp.Literal, mark: bool = True) -> bool:
        text = node.name
        try:
            if not DATE_TEXT.match(text):
                raise ValueError
            dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"'{text}' is not a date. Write dates as year-month-day, like '2026-04-01'.")
            return False
        if mark:
            self.dates.add(id(node))
        return True

    def _is_date_literal(self, node: exp.Cast) -> bool:
        """`date '2026-04-01'` is read as a cast by sqlglot; it is allowed and checked."""
        inner = node.this
        if not (node.to.is_type(exp.DataType.Type.DATE) and isinstance(inner, exp.Literal) and inner.is_string):
            return False
        self.date_literal(inner, mark=False)
        return True

    def in_list(self, node: exp.In) -> str:
        if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
            return self.fail(f"'{_snippet(node)}': in (...) takes a list of values, not a sub-query.")
        left_type = self.check(node.this)
        for item in node.expressions:
            if not isinstance(item, (exp.Literal, exp.Boolean)) and not (
                isinstance(item, exp.Neg) and isinstance(item.this, exp.Literal)
            ):
                if isinstance(item, exp.Null):
                    self.fail(f"null inside in (...) never matches: write '{_snippet(node.this)} is null' instead.")
                    continue
                self.fail(
                    f"'{_snippet(item)}' inside in (...) is not a value. List words in single "
                    "quotes or numbers, for example in ('dropped_out', 'withdrawn_by_provider')."
                )
                continue
            self.check_pair(node, "in", node.this, left_type, item, self.check(item))
        return BOOL

    def is_null(self, node: exp.Is) -> str:
        self.check(node.this)
        if not isinstance(node.expression, (exp.Null, exp.Boolean)):
            return self.fail(f"'{_snippet(node)}': after 'is' write null, not null, true or false.")
        return BOOL

    def like(self, node: exp.Expression, word: str) -> str:
        left_type, right_type = self.check(node.this), self.check(node.expression)
        for side, kind in ((node.this, left_type), (node.expression, right_type)):
            if kind not in (TEXT, UNKNOWN):
                self.fail(
                    f"'{_snippet(node)}': {word} matches text, but '{_snippet(side)}' is {_DESCRIBE.get(kind, kind)}."
                )
        return BOOL

    def arithmetic(self, node: exp.Expression, op: str) -> str:
        left_type, right_type = self.check(node.this), self.check(node.expression)
        if UNKNOWN in (left_type, right_type):
            return UNKNOWN
        if NULL in (left_type, right_type):
            return self.fail(f"'{_snippet(node)}': arithmetic with null always gives null.")
        if left_type in _NUMERIC and right_type in _NUMERIC:
            return NUMBER if op == "/" or NUMBER in (left_type, right_type) else INTEGER
        if op == "-" and left_type == DATE and right_type == DATE:
            return INTEGER  # days between the two dates
        if op in "+-" and left_type == DATE and right_type == INTEGER:
            return DATE
        if op == "+" and left_type == INTEGER and right_type == DATE:
            return DATE
        if DATE in (left_type, right_type) and NUMBER in (left_type, right_type):
            return self.fail(f"'{_snippet(node)}': dates move by whole days; use a whole number, like 730.")
        return self.fail(
            f"'{_snippet(node)}': '{op}' cannot be used with {_DESCRIBE[left_type]} and "
            f"{_DESCRIBE[right_type]}. Arithmetic works on numbers, and a date minus a date "
            "gives the days between them."
        )

    # -- the SQL that runs --------------------------------------------------------
    def rewrite(self, tree: exp.Expression) -> exp.Expression:
        """Canonical column names; date words become DATE values. Built on a copy."""
        known = {c.lower(): c for c in self.columns}

        def transform(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column):
                return exp.column(known[node.name.lower()], quoted=True)
            if isinstance(node, exp.Literal) and id(node) in self.dates:
                return exp.cast(exp.Literal.string(node.name), exp.DataType.build("DATE"))
            return node

        # In place (copy=False): the ids in self.dates are those of this tree's nodes.
        return tree.transform(transform, copy=False)
