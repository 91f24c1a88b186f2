"""The provider return in plain English: what each table counts, what each column and coded
value is called, and how each reads inside a sentence.

audits.spec is the data contract (names, types, codes); this is how the same contract reads to
an expert citizen building a measure in the workshop's menus ("Why treatment ended: Died"), and
how the read-back sentence of a measure says it ("people who left treatment this quarter, apart
from those who died"). tests/test_vocabulary.py checks that every table, column and code of the
contract has its words here, so a new column in spec.py cannot reach the menus unnamed.

Phrases are written to follow a plural noun ("people", "staff", "sites") as a reduced relative
clause, so they can be joined: "people [with an urgent housing need] [getting housing support]".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audits import spec


@dataclass(frozen=True)
class Counted:
    """Who or what a table's rows are, for menus and sentences."""

    menu: str  # "People in treatment": the choice in the form
    noun: str  # "people": the plural that phrases follow ("Of people referred this quarter")
    everyone: str  # "everyone in treatment during the quarter": the rows when no condition narrows them


@dataclass(frozen=True)
class Field:
    """One column, in plain words.

    `name` is the menu label. A yes/no column reads as `yes` / `no`; a coded column as one of
    `codes` (menu labels), in a sentence through `phrases` (one per code) or else `is_`; a date
    as `event` (the thing that happened: "referral") and `did` (how a row is described by it:
    "referred"); a number as `number` with `unit` ("taken through" "exactly 1" "assessment").
    `menu` False keeps a reference number (an id) out of the condition menus.
    """

    name: str
    yes: str = ""
    no: str = ""
    codes: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    is_: str = ""  # "whose main substance is {}": codes' labels in lower case, joined by "or"
    is_not: str = ""  # "apart from those {}": phrases of the codes left out
    event: str = ""
    did: str = ""
    number: str = ""
    unit: tuple[str, str] = ("", "")
    weight: str = ""  # "counted by their full-time equivalent": this number used as a weight
    menu: bool = True


COUNTED: dict[str, Counted] = {
    "episodes": Counted("People in treatment", "people", "everyone in treatment at any time in the quarter"),
    "contacts": Counted("Appointments and contacts", "appointments", "all appointments and contacts in the quarter"),
    "workforce": Counted("Staff, paid or volunteer", "staff", "everyone working in the service, paid or volunteer"),
    "kpis": Counted(
        "Contract and performance indicators",
        "indicators",
        "all performance indicators in the contract or set by the provider",
    ),
    "sites": Counted("Sites", "sites", "all sites"),
    "documents": Counted(
        "Documents given to people", "documents", "all leaflets, letters and policies given to people"
    ),
}

_ID = Field("Reference number", menu=False)

