"""pandera schemas for every table of the specification, generated from audits.spec.

Nothing here restates the contract: types, required columns, allowed codes and
"required when" rules come from the Column definitions, and the few rules the
specification writes in words ("not before referral", "inside the period",
"> 0 and <= 1.5") are read from the column's meaning, so the documentation and
the check cannot say different things. `RULE_PHRASES` lists the phrases
understood; tests assert each is still used by the specification.

The schemas validate typed frames of a whole batch of submissions at once (one
call per table, however many returns), so each frame carries `_sub` (which
submission), `_start` and `_end` (its period's first and last day) and `_key` (the
submission and key as one integer) besides the columns of the specification.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from audits import references, spec

# The pandas dtype each specification type is coerced to before validation.
PANDAS_DTYPES = {
    spec.TEXT: "str",
    spec.CODE: "str",
    spec.DATE: "datetime64[us]",
    spec.BOOLEAN: "boolean",
    spec.INTEGER: "Int64",
    spec.NUMBER: "Float64",
}

# Batch columns added by audits.returns: which submission, its period's first and last day,
# and the (submission, key) pair as one integer (so uniqueness is an integer test).
SUB, START, END, KEY = "_sub", "_start", "_end", "_key"


@dataclass(frozen=True)
class Rule:
    """What a failed check means, in words a data officer can act on."""

    column: str
    message: str
    blocking: bool = False


@dataclass(frozen=True)
class TableSchema:
    table: spec.Table
    schema: pa.DataFrameSchema
    rules: dict[str, Rule]  # check name -> rule


def _frame_check(fn: Callable[[pd.DataFrame], pd.Series], name: str) -> pa.Check:
    return pa.Check(lambda df: fn(df).fillna(True).astype(bool), name=name)


# Rules written in words in the specification's column meanings.
def _not_before_referral(column: str):
    return (
        lambda df: ~(df[column] < df["referral_date"]),
        "is before this row's referral_date: it cannot be before the referral",
    )


def _not_after_period_end(column: str):
    return (lambda df: ~(df[column] > df[END]), "is after the last day of the quarter named in the return's period")


def _inside_period(column: str):
    return (
        lambda df: ~((df[column] < df[START]) | (df[column] > df[END])),
        "is outside the quarter named in the return's period",
    )


def _a_reference(column: str):
    return (
        lambda df: df[column].isna() | df[column].map(references.is_reference, na_action="ignore").astype("boolean"),
        f"is not a reference: three groups of four letters from {' '.join(references.ALPHABET)}, "
        f"such as {references.EXAMPLE} (copy it from the paper sheet)",
    )


def _unique_in_pack(column: str):
    return (
        lambda df: (
            ~(
                df.assign(_c=df[column].map(references.compact, na_action="ignore")).duplicated([SUB, "_c"], keep=False)
                & df[column].notna()
            )
        ),
        "is given to another story of this pack too: each person keeps their own reference (check the paper sheets)",
    )


RULE_PHRASES: dict[str, Callable[[str], tuple[Callable, str]]] = {
    "not before referral": _not_before_referral,
    "not after the period's end": _not_after_period_end,
    "inside the period": _inside_period,
    "a reference of three groups of four letters": _a_reference,
    "unique within the pack when given": _unique_in_pack,
}

_COMPARISON = re.compile(r"(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)")
_PA_COMPARISONS = {">=": pa.Check.ge, ">": pa.Check.gt, "<=": pa.Check.le, "<": pa.Check.lt}
_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}


def comparisons(column: spec.Column) -> list[tuple[str, float]]:
    """Numeric bounds written in a number column's meaning, e.g. [('>', 0), ('<=', 1.5)]."""
    if column.type not in (spec.INTEGER, spec.NUMBER):
        return []
    return [(op, float(n)) for op, n in _COMPARISON.findall(column.meaning)]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def required_when(column: spec.Column) -> tuple[Callable[[pd.DataFrame], pd.Series], str] | None:
    """The condition under which a conditionally required column must be filled in."""
    if not isinstance(column.required, str):
        return None
    if "=" in column.required:
        other, value = column.required.split("=", 1)
        return (lambda df: df[other].eq(value).fillna(False).astype(bool), f"is required when {other} is {value}")
    other = column.required
    return (lambda df: df[other].notna(), f"is required when {other} is filled in")


