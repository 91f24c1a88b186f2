"""Versions of a standard a group can follow: what changed between two of them in plain words,
who changed what and when, and the ratings each version gave.

"Met changed from 90% or more to 80% or more; a new measure: ..." The differences are worded
from the two models with the same words as everywhere else (audits.words, audits.sentences),
so the history reads as the standard does. Versions come from three places: the workshop's
record of every draft saved and every version approved (standard_versions, migration 0050),
the versions each audit run kept (run_standards), and the files as they are now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from audits import disclosure, kinds, runs, sentences, tiers, verdicts, words
from audits.standard_files import parse_standard_text
from audits.standard_model import Measure, Standard


def _said(text: str) -> str:
    text = " ".join(str(text).split())
    return f"“{text}”"


def _rule(measure: Measure, which: str) -> str:
    threshold = getattr(measure, which)
    return sentences.bar(threshold, kinds.kind_of(measure).threshold_unit(measure)) if threshold is not None else ""


def measure_differences(old: Measure, new: Measure) -> list[str]:
    """What changed in one measure, each change in a sentence."""
    name = _said(new.label)
    out = []
    if " ".join(old.label.split()) != " ".join(new.label.split()):
        out.append(f"The measure {_said(old.label)} is now called {name}.")
    before, after = sentences.what_is_counted(old), sentences.what_is_counted(new)
    if before != after:
        out.append(f"{name} now counts: {after} (it counted: {before})")
    for which, word in (("green", words.rating_word("green")), ("amber", words.rating_word("amber"))):
        was, now = _rule(old, which), _rule(new, which)
        if was == now:
            continue
        if not was:
            out.append(f"{name}: {word} is new, at {now}.")
        elif not now:
            out.append(f"{name}: {word} was taken out (it was {was}).")
        else:
            out.append(f"{name}: {word} changed from {was} to {now}.")
    if old.min_count != new.min_count:
        if kinds.kind_of(new).minimum_count:
            out.append(
                f"{name}: {words.rating_word('no_data').lower()} now below {new.min_count} "
                f"{words.unit(new.table, new.min_count)} (it was below {old.min_count})."
            )
    return out


def differences(old: Standard | None, new: Standard) -> list[str]:
    """What changed from one version of a standard to another, each change in a sentence.
    With no earlier version, the new one is described as new."""
    if old is None:
        return [
            f"A new standard: {_said(new.title)}, with {len(new.measures)} measure{'s' if len(new.measures) != 1 else ''}."
        ]
    out = []
    for field, label in (("title", "The title"), ("theme", "The theme")):
        a, b = getattr(old, field), getattr(new, field)
        if " ".join(a.split()) != " ".join(b.split()):
            out.append(f"{label} changed from {_said(a)} to {_said(b)}.")
    for field, label in (("statement", "What good looks like"), ("why", "Why it matters")):
        a, b = getattr(old, field), getattr(new, field)
        if " ".join(a.split()) != " ".join(b.split()):
            out.append(f"{label} now reads: {_said(b)}")
    old_quotes = {" ".join(v.quote.split()): v for v in old.voices}
    new_quotes = {" ".join(v.quote.split()): v for v in new.voices}
    for quote, voice in new_quotes.items():
        if quote not in old_quotes:
            out.append(f"A new voice: {_said(quote)} ({voice.source}).")
        elif old_quotes[quote].source != voice.source:
            out.append(f"The voice {_said(quote)} is now credited to {voice.source}.")
    for quote in old_quotes:
        if quote not in new_quotes:
            out.append(f"A voice was taken out: {_said(quote)}.")
    old_measures = {m.id: m for m in old.measures}
    new_measures = {m.id: m for m in new.measures}
    for mid, measure in new_measures.items():
        if mid not in old_measures:
            out.append(f"A new measure: {_said(measure.label)}. {sentences.read_back(measure)}")
        else:
            out += measure_differences(old_measures[mid], measure)
    for mid, measure in old_measures.items():
        if mid not in new_measures:
            out.append(f"The measure {_said(measure.label)} was taken out.")
    for field in type(new).model_fields:  # a field added to the model later is still noticed
        if field in _WORDED or getattr(old, field) == getattr(new, field):
            continue
        out.append(f"{new.model_fields[field].description or field} changed.")
    return out


_WORDED = {
    "id",
    "version",
    "status",
    "approved_by",
    "approved_on",
    "title",
    "theme",
    "statement",
    "why",
    "voices",
    "measures",
}


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class Version:
    """One version of a standard as the history shows it."""

    version: int
    status: str  # draft, approved, audited (known only from a run), now (the file)
    when: object  # a timestamp (store time, UTC) or None
    who: str
    note: str
    standard: Standard


def history(con: duckdb.DuckDBPyConnection, standard_id: str, current: Standard | None = None) -> list[Version]:
    """Every version of a standard known to the store, newest first: each save and approval in
    the workshop, and any version an audit run kept that the workshop never saw (the founding
    files, or a file changed by hand). `current` adds the file as it is now when it is new."""
    out: list[Version] = []
    seen: set[str] = set()
    for version, status, body, who, name, when, note in con.execute(
        "SELECT version, status, body_yaml, saved_by, saved_by_name, saved_at, note "
        "FROM standard_versions WHERE standard_id = ? ORDER BY saved_at",
        [standard_id],
    ).fetchall():
        standard, _ = parse_standard_text(body, f"{standard_id}.yaml")
        if standard is None:
            continue
        out.append(Version(version, status, when, name or who, note or "", standard))
        seen.add(_key(standard))
    for body, started in con.execute(
        "SELECT s.body_json, min(r.started_at) FROM run_standards s JOIN runs r USING (run_id) "
        "WHERE s.standard_id = ? GROUP BY s.body_json ORDER BY 2",
        [standard_id],
    ).fetchall():
        standard = Standard.model_validate_json(body)
        if _key(standard) not in seen:
            out.append(Version(standard.version, "audited", started, standard.approved_by or "", "", standard))
            seen.add(_key(standard))
    if current is not None and _key(current) not in seen:
        out.append(Version(current.version, current.status, None, current.approved_by or "", "", current))
    out.sort(key=lambda v: (v.version, _order(v.when)), reverse=True)
    return out


def _key(standard: Standard) -> str:
    """Two records are the same version when everything but how it was approved is the same."""
    return json.dumps(
        standard.model_dump(mode="json", exclude={"status", "approved_by", "approved_on"}), sort_keys=True
    )


def _order(when) -> float:
    return when.timestamp() if hasattr(when, "timestamp") else 0.0


TALLIED = ("green", "provisional", "differs", "amber", "red", "green_amber", "amber_red", "withheld", "no_data")


@tiers.output(tiers.BY_CALLER, "how many providers each version gave each rating: exact, or public=True")
def ratings_by_version(con: duckdb.DuckDBPyConnection, standard_id: str, public: bool = False) -> pd.DataFrame:
    """The ratings each version gave: for every audited period, the version audited and how
    many providers were shown each rating (audits.verdicts, as everywhere). Exact from the
    latest run for the auditor; public=True tallies the quarter's public ratings (its released
    run, merged or withheld bands as published), so a tally can never tell which band a merged
    rating hides."""

    rows = []
    run_ids = disclosure.public_run_ids(con) if public else runs.latest_run_ids(con)
    for period, run_id in run_ids.items():
        shown = disclosure.public_standard_ratings(con, run_id) if public else verdicts.shown_ratings(con, run_id)
        shown = shown[shown["standard_id"] == standard_id] if not shown.empty else shown
        if shown.empty:
            continue
        counts = shown["shown"].value_counts()
        rows.append(
            {
                "period": period,
                "version": int(shown["standard_version"].iloc[0]),
                "providers": len(shown),
                **{key: int(counts.get(key, 0)) for key in TALLIED},
            }
        )
    return pd.DataFrame(rows, columns=["period", "version", "providers", *TALLIED])
