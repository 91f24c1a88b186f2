"""Synthetic provider returns and evidence packs, worth auditing.

The demo has to show what the tool is for: providers that differ the way real
ones do (a warm welcome but a hard line on missed appointments; a payment-linked
opiate-free discharge target that is later dropped; a service so small that every
figure is "too few to tell"; a return full of the mistakes data officers make),
and that change from quarter to quarter. Stories in the evidence packs are new,
de-identified accounts written in the spirit of the source documents, chosen to
match each provider's ways, so numbers and stories can be read side by side.

Two scales: `small` (8 providers in two invented areas over 8 quarters, loaded by
`make run`) and `national` (about 150 providers over 4 quarters, calibrated to
England 2024-25, for benchmarks). Episodes are simulated once per provider over
the whole window as a stationary flow of referrals with exponential lengths, so
a journey open across quarters appears in each quarter's return with the same
episode and person ids. All heavy work is vectorised with numpy and written by
DuckDB's CSV writer. The same seed always gives the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from audits import spec, tiers
from audits.demo_stories import DOCUMENTS, FONT_STORIES, PERSONAL_DETAIL_STORIES, STORIES

SCALES = ("small", "national")
SMALL_PERIODS = ("2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
NATIONAL_PERIODS = ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
MANIFEST = "demo.json"
EPOCH = dt.date(1970, 1, 1)
NULL = -1

# England 2024-25 (OHID): 329,646 adults in treatment in the year, 169,542 of them new.
ENGLAND_IN_TREATMENT = 329_646
ENGLAND_NEW = 169_542
NATIONAL_PROVIDERS = 150

SUBSTANCES = spec.EPISODES.column("substance_group").codes  # opiate, non_opiate, alcohol, both
# Shares of people in treatment (42% opiate, 30% alcohol only, 28% non-opiate) and the share
# of each group that is new in the year; together they fix the arrival shares and the mean
# length of a journey (Little's law: stock = arrivals x mean length).
IN_TREATMENT_SHARE = np.array([0.42, 0.16, 0.30, 0.12])
NEW_SHARE = np.array([0.32, 0.655, 0.655, 0.655])
ARRIVAL_SHARE = IN_TREATMENT_SHARE * NEW_SHARE / (IN_TREATMENT_SHARE * NEW_SHARE).sum()
MEAN_YEARS = (1 - NEW_SHARE) / NEW_SHARE  # opiate 2.1 years, others about 6 months
# Chance that a journey ends in a successful completion, tuned so that 46% of leavers complete.
COMPLETION = np.array([0.22, 0.55, 0.56, 0.525])
# Contacts a day of an open journey, tuned so the national year holds about 8 million contacts.
CONTACT_RATE = 0.129
CONTACT_MULT = np.array([1.3, 0.85, 0.8, 0.9])

SEX_P = np.array([0.33, 0.66, 0.005, 0.005])
AGE_P = np.array(
    [
        [0.02, 0.13, 0.35, 0.31, 0.16, 0.03],  # opiate: an ageing group
        [0.14, 0.36, 0.28, 0.14, 0.07, 0.01],
        [0.03, 0.14, 0.25, 0.27, 0.22, 0.09],
        [0.10, 0.32, 0.30, 0.17, 0.09, 0.02],
    ]
)
ETHNICITY_P = np.array([0.03, 0.03, 0.03, 0.85, 0.01, 0.05])
HOUSING_P = np.array([[0.20, 0.18, 0.62], [0.08, 0.12, 0.80], [0.06, 0.10, 0.84], [0.10, 0.14, 0.76]])
NON_COMPLETION = ("transferred", "dropped_out", "withdrawn_by_provider", "declined", "moved_away", "in_custody", "died")
NON_COMPLETION_P = np.array([0.14, 0.52, 0.0, 0.08, 0.07, 0.07, 0.04])  # withdrawn: per provider
REASONS = spec.DISCHARGE_REASONS
MODES = spec.CONTACTS.column("mode").codes
OUTCOMES = spec.CONTACTS.column("outcome").codes
AFTER_MISSED = spec.CONTACTS.column("after_missed").codes  # none, rebooked, warning, script_reduced, discharged
CONTACT_ROLES = spec.CONTACTS.column("staff_role").codes
PUNITIVE_AFTER_MISSED = (0.04, 0.2, 0.3, 0.46)
GOLDEN = (5**0.5 - 1) / 2


# numpy draws a geometric number one way when its chance is 1/3 or more (a mean delay of
# up to 2 days) and another way below, using up a different count of random numbers.
# The national scale is calibrated on the draws that follow the welcome, so each
# provider's contact delay stays on the side of 2 days it was calibrated with (the
# eight archetypes: P002, P003, P007 and P006 until 2025-Q2 at most 2; the rest above).
WELCOME_NOTE = 2.0


class DemoError(RuntimeError):
    """A plain-English reason the demo could not be written (for example a folder in the way)."""


# ----------------------------------------------------------------------------- time-varying values


@dataclass(frozen=True)
class Steps:
    """A value that changes from given quarters on: Steps(0.3, {"2025-Q4": 0.6})."""

    first: object
    changes: dict = field(default_factory=dict)

    def at(self, period: str):
        value = self.first
        for since in sorted(self.changes):
            if period >= since:
                value = self.changes[since]
        return value


@dataclass(frozen=True)
class Trend:
    """A value moving steadily from `start` (until `since`) to `end` (from `until` on)."""

    start: float
    end: float
    since: str
    until: str

    def at(self, period: str) -> float:
        if period <= self.since:
            return self.start
        if period >= self.until:
            return self.end
        span = _quarter_number(self.until) - _quarter_number(self.since)
        done = _quarter_number(period) - _quarter_number(self.since)
        return self.start + (self.end - self.start) * done / span


def _quarter_number(period: str) -> int:
    year, quarter = period.split("-Q")
    return int(year) * 4 + int(quarter) - 1


def value_at(value, period: str):
    return value.at(period) if isinstance(value, (Steps, Trend)) else value


# ----------------------------------------------------------------------------- providers


@dataclass(frozen=True)
class Site:
    name: str
    private_waiting_area: object = True
    women_only_space: object = False
    open_outside_office_hours: object = False
    drop_in: object = False


@dataclass(frozen=True)
class Profile:
    """How one provider works. Any number may be a Steps or a Trend to change over time."""

    provider_id: str
    name: str
    area: str
    arrivals: float  # new journeys a year
    # The defaults are a middling service: near most standards but short of the best.
    contact_delay: object = 2.5  # mean days from referral to first supportive contact (see WELCOME_NOTE)
    wait_mean: object = 7.0  # mean days to first intervention, for most people
    wait_tail: object = 0.024  # share drawn to wait over three weeks (some leave first)
    choice: object = 0.84
    peer: object = 0.84
    mental_health: object = 0.7  # support alongside, for those with a need
    housing: object = 0.85  # support, for those with urgent need
    aftercare: object = 0.83  # offered on leaving, to those who complete
    extra_assessments: object = 0.16  # mean assessments beyond the first
    restart: object = 0.15  # made to start again, when coming back
    representation: object = 0.12
    completion_mult: object = 1.0
    opiate_length_mult: object = 1.0
    opiate_free_pressure: object = False
    missed: object = 0.14
    punitive: object = False
    withdrawn: object = 0.04  # share of unplanned exits that are the provider's decision
    script_cut: object = 0.03  # missed appointments of people on a script met with a cut (if not punitive)
    contact_mult: object = 1.0
    peer_contacts: object = 0.07
    female: float = 0.33
    caseload: object = 16.0  # open journeys per member of staff (all roles)
    peer_staff: object = 0.08
    lived_experience: object = 0.12
    trauma_trained: object = 0.85  # share of people hired who are trained (and kept up to date)
    training_active: object = True
    sites: tuple[Site, ...] = (Site("Main hub"),)
    kpis: tuple[tuple, ...] = ()
    language: object = "mixed"  # person_first | mixed | stigmatising
    messy: bool = False
    pack_chance: float = 0.9
    stories: tuple[int, int] = (3, 8)


STANDARD_KPIS = (
    (
        "Successful completions as a proportion of all in treatment",
        "successful_completion",
        "Top quartile of comparator group",
        False,
        "commissioner",
    ),
    ("Waiting time from referral to first intervention", "waiting_time", "95% within 3 weeks", False, "commissioner"),
    ("Numbers in effective treatment", "numbers_in_treatment", "Maintain at baseline", False, "commissioner"),
)
OFD_KPI = (
    "People using opiates discharged opiate-free",
    "opiate_free_discharge",
    "20% of opiate exits drug free",
    True,
    "commissioner",
)


def _kpis(*extra: tuple, drop_ofd_from: str | None = None, paid: object = False) -> tuple:
    """The usual indicators; `paid` (True, or Steps over quarters) puts money on completions."""
    rows = [_paid_completions(paid)] + list(STANDARD_KPIS[1:]) + list(extra)
    if drop_ofd_from:
        rows.append(OFD_KPI + (drop_ofd_from,))
    return tuple(rows)


def _paid_completions(paid: object) -> tuple:
    """The completions indicator of a payment-by-results contract (or not, when paid is False)."""
    return STANDARD_KPIS[0][:3] + (paid,) + STANDARD_KPIS[0][4:]


def archetypes(scale_up: float = 1.0) -> list[Profile]:
    """The eight providers of the small demo, each with a story to tell.

    Tuned so that the latest quarter reads like a real area: about a third of ratings
    green, a third amber and a quarter red, every standard met somewhere and missed
    somewhere, one provider climbing from red to green and one sliding the other way.
    """
    n, s = "Northshire", "Southvale"
    return [
        Profile(  # steadily improving: mental health support alongside, more peers, aftercare
            "P001",
            "Northgate Recovery Partnership",
            n,
            220 * scale_up,
            choice=Trend(0.45, 0.86, "2025-Q1", "2026-Q1"),
            housing=Trend(0.45, 0.86, "2025-Q1", "2026-Q1"),
            mental_health=Trend(0.32, 0.95, "2025-Q1", "2026-Q1"),
            peer=Trend(0.45, 0.98, "2025-Q1", "2026-Q1"),
            peer_staff=Trend(0.06, 0.22, "2025-Q1", "2026-Q2"),
            lived_experience=Trend(0.08, 0.35, "2025-Q1", "2026-Q2"),
            aftercare=Trend(0.55, 0.98, "2025-Q1", "2026-Q1"),
            restart=Trend(0.45, 0.08, "2025-Q1", "2025-Q4"),
            extra_assessments=Trend(0.45, 0.05, "2025-Q1", "2025-Q4"),
            trauma_trained=Trend(0.5, 0.86, "2025-Q1", "2026-Q1"),
            contact_delay=Trend(4.0, 2.5, "2025-Q1", "2026-Q1"),
            withdrawn=Trend(0.08, 0.01, "2025-Q1", "2025-Q4"),
            script_cut=Trend(0.06, 0.01, "2025-Q1", "2025-Q4"),
            language=Steps("mixed", {"2025-Q3": "person_first"}),
            sites=(
                Site(
                    "Northgate Hub",
                    private_waiting_area=Steps(False, {"2025-Q3": True}),
                    women_only_space=Steps(False, {"2025-Q4": True}),
                ),
                Site(
                    "Millbrook Outreach Base", drop_in=True, open_outside_office_hours=Steps(False, {"2026-Q1": True})
                ),
            ),
            kpis=_kpis(
                ("People's experience of the service (quarterly survey)", "experience", None, False, "provider")
            ),
        ),
        Profile(  # welcoming, peers everywhere, but a hard line on missed appointments
            "P002",
            "Harbour Lane Drug and Alcohol Service",
            n,
            260 * scale_up,
            contact_delay=0.4,
            wait_mean=5.0,
            wait_tail=0.01,
            peer=0.97,
            choice=0.5,
            peer_contacts=0.16,
            punitive=True,
            missed=0.17,
            withdrawn=0.3,
            peer_staff=0.25,
            lived_experience=0.3,
            extra_assessments=0.02,
            trauma_trained=0.98,
            mental_health=0.72,
            housing=0.85,
            aftercare=0.88,
            restart=0.15,
            sites=(Site("Harbour Lane Centre", drop_in=True, open_outside_office_hours=True),),
            language="mixed",
            kpis=_kpis(("Retention in treatment beyond 12 weeks", "retention", "80%", False, "provider")),
        ),
        Profile(  # a very small rural service: every figure is too few to tell
            "P003",
            "Fellside Community Recovery",
            n,
            7.0 * scale_up,
            contact_delay=1.0,
            peer=0.9,
            choice=0.9,
            caseload=3.0,
            peer_staff=0.34,
            lived_experience=0.5,
            sites=(Site("Fellside Chapel Rooms", private_waiting_area=True, drop_in=True),),
            kpis=(),
            language="person_first",
            pack_chance=0.75,
            stories=(1, 3),
        ),
        Profile(  # a large integrated service whose returns are full of mistakes
            "P004",
            "Northshire Integrated Treatment Service",
            n,
            420 * scale_up,
            messy=True,
            wait_tail=0.03,
            caseload=19.0,
            mental_health=0.93,
            lived_experience=0.14,
            withdrawn=0.06,
            script_cut=0.05,
            sites=(
                Site("Castle Street", private_waiting_area=False),
                Site(
                    "Eastfield Clinic", open_outside_office_hours=True, women_only_space=Steps(False, {"2026-Q1": True})
                ),
                Site("Northshire Women's Wellbeing Hub", women_only_space=True, private_waiting_area=True),
            ),
            kpis=_kpis(("Drug-free discharges (internal target)", "drug_free_discharge", "35%", False, "provider")),
            language="stigmatising",
        ),
        Profile(  # paid by opiate-free discharges until the commissioner dropped the target
            "P005",
            "Southvale Pathways",
            s,
            240 * scale_up,
            opiate_free_pressure=Steps(True, {"2025-Q4": False}),
            opiate_length_mult=Steps(0.45, {"2025-Q4": 1.0}),
            completion_mult=Steps(1.05, {"2025-Q4": 1.0}),
            representation=Steps(0.24, {"2025-Q4": 0.14, "2026-Q2": 0.1}),
            restart=Steps(0.35, {"2025-Q4": 0.05}),
            aftercare=Steps(0.35, {"2025-Q4": 0.97}),
            housing=0.96,
            mental_health=0.72,
            withdrawn=0.01,
            script_cut=0.01,
            kpis=_kpis(drop_ofd_from="2025-Q4", paid=Steps(True, {"2025-Q4": False})),
            sites=(
                Site("Pathways House", women_only_space=Steps(False, {"2025-Q4": True})),
                Site("Southvale Central", open_outside_office_hours=True),
            ),
        ),
        Profile(  # declining: staff cuts, longer waits, training lapsing, a worse building
            "P006",
            "Riverside Wellbeing Trust",
            s,
            200 * scale_up,
            contact_delay=Trend(0.6, 8.0, "2025-Q2", "2026-Q3"),
            wait_mean=Trend(6.0, 12.0, "2025-Q2", "2026-Q3"),
            wait_tail=Trend(0.01, 0.09, "2025-Q2", "2026-Q3"),
            peer=Trend(0.97, 0.3, "2025-Q2", "2026-Q2"),
            choice=Trend(0.96, 0.4, "2025-Q2", "2026-Q2"),
            mental_health=Trend(0.92, 0.4, "2025-Q2", "2026-Q2"),
            housing=Trend(0.97, 0.45, "2025-Q2", "2026-Q2"),
            aftercare=Trend(0.97, 0.5, "2025-Q2", "2026-Q3"),
            extra_assessments=Trend(0.03, 0.5, "2025-Q2", "2026-Q2"),
            restart=Trend(0.05, 0.4, "2025-Q2", "2026-Q2"),
            withdrawn=Trend(0.01, 0.06, "2025-Q2", "2026-Q3"),
            script_cut=Trend(0.01, 0.06, "2025-Q2", "2026-Q3"),
            caseload=Trend(14.0, 24.0, "2025-Q2", "2026-Q3"),
            peer_staff=Trend(0.2, 0.02, "2025-Q2", "2026-Q3"),
            lived_experience=Trend(0.14, 0.06, "2025-Q2", "2026-Q3"),
            training_active=Steps(True, {"2025-Q3": False}),
            trauma_trained=Trend(0.98, 0.4, "2025-Q2", "2026-Q3"),
            missed=Trend(0.13, 0.2, "2025-Q2", "2026-Q3"),
            sites=(
                Site(
                    "Riverside House",
                    private_waiting_area=Steps(True, {"2026-Q1": False}),
                    women_only_space=Steps(True, {"2026-Q1": False}),
                    open_outside_office_hours=Steps(True, {"2025-Q4": False}),
                ),
            ),
            language="person_first",
            kpis=_kpis(
                ("People retained in treatment at 12 weeks", "retention", "75%", True, "commissioner"), paid=True
            ),
        ),
        Profile(  # women's and families' service: out of hours, person-first, strong aftercare
            "P007",
            "Meadowbank Recovery Hub",
            s,
            160 * scale_up,
            female=0.62,
            contact_delay=0.6,
            choice=0.96,
            peer=0.96,
            mental_health=0.93,
            housing=0.86,
            aftercare=0.98,
            restart=0.02,
            extra_assessments=0.04,
            peer_staff=0.2,
            lived_experience=0.32,
            missed=0.12,
            withdrawn=0.01,
            script_cut=0.01,
            trauma_trained=0.8,
            sites=(
                Site("Meadowbank", women_only_space=True, open_outside_office_hours=True, drop_in=True),
                Site("Meadowbank Family Room", women_only_space=True, open_outside_office_hours=True),
            ),
            language="person_first",
            kpis=_kpis(("People's experience of the service", "experience", None, False, "provider")),
        ),
        Profile(  # traditional and clinical; offers more choice and rewrites its leaflets in 2026
            "P008",
            "Southvale Alcohol and Drug Service",
            s,
            300 * scale_up,
            contact_delay=12.0,
            wait_mean=9.0,
            wait_tail=0.03,
            choice=Trend(0.3, 0.8, "2025-Q4", "2026-Q2"),
            peer=0.3,
            mental_health=0.7,
            housing=0.85,
            aftercare=0.83,
            extra_assessments=1.6,
            restart=0.85,
            peer_staff=0.03,
            lived_experience=0.03,
            trauma_trained=0.35,
            peer_contacts=0.02,
            withdrawn=0.01,
            script_cut=0.005,
            language=Steps("stigmatising", {"2026-Q2": "person_first"}),
            sites=(Site("Southvale Clinic", private_waiting_area=False),),
            kpis=_kpis(("Drug-free discharges", "drug_free_discharge", "30%", True, "commissioner")),
        ),
    ]


NATIONAL_AREAS = (
    "Northshire",
    "Southvale",
    "Eastmere",
    "Westford",
    "Highmoor",
    "Lowfield",
    "Riverton",
    "Ashdale",
    "Brackenridge",
    "Coldharbour",
    "Dunmore",
    "Elmstead",
    "Fernleigh",
    "Greywater",
    "Hollinsby",
)
NAME_PARTS = (
    (
        "Open Door",
        "New Leaf",
        "Bridgeway",
        "Compass",
        "Harbour",
        "Lantern",
        "Crossroads",
        "Wayfinder",
        "Beacon",
        "Turning Point Street",
        "Hillside",
        "Oakwood",
        "Riverbank",
        "Kingsgate",
        "Maple",
    ),
    (
        "Recovery Service",
        "Drug and Alcohol Service",
        "Recovery Partnership",
        "Wellbeing Service",
        "Treatment Service",
        "Recovery Hub",
        "Community Recovery",
    ),
)


def national_profiles(rng: np.random.Generator, providers: int = NATIONAL_PROVIDERS) -> list[Profile]:
    """The eight archetypes scaled up, then providers of believable random ways, sized to England.

    The ranges spread providers across green, amber and red much as the small demo does.
    Draws that came later (payment by results, how fair a service is) come from a child
    generator, so the sizes and waits drawn from `rng`, and with them the calibration to
    England, stay exactly as they were.
    """
    aux = rng.spawn(1)[0]
    base = archetypes(scale_up=1.0)
    profiles = list(base[: min(8, providers)])
    for i in range(len(profiles), providers):

        def trend(lo, hi):
            a, b = rng.uniform(lo, hi, 2)
            return Trend(float(a), float(b), "2025-Q4", "2026-Q3") if rng.random() < 0.3 else float(a)

        sites = tuple(
            Site(
                f"Site {k + 1}",
                private_waiting_area=bool(rng.random() < 0.8),
                women_only_space=bool(rng.random() < 0.7),
                open_outside_office_hours=bool(rng.random() < 0.55),
                drop_in=bool(rng.random() < 0.5),
            )
            for k in range(int(rng.integers(1, 5)))
        )
        kpis = list(STANDARD_KPIS[: int(rng.integers(1, 4))])
        kpis[0] = _paid_completions(bool(aux.random() < 0.25))
        opiate_free_target = bool(rng.random() < 0.12)
        if opiate_free_target:
            kpis.append(OFD_KPI)
        punitive = bool(rng.random() < 0.12)
        profiles.append(
            Profile(
                f"P{i + 1:03d}",
                f"{NAME_PARTS[0][i % 15]} {NAME_PARTS[1][(i // 15) % 7]} {i + 1}",
                NATIONAL_AREAS[i % len(NATIONAL_AREAS)],
                1.0,
                contact_delay=trend(0.5, 8),
                wait_mean=trend(4, 10),
                wait_tail=trend(0.006, 0.042),
                choice=trend(0.55, 1.0),
                peer=trend(0.55, 1.0),
                mental_health=trend(0.45, 0.97),
                housing=trend(0.6, 1.0),
                aftercare=trend(0.6, 1.0),
                extra_assessments=float(rng.uniform(0.0, 0.45)),
                restart=float(rng.uniform(0.0, 0.4)),
                punitive=punitive,
                opiate_free_pressure=opiate_free_target,
                opiate_length_mult=0.8 if opiate_free_target else 1.0,
                withdrawn=0.25 if punitive else float(aux.uniform(0.0, 0.08)),
                script_cut=float(aux.uniform(0.0, 0.08)),
                missed=float(rng.uniform(0.1, 0.2)),
                peer_staff=trend(0.04, 0.28),
                lived_experience=trend(0.06, 0.35),
                trauma_trained=trend(0.6, 1.0),
                caseload=float(rng.uniform(12, 22)),
                sites=sites,
                kpis=tuple(kpis),
                language=str(rng.choice(["person_first", "mixed", "stigmatising"], p=[0.4, 0.4, 0.2])),
            )
        )
    # Size the providers so the year holds England's new presentations: a few big city
    # services, many middling county ones.
    weights = rng.lognormal(0.0, 0.7, len(profiles))
    weights[2] = 0.0  # the very small service keeps its handful
    # A trimmed run (providers < 150) keeps England's size per provider, for quick checks.
    total = ENGLAND_NEW * len(profiles) / NATIONAL_PROVIDERS - profiles[2].arrivals
    share = total * weights / weights.sum()
    return [replace(p, arrivals=float(share[i]) if i != 2 else p.arrivals) for i, p in enumerate(profiles)]


# ----------------------------------------------------------------------------- simulation


def _days(day: dt.date) -> int:
    return (day - EPOCH).days


def _per_quarter(profile: Profile, name: str, periods: tuple[str, ...]) -> np.ndarray:
    return np.array([float(value_at(getattr(profile, name), p)) for p in periods])


def _pick(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from a row-wise probability matrix (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1).astype(np.int8)


def _best_since(rates: np.ndarray) -> np.ndarray:
    """best[s, k]: the highest rate from quarter s to quarter k (k >= s)."""
    return np.array(
        [np.maximum.accumulate(np.where(np.arange(len(rates)) >= s, rates, 0.0)) for s in range(len(rates))]
    )


def simulate_episodes(rng: np.random.Generator, profile: Profile, periods: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Every journey of one provider open at any time in the window, as day numbers and codes."""
    starts = np.array([_days(spec.parse_period(p)[0]) for p in periods])
    ends = np.array([_days(spec.parse_period(p)[1]) for p in periods])
    w0, w1 = starts[0], ends[-1]
    years = (w1 - w0 + 1) / 365.25
    q = {
        name: _per_quarter(profile, name, periods)
        for name in (
            "contact_delay",
            "wait_mean",
            "wait_tail",
            "choice",
            "peer",
            "mental_health",
            "housing",
            "aftercare",
            "extra_assessments",
            "restart",
            "representation",
            "completion_mult",
            "opiate_length_mult",
            "opiate_free_pressure",
            "withdrawn",
        )
    }
    best = {name: _best_since(q[name]) for name in ("choice", "peer", "mental_health", "housing")}

    # Journeys already open when the window starts, then new referrals through it.
    length = MEAN_YEARS * 365.25
    stock_n = rng.poisson(
        profile.arrivals * ARRIVAL_SHARE * MEAN_YEARS * np.array([q["opiate_length_mult"][0], 1, 1, 1])
    )
    new_n = rng.poisson(profile.arrivals * ARRIVAL_SHARE * years)
    subst = np.concatenate([np.repeat(np.arange(4), stock_n), np.repeat(np.arange(4), new_n)]).astype(np.int8)
    is_new = np.concatenate([np.zeros(stock_n.sum(), bool), np.ones(new_n.sum(), bool)])
    n = len(subst)
    referral = np.where(is_new, rng.integers(w0, w1 + 1, n), 0)
    qi = np.clip(np.searchsorted(starts, referral, side="right") - 1, 0, len(periods) - 1)
    mean_len = length[subst] * np.where(subst == 0, q["opiate_length_mult"][qi], 1.0)
    stock_age = np.ceil(rng.exponential(mean_len)).astype(np.int64) + 1
    referral = np.where(is_new, referral, w0 - stock_age)
    span = np.maximum(7, np.ceil(rng.exponential(mean_len))).astype(np.int64)
    residual = np.ceil(rng.exponential(mean_len)).astype(np.int64)
    discharge = np.where(is_new, referral + span, w0 + residual)

    # The welcome and the wait.
    first_contact = referral + rng.geometric(1.0 / (1.0 + q["contact_delay"][qi])) - 1
    first_contact[rng.random(n) < 0.03] = NULL
    long_wait = rng.random(n) < q["wait_tail"][qi]
    wait = np.where(
        long_wait, rng.integers(22, 75, n), np.minimum(rng.geometric(1.0 / (1.0 + q["wait_mean"][qi])) - 1, 21)
    )
    first_intervention = referral + wait
    first_contact = np.where(
        (first_contact != NULL) & (first_contact > first_intervention), first_intervention, first_contact
    )
    first_contact[first_contact > discharge] = NULL
    first_intervention[first_intervention > discharge] = NULL

    # How journeys end, under the contract of the quarter they end in: short ones rarely in
    # completion; a payment for opiate-free exits pushes people off their scripts.
    qd = np.clip(np.searchsorted(starts, discharge, side="right") - 1, 0, len(periods) - 1)
    life = discharge - referral
    completion = COMPLETION[subst] * q["completion_mult"][qd] * np.where(life < 42, 0.35, 1.12)
    pressure = (q["opiate_free_pressure"][qd] > 0) & (subst == 0)
    completion = np.clip(np.where(pressure, completion + 0.35, completion), 0, 0.97)
    completed = rng.random(n) < completion
    drug_free = rng.random(n) < np.where(pressure, 0.95, 0.65)
    other = NON_COMPLETION_P[None, :].repeat(n, axis=0)
    other[:, 2] = q["withdrawn"][qd] / (1 - q["withdrawn"][qd]) * NON_COMPLETION_P.sum()
    other /= other.sum(axis=1, keepdims=True)
    other_reason = np.array([REASONS.index(r) for r in NON_COMPLETION])[_pick(rng, other)]
    reason = np.where(completed, np.where(drug_free, 0, 1), other_reason).astype(np.int8)

    # Who people are and what they were offered.
    female_p = profile.female
    sex_p = np.array([female_p, 1 - female_p - 0.01, 0.005, 0.005])
    sex = _pick(rng, np.broadcast_to(sex_p, (n, 4)))
    age = _pick(rng, AGE_P[subst])
    ethnicity = _pick(rng, np.broadcast_to(ETHNICITY_P, (n, 6)))
    housing_need = _pick(rng, HOUSING_P[subst])
    # What people are offered is a column per quarter: offered once, offered for good, and a
    # service that gets better reaches the people already in treatment at their next review
    # (one chance per person, so the caseload follows the best the service has been since).
    mh_need = rng.random(n) < 0.66
    mh_support = mh_need[:, None] & (rng.random(n)[:, None] < best["mental_health"][qi])
    urgent, problem, no_need = rng.random(n), rng.random(n), rng.random(n)
    housing = best["housing"][qi]
    housing_support = np.where(
        (housing_need == 0)[:, None],
        urgent[:, None] < housing,
        np.where(
            (housing_need == 1)[:, None], problem[:, None] < housing * (0.6 + 0.4 * housing), (no_need < 0.02)[:, None]
        ),
    )
    choice = rng.random(n)[:, None] < best["choice"][qi]
    peer = rng.random(n)[:, None] < best["peer"][qi]
    # Aftercare is offered (or not) on leaving, so it follows the quarter people leave in; a
    # service that cares about it also reaches most of those who stop coming.
    after = q["aftercare"][qd]
    aftercare = rng.random(n) < after * np.where(completed, 1.0, 0.75 + 0.25 * after)

    # Coming back within six months of an earlier discharge keeps the person's id.
    person = np.arange(n)
    representation = ~is_new & (rng.random(n) < 0.5 * q["representation"][qi])
    wants = np.flatnonzero(is_new & (rng.random(n) < q["representation"][qi]))
    pool = np.flatnonzero(reason != REASONS.index("died"))
    order = pool[np.argsort(discharge[pool], kind="stable")]
    ends_sorted = discharge[order]
    lo = np.searchsorted(ends_sorted, referral[wants] - 182, side="left")
    hi = np.searchsorted(ends_sorted, referral[wants], side="left")
    ok = hi > lo
    wants, lo, hi = wants[ok], lo[ok], hi[ok]
    prior = order[lo + (rng.random(len(wants)) * (hi - lo)).astype(np.int64)]
    _, first = np.unique(prior, return_index=True)
    wants, prior = wants[first], prior[first]
    parent = np.arange(n)
    parent[wants] = prior
    representation[wants] = True
    for _ in range(64):  # follow chains of returns back to the first journey
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    person = parent
    restarted = rng.random(n) < np.where(representation, q["restart"][qi], 0.015)
    assessments = 1 + rng.poisson(q["extra_assessments"][qi]) + restarted

    keep = (referral <= w1) & (discharge >= w0)
    order = np.argsort(referral[keep], kind="stable")
    cols = dict(
        referral=referral,
        first_contact=first_contact,
        first_intervention=first_intervention,
        discharge=discharge,
        reason=reason,
        subst=subst,
        sex=sex,
        age=age,
        ethnicity=ethnicity,
        choice=choice,
        peer=peer,
        mh_need=mh_need,
        mh_support=mh_support,
        housing_need=housing_need,
        housing_support=housing_support,
        aftercare=aftercare,
        representation=representation,
        restarted=restarted,
        assessments=assessments,
        person=person,
    )
    return {k: v[keep][order] for k, v in cols.items()}


