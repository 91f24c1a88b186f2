"""What a standard is: the pydantic model of one file in `standards/` (format version 1).

The model is the one definition that the loader (audits.standard_files), the engine,
the JSON Schema for text editors and the workshop share. Field descriptions are
written for the expert citizens who edit the files: they appear as hints in an
editor that reads the JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from audits import spec
from audits.expressions import ExpressionError, compile_expression
from audits.kinds import KINDS

# The kinds of measure a standard may use, for the model and the JSON Schema (audits.kinds).
KindName = Literal[tuple(KINDS)]  # type: ignore[valid-type]

FORMAT_VERSION = 1
STATUSES = ("draft", "approved", "retired")
RATINGS = ("green", "amber", "red", "no_data")
MEASURE_TABLES = tuple(t.name for t in spec.RETURN_TABLES)

_THRESHOLD = re.compile(r"^\s*(>=|<=|=|>|<)\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$")
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_YEAR = re.compile(r"\b(19|20)\d\d\b")


class FieldProblem(ValueError):
    """A mistake found by a check across fields, with the field the fix belongs to.

    pydantic reports such a check at the place of the whole measure or standard; the
    loader reads `field` to point the person at the line they need to change.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class Threshold(BaseModel):
    """A comparison and a number, as written: '>= 90%', '<= 14', '= 0'."""

    model_config = ConfigDict(frozen=True)
    op: Literal[">=", "<=", "=", ">", "<"]
    number: float
    percent: bool
    text: str

    @classmethod
    def parse(cls, text: str) -> Threshold:
        match = _THRESHOLD.match(str(text))
        bare = re.fullmatch(r"\s*(\d+(?:\.\d+)?\s*%?)\s*", str(text))
        if not match and bare:
            number = bare.group(1).replace(" ", "")
            raise ValueError(
                f"'{text}' is not a threshold: it needs a comparison. Did you mean \">= {number}\" "
                f'(at least {number}) or "<= {number}" (at most {number})?'
            )
        if not match:
            raise ValueError(
                f"'{text}' is not a threshold. Write a comparison and a number, "
                'for example ">= 90%", "<= 14" or "= 0".'
            )
        return cls(
            op=match.group(1), number=float(match.group(2)), percent=bool(match.group(3)), text=str(text).strip()
        )

    @property
    def target(self) -> float:
        """The number on the scale the engine computes (fractions for percentages)."""
        return self.number / 100 if self.percent else self.number

    def met(self, value: float | None) -> bool:
        """Does a value meet the threshold? A missing value never does."""
        if value is None:
            return False
        t = self.target
        eps = 1e-12  # exactly 90% meets ">= 90%" despite binary fractions
        op = self.op  # only the one comparison (disclosure asks this hundreds of thousands of times a run)
        if op == ">=":
            return value >= t - eps
        if op == "<=":
            return value <= t + eps
        if op == "=":
            return abs(value - t) <= eps
        if op == ">":
            return value > t + eps
        if op == "<":
            return value < t - eps
        raise KeyError(op)

    @property
    def higher_is_better(self) -> bool | None:
        """Direction for comparisons: '>=' and '>' mean higher is better."""
        if self.op in (">=", ">"):
            return True
        if self.op in ("<=", "<"):
            return False
        return False if self.target == 0 else None


# In a standards file a threshold is written as text; the JSON Schema says so, so that a
# text editor offers the right hint.
ThresholdText = Annotated[
    Threshold,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _THRESHOLD.pattern,
            "description": 'A comparison and a number, in double quotes: ">= 90%", "<= 14" or "= 0".',
            "examples": [">= 90%", "<= 14", "= 0"],
        }
    ),
]


class Voice(BaseModel):
    """Words of people with lived experience, quoted exactly, credited to a group."""

    model_config = ConfigDict(extra="forbid")
    quote: str = Field(min_length=1, description="The words exactly as said or written.")
    source: str = Field(
        min_length=1, description="The group that gave it, and the year: never a private person's name."
    )

    @field_validator("source")
    @classmethod
    def _group_and_year(cls, value: str) -> str:
        if not _YEAR.search(value):
            raise ValueError(
                f"the source '{value}' has no year. Name the group and the year, for example "
                '"Expert Link National Advisory Panel, 2020" (never a private person\'s name)'
            )
        return value


# A prompt of an interview guide: short enough to read out, and to print with the others on one page.
PROMPT_LENGTH = 160
PROMPTS_PER_GROUP = 4
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PROMPT_LENGTH)]


class Interview(BaseModel):
    """What a peer interviewer asks about this standard, for each group of people they talk to.
    Printed as a one-page guide per visit (audits.guides); a group left out is asked general
    questions made from the statement."""

    model_config = ConfigDict(extra="forbid")
    people_using_services: list[Prompt] = Field(
        default_factory=list,
        max_length=PROMPTS_PER_GROUP,
        description="Up to four questions for people using the service, in plain words, as you would ask them.",
    )
    families: list[Prompt] = Field(
        default_factory=list,
        max_length=PROMPTS_PER_GROUP,
        description="Up to four questions for family members, in plain words.",
    )
    staff: list[Prompt] = Field(
        default_factory=list,
        max_length=PROMPTS_PER_GROUP,
        description="Up to four questions for people who work in the service, in plain words.",
    )


