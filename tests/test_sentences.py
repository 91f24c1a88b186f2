"""The read-back sentence of every measure: it exists, it says the numbers and values of the
measure's conditions, and what it says is what the engine counts.

"What it says is what the engine counts" is checked on fixture data made to sit on both sides
of every boundary the standards draw (a referral 2, 3 and 4 days before first contact; a date
on, before and after the quarter's first and last days; every coded value; words with and
without capitals). The sentence is built from the structure the form edits
(audits.conditions); here that structure is evaluated row by row in plain Python, by its
documented meaning, and compared with the engine's numerator, denominator and value.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from pathlib import Path

import pytest

from audits import conditions as cd
from audits import engine, sentences, spec, store, vocabulary
from audits.kinds import kind_of
from audits.standard_files import load_standards

from support.stores import PERIOD, build_store

REAL = Path(__file__).resolve().parent.parent / "standards"
START, END = spec.parse_period(PERIOD)


@pytest.fixture(scope="module")
def real():
    load = load_standards(REAL)
    assert load.ok, load.report()
    return load.standards


@pytest.mark.slow
def test_every_measure_of_every_standard_reads_back_in_one_sentence(real):
    for standard in real:
        for measure in standard.measures:
            said = sentences.read_back(measure)
            assert said.startswith(("Of ", "The number of ")) and said.endswith("."), said
            assert "“" not in said.split(".")[0] or measure.table == "documents", said  # nothing quoted as written
            for word in ("_", "period_start", "period_end", "ilike", "count_if", "where"):
                assert word not in said, (measure.id, word, said)


def _fragments(clause: cd.Clause, table: str) -> list[str]:
    """What the sentence must say of a clause: its numbers, its values, its dates."""
    out = []
    if clause.type in (cd.NUMBER, cd.DAYS):
        out.append(f"{clause.number:g}")
    if clause.type == cd.DATE and clause.offset:
        out.append(f"{abs(clause.offset):,} day")
    if clause.type == cd.DATE and clause.anchor in vocabulary.QUARTER_DAYS and clause.offset:
        out.append(vocabulary.QUARTER_DAYS[clause.anchor])
    if clause.type == cd.CODE:
        field = vocabulary.field_of(table, clause.column)
        for value in clause.values:
            said = field.phrases.get(value) or field.codes[value].lower()
            out.append(" ".join(said.split()[-2:]))  # the shared opening words are said once
    if clause.type == cd.YES_NO:
        field = vocabulary.field_of(table, clause.column)
        out.append(field.yes if clause.op == "yes" else field.no)
    if clause.type == cd.TEXT:
        out += [f"“{v}”" for v in clause.values]
    return out


@pytest.mark.slow
def test_the_sentence_says_every_number_and_value_of_the_conditions(real):
    for standard in real:
        for measure in standard.measures:
            said = sentences.read_back(measure)
            for field in ("where", "count_if"):
                condition = cd.parse_condition(getattr(measure, field), measure.table)
                for group in condition or ():
                    for clause in group:
                        for fragment in _fragments(clause, measure.table):
                            assert fragment in said, (measure.id, fragment, said)
            for threshold in (measure.green, measure.amber):
                if threshold is not None:
                    none = threshold.op == "=" and threshold.number == 0
                    assert ("there are none" if none else f"{threshold.number:g}") in said, (measure.id, said)


def test_a_changed_number_changes_the_sentence():
    from test_engine import standard as make

    within = make(
        [
            {
                "id": "m",
                "label": "Contacted quickly",
                "table": "episodes",
                "kind": "proportion",
                "where": "referral_date >= period_start",
                "count_if": "first_contact_date - referral_date <= 5",
                "green": ">= 80%",
            }
        ]
    ).measures[0]
    said = sentences.read_back(within)
    assert said == (
        "Of people referred this quarter, the share with the first supportive contact within 5 days of referral. "
        "Met at 80% or more, otherwise not met. Too few to tell with fewer than 10 people."
    )


# --------------------------------------------------------------------------- fixture data

TEXTS = (
    "A leaflet for people using services.",
    "Our service users are welcome.",
    "Clients should book ahead.",
    "No addict is turned away.",
    "Addicts are welcome here.",
    "addict support group",
    "We give out clean needles.",
    "Stay clean. We help.",
    "Dirty, tired and hungry? Come in.",
    "We never say addiction is a choice.",
)


def _value(rng: random.Random, table: str, column: spec.Column, row: dict):
    """A value near a boundary the standards draw, or any value the contract allows."""
    optional = column.required is not True
    if optional and rng.random() < 0.15:
        return None
    if column.codes:
        return rng.choice(column.codes)
    if column.type == spec.BOOLEAN:
        return rng.random() < 0.5
    if column.type == spec.INTEGER:
        return rng.choice((1, 1, 2, 3))
    if column.type == spec.NUMBER:
        return rng.choice((0.2, 0.5, 1.0, 1.2))
    if column.type == spec.DATE:
        if column.name in ("first_contact_date", "first_intervention_date") and row.get("referral_date"):
            return row["referral_date"] + dt.timedelta(days=rng.choice((0, 1, 2, 3, 4, 5, 9, 21, 22, 28, 29)))
        if column.name == "trauma_training_date":
            return END - dt.timedelta(days=rng.choice((1, 729, 730, 731, 900)))
        return rng.choice((START - dt.timedelta(days=5), START, START + dt.timedelta(days=1), END - dt.timedelta(days=4), END - dt.timedelta(days=3), END - dt.timedelta(days=2), END))  # fmt: skip
    if table == "documents" and column.name == "text":
        return rng.choice(TEXTS)
    return f"{column.name}-{rng.randint(1, 9)}"


def _rows(rng: random.Random, table: spec.Table, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        row: dict = {}
        for column in table.columns:
            row[column.name] = f"{table.key}-{i}" if column.name == table.key else _value(rng, table.name, column, row)
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def boundary_db(tmp_path_factory) -> Path:
    rng = random.Random(13)
    providers = {
        p: {t.name: _rows(rng, t, 400 if t.name in ("episodes", "contacts") else 60) for t in spec.RETURN_TABLES}
        for p in ("P001", "P002")
    }
    return build_store(tmp_path_factory.mktemp("sentences") / "audit.duckdb", providers)


def _holds(clause: cd.Clause, row: dict) -> bool:
    """A clause's documented meaning, row by row; a missing value never meets a condition."""

    def value(name):
        return {"period_start": START, "period_end": END}.get(name, row.get(name))

    v = value(clause.column)
    if clause.type == cd.FILLED:
        return (v is not None) == (clause.op == "filled")
    if v is None:
        return False
    compare = {
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
        "<>": lambda a, b: a != b,
    }
    if clause.type == cd.YES_NO:
        return v is (clause.op == "yes")
    if clause.type == cd.CODE:
        return (v in clause.values) == (clause.op == "in")
    if clause.type == cd.NUMBER:
        return compare[clause.op](v, clause.number)
    if clause.type == cd.DAYS:
        since = value(clause.since)
        return since is not None and compare[clause.op]((v - since).days, clause.number)
    if clause.type == cd.DATE:
        anchor = clause.day if clause.anchor == "day" else value(clause.anchor)
        return compare[clause.op](v, anchor + dt.timedelta(days=clause.offset))
    if clause.type == cd.TEXT:
        text = str(v)
        if clause.op == "equals":
            return text in clause.values
        low = text.lower()
        test = {"contains": low.__contains__, "starts": low.startswith, "ends": low.endswith, "is": low.__eq__}
        return any(test[clause.op](w.lower()) for w in clause.values)
    raise AssertionError(clause.type)