FIELDS: dict[str, dict[str, Field]] = {
    "episodes": {
        "episode_id": _ID,
        "person_id": Field("Person's reference number", menu=False),
        "referral_date": Field("Referral date", event="referral", did="referred"),
        "first_contact_date": Field(
            "Date of the first supportive contact",
            event="the first supportive contact",
            did="first contacted",
        ),
        "first_intervention_date": Field(
            "Date structured treatment started",
            event="the start of structured treatment",
            did="who started structured treatment",
        ),
        "discharge_date": Field("Date treatment ended", event="leaving treatment", did="who left treatment"),
        "discharge_reason": Field(
            "Why treatment ended",
            codes={
                "completed_drug_free": "Completed treatment, drug-free",
                "completed_occasional_use": "Completed treatment, with occasional use",
                "transferred": "Transferred to another service",
                "dropped_out": "Dropped out",
                "withdrawn_by_provider": "The service withdrew treatment",
                "declined": "Declined treatment",
                "moved_away": "Moved away",
                "in_custody": "Went into custody",
                "died": "Died",
            },
            phrases={
                "completed_drug_free": "who completed treatment drug-free",
                "completed_occasional_use": "who completed treatment with occasional use",
                "transferred": "who were transferred to another service",
                "dropped_out": "who dropped out",
                "withdrawn_by_provider": "whose treatment the service withdrew",
                "declined": "who declined treatment",
                "moved_away": "who moved away",
                "in_custody": "who went into custody",
                "died": "who died",
            },
        ),
        "substance_group": Field(
            "Main substance",
            codes={
                "opiate": "Opiates",
                "non_opiate": "Non-opiate drugs",
                "alcohol": "Alcohol",
                "non_opiate_and_alcohol": "Non-opiate drugs and alcohol",
            },
            is_="whose main substance is {}",
        ),
        "sex": Field(
            "Sex",
            codes={"female": "Female", "male": "Male", "other": "Other", "not_stated": "Not stated"},
            is_="whose sex is recorded as {}",
        ),
        "age_band": Field(
            "Age",
            codes={
                "18-24": "18 to 24",
                "25-34": "25 to 34",
                "35-44": "35 to 44",
                "45-54": "45 to 54",
                "55-64": "55 to 64",
                "65+": "65 or over",
            },
            is_="aged {}",
        ),
        "ethnicity": Field(
            "Ethnic group",
            codes={
                "asian": "Asian",
                "black": "Black",
                "mixed": "Mixed",
                "white": "White",
                "other": "Other",
                "not_stated": "Not stated",
            },
            phrases={
                "asian": "whose ethnic group is recorded as Asian",
                "black": "whose ethnic group is recorded as Black",
                "mixed": "whose ethnic group is recorded as mixed",
                "white": "whose ethnic group is recorded as White",
                "other": "whose ethnic group is recorded as another group",
                "not_stated": "whose ethnic group is not stated",
            },
        ),
        "assessments": Field(
            "Number of assessments in this journey",
            number="taken through {}",
            unit=("assessment", "assessments"),
        ),
        "choice_offered": Field(
            "Offered a choice of how to take part",
            yes="offered a choice of how to take part",
            no="not offered a choice of how to take part",
        ),
        "peer_support_offered": Field(
            "Offered a peer supporter or navigator",
            yes="offered a peer supporter or navigator",
            no="not offered a peer supporter or navigator",
        ),
        "mental_health_need": Field(
            "Has a mental health need", yes="with a mental health need", no="without a mental health need"
        ),
        "mental_health_support": Field(
            "Getting mental health support alongside treatment",
            yes="getting mental health support alongside treatment",
            no="not getting mental health support alongside treatment",
        ),
        "housing_need": Field(
            "Housing need",
            codes={
                "urgent": "Urgent (no fixed abode, or at risk within 28 days)",
                "problem": "A housing problem",
                "none": "None",
            },
            phrases={
                "urgent": "with an urgent housing need",
                "problem": "with a housing problem",
                "none": "with no housing need",
            },
        ),
        "housing_support": Field(
            "Getting housing support", yes="getting housing support", no="not getting housing support"
        ),
        "aftercare_offered": Field(
            "Offered support after treatment ends",
            yes="offered support after treatment ends",
            no="not offered support after treatment ends",
        ),
        "representation": Field(
            "Came back within 6 months of leaving treatment",
            yes="who came back within 6 months of leaving treatment",
            no="who were not coming back within 6 months of leaving treatment",
        ),
        "restarted_from_scratch": Field(
            "Made to repeat the whole assessment and start again",
            yes="made to start again from scratch",
            no="not made to start again from scratch",
        ),
    },
    "contacts": {
        "contact_id": _ID,
        "episode_id": Field("Treatment journey's reference number", menu=False),
        "contact_date": Field("Date of the appointment", event="the appointment", did="held"),
        "mode": Field(
            "How it took place",
            codes={
                "in_person": "In person",
                "phone": "By phone",
                "video": "By video",
                "outreach": "Outreach",
                "home_visit": "A home visit",
            },
            phrases={
                "in_person": "held in person",
                "phone": "held by phone",
                "video": "held by video",
                "outreach": "held as outreach",
                "home_visit": "held as a home visit",
            },
        ),
        "outcome": Field(
            "What happened",
            codes={
                "attended": "Attended",
                "missed": "Missed",
                "cancelled_by_provider": "Cancelled by the service",
                "cancelled_by_person": "Cancelled by the person",
            },
            phrases={
                "attended": "that were attended",
                "missed": "that were missed",
                "cancelled_by_provider": "that the service cancelled",
                "cancelled_by_person": "that the person cancelled",
            },
        ),
        "after_missed": Field(
            "What followed a missed appointment",
            codes={
                "none": "Nothing",
                "rebooked": "A new appointment",
                "warning": "A warning",
                "script_reduced": "A reduced script",
                "discharged": "A discharge",
            },
            phrases={
                "none": "followed by nothing",
                "rebooked": "followed by a new appointment",
                "warning": "followed by a warning",
                "script_reduced": "followed by a reduced script",
                "discharged": "followed by a discharge",
            },
        ),
        "staff_role": Field(
            "Who the person saw",
            codes={
                "clinical": "Clinical staff",
                "keyworker": "A keyworker",
                "peer": "A peer worker",
                "mental_health": "A mental health worker",
                "housing": "A housing worker",
                "other": "Someone else",
            },
            is_="with {}",
        ),
    },
    "workforce": {
        "staff_id": _ID,
        "role": Field(
            "Role",
            codes={
                "clinical": "Clinical",
                "keyworker": "Keyworker",
                "peer": "Peer worker",
                "mental_health": "Mental health worker",
                "housing": "Housing worker",
                "manager": "Manager",
                "admin": "Administration",
                "other": "Other",
            },
            is_="whose role is {}",
        ),
        "paid": Field("Paid (not a volunteer)", yes="who are paid", no="who are volunteers"),
        "fte": Field(
            "Full-time equivalent",
            number="working {}",
            unit=("full-time equivalent", "full-time equivalent"),
            weight="each counted by their full-time equivalent (a full-time post counts as 1)",
        ),
        "lived_experience": Field(
            "Lived experience (as they say themselves)",
            codes={"yes": "Yes", "no": "No", "prefer_not_to_say": "Prefer not to say"},
            phrases={
                "yes": "with lived experience",
                "no": "without lived experience",
                "prefer_not_to_say": "who preferred not to say whether they have lived experience",
            },
        ),
        "trauma_training_date": Field(
            "Date of their last trauma-informed training",
            event="their last trauma-informed training",
            did="last trained in trauma-informed practice",
        ),
    },
    "kpis": {
        "kpi_id": _ID,
        "name": Field("Name (as written in the contract)"),
        "measure": Field(
            "What the indicator measures",
            codes={
                "successful_completion": "Successful completions",
                "opiate_free_discharge": "Opiate-free discharges",
                "drug_free_discharge": "Drug-free discharges",
                "waiting_time": "Waiting times",
                "retention": "Keeping people in treatment",
                "numbers_in_treatment": "Numbers in treatment",
                "experience": "People's experience",
                "other": "Something else",
            },
            is_="measuring {}",
        ),
        "target": Field("Target (as written)"),
        "payment_linked": Field(
            "Payment or tender scoring depends on it",
            yes="tied to payment or tender scoring",
            no="not tied to payment or tender scoring",
        ),
        "set_by": Field(
            "Set by", codes={"commissioner": "The commissioner", "provider": "The provider"}, is_="set by {}"
        ),
    },
    "sites": {
        "site_id": _ID,
        "name": Field("Site name"),
        "private_waiting_area": Field(
            "Private waiting area", yes="with a private waiting area", no="without a private waiting area"
        ),
        "women_only_space": Field(
            "Women-only space or session each week",
            yes="with a women-only space or session each week",
            no="without a women-only space or session each week",
        ),
        "open_outside_office_hours": Field(
            "Open in the evenings or at weekends",
            yes="open in the evenings or at weekends",
            no="not open in the evenings or at weekends",
        ),
        "drop_in": Field(
            "People can be seen without an appointment",
            yes="where people can be seen without an appointment",
            no="where people cannot be seen without an appointment",
        ),
    },
    "documents": {
        "document_id": _ID,
        "title": Field("Title"),
        "text": Field("Text"),
    },
}