class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_SLUG, description="Short name in lower case with dashes, unique within the standard.")
    label: str = Field(min_length=1, description="What is measured, in plain words.")
    table: Literal["episodes", "contacts", "workforce", "kpis", "sites", "documents"] = Field(
        description="Which table of the provider return the measure counts."
    )
    kind: KindName = Field(description="; ".join(f"{k.name}: {k.explanation}" for k in KINDS.values()) + ".")
    count_if: str | None = Field(default=None, description="For a proportion: the condition a row must meet to count.")
    where: str | None = Field(default=None, description="Which rows are looked at (all rows when left out).")
    value: str | None = Field(default=None, description="For a median: the number taken from each row.")
    weight: str | None = Field(
        default=None, description="For a proportion: weight rows by this column (for example fte)."
    )
    green: ThresholdText = Field(description='What counts as green, e.g. ">= 90%".')
    amber: ThresholdText | None = Field(
        default=None, description="What counts as amber; below amber is red. Leave out for green-or-red."
    )
    min_count: int = Field(
        default=10, ge=1, description="Smallest number of rows worth a rating (proportion and median)."
    )

    @field_validator("green", "amber", mode="before")
    @classmethod
    def _threshold(cls, value):
        if isinstance(value, (Threshold, dict)) or value is None:
            return value
        return Threshold.parse(value)

    @field_validator("count_if", "where", "value", "weight")
    @classmethod
    def _expression(cls, text: str | None, info: ValidationInfo) -> str | None:
        """Expressions are checked against the whitelist as the file is read, so that
        `standards check` finds every unsafe or mistaken one long before an audit."""
        table = info.data.get("table")
        if text is None or table is None:
            return text
        expect = "condition" if info.field_name in ("count_if", "where") else "number"
        try:
            compile_expression(text, table, expect=expect)
        except ExpressionError as error:
            raise ValueError(str(error)) from None
        return text

    @field_validator("green", "amber")
    @classmethod
    def _threshold_scale(cls, threshold: Threshold | None, info: ValidationInfo) -> Threshold | None:
        kind = info.data.get("kind")
        if threshold is None or kind is None:
            return threshold
        problem = KINDS[kind].threshold_problem(threshold)
        if problem:
            raise ValueError(problem)
        return threshold

    @field_validator("amber")
    @classmethod
    def _amber_below_green(cls, amber: Threshold | None, info: ValidationInfo) -> Threshold | None:
        green = info.data.get("green")
        if amber is not None and green is not None and not _amber_reachable(green, amber):
            raise ValueError(
                f'amber "{amber.text}" can never be reached with green "{green.text}": amber is '
                'the lower bar, between green and red. For example green ">= 90%" with amber '
                '">= 75%", or green "<= 14" with amber "<= 21"'
            )
        return amber

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Measure:
        problem = KINDS[self.kind].field_problem(self)
        if problem:
            raise FieldProblem(*problem)
        return self

    def rate(self, value: float | None, denominator_rows: int | None, optional_table: bool = False) -> str:
        """green, amber, red or no_data, as the measure's kind rates (audits.kinds)."""
        return KINDS[self.kind].rate(self, value, denominator_rows, optional_table)


class Standard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_SLUG, description="Short name in lower case with dashes; the file is named after it.")
    title: str = Field(min_length=1, description="The standard in a few plain words.")
    version: int = Field(ge=1, description="Goes up by one each time the group changes the standard.")
    status: Literal["draft", "approved", "retired"] = Field(description="Only approved standards are audited.")
    approved_by: str | None = Field(default=None, description="The group that approved this version.")
    approved_on: dt.date | None = Field(default=None, description="The day it was approved, as 2026-09-10.")
    theme: str = Field(min_length=1, description="A word that groups standards, such as access or workforce.")
    statement: str = Field(min_length=1, description="What good looks like, in the group's own words.")
    why: str = Field(min_length=1, description="Why it matters, in the group's own words.")
    voices: list[Voice] = Field(
        default_factory=list, max_length=3, description="One to three quotes, each with its source group and year."
    )
    measures: list[Measure] = Field(min_length=1, description="How the standard is checked against the returns.")
    interview: Interview | None = Field(
        default=None,
        description="The interview guide: what peer interviewers ask people using the service, families and staff "
        "about this standard, in plain words. Printed on one page for a visit.",
    )

    @model_validator(mode="after")
    def _approval(self) -> Standard:
        if self.status == "approved" and not (self.approved_by and self.approved_on):
            raise FieldProblem(
                "status", "an approved standard needs approved_by and approved_on: who approved it and when"
            )
        ids = [m.id for m in self.measures]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise FieldProblem("measures", f"measure ids must be different; repeated: {', '.join(duplicates)}")
        return self

    @property
    def audited(self) -> bool:
        """Only approved standards are audited: drafts and retired ones never are."""
        return self.status == "approved"


def _amber_reachable(green: Threshold, amber: Threshold) -> bool:
    """Amber must let through some value that green does not, in the same direction."""
    up, down = (">=", ">"), ("<=", "<")
    if green.op in up:
        return amber.op in up and (
            amber.target < green.target or (amber.target == green.target and amber.op == ">=" and green.op == ">")
        )
    if green.op in down:
        return amber.op in down and (
            amber.target > green.target or (amber.target == green.target and amber.op == "<=" and green.op == "<")
        )
    return amber.op != "=" or amber.target != green.target  # green "= 0": amber "<= 2" is a lower bar


def combine_ratings(ratings: list[str]) -> str:
    """A standard's rating: the worst rated measure; no_data when none could be rated."""
    rated = [r for r in ratings if r != "no_data"]
    for level in ("red", "amber", "green"):
        if level in rated:
            return level
    return "no_data"
