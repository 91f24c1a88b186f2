"""The read-back sentence of a measure: what it counts, and when it is met, in plain words.

"Of people referred this quarter and at least 3 days before the last day of the quarter, the
share with the first supportive contact within 3 days of referral. Met at 90% or more, partly
met at 75% or more, otherwise not met. Too few to tell with fewer than 10 people."

One sentence, used wherever a measure is explained: the workshop reads it back as the form
changes, the dashboard shows it as what is counted, the PDF prints it with the figures, and the
published site says it. It is built from the same structure the form edits (audits.conditions),
so the "3" it says is the 3 the engine compares with; tests/test_sentences.py checks it against
what the engine counts on fixture data. Each kind of measure words its own opening
(audits.kinds, `sentence`); the conditions, the population and the rule are said here.
"""

from __future__ import annotations

from audits import kinds, spec, vocabulary, words
from audits.conditions import (
    CODE,
    DATE,
    DAYS,
    FILLED,
    NUMBER,
    PERIOD_DAYS,
    TEXT,
    YES_NO,
    Clause,
    Group,
    parse_condition,
    parse_number,
)

# --------------------------------------------------------------------------- conditions

_NUMBER_OPS = {
    ">=": "at least {}",
    "<=": "at most {}",
    "=": "exactly {}",
    ">": "more than {}",
    "<": "fewer than {}",
    "<>": "other than {}",
}
_TEXT_WORDS = {"contains": "contains", "starts": "starts with", "ends": "ends with", "is": "is", "equals": "is exactly"}


def _days(n: float) -> str:
    n = int(n)
    out = f"{n:,} day{'s' if n != 1 else ''}"
    if n >= 365 and n % 365 == 0:
        years = n // 365
        out += f" ({years} year{'s' if years != 1 else ''})"
    return out


def listed(items: list[str], joiner: str = "or") -> str:
    """'a', 'a or b', 'a, b or c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def listed_phrases(phrases: list[str], joiner: str = "or") -> str:
    """Phrases with their shared opening words said once: 'with an urgent housing need or a
    housing problem', 'followed by a reduced script or a discharge'."""
    split = [p.split(" ") for p in phrases]
    if len(split) < 2:
        return listed(phrases, joiner)
    shared = 0
    while all(len(s) > shared + 1 for s in split) and len({s[shared] for s in split}) == 1:
        shared += 1
    while shared and split[0][shared - 1] in ("a", "an", "the"):
        shared -= 1  # 'followed by' is said once, 'a' with each: 'a reduced script or a discharge'
    if shared == 0:
        return listed(phrases, joiner)
    head = " ".join(split[0][:shared])
    return f"{head} {listed([' '.join(s[shared:]) for s in split], joiner)}"


def _in_quotes(values: tuple[str, ...]) -> list[str]:
    return [f"“{v}”" for v in values]


def _date_name(table: str, column: str) -> str:
    if column in vocabulary.QUARTER_DAYS:
        return vocabulary.QUARTER_DAYS[column]
    return vocabulary.field_of(table, column).event or vocabulary.field_of(table, column).name.lower()


def timing_words(clause: Clause, table: str) -> str:
    """When a date falls, in words: 'this quarter', 'no more than 730 days (2 years) before the
    last day of the quarter', 'on or after 1 April 2026'."""
    if clause.anchor == "day":
        anchor = words.long_date(clause.day) if clause.day else "a day not yet chosen"
    else:
        anchor = vocabulary.QUARTER_DAYS.get(str(clause.anchor), str(clause.anchor))
    op, n = clause.op, abs(clause.offset)
    if (
        clause.offset == 0
        and op == ">="
        and clause.anchor == "period_start"
        and clause.column not in PERIOD_DAYS
        and vocabulary.ends_by_quarter_end(table, clause.column)
    ):
        return "this quarter"
    if clause.offset == 0:
        return {">=": "on or after {}", ">": "after {}", "<=": "on or before {}", "<": "before {}", "=": "on {}"}[
            op
        ].format(anchor)
    if clause.offset < 0:
        return {
            ">=": "no more than {} before {}",
            ">": "less than {} before {}",
            "<=": "at least {} before {}",
            "<": "more than {} before {}",
            "=": "exactly {} before {}",
        }[op].format(_days(n), anchor)
    return {
        ">=": "at least {} after {}",
        ">": "more than {} after {}",
        "<=": "no more than {} after {}",
        "<": "less than {} after {}",
        "=": "exactly {} after {}",
    }[op].format(_days(n), anchor)