def episode_quarters(ep: dict[str, np.ndarray], periods: tuple[str, ...]) -> pd.DataFrame:
    """One row per journey and quarter it was open in, with what was known by the quarter's end."""
    frames = []
    episode_no = np.arange(1, len(ep["referral"]) + 1)
    for k, period in enumerate(periods):
        start, end = (_days(d) for d in spec.parse_period(period))
        open_ = (ep["referral"] <= end) & (ep["discharge"] >= start)
        idx = np.flatnonzero(open_)
        discharged = ep["discharge"][idx] <= end

        def known(day, end=end):
            return np.where((day != NULL) & (day <= end), day, NULL)

        frames.append(
            pd.DataFrame(
                {
                    "q": np.full(len(idx), k, np.int8),
                    "idx": idx,
                    "ep": episode_no[idx],
                    "person": ep["person"][idx],
                    "referral": ep["referral"][idx],
                    "first_contact": known(ep["first_contact"][idx]),
                    "first_intervention": known(ep["first_intervention"][idx]),
                    "discharge": np.where(discharged, ep["discharge"][idx], NULL),
                    "reason": np.where(discharged, ep["reason"][idx], NULL).astype(np.int8),
                    "subst": ep["subst"][idx],
                    "sex": ep["sex"][idx],
                    "age": ep["age"][idx],
                    "ethnicity": ep["ethnicity"][idx],
                    "assessments": ep["assessments"][idx],
                    "choice": ep["choice"][idx, k],
                    "peer": ep["peer"][idx, k],
                    "mh_need": ep["mh_need"][idx],
                    "mh_support": ep["mh_support"][idx, k],
                    "housing_need": ep["housing_need"][idx],
                    "housing_support": ep["housing_support"][idx, k],
                    "aftercare": np.where(discharged, ep["aftercare"][idx].astype(np.int8), NULL).astype(np.int8),
                    "representation": ep["representation"][idx],
                    "restarted": ep["restarted"][idx],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def simulate_contacts(
    rng: np.random.Generator, profile: Profile, ep: dict[str, np.ndarray], eq: pd.DataFrame, periods: tuple[str, ...]
) -> pd.DataFrame:
    """Appointments and contacts of every open journey, quarter by quarter."""
    starts = np.array([_days(spec.parse_period(p)[0]) for p in periods])
    ends = np.array([_days(spec.parse_period(p)[1]) for p in periods])
    q = {
        name: _per_quarter(profile, name, periods)
        for name in ("choice", "missed", "contact_mult", "peer_contacts", "punitive", "script_cut")
    }
    k = eq["q"].to_numpy()
    idx = eq["idx"].to_numpy()
    begin = np.where(ep["first_contact"][idx] != NULL, ep["first_contact"][idx], ep["referral"][idx])
    a = np.maximum(begin, starts[k])
    b = np.minimum(ep["discharge"][idx], ends[k])
    days = np.maximum(b - a + 1, 0)
    rate = CONTACT_RATE * CONTACT_MULT[ep["subst"][idx]] * q["contact_mult"][k]
    count = rng.poisson(rate * days)
    row = np.repeat(np.arange(len(eq)), count)
    m = len(row)
    date = a[row] + (rng.random(m) * days[row]).astype(np.int64)
    cq = k[row]
    e = idx[row]
    offered = {name: eq[name].to_numpy()[row] for name in ("choice", "peer", "mh_support", "housing_support")}
    choice = offered["choice"]
    mode_p = np.where(choice[:, None], np.array([0.55, 0.25, 0.08, 0.07, 0.05]), np.array([0.9, 0.1, 0, 0, 0]))
    mode = _pick(rng, mode_p)
    missed = q["missed"][cq]
    outcome_p = np.stack([1 - missed - 0.08, missed, np.full(m, 0.04), np.full(m, 0.04)], axis=1)
    outcome = _pick(rng, outcome_p)
    cut = q["script_cut"][cq]
    fair = np.stack([np.full(m, 0.33), np.full(m, 0.52), 0.15 - cut, cut], axis=1)
    after_p = np.where(q["punitive"][cq][:, None] > 0, np.array(PUNITIVE_AFTER_MISSED), fair)
    after = _pick(rng, after_p)
    after[(after == 3) & (ep["subst"][e] != 0)] = 2  # no script to reduce: a warning instead
    after = np.where(outcome == 1, after, NULL).astype(np.int8)
    peer_p = q["peer_contacts"][cq] * np.where(offered["peer"], 1.6, 0.2)
    role_p = np.stack([np.full(m, 0.24), 0.7 - peer_p, peer_p, np.zeros(m), np.zeros(m), np.full(m, 0.06)], axis=1)
    role = _pick(rng, role_p)
    role[offered["mh_support"] & (rng.random(m) < 0.15)] = 3
    role[offered["housing_support"] & (rng.random(m) < 0.1)] = 4

    # A journey ended by the provider after a missed appointment ends with that appointment.
    withdrawn = np.flatnonzero(eq["reason"].to_numpy() == REASONS.index("withdrawn_by_provider"))
    extra = pd.DataFrame(
        {
            "row": withdrawn,
            "day": ep["discharge"][idx[withdrawn]],
            "mode": np.zeros(len(withdrawn), np.int8),
            "outcome": np.ones(len(withdrawn), np.int8),
            "after": np.full(len(withdrawn), 4, np.int8),
            "role": np.ones(len(withdrawn), np.int8),
        }
    )
    contacts = pd.DataFrame({"row": row, "day": date, "mode": mode, "outcome": outcome, "after": after, "role": role})
    contacts = pd.concat([contacts, extra], ignore_index=True)
    contacts["q"] = k[contacts["row"].to_numpy()]
    contacts["ep"] = eq["ep"].to_numpy()[contacts["row"].to_numpy()]
    contacts = contacts.sort_values(["q", "day", "ep"], kind="stable", ignore_index=True)
    contacts["no"] = np.arange(1, len(contacts) + 1)
    return contacts.drop(columns="row")


def simulate_workforce(
    rng: np.random.Generator, profile: Profile, open_counts: np.ndarray, periods: tuple[str, ...]
) -> list[list[dict]]:
    """The people working in the service each quarter: stable ids, turnover, training that lapses."""
    roles = ("keyworker", "clinical", "mental_health", "housing", "manager", "admin", "other")
    role_p = np.array([0.52, 0.17, 0.06, 0.04, 0.08, 0.1, 0.03])
    staff: list[dict] = []
    out: list[list[dict]] = []
    active: list[dict] = []
    for k, period in enumerate(periods):
        start, end = spec.parse_period(period)
        target = max(3, int(round(open_counts[k] / float(value_at(profile.caseload, period)))))
        peer_share = float(value_at(profile.peer_staff, period))
        trained_share = float(value_at(profile.trauma_trained, period))
        rng.shuffle(active)
        active = [s for s in active if rng.random() > 0.05][:target]
        # A provider growing its peer team makes room for peers as posts come up; one
        # cutting back loses peers first.
        want_peers = int(round(peer_share * target))
        peers_now = [s for s in active if s["role"] == "peer"]
        others = [s for s in active if s["role"] != "peer"]
        if len(peers_now) > want_peers:
            peers_now = peers_now[:want_peers]
        elif len(peers_now) < want_peers and len(active) >= target:
            others = others[: max(0, len(others) - (want_peers - len(peers_now)))]
        active = peers_now + others
        peers = len(peers_now)
        while len(active) < target:
            want_peer = peers < want_peers
            role = "peer" if want_peer else str(roles[_pick(rng, role_p[None, :])[0]])
            peers += want_peer
            hired = (
                (start - dt.timedelta(days=int(rng.integers(0, 2000))))
                if k == 0
                else start + dt.timedelta(days=int(rng.integers(0, 80)))
            )
            volunteer = role == "peer" and rng.random() < 0.5
            # Recruiting steers towards the share of lived experience the provider aims for, so
            # a team of twenty people does not drift far from it by chance.
            aim = float(value_at(profile.lived_experience, period))
            others = [s for s in active if s["role"] != "peer"]
            now = sum(s["lived_experience"] == "yes" for s in others) / len(others) if others else aim
            le_p = 0.95 if role == "peer" else min(1.0, max(0.0, aim + 2 * (aim - now)))
            person = {
                "staff_id": f"{profile.provider_id}-S{len(staff) + 1:03d}",
                "role": role,
                "paid": not volunteer,
                "fte": round(float(rng.integers(4, 16)) / 37.5, 2)
                if volunteer
                else float(rng.choice([0.4, 0.6, 0.8, 1.0, 1.0, 1.0])),
                "lived_experience": "yes"
                if rng.random() < le_p
                else ("prefer_not_to_say" if rng.random() < 0.08 else "no"),
                # Evenly spread places in the training queue (not random draws), so even
                # a team of twelve holds close to the share of trained staff the provider aims for.
                "trained": [],
                "hired": hired,
                "train_u": (len(staff) * GOLDEN + int(profile.provider_id[1:]) / 7) % 1.0,
            }
            if value_at(profile.training_active, period) and person["train_u"] < trained_share:
                induction = (
                    max(hired, start - dt.timedelta(days=1200)) + dt.timedelta(days=int(rng.integers(20, 400)))
                    if k == 0
                    else hired + dt.timedelta(days=int(rng.integers(7, 60)))
                )
                person["trained"].append(induction)
            staff.append(person)
            active.append(person)
        rows = []
        for s in sorted(active, key=lambda s: s["staff_id"]):
            # While the provider keeps a programme going, its share of staff are trained (a
            # programme that grows reaches people already in post) and refreshed every two years.
            due = not s["trained"] or (end - s["trained"][-1]).days > 700
            if value_at(profile.training_active, period) and s["train_u"] < trained_share and due:
                s["trained"].append(max(s["hired"], end - dt.timedelta(days=int(rng.integers(0, 80)))))
            done = [d for d in s["trained"] if d <= end]
            rows.append(
                {
                    "staff_id": s["staff_id"],
                    "role": s["role"],
                    "paid": s["paid"],
                    "fte": s["fte"],
                    "lived_experience": s["lived_experience"],
                    "trauma_training_date": max(done).isoformat() if done else "",
                }
            )
        out.append(rows)
    return out


# ----------------------------------------------------------------------------- writing


def _codes(name: str, values: tuple[str, ...]) -> str:
    literal = ", ".join("'" + v + "'" for v in values)
    return f"[{literal}][{name} + 1]"


def _date(name: str) -> str:
    return f"CASE WHEN {name} < 0 THEN NULL ELSE DATE '1970-01-01' + {name}::INTEGER END"


def _yes(name: str) -> str:
    return f"CASE WHEN {name} THEN 'yes' ELSE 'no' END"


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    con.execute(f"COPY ({select}) TO {_sql_path(path)} (FORMAT csv, HEADER, DELIMITER ',')")


def _episodes_select(provider_id: str, k: int) -> str:
    e = spec.EPISODES.column
    return f"""SELECT printf('{provider_id}-E%06d', ep) AS episode_id,
        printf('%08X', (person * 2654435761 + {int(provider_id[1:]) * 7919}) % 4294967296) AS person_id,
        {_date("referral")} AS referral_date, {_date("first_contact")} AS first_contact_date,
        {_date("first_intervention")} AS first_intervention_date, {_date("discharge")} AS discharge_date,
        CASE WHEN reason < 0 THEN NULL ELSE {_codes("reason", REASONS)} END AS discharge_reason,
        {_codes("subst", SUBSTANCES)} AS substance_group, {_codes("sex", e("sex").codes)} AS sex,
        {_codes("age", e("age_band").codes)} AS age_band, {_codes("ethnicity", e("ethnicity").codes)} AS ethnicity,
        assessments, {_yes("choice")} AS choice_offered, {_yes("peer")} AS peer_support_offered,
        {_yes("mh_need")} AS mental_health_need, {_yes("mh_support")} AS mental_health_support,
        {_codes("housing_need", e("housing_need").codes)} AS housing_need, {_yes("housing_support")} AS housing_support,
        CASE WHEN aftercare < 0 THEN NULL WHEN aftercare = 1 THEN 'yes' ELSE 'no' END AS aftercare_offered,
        {_yes("representation")} AS representation, {_yes("restarted")} AS restarted_from_scratch
        FROM eq WHERE q = {k} ORDER BY ep"""


def _contacts_select(provider_id: str, k: int) -> str:
    return f"""SELECT printf('{provider_id}-C%07d', no) AS contact_id,
        printf('{provider_id}-E%06d', ep) AS episode_id, {_date("day")} AS contact_date,
        {_codes("mode", MODES)} AS mode, {_codes("outcome", OUTCOMES)} AS outcome,
        CASE WHEN after < 0 THEN NULL ELSE {_codes("after", AFTER_MISSED)} END AS after_missed,
        {_codes("role", CONTACT_ROLES)} AS staff_role
        FROM contacts WHERE q = {k} ORDER BY no"""


@tiers.output(tiers.RESTRICTED, "synthetic providers' returns, row by row")
def _write_csv(path: Path, header: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in header])


def _cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _yaml(fields: dict) -> str:
    lines = []
    for key, value in fields.items():
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        plain = isinstance(value, dt.date) or key == "period" or text.replace(" ", "").isalnum()
        lines.append(f"{key}: {text if plain else json.dumps(text, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


@dataclass
class Counts:
    returns: int = 0
    packs: int = 0
    episode_rows: int = 0
    distinct_episodes: int = 0
    contact_rows: int = 0
    workforce_rows: int = 0
    story_rows: int = 0


def _prepare(out: Path) -> None:
    """Refuse to mix the demo into a folder of real returns; replace an earlier demo wholesale."""
    out.mkdir(parents=True, exist_ok=True)
    mine = (out / MANIFEST).is_file()
    for sub in ("returns", "packs"):
        folder = out / sub
        if folder.exists():
            if not mine and any(folder.iterdir()):
                raise DemoError(
                    f"{folder} already holds files that the demo did not write. "
                    "Choose an empty folder with --out, so no real return is overwritten."
                )
            shutil.rmtree(folder)
    (out / MANIFEST).unlink(missing_ok=True)


def national_periods(years: int = 1) -> tuple[str, ...]:
    """The national demo's quarters: `years` years ending with the last of NATIONAL_PERIODS."""
    periods = [NATIONAL_PERIODS[-1]]
    while len(periods) < 4 * years:
        periods.insert(0, spec.previous_period(periods[0]))
    return tuple(periods)


def write_demo(
    out: Path,
    scale: str = "small",
    seed: int = 1,
    *,
    providers: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    years: int = 1,
) -> list[Path]:
    """Write demo returns and evidence packs under out/returns and out/packs; return their folders.

    `providers` trims the national scale (for quick calibration checks); `years` lengthens it
    (bench/years.py loads three national years); `progress` is told (done, total, provider
    name) after each provider.
    """
    if scale not in SCALES:
        raise DemoError(f"The scale '{scale}' is not known: use one of {', '.join(SCALES)}.")
    if not isinstance(seed, int) or seed < 0:
        raise DemoError(
            f"The seed must be a whole number, 0 or more (not {seed}): the same seed always writes the same files."
        )
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DemoError(f"{out} is a file, not a folder: give a folder to write the demo into (it is made if missing).")
    _prepare(out)
    rng = np.random.default_rng(seed)
    if scale == "small":
        periods, profiles = SMALL_PERIODS, archetypes()
        if providers is not None:
            profiles = profiles[:providers]
    else:
        periods, profiles = national_periods(years), national_profiles(rng, providers or NATIONAL_PROVIDERS)
    written: list[Path] = []
    counts = Counts()
    con = duckdb.connect()
    try:
        for n, profile in enumerate(profiles):
            prng = np.random.default_rng([seed, int(profile.provider_id[1:])])
            written += _write_provider(con, prng, profile, periods, out, counts)
            if progress:
                progress(n + 1, len(profiles), profile.name)
    finally:
        con.close()
    (out / MANIFEST).write_text(
        json.dumps({"scale": scale, "seed": seed, "periods": list(periods), **counts.__dict__}, indent=2) + "\n",
        encoding="utf-8",
    )
    return written


def _write_provider(con, rng, profile: Profile, periods, out: Path, counts: Counts) -> list[Path]:
    ep = simulate_episodes(rng, profile, periods)
    eq = episode_quarters(ep, periods)
    contacts = simulate_contacts(rng, profile, ep, eq, periods)
    open_counts = np.bincount(eq["q"], minlength=len(periods))
    workforce = simulate_workforce(rng, profile, open_counts, periods)
    counts.distinct_episodes += len(ep["referral"])
    counts.episode_rows += len(eq)
    counts.contact_rows += len(contacts)
    con.register("eq", eq)
    con.register("contacts", contacts)
    written = []
    used_stories: set[int] = set()
    try:
        for k, period in enumerate(periods):
            start, end = spec.parse_period(period)
            folder = out / "returns" / f"{profile.provider_id}-{period}"
            folder.mkdir(parents=True)
            submitted = end + dt.timedelta(days=int(rng.integers(8, 29)))
            (folder / spec.RETURN_META_FILE).write_text(
                _yaml(
                    {
                        "provider_id": profile.provider_id,
                        "provider_name": profile.name,
                        "area": profile.area,
                        "period": period,
                        "submitted_on": submitted,
                    }
                ),
                encoding="utf-8",
            )
            _copy(con, _episodes_select(profile.provider_id, k), folder / "episodes.csv")
            _copy(con, _contacts_select(profile.provider_id, k), folder / "contacts.csv")
            _write_csv(folder / "workforce.csv", spec.WORKFORCE.column_names, workforce[k])
            counts.workforce_rows += len(workforce[k])
            _write_csv(folder / "kpis.csv", spec.KPIS.column_names, _kpi_rows(profile, period))
            _write_csv(folder / "sites.csv", spec.SITES.column_names, _site_rows(profile, period))
            _write_csv(folder / "documents.csv", spec.DOCUMENTS.column_names, _document_rows(profile, period))
            if profile.messy:
                make_messy(folder, rng, start, end)
            written.append(folder)
            counts.returns += 1

            stories = choose_stories(rng, profile, period, used_stories)
            if stories:
                pack = out / "packs" / f"{profile.provider_id}-{period}"
                pack.mkdir(parents=True)
                (pack / spec.PACK_META_FILE).write_text(
                    _yaml(
                        {
                            "provider_id": profile.provider_id,
                            "period": period,
                            "gathered_by": f"{profile.area} Expert Citizens Group",
                        }
                    ),
                    encoding="utf-8",
                )
                rows = []
                for i, story in enumerate(stories, 1):
                    gathered = start + dt.timedelta(days=int(rng.integers(20, (end - start).days + 21)))
                    # the tellers who agreed agreed to being quoted, as every pack before use_of_words did
                    use = {"use_of_words": "quoted"} if story["consent"] == "yes" else {}
                    rows.append({"story_id": f"S{i:02d}", "gathered_on": gathered.isoformat(), **story, **use})
                _write_csv(pack / "stories.csv", spec.STORIES.column_names, rows)
                written.append(pack)
                counts.packs += 1
                counts.story_rows += len(rows)
    finally:
        con.unregister("eq")
        con.unregister("contacts")
    return written


def _kpi_rows(profile: Profile, period: str) -> list[dict]:
    rows = []
    for i, kpi in enumerate(profile.kpis, 1):
        name, measure, target, paid, set_by = kpi[:5]
        if len(kpi) > 5 and period >= kpi[5]:
            continue  # dropped from the contract from that quarter on
        rows.append(
            {
                "kpi_id": f"K{i}",
                "name": name,
                "measure": measure,
                "target": target,
                "payment_linked": bool(value_at(paid, period)),
                "set_by": set_by,
            }
        )
    return rows


def _site_rows(profile: Profile, period: str) -> list[dict]:
    return [
        {
            "site_id": f"{profile.provider_id}-SITE{i}",
            "name": site.name,
            **{
                f: bool(value_at(getattr(site, f), period))
                for f in ("private_waiting_area", "women_only_space", "open_outside_office_hours", "drop_in")
            },
        }
        for i, site in enumerate(profile.sites, 1)
    ]


def _document_rows(profile: Profile, period: str) -> list[dict]:
    language = value_at(profile.language, period)
    rows = []
    for i, doc in enumerate(DOCUMENTS, 1):
        if doc.get("punitive") is not None and doc["punitive"] != bool(value_at(profile.punitive, period)):
            continue
        text = doc[language] if language in doc else doc["mixed"]
        rows.append({"document_id": f"D{i}", "title": doc["title"], "text": text})
    return rows


# ----------------------------------------------------------------------------- stories


def traits(profile: Profile, period: str) -> set[str]:
    """What people would say about this provider this quarter: the keys that stories fit."""
    v = lambda name: value_at(getattr(profile, name), period)  # noqa: E731
    sites = [
        {
            f: bool(value_at(getattr(s, f), period))
            for f in ("private_waiting_area", "women_only_space", "open_outside_office_hours")
        }
        for s in profile.sites
    ]
    found = {"any"}
    # The bands follow the standards' green and red lines, so stories and ratings agree.
    found.add(
        "welcome_good" if v("contact_delay") <= 1 else "welcome_poor" if v("contact_delay") >= 3 else "welcome_mid"
    )
    found.add("peer_good" if v("peer") >= 0.9 else "peer_poor" if v("peer") <= 0.7 else "peer_mid")
    found.add("punitive" if v("punitive") else "not_punitive")
    if any(k[1] == "opiate_free_discharge" and (len(k) < 6 or period < k[5]) for k in profile.kpis):
        found.add("ofd_pressure")
    elif any(k[1] == "opiate_free_discharge" for k in profile.kpis):
        found.add("ofd_dropped")
    found.add("mh_good" if v("mental_health") >= 0.8 else "mh_poor" if v("mental_health") < 0.6 else "mh_mid")
    found.add("housing_good" if v("housing") >= 0.9 else "housing_poor" if v("housing") <= 0.7 else "housing_mid")
    found.add(
        "aftercare_good" if v("aftercare") >= 0.9 else "aftercare_poor" if v("aftercare") <= 0.7 else "aftercare_mid"
    )
    found.add("step_one_poor" if v("restart") >= 0.3 else "step_one_good" if v("restart") <= 0.1 else "step_one_mid")
    found.add("choice_good" if v("choice") >= 0.9 else "choice_poor" if v("choice") <= 0.7 else "choice_mid")
    found.add(
        "women_good"
        if any(s["women_only_space"] and s["open_outside_office_hours"] for s in sites)
        else "women_poor"
        if not any(s["women_only_space"] for s in sites)
        else "women_mid"
    )
    found.add({"person_first": "language_good", "stigmatising": "language_poor"}.get(v("language"), "language_mid"))
    le = v("peer_staff") + v("lived_experience")
    found.add("le_good" if le >= 0.35 else "le_poor" if le <= 0.15 else "le_mid")
    private = all(s["private_waiting_area"] for s in sites)
    found.add(
        "trauma_good"
        if private and v("trauma_trained") >= 0.9
        else "trauma_poor"
        if not private or v("trauma_trained") < 0.75
        else "trauma_mid"
    )
    if v("arrivals") < 20:
        found.add("small")
    return found


# Where the stories that must be caught by screening, and those that exercise the PDF's
# fonts, appear in the small demo (provider, period) -> index into the lists.
PERSONAL_DETAIL_SLOTS = {
    ("P001", "2026-Q3"): 0,
    ("P002", "2026-Q2"): 1,
    ("P002", "2026-Q3"): 2,
    ("P004", "2026-Q3"): 3,
    ("P005", "2026-Q1"): 4,
    ("P006", "2026-Q3"): 5,
    ("P007", "2026-Q3"): 6,
    ("P008", "2026-Q3"): 7,
}
FONT_SLOTS = {
    ("P001", "2026-Q3"): 0,
    ("P002", "2026-Q3"): 1,
    ("P005", "2026-Q3"): 2,
    ("P007", "2026-Q3"): 3,
    ("P008", "2026-Q2"): 4,
}


def choose_stories(rng: np.random.Generator, profile: Profile, period: str, used: set[int]) -> list[dict]:
    """3-8 stories that fit what this provider does this quarter (none if no pack this quarter)."""
    key = (profile.provider_id, period)
    forced = key in PERSONAL_DETAIL_SLOTS or key in FONT_SLOTS
    if not forced and rng.random() > profile.pack_chance:
        return []
    found = traits(profile, period)
    pool = [i for i, s in enumerate(STORIES) if s["fit"] in found]
    fresh = [i for i in pool if i not in used]
    low, high = profile.stories
    k = min(int(rng.integers(low, high + 1)), len(pool))
    picks = list(rng.choice(fresh, size=min(k, len(fresh)), replace=False)) if fresh else []
    if len(picks) < k:
        rest = [i for i in pool if i not in picks]
        picks += list(rng.choice(rest, size=k - len(picks), replace=False))
    used.update(int(i) for i in picks)
    chosen = [STORIES[int(i)] for i in picks]
    if key in FONT_SLOTS:
        chosen.append(FONT_STORIES[FONT_SLOTS[key]])
    rows = []
    for story in chosen:
        consent = str(rng.choice(["yes", "no", "withdrawn"], p=[0.8, 0.12, 0.08]))
        if story in FONT_STORIES:
            consent = "yes"
        tags = "" if rng.random() < 0.08 else ";".join(story["standards"])
        rows.append({"teller": story["teller"], "standards": tags, "consent": consent, "story": story["text"]})
    if key in PERSONAL_DETAIL_SLOTS:
        story = PERSONAL_DETAIL_STORIES[PERSONAL_DETAIL_SLOTS[key]]
        rows.insert(
            int(rng.integers(0, len(rows) + 1)),
            {
                "teller": story["teller"],
                "standards": ";".join(story["standards"]),
                "consent": "yes",
                "story": story["text"],
            },
        )
    return rows


# ----------------------------------------------------------------------------- messy data

MESSY_BOOLEANS = {"yes": ("Yes", "TRUE", "y", "Y", "1", "yes"), "no": ("No", "FALSE", "n", "N", "0", "no")}
UNKNOWN_EPISODE = "E-UNKNOWN-{n}"


@tiers.output(tiers.RESTRICTED, "synthetic providers' returns with mistakes, row by row")
def make_messy(folder: Path, rng: np.random.Generator, start: dt.date, end: dt.date) -> None:
    """Rewrite a clean return the way a hurried data officer would, with row-level mistakes only.

    Booleans are spelt every accepted way (not a mistake); then a few rows get a code that
    is not in the specification ('heroin'), a discharge date after the quarter, a discharge
    with no reason, contacts dated outside the quarter and contacts of journeys that are not
    in the return. Nothing is blocking: ids stay unique and every column is present.
    """
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    booleans = [c.name for c in spec.EPISODES.columns if c.type == spec.BOOLEAN]
    for column in booleans:
        values = episodes[column].to_numpy(dtype=object)
        pick = rng.integers(0, 6, len(values))
        episodes[column] = [MESSY_BOOLEANS[v][p] if v in MESSY_BOOLEANS else v for v, p in zip(values, pick)]
    n = len(episodes)
    rows = rng.choice(n, size=min(n, 7), replace=False)
    episodes.loc[rows[0], "substance_group"] = "heroin"
    episodes.loc[rows[1], "substance_group"] = "crack cocaine"
    discharged = np.flatnonzero(episodes["discharge_date"].to_numpy() != "")
    discharged = [d for d in discharged if d not in rows[:2]]
    if len(discharged) >= 2:
        episodes.loc[discharged[0], "discharge_reason"] = ""
        late = (end + dt.timedelta(days=int(rng.integers(3, 40)))).isoformat()
        episodes.loc[discharged[1], "discharge_date"] = late
    episodes.loc[rows[2], "age_band"] = "35 to 44"
    episodes.to_csv(folder / "episodes.csv", index=False, lineterminator="\n")

    contacts = pd.read_csv(folder / "contacts.csv", dtype=str, keep_default_na=False)
    m = len(contacts)
    picks = rng.choice(m, size=min(m, 5), replace=False)
    for j, p in enumerate(picks[:3]):
        contacts.loc[p, "contact_date"] = (start - dt.timedelta(days=int(rng.integers(1, 30)) + j)).isoformat()
    for j, p in enumerate(picks[3:5]):
        contacts.loc[p, "episode_id"] = UNKNOWN_EPISODE.format(n=j + 1)
    contacts.to_csv(folder / "contacts.csv", index=False, lineterminator="\n")

    for name in ("workforce.csv", "sites.csv"):
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        for column in table.columns:
            if set(table[column]) <= {"yes", "no"} and column not in ("lived_experience",):
                table[column] = [MESSY_BOOLEANS[v][int(rng.integers(0, 6))] for v in table[column]]
        table.to_csv(folder / name, index=False, lineterminator="\n")