# The two dates every condition may use, besides a table's own columns.
QUARTER_DAYS = {"period_start": "the first day of the quarter", "period_end": "the last day of the quarter"}


def counted(table: str) -> Counted:
    return COUNTED[table]


def field_of(table: str, column: str) -> Field:
    return FIELDS[table][column]


def column_type(table: str, column: str) -> str:
    """The contract's type of a column (spec.TEXT, CODE, DATE, BOOLEAN, INTEGER, NUMBER)."""
    if column in QUARTER_DAYS:
        return spec.DATE
    return spec.TABLES[table].column(column).type


def menu_columns(table: str, *types: str) -> list[str]:
    """The columns of a table offered in the form's menus, in the contract's order."""
    return [c.name for c in spec.TABLES[table].columns if FIELDS[table][c.name].menu and (not types or c.type in types)]


def ends_by_quarter_end(table: str, column: str) -> bool:
    """A date the contract keeps inside the quarter's end ('not after the period's end'), so
    'on or after the first day of the quarter' can be said as 'this quarter'."""
    meaning = spec.TABLES[table].column(column).meaning
    return "not after the period's end" in meaning or "inside the period" in meaning


def always_filled(table: str, column: str) -> bool:
    """A column every row must fill in (so no row is left out for want of it)."""
    return column in QUARTER_DAYS or spec.TABLES[table].column(column).required is True