def clause_words(clause: Clause, table: str, counted: bool = False) -> tuple[str, bool]:
    """(phrase, is an exception). An exception ('apart from those who died') narrows who is
    looked at; where a row is counted (`counted`), the codes left out are named instead."""
    f = vocabulary.field_of(table, clause.column) if clause.column not in PERIOD_DAYS else vocabulary.Field("")
    if clause.type == YES_NO:
        return (f.yes if clause.op == "yes" else f.no), False
    if clause.type == CODE:
        return _code_words(clause, table, f, counted)
    if clause.type == NUMBER:
        amount = _NUMBER_OPS[clause.op].format(words.number(clause.number))
        if f.number:
            one, many = f.unit
            return f.number.format(f"{amount} {one if clause.number == 1 else many}"), False
        return f"whose {f.name.lower()} is {amount}", False
    if clause.type == DAYS:
        later, since = _date_name(table, clause.column), _date_name(table, clause.since or "")
        if clause.op == "<=":
            return f"with {later} within {_days(clause.number or 0)} of {since}", False
        amount = _NUMBER_OPS[clause.op].format(_days(clause.number or 0))
        return f"with {amount} from {since} to {later}", False
    if clause.type == DATE:
        did = f.did or f"with {f.name.lower()}"
        return f"{did} {timing_words(clause, table)}", False
    if clause.type == FILLED:
        if vocabulary.column_type(table, clause.column) == spec.DATE:
            what = f"a date for {_date_name(table, clause.column)}"
            return (f"with {what}" if clause.op == "filled" else f"with no {what.removeprefix('a ')}"), False
        return (f"with {f.name.lower()} filled in" if clause.op == "filled" else f"with no {f.name.lower()}"), False
    if clause.type == TEXT:
        said = listed(_in_quotes(clause.values))
        return f"whose {f.name.lower()} {_TEXT_WORDS[clause.op]} {said}", False
    raise ValueError(f"unknown clause type {clause.type}")


def _code_words(clause: Clause, table: str, f: vocabulary.Field, counted: bool) -> tuple[str, bool]:
    codes = spec.TABLES[table].column(clause.column).codes
    values = [v for v in codes if v in clause.values] + [v for v in clause.values if v not in codes]
    if clause.op == "not_in" and counted:
        others = [c for c in codes if c not in values]
        if 0 < len(others) <= 3:
            return _code_words(Clause(CODE, clause.column, "in", tuple(others)), table, f, counted)
        labels = listed([f.codes.get(v, v).lower() for v in values])
        return f"whose {f.name.lower()} is anything but {labels}", False

    def positive(selected: list[str]) -> str:
        if f.phrases:
            return listed_phrases([f.phrases.get(v, v) for v in selected])
        template = f.is_ or f"whose {f.name.lower()} is {{}}"
        return template.format(listed([_lower_first(f.codes.get(v, v)) for v in selected]))

    if clause.op == "in":
        return positive(values), False
    return f"apart from those {positive(values)}", True


def _lower_first(label: str) -> str:
    """A menu label inside a sentence: 'Opiates' -> 'opiates', 'A keyworker' -> 'a keyworker'."""
    return label[:1].lower() + label[1:]


def group_words(group: Group, table: str, counted: bool = False) -> str:
    """A group's clauses in one phrase: 'referred this quarter and at least 3 days before the
    last day of the quarter, apart from those who died'."""
    positives, exceptions = [], []
    previous: Clause | None = None
    for clause in group:
        phrase, exception = clause_words(clause, table, counted)
        if (
            previous is not None
            and clause.type == DATE == previous.type
            and clause.column == previous.column
            and not exception
        ):
            did = vocabulary.field_of(table, clause.column).did
            phrase = phrase.removeprefix(f"{did} ") if did else phrase  # 'referred this quarter and at least ...'
        (exceptions if exception else positives).append(phrase)
        previous = clause
    out = listed(positives, "and")
    if exceptions:
        out = (out + ", " if out else "") + listed(exceptions, "and")
    return out


