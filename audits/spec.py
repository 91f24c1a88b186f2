"""The provider-return and evidence-pack data contract, as data.

One source of truth for every table, column, type and coded value of
`../shared/spec/provider-returns.md` (version 1). The pandera schemas, the DuckDB
tables, the blank templates, the expression whitelist of the standards and the
documentation are all generated from these definitions, so they can never drift
apart.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass

SPEC_VERSION = 1

# Column types as the specification names them.
TEXT, DATE, CODE, BOOLEAN, INTEGER, NUMBER = "text", "date", "code", "boolean", "integer", "number"

DUCKDB_TYPES = {
    TEXT: "VARCHAR",
    DATE: "DATE",
    CODE: "VARCHAR",
    BOOLEAN: "BOOLEAN",
    INTEGER: "INTEGER",
    NUMBER: "DOUBLE",
}

TRUE_WORDS = ("yes", "true", "y", "1")
FALSE_WORDS = ("no", "false", "n", "0")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    # True (always required), False (optional) or a condition column: the column is
    # required when that condition holds ("discharge_date" = when discharged,
    # "outcome=missed" = when missed).
    required: bool | str
    meaning: str = ""
    codes: tuple[str, ...] = ()
    # A column added to the contract after version 1 may be left out of a file altogether, so
    # that files made before it stay valid (its cells are then empty); when present, its
    # rules hold.
    header_optional: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    file: str
    required_file: bool
    key: str
    meaning: str
    columns: tuple[Column, ...]
    # Rows are people or their contacts (suppress 1-4 in anything published), not
    # things such as KPIs, sites or documents (never suppressed).
    counts_people: bool = True
    parent: tuple[str, str] | None = None  # (column, parent table) reference

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


DISCHARGE_REASONS = (
    "completed_drug_free",
    "completed_occasional_use",
    "transferred",
    "dropped_out",
    "withdrawn_by_provider",
    "declined",
    "moved_away",
    "in_custody",
    "died",
)

EPISODES = Table(
    name="episodes",
    file="episodes.csv",
    required_file=True,
    key="episode_id",
    meaning="one row per treatment journey open at any time in the period",
    columns=(
        Column("episode_id", TEXT, True, "unique within the return"),
        Column("person_id", TEXT, True, "pseudonymised; the same person keeps the same id across quarters"),
        Column("referral_date", DATE, True, "not after the period's end"),
        Column(
            "first_contact_date",
            DATE,
            False,
            "first supportive contact (welcome, peer, phone call); not before referral",
        ),
        Column("first_intervention_date", DATE, False, "start of first structured treatment; not before referral"),
        Column("discharge_date", DATE, False, "not before referral, not after the period's end"),
        Column(
            "discharge_reason",
            CODE,
            "discharge_date",
            "why the journey ended (required when discharged)",
            DISCHARGE_REASONS,
        ),
        Column(
            "substance_group",
            CODE,
            True,
            "main substance group",
            ("opiate", "non_opiate", "alcohol", "non_opiate_and_alcohol"),
        ),
        Column("sex", CODE, True, "", ("female", "male", "other", "not_stated")),
        Column("age_band", CODE, True, "", ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")),
        Column("ethnicity", CODE, True, "", ("asian", "black", "mixed", "white", "other", "not_stated")),
        Column("assessments", INTEGER, True, "times the person was taken through an assessment in this journey (>= 1)"),
        Column(
            "choice_offered",
            BOOLEAN,
            True,
            "offered a choice of how to engage (in person, phone, video, outreach, home)",
        ),
        Column("peer_support_offered", BOOLEAN, True, "offered a peer supporter or navigator"),
        Column("mental_health_need", BOOLEAN, True, "has a mental health need"),
        Column(
            "mental_health_support", BOOLEAN, True, "receiving mental health support alongside, not after, treatment"
        ),
        Column(
            "housing_need",
            CODE,
            True,
            "urgent = no fixed abode or at risk within 28 days",
            ("urgent", "problem", "none"),
        ),
        Column("housing_support", BOOLEAN, True, "receiving housing support"),
        Column(
            "aftercare_offered",
            BOOLEAN,
            "discharge_date",
            "offered support after treatment ends (required when discharged)",
        ),
        Column("representation", BOOLEAN, True, "came back within 6 months of an earlier discharge"),
        Column("restarted_from_scratch", BOOLEAN, True, "made to repeat the whole assessment and start again"),
    ),
)

CONTACTS = Table(
    name="contacts",
    file="contacts.csv",
    required_file=True,
    key="contact_id",
    meaning="one row per appointment or contact in the period",
    parent=("episode_id", "episodes"),
    columns=(
        Column("contact_id", TEXT, True, "unique within the return"),
        Column("episode_id", TEXT, True, "must be an episode of this return"),
        Column("contact_date", DATE, True, "inside the period"),
        Column("mode", CODE, True, "", ("in_person", "phone", "video", "outreach", "home_visit")),
        Column("outcome", CODE, True, "", ("attended", "missed", "cancelled_by_provider", "cancelled_by_person")),
        Column(
            "after_missed",
            CODE,
            "outcome=missed",
            "what followed a missed appointment (required when missed)",
            ("none", "rebooked", "warning", "script_reduced", "discharged"),
        ),
        Column("staff_role", CODE, True, "", ("clinical", "keyworker", "peer", "mental_health", "housing", "other")),
    ),
)

WORKFORCE = Table(
    name="workforce",
    file="workforce.csv",
    required_file=True,
    key="staff_id",
    meaning="one row per person working in the service in the period",
    columns=(
        Column("staff_id", TEXT, True, "unique within the return (no names)"),
        Column(
            "role",
            CODE,
            True,
            "",
            ("clinical", "keyworker", "peer", "mental_health", "housing", "manager", "admin", "other"),
        ),
        Column("paid", BOOLEAN, True, "no for volunteers"),
        Column("fte", NUMBER, True, "full-time equivalent, > 0 and <= 1.5 (volunteers: hours a week / 37.5)"),
        Column("lived_experience", CODE, True, "self-declared", ("yes", "no", "prefer_not_to_say")),
        Column("trauma_training_date", DATE, False, "most recent trauma-informed practice training"),
    ),
)

KPIS = Table(
    name="kpis",
    file="kpis.csv",
    required_file=True,
    key="kpi_id",
    counts_people=False,
    meaning="every performance indicator in the contract or set internally (may hold a header only)",
    columns=(
        Column("kpi_id", TEXT, True, "unique within the return"),
        Column("name", TEXT, True, "the indicator as written in the contract"),
        Column(
            "measure",
            CODE,
            True,
            "",
            (
                "successful_completion",
                "opiate_free_discharge",
                "drug_free_discharge",
                "waiting_time",
                "retention",
                "numbers_in_treatment",
                "experience",
                "other",
            ),
        ),
        Column("target", TEXT, False, "as written"),
        Column("payment_linked", BOOLEAN, True, "payment or tender scoring depends on it"),
        Column("set_by", CODE, True, "", ("commissioner", "provider")),
    ),
)

SITES = Table(
    name="sites",
    file="sites.csv",
    required_file=True,
    key="site_id",
    counts_people=False,
    meaning="one row per site",
    columns=(
        Column("site_id", TEXT, True, "unique within the return"),
        Column("name", TEXT, True, ""),
        Column("private_waiting_area", BOOLEAN, True, "waiting away from reception and from other people's business"),
        Column("women_only_space", BOOLEAN, True, "a women-only space or session each week"),
        Column("open_outside_office_hours", BOOLEAN, True, "open evenings or weekends"),
        Column("drop_in", BOOLEAN, True, "can be seen without an appointment"),
    ),
)

DOCUMENTS = Table(
    name="documents",
    file="documents.csv",
    required_file=False,
    key="document_id",
    counts_people=False,
    meaning="leaflets, letters and policies given to people (optional)",
    columns=(
        Column("document_id", TEXT, True, "unique within the return"),
        Column("title", TEXT, True, ""),
        Column("text", TEXT, True, "the full text"),
    ),
)

STORIES = Table(
    name="stories",
    file="stories.csv",
    required_file=True,
    key="story_id",
    meaning="stories gathered independently by an expert citizens group or auditor",
    columns=(
        Column("story_id", TEXT, True, "unique within the pack"),
        Column("gathered_on", DATE, True, ""),
        Column(
            "teller",
            CODE,
            True,
            "",
            ("person_using_services", "family_member", "peer_researcher", "staff", "expert_citizen"),
        ),
        Column("standards", TEXT, False, "standard ids this story speaks to, separated by ;"),
        Column("consent", CODE, True, "only yes is ever shown or printed", ("yes", "no", "withdrawn")),
        Column("story", TEXT, True, "the words as told, de-identified"),
        Column(
            "use_of_words",
            CODE,
            "consent=yes",
            "how the person agreed their words may be used: quoted (printed as told), summarised (only the "
            "auditor's summary is printed, never the words) or not_at_all (counted as a voice heard, never "
            "shown); when the column is left out, quoted",
            ("quoted", "summarised", "not_at_all"),
            header_optional=True,
        ),
        Column(
            "reference",
            TEXT,
            False,
            "the reference the person keeps to take their story back later: a reference of three groups of four "
            "letters, such as KMTR-HWAX-CEPN, made at random (never from anything about the person); "
            "unique within the pack when given",
            header_optional=True,
        ),
        Column(
            "interviewer",
            TEXT,
            False,
            "who gathered the story, for credit and fair pay; printed only when credit is yes",
            header_optional=True,
        ),
        Column(
            "credit",
            BOOLEAN,
            False,
            "yes: the interviewer chose to be named in published reports; empty or no: never named",
            header_optional=True,
        ),
        Column(
            "hours",
            NUMBER,
            False,
            "hours the interviewer spent on this story: travel, the conversation and writing it up (>= 0 and <= 24)",
            header_optional=True,
        ),
    ),
)

RETURN_TABLES: tuple[Table, ...] = (EPISODES, CONTACTS, WORKFORCE, KPIS, SITES, DOCUMENTS)
PACK_TABLES: tuple[Table, ...] = (STORIES,)
TABLES: dict[str, Table] = {t.name: t for t in RETURN_TABLES + PACK_TABLES}


# Ids end up in file names (audit-P001-2026-Q2.pdf) and in the dashboard's links, so they
# are plain ASCII letters and digits, - and _: never '/', '..', '=', a space, an invisible
# character or a letter that only looks like a Latin one. (re.ASCII: \d and \w would
# otherwise take Arabic digits and Cyrillic letters.)
ID_MAX = 32
ID_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{ID_MAX - 1}}}", re.ASCII)
ID_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_")
ID_RULE = f"letters A to Z, digits, - or _; at most {ID_MAX}, starting with a letter or a digit"
PERIOD_RE = re.compile(r"(\d{4})-Q([1-4])", re.ASCII)
PERIOD_RULE = "the year, a dash, Q and the quarter's number (1 to 4)"
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Names (of a provider, an area, a group) are one line of plain text.
NAME_MAX = 200
NAME_RULE = f"one line of text, at most {NAME_MAX} characters"


@dataclass(frozen=True)
class MetaField:
    name: str
    type: str
    example: str
    meaning: str
    rule: str  # how it is written, for the providers' document
    pattern: re.Pattern | None = None  # the whole value must match (fullmatch)


RETURN_META = (
    MetaField("provider_id", TEXT, "P001", "stable code of the provider", ID_RULE, ID_RE),
    MetaField("provider_name", TEXT, "Northgate Recovery Partnership", "the provider's name", NAME_RULE),
    MetaField("area", TEXT, "Northshire", "commissioning area", NAME_RULE),
    MetaField(
        "period", TEXT, "2026-Q2", "calendar quarter: 2026-Q2 = 2026-04-01 .. 2026-06-30", PERIOD_RULE, PERIOD_RE
    ),
    MetaField("submitted_on", DATE, "2026-07-14", "the day the provider submitted the return", "YYYY-MM-DD", DATE_RE),
)
PACK_META = (
    MetaField("provider_id", TEXT, "P001", "the provider the stories are about", ID_RULE, ID_RE),
    MetaField("period", TEXT, "2026-Q2", "calendar quarter", PERIOD_RULE, PERIOD_RE),
    MetaField("gathered_by", TEXT, "Northshire Expert Citizens Group", "the independent group or auditor", NAME_RULE),
)
RETURN_META_FILE = "return.yaml"
PACK_META_FILE = "pack.yaml"


def is_id(value: object) -> bool:
    """A provider id as the specification writes it (safe in a file name and a link)."""
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None


def is_period(value: object) -> bool:
    return isinstance(value, str) and PERIOD_RE.fullmatch(value) is not None


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter such as '2026-Q2'; ValueError otherwise."""
    match = PERIOD_RE.fullmatch(str(period).strip())
    if not match:
        raise ValueError(f"'{period}' is not a quarter written like 2026-Q2")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = dt.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    end = dt.date(year + (end_month == 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def previous_period(period: str) -> str:
    """The quarter before, e.g. '2026-Q1' -> '2025-Q4'."""
    start, _ = parse_period(period)
    return period_of(start - dt.timedelta(days=1))


def period_of(day: dt.date) -> str:
    """The quarter a day falls in, e.g. 2026-05-02 -> '2026-Q2'."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
