"""Edit a standard's YAML text the way the workshop's form does, one field at a time.

The file stays the truth: every change the form makes is a change to the text, so the YAML
under "Advanced" and the form always show the same standard, and a person can switch between
them without losing anything. The text is read and written with ruamel.yaml's round trip, so
comments, quotes and layout survive an edit; a value set to what it already means (the same
words, the same threshold, a condition that reads the same) leaves the text exactly as it was.
These functions know nothing of Streamlit: the page calls them, and the tests call them to
check that form -> YAML -> form loses nothing for every standard.
"""

from __future__ import annotations

import io
import re
import textwrap
import typing
import unicodedata
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, PlainScalarString

from audits import conditions
from audits.kinds import KINDS
from audits.kinds.base import OPTIONAL_FIELDS
from audits.standard_model import Measure, Standard, Threshold

WIDTH = 88  # folded text is wrapped to this width, as the founding files are
SCHEMA_LINE = "# yaml-language-server: $schema=./standard.schema.json"
NEW_MEASURE = "new-measure"


class EditError(ValueError):
    """The text cannot take the edit (it is not readable YAML, or the place is missing)."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # never re-wrap a line the group wrote; new long text is folded by `words`
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> CommentedMap:
    """The YAML as a round-trip mapping; EditError when it cannot be read as a standard."""
    try:
        doc = _yaml().load(text)
    except Exception as error:  # ruamel raises many kinds; the loader names the line
        raise EditError(f"the YAML cannot be read: {error}") from None
    if not isinstance(doc, CommentedMap):
        raise EditError("the YAML is not a standard (a list of fields such as 'title: ...')")
    return doc


def dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def words(text: str, room: int = WIDTH - 20):
    """People's text as YAML keeps it: on its line when it fits in `room`, folded over lines
    when longer. (A plain scalar is quoted by the writer only when it must be, and never takes
    the quotes of the value it replaces.)"""
    text = " ".join(str(text).split())
    if len(text) <= room:
        return PlainScalarString(text)
    folded = FoldedScalarString(text + "\n")
    positions, at = [], 0
    for line in textwrap.wrap(text, WIDTH - 4, break_long_words=False, break_on_hyphens=False)[:-1]:
        at += len(line)
        positions.append(at)
        at += 1
    folded.fold_pos = positions
    return folded


def threshold_text(op: str, number: float, percent: bool) -> DoubleQuotedScalarString:
    """'>= 90%' in double quotes, as the guide writes thresholds."""
    return DoubleQuotedScalarString(f"{op} {number:g}{'%' if percent else ''}")


def slug(title: str) -> str:
    """A short name from a title: 'People can walk in!' -> 'people-can-walk-in'."""
    plain = unicodedata.normalize("NFKD", str(title)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-") or "standard"


# --------------------------------------------------------------------------- reading a place


def get(doc: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(doc, CommentedMap):
            doc = doc.get(part)
        elif isinstance(doc, CommentedSeq) and isinstance(part, int) and 0 <= part < len(doc):
            doc = doc[part]
        else:
            return None
    return doc


def _holder(doc: CommentedMap, path: tuple) -> Any:
    holder = get(doc, path[:-1])
    if not isinstance(holder, (CommentedMap, CommentedSeq)):
        raise EditError(f"there is no {'/'.join(str(p) for p in path[:-1]) or 'standard'} to change")
    return holder


def _same(field: str, old: Any, new: Any, table: str | None) -> bool:
    """Does the new value mean what the old one does? Then the text is left as it was."""
    if old is None or new is None:
        return old is None and new is None
    if field in ("green", "amber"):
        try:
            a, b = Threshold.parse(str(old)), Threshold.parse(str(new))
        except ValueError:
            return str(old).strip() == str(new).strip()
        return (a.op, a.number, a.percent) == (b.op, b.number, b.percent)
    if field in ("where", "count_if") and table:
        a, b = conditions.parse_condition(str(old), table), conditions.parse_condition(str(new), table)
        if a is not None and b is not None:
            return a == b
    if field in ("value", "weight") and table:
        a, b = conditions.parse_number(str(old), table), conditions.parse_number(str(new), table)
        if a is not None and b is not None:
            return a == b
    if isinstance(old, str) or isinstance(new, str):
        return " ".join(str(old).split()) == " ".join(str(new).split())
    return old == new


def _stored(field: str, value: Any) -> Any:
    """A form value as the file keeps it."""
    if field in ("green", "amber") and value is not None:
        threshold = Threshold.parse(str(value))
        return threshold_text(threshold.op, threshold.number, threshold.percent)
    if field == "quote" and value is not None:
        return DoubleQuotedScalarString(" ".join(str(value).split()))  # quotes as the founding files keep them
    if isinstance(value, str):
        return words(value, WIDTH - len(field) - 6)
    return value


# --------------------------------------------------------------------------- edits


def model_at(path: tuple) -> type[BaseModel]:
    """The model of the mapping a path's last key belongs to: ('measures', 0, 'green') -> Measure.
    Read from the model itself, so a new optional field (or list of them) needs nothing here."""
    model: type[BaseModel] = Standard
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        inner = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            inner = [annotation]
        if not inner:
            break
        model = inner[0]
    return model


def _place(holder: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """A new key goes where the model lists it (count_if before green), so the file reads in the
    usual order; an existing key keeps its place and its comments."""
    if key in holder or key not in order:
        holder[key] = value
        return
    later = order[order.index(key) + 1 :]
    keys = list(holder)
    at = next((keys.index(k) for k in keys if k in later), len(keys))
    holder.insert(at, key, value)


def edit(text: str, path: tuple, value: Any) -> str:
    """Set one field (value None removes an optional one). The text comes back unchanged when
    the value means what the field already says."""
    doc = load(text)
    holder = _holder(doc, path)
    key = path[-1]
    table = holder.get("table") if isinstance(holder, CommentedMap) else None
    old = get(holder, (key,))
    if old is None and isinstance(holder, CommentedMap):
        field = model_at(path).model_fields.get(str(key))
        if field is not None and not field.is_required() and field.default is not None and field.default == value:
            return text  # the model's default, left unwritten as it was (min_count 10)
    if _same(str(key), old, value, table):
        return text
    if value is None:
        if isinstance(holder, CommentedMap) and key in holder:
            del holder[key]
    elif isinstance(holder, CommentedMap):
        _place(holder, str(key), _stored(str(key), value), list(model_at(path).model_fields))
        if key == "label" and str(holder.get("id", "")).startswith(NEW_MEASURE):
            holder["id"] = _unique(doc, slug(str(value)))  # a new measure is named after its label
    return dump(doc)


def _unique(doc: CommentedMap, wanted: str) -> str:
    taken = {str(m.get("id")) for m in doc.get("measures") or []}
    name, n = wanted or "measure", 2
    while name in taken:
        name, n = f"{wanted}-{n}", n + 1
    return name


def remove(text: str, path: tuple) -> str:
    """Remove one voice or measure (path ends with its position)."""
    doc = load(text)
    holder = _holder(doc, path)
    if isinstance(holder, CommentedSeq) and isinstance(path[-1], int) and 0 <= path[-1] < len(holder):
        del holder[path[-1]]
    return dump(doc)


def add_item(text: str, path: tuple) -> str:
    """A new, empty record at the end of a list of them (a voice, or any list the model adds
    later): every field it must have, empty, for the form to fill in."""
    doc = load(text)
    items = get(doc, path)
    if not isinstance(items, CommentedSeq):
        items = _block()
        _place(_holder(doc, path), str(path[-1]), items, list(model_at(path).model_fields))
    items.fa.set_block_style()
    model = model_at(path + (0, "field"))
    items.append(CommentedMap([(name, "") for name, f in model.model_fields.items() if f.is_required()]))
    return dump(doc)


def _block() -> CommentedSeq:
    seq = CommentedSeq()
    seq.fa.set_block_style()
    return seq


def _put_before(doc: CommentedMap, key: str, value: Any, before: str) -> None:
    keys = list(doc)
    doc.insert(keys.index(before) if before in keys else len(keys), key, value)


def new_measure(doc: CommentedMap, table: str = "episodes", kind: str = "proportion") -> CommentedMap:
    """A measure of `kind` over `table` with every field its kind needs, ready to change."""
    taken = {str(m.get("id")) for m in doc.get("measures") or []}
    n = 1
    while f"{NEW_MEASURE}-{n}" in taken:
        n += 1
    measure = CommentedMap(
        [
            ("id", f"{NEW_MEASURE}-{n}"),
            ("label", "A new measure"),
            ("table", table),
            ("kind", kind),
            ("green", threshold_text(">=", 90, True)),
            ("amber", threshold_text(">=", 75, True)),
        ]
    )
    _fit_kind(measure)
    return measure


def add_measure(text: str) -> str:
    doc = load(text)
    measures = doc.get("measures")
    if not isinstance(measures, CommentedSeq):
        measures = _block()
        doc["measures"] = measures
    measures.append(new_measure(doc))
    return dump(doc)


def default_number(table: str) -> str | None:
    """What a middle value starts as: days between the table's first two dates, or its first number."""
    types = conditions.clause_types(table)
    dates = types[conditions.DATE]
    if len(dates) >= 2:
        return conditions.render_number(conditions.Number(dates[1], dates[0]))
    numbers = types[conditions.NUMBER]
    return numbers[0] if numbers else None