def _meets(text: str | None, table: str, row: dict) -> bool:
    condition = cd.parse_condition(text, table)
    assert condition is not None, text
    return not condition or any(all(_holds(c, row) for c in group) for group in condition)


def _expected(measure, rows: list[dict]) -> dict:
    """The figures the read-back sentence describes, worked out in Python."""
    looked_at = [r for r in rows if _meets(measure.where, measure.table, r)]
    kind = kind_of(measure)
    if "value" in kind.needs:
        number = cd.parse_number(measure.value, measure.table)
        values = []
        for r in looked_at:
            later, since = r.get(number.column), r.get(number.since) if number.since else None
            if later is not None and (number.since is None or since is not None):
                values.append((later - since).days if number.since else later)
        return {"denominator": len(values), "value": statistics.median(values) if values else None}
    if "count_if" not in kind.needs:
        return {"numerator": len(looked_at), "denominator": len(rows)}
    counted = [r for r in looked_at if _meets(measure.count_if, measure.table, r)]
    out = {"numerator": len(counted), "denominator": len(looked_at)}
    if measure.weight:
        weight = cd.parse_number(measure.weight, measure.table).column
        out["numerator"] = sum(r[weight] or 0 for r in counted)
        out["denominator"] = sum(r[weight] or 0 for r in looked_at)
    return out


@pytest.mark.slow
def test_what_the_sentence_says_is_what_the_engine_counts(real, boundary_db):
    with store.reading(boundary_db) as con:
        result = engine.evaluate(con, real, PERIOD, include_unapproved=True)
        tables = {
            t.name: {
                p: con.execute(f"SELECT * FROM cur_{t.name} WHERE provider_id = ?", [p]).df() for p in ("P001", "P002")
            }
            for t in spec.RETURN_TABLES
        }
    checked = 0
    for standard in real:
        for measure in standard.measures:
            for provider in ("P001", "P002"):
                frame = tables[measure.table][provider]
                rows = [
                    {
                        k: (
                            None
                            if v != v or v is None
                            else (v.date() if hasattr(v, "date") and k.endswith("date") else v)
                        )
                        for k, v in r.items()
                    }  # fmt: skip
                    for r in frame.to_dict("records")
                ]
                got = result.measures[
                    (result.measures["measure_id"] == measure.id)
                    & (result.measures["standard_id"] == standard.id)
                    & (result.measures["provider_id"] == provider)
                ].iloc[0]
                expected = _expected(measure, rows)
                assert expected["denominator"] > 0, (measure.id, "the fixture should look at some rows")
                for key, value in expected.items():
                    if value is None:
                        assert got[key] != got[key] or got[key] is None, (measure.id, key)
                    else:
                        assert got[key] == pytest.approx(value), (
                            measure.id,
                            provider,
                            key,
                            sentences.read_back(measure),
                        )
                checked += 1
    assert checked == 2 * sum(len(s.measures) for s in real)