@functools.cache
def table_schema(table_name: str) -> TableSchema:
    """The pandera schema of one table, with the words for each of its checks."""
    table = spec.TABLES[table_name]
    columns: dict[str, pa.Column] = {}
    rules: dict[str, Rule] = {}
    frame_checks: list[pa.Check] = []
    for col in table.columns:
        checks = []
        rules[f"not_nullable:{col.name}"] = Rule(col.name, "must be filled in: the column is required")
        if col.codes:
            name = f"{col.name}:codes"
            checks.append(pa.Check.isin(list(col.codes), name=name, error=name))
            rules[name] = Rule(col.name, "is not one of " + ", ".join(col.codes))
        for op, bound in comparisons(col):
            name = f"{col.name}:{op}{_number(bound)}"
            checks.append(_PA_COMPARISONS[op](bound, name=name, error=name))
            rules[name] = Rule(col.name, f"should be {_WORDS[op]} {_number(bound)}")
        for phrase, make in RULE_PHRASES.items():
            if phrase in col.meaning:
                fn, message = make(col.name)
                name = f"{col.name}:{phrase}"
                frame_checks.append(_frame_check(fn, name))
                rules[name] = Rule(col.name, message)
        condition = required_when(col)
        if condition is not None:
            when, message = condition
            name = f"{col.name}:required_when"
            frame_checks.append(_frame_check(lambda df, when=when, c=col.name: ~(when(df) & df[c].isna()), name))
            rules[name] = Rule(col.name, message)
        columns[col.name] = pa.Column(PANDAS_DTYPES[col.type], checks=checks, nullable=col.required is not True)
    key_check = f"{table.key}:unique"
    frame_checks.append(
        _frame_check(lambda df, k=table.key: ~(df[KEY].duplicated(keep=False) & df[k].notna()), key_check)
    )
    rules[key_check] = Rule(
        table.key,
        f"appears more than once: each {table.key} must be unique "
        f"within the {'pack' if table in spec.PACK_TABLES else 'return'}",
        blocking=True,
    )
    schema = pa.DataFrameSchema(columns, checks=frame_checks, strict=False, name=table.name)
    return TableSchema(table, schema, rules)


def failures(table_name: str, typed: pd.DataFrame) -> pd.DataFrame:
    """Every failed check as rows (index into `typed`, column, message, blocking).

    The whole frame is validated in one lazy pandera call; a row failing a frame-wide
    rule is reported once, against the column the rule is about.
    """
    ts = table_schema(table_name)
    empty = pd.DataFrame(
        {
            "index": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype=str),
            "message": pd.Series([], dtype=str),
            "blocking": pd.Series([], dtype=bool),
        }
    )
    try:
        ts.schema.validate(typed, lazy=True, inplace=True)
        return empty
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    unexpected = cases[cases["index"].isna()]
    if len(unexpected):
        # A dtype or missing-column failure means audits.returns built the frame wrongly.
        raise RuntimeError(f"validation of {table_name} failed unexpectedly:\n{unexpected}")
    checks = cases["check"].astype(str)
    names = checks.where(checks != "not_nullable", "not_nullable:" + cases["column"].astype(str))
    cases = pd.DataFrame({"index": cases["index"].astype("int64"), "name": names})
    cases = cases.drop_duplicates()
    rule_frame = pd.DataFrame(
        [(n, r.column, r.message, r.blocking) for n, r in ts.rules.items()],
        columns=["name", "column", "message", "blocking"],
    )
    out = cases.merge(rule_frame, on="name", how="left")
    if out["message"].isna().any():
        raise RuntimeError(f"a check of {table_name} has no words: {set(out.loc[out['message'].isna(), 'name'])}")
    return out[["index", "column", "message", "blocking"]].reset_index(drop=True)