def _fit_kind(measure: CommentedMap) -> None:
    """Give a measure the fields its kind needs and only those (audits.kinds), thresholds on
    its kind's scale, and a minimum count only where the kind uses one."""
    kind = KINDS[str(measure.get("kind"))]
    table = str(measure.get("table"))
    for name in OPTIONAL_FIELDS:
        if name not in kind.needs + kind.allows and name in measure:
            del measure[name]
    order = list(Measure.model_fields)
    if "count_if" in kind.needs and not measure.get("count_if"):
        _place(measure, "count_if", conditions.render_condition(((conditions.first_clause(table),),)), order)
    if "value" in kind.needs and not measure.get("value"):
        number = default_number(table)
        if number:
            _place(measure, "value", number, order)
    for name, fallback in (("green", (">=", 90.0)), ("amber", (">=", 75.0))):
        current = measure.get(name)
        if current is None and name == "amber" and "green" in measure:
            continue
        try:
            threshold = Threshold.parse(str(current)) if current is not None else None
        except ValueError:
            threshold = None
        op, number = (threshold.op, threshold.number) if threshold else fallback
        if kind.percent and not 0 <= number <= 100:
            op, number = fallback
        _place(measure, name, threshold_text(op, number, kind.percent), order)
    if not kind.minimum_count and "min_count" in measure:
        del measure["min_count"]


