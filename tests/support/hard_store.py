"""Stores built to be hard to protect: every way a small count has been given away before.

Each provider's people are said in plain numbers (`People`) and turned into episode rows, so a
reader can check a figure by hand. The standards are the project's own (aftercare, not punitive,
housing support, choice in how to engage), copied as they are.

- P001 "Deaths behind nested measures": 40 people left treatment this quarter and 2 died.
  Aftercare counts leavers who did not die (38); withdrawn-by-provider counts every leaver (40).
- P002 "Two hidden cells of 1" with P003: 1 person withdrawn by the provider at each; and 1 death.
- P003 "A rating band": 99 leavers, 1 withdrawn, rated Met at "<= 2%" (only 1 can be Met).
- P004 "One tiny provider": 3 people in treatment, 2 of them left, 1 died.
- P005 "A complement of 1": 59 of 60 people offered a choice; 2 people with a housing problem
  that is not urgent (any housing need minus urgent housing need).
- 2026-Q1 has one provider only ("a lone provider"): its benchmark is its own figure.
- `rerun` replaces P001's 2026-Q2 return with one more death and 2 more people offered a
  choice, and runs the quarter again ("two runs of a quarter": subtracted, they would give 1
  and 2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from audits import runs, spec, store

ROOT = Path(__file__).resolve().parents[2]
STANDARDS = ("aftercare", "not-punitive", "housing-support", "choice-in-how-to-engage")
PERIOD, LONE_PERIOD = "2026-Q2", "2026-Q1"


@dataclass
class People:
    people: int
    leavers: int = 0
    died: int = 0
    withdrawn: int = 0
    aftercare: int = 0  # of the leavers who did not die
    choice: int = 0
    urgent: int = 0
    urgent_supported: int = 0
    problem: int = 0
    problem_supported: int = 0


PROVIDERS = {
    "P001": (
        "Deaths Behind Nested Measures",
        People(
            120,
            40,
            died=2,
            withdrawn=6,
            aftercare=30,
            choice=100,
            urgent=12,
            urgent_supported=10,
            problem=20,
            problem_supported=15,
        ),
    ),
    "P002": (
        "Two Hidden Ones A",
        People(
            80,
            25,
            died=1,
            withdrawn=1,
            aftercare=20,
            choice=70,
            urgent=10,
            urgent_supported=9,
            problem=10,
            problem_supported=8,
        ),
    ),
    "P003": (
        "Two Hidden Ones B and a Band",
        People(
            150,
            99,
            died=0,
            withdrawn=1,
            aftercare=90,
            choice=140,
            urgent=15,
            urgent_supported=15,
            problem=30,
            problem_supported=20,
        ),
    ),
    "P004": ("Tiny Provider", People(3, 2, died=1, withdrawn=0, aftercare=1, choice=2, urgent=1, urgent_supported=1)),
    "P005": (
        "A Complement Of One",
        People(
            60,
            20,
            died=0,
            withdrawn=3,
            aftercare=18,
            choice=59,
            urgent=8,
            urgent_supported=6,
            problem=2,
            problem_supported=1,
        ),
    ),
}
LONE = {"P001": PROVIDERS["P001"]}


def episodes(period: str, p: People) -> list[dict]:
    start, _ = spec.parse_period(period)
    rows = []
    for i in range(p.people):
        leaving = i < p.leavers
        reason = None
        if leaving:
            reason = (
                "died"
                if i < p.died
                else ("withdrawn_by_provider" if i < p.died + p.withdrawn else "completed_drug_free")
            )
        alive_leaver = leaving and reason != "died"
        housing = "urgent" if i < p.urgent else ("problem" if i < p.urgent + p.problem else "none")
        supported = (housing == "urgent" and i < p.urgent_supported) or (
            housing == "problem" and i - p.urgent < p.problem_supported
        )
        rows.append(
            {
                "episode_id": f"E{i:04d}",
                "person_id": f"X{i:04d}",
                "referral_date": start - dt.timedelta(days=30),
                "discharge_date": start + dt.timedelta(days=10) if leaving else None,
                "discharge_reason": reason,
                "substance_group": "opiate",
                "sex": "not_stated",
                "age_band": "35-44",
                "ethnicity": "not_stated",
                "assessments": 1,
                "choice_offered": i < p.choice,
                "peer_support_offered": True,
                "mental_health_need": False,
                "mental_health_support": False,
                "housing_need": housing,
                "housing_support": supported,
                "aftercare_offered": (i - p.died < p.aftercare) if alive_leaver else None,
                "representation": False,
                "restarted_from_scratch": False,
            }
        )
    return rows


def standards_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in STANDARDS:
        shutil.copy(ROOT / "standards" / f"{name}.yaml", folder / f"{name}.yaml")
    return folder


def load(con, period: str, providers: dict[str, tuple[str, People]]) -> None:
    """One current return per provider, replacing any earlier one of the quarter."""
    store.ensure_period(con, period)
    columns = spec.TABLES["episodes"].column_names
    for provider_id, (name, people) in providers.items():
        rows = episodes(period, people)
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
        sid = f"{provider_id}-{period}-{digest[:8]}"
        con.execute("INSERT OR IGNORE INTO providers VALUES (?, ?, ?)", [provider_id, name, "Hardshire"])
        con.execute(
            "UPDATE submissions SET is_current = false WHERE kind = 'return' AND provider_id = ? AND period = ?",
            [provider_id, period],
        )
        con.execute(
            "INSERT INTO submissions (submission_id, kind, provider_id, period, provider_name, sha256, loaded_at, "
            "is_current) VALUES (?, 'return', ?, ?, ?, ?, now(), true)",
            [sid, provider_id, period, name, digest],
        )
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"INSERT INTO episodes (submission_id, provider_id, period, line, {', '.join(columns)}) "
            f"VALUES (?, ?, ?, ?, {placeholders})",
            [[sid, provider_id, period, line] + [r.get(c) for c in columns] for line, r in enumerate(rows, start=2)],
        )


def build(db: Path, folder: Path) -> Path:
    """The hard store, audited: 2026-Q2 (five providers) and 2026-Q1 (a lone provider)."""
    standards = standards_dir(folder / "standards")
    with store.writing(db) as con:
        load(con, PERIOD, PROVIDERS)
        load(con, LONE_PERIOD, LONE)
    runs.run_audit(db, PERIOD, standards)
    runs.run_audit(db, LONE_PERIOD, standards)
    return standards


def rerun(db: Path, standards: Path) -> str:
    """P001 sends its return again with one more death (3 of 40 leavers) and 2 more people offered
    a choice (102 of 120); the quarter is run again."""
    name, people = PROVIDERS["P001"]
    again = People(**{**people.__dict__, "died": people.died + 1, "choice": people.choice + 2})
    with store.writing(db) as con:
        load(con, PERIOD, {"P001": (name, again)})
    return runs.run_audit(db, PERIOD, standards)