def condition_words(text: str | None, table: str, counted: bool = False) -> str:
    """A condition in words ('' for none). One the form cannot show is quoted as written."""
    condition = parse_condition(text, table)
    if condition is None:
        return f"meeting the condition “{' '.join(str(text).split())}”"
    said = ", or ".join(group_words(g, table, counted) for g in condition)
    if any(c.type == TEXT and c.op != "equals" for g in condition for c in g):
        said += " (capitals or not)"
    return said


def number_words(text: str, table: str) -> tuple[str, str]:
    """(what the number is, who is left out for want of it): ('days from referral to the first
    supportive contact', 'people with no date for the first supportive contact are left out')."""
    number = parse_number(text, table)
    noun = vocabulary.counted(table).noun
    if number is None:
        return f"“{' '.join(str(text).split())}”", f"{noun} for whom it cannot be worked out are left out"
    if number.since:
        missing = [c for c in (number.since, number.column) if not vocabulary.always_filled(table, c)]
        left_out = (
            f"{noun} with no date for {listed([_date_name(table, c) for c in missing])} are left out" if missing else ""
        )
        return f"days from {_date_name(table, number.since)} to {_date_name(table, number.column)}", left_out
    f = vocabulary.field_of(table, number.column)
    left_out = "" if vocabulary.always_filled(table, number.column) else f"{noun} with no {f.name.lower()} are left out"
    return f.name[:1].lower() + f.name[1:], left_out


def is_days(text: str | None, table: str) -> bool:
    """Is the number a count of days (so a threshold on it reads '14 days or less')?"""
    number = parse_number(text, table)
    return bool(number and number.since)


# --------------------------------------------------------------------------- measures


def population(measure) -> str:
    """Who or what is looked at: 'people referred this quarter', 'staff, each counted by their
    full-time equivalent', 'everyone in treatment at any time in the quarter'."""
    counted = vocabulary.counted(measure.table)
    narrowed = condition_words(measure.where, measure.table) if measure.where else ""
    out = f"{counted.noun} {narrowed}" if narrowed else counted.everyone
    if getattr(measure, "weight", None):
        number = parse_number(measure.weight, measure.table)
        weight = vocabulary.field_of(measure.table, number.column).weight if number and not number.since else ""
        out += ", " + (weight or f"each counted by “{measure.weight}”")
    return out


def counted_words(measure) -> str:
    """What a row must meet to count: 'with lived experience'."""
    return condition_words(measure.count_if, measure.table, counted=True)


def bar(threshold, unit: str = "") -> str:
    """'90% or more', '2 days or less', '5 per 1,000 or less' (a Threshold and its unit)."""
    amount = f"{threshold.number:g}{'%' if threshold.percent else unit}"
    if threshold.percent and threshold.number == 100 and threshold.op == ">=":
        return "100%"  # nothing is more than all
    return words.OP_WORDS[threshold.op].format(amount)


def rules(measure) -> str:
    """When the measure is met, partly met or not met, and when it is too few to tell."""

    unit = kinds.kind_of(measure).threshold_unit(measure)
    green = measure.green
    if green.op == "=" and green.number == 0:
        said = f"{words.rating_word('green')} only when there are none"
    else:
        said = f"{words.rating_word('green')} at {bar(green, unit)}"
    if measure.amber is not None:
        said += f", {words.rating_word('amber').lower()} at {bar(measure.amber, unit)}"
    said += f", otherwise {words.rating_word('red').lower()}."
    if kinds.kind_of(measure).minimum_count:
        noun = vocabulary.counted(measure.table).noun
        fewer = f"no {noun}" if measure.min_count == 1 else f"fewer than {measure.min_count} {noun}"
        said += f" {words.rating_word('no_data')} with {fewer}."
    return said


def read_back(measure) -> str:
    """The whole read-back sentence of a measure, as its kind says it (audits.kinds)."""

    return kinds.kind_of(measure).sentence(measure)


def what_is_counted(measure) -> str:
    """The read-back without its rule: for a page that shows the thresholds beside it."""

    return kinds.kind_of(measure).sentence(measure, with_rules=False)