def set_kind(text: str, index: int, kind: str) -> str:
    """Change what a measure works out (a share, a number, a middle value, a rate)."""
    doc = load(text)
    measure = get(doc, ("measures", index))
    if not isinstance(measure, CommentedMap) or measure.get("kind") == kind:
        return text
    measure["kind"] = kind
    _fit_kind(measure)
    return dump(doc)


def set_table(text: str, index: int, table: str) -> str:
    """Change who or what a measure counts: its conditions start afresh, as the columns differ."""
    doc = load(text)
    measure = get(doc, ("measures", index))
    if not isinstance(measure, CommentedMap) or measure.get("table") == table:
        return text
    measure["table"] = table
    for name in ("where",) + OPTIONAL_FIELDS:
        if name in measure:
            del measure[name]
    _fit_kind(measure)
    return dump(doc)


def blank(standard_id: str, title: str) -> str:
    """A new standard from a blank page: the fields every standard needs, one measure."""
    doc = CommentedMap(
        [
            ("id", standard_id),
            ("title", words(title)),
            ("version", 1),
            ("status", "draft"),
            ("theme", "access"),
            ("statement", ""),
            ("why", ""),
            ("voices", _block()),
            ("measures", _block()),
        ]
    )
    doc["measures"].append(new_measure(doc))
    return SCHEMA_LINE + "\n" + dump(doc)


def copy_of(text: str, standard_id: str, title: str) -> str:
    """A new standard starting as a copy of another: new id and title, version 1, a draft."""
    doc = load(text)
    doc["id"] = standard_id
    doc["title"] = words(title)
    doc["version"] = 1
    doc["status"] = "draft"
    for key in ("approved_by", "approved_on"):
        if key in doc:
            del doc[key]
    return dump(doc)
