"""Stories gathered by peer interviewers join the current evidence pack, by the same rules.

A story typed on a phone in the capture form (dashboard/capture.py), or a workbook filled in on
a visit without a connection and loaded afterwards (`python -m audits peer add`), never goes
into the store by a side door. It joins the provider's current evidence pack for that quarter
as a **new version of the pack**: every row of the current version, as it was written (loaded
rows from the stories table, held-back rows from the quarantine as written), then the new rows,
become one pack.yaml and one stories.csv in memory, which are read, validated and loaded exactly
as an uploaded folder is (audits.reading, audits.returns, audits.ingest.ingest_validation). So:

* every rule of the contract holds for a captured story, and a problem with it is said as for
  a file, naming the column;
* the new version becomes current and the old one stays in the history with its checksums,
  as any resubmission does; story ids, tags, decisions and answers carry over, because they
  are keyed by the story id and the words, which are copied unchanged;
* a withdrawal in the new rows (consent withdrawn) is recorded as for any pack.

Only one join runs at a time in a process (a lock), and the store's own lock keeps other
processes out while it writes, so two interviewers saving at once never lose a story.

A pack loaded whole (`python -m audits ingest`, the upload page) still replaces the current
version: that is how an expert citizens group sends a corrected pack. Nothing here logs or
returns the words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import threading
from dataclasses import dataclass, field

import duckdb

from audits import ingest, references, returns, spec, store, tiers
from audits.ingest import IngestOutcome
from audits.returns import Validation

FORM = "dashboard"  # submissions.form of a pack version made by a join
LOADED_BY = "Peer interviewer (story capture)"  # never the interviewer's name: providers see who loaded a pack
NOT_RECORDED = "Not recorded: the person did not agree to their story being used."
TELLERS = ("person_using_services", "family_member", "staff")  # the groups a peer interviewer asks
MAX_WORDS = 20_000  # characters of one story typed on the form
_JOINING = threading.Lock()


class CaptureError(ValueError):
    """A story that cannot be saved as given, said plainly (never quoting the words)."""


@dataclass
class Captured:
    """One story as the peer interviewer recorded it on the form."""

    provider_id: str
    gathered_on: dt.date
    teller: str  # person_using_services, family_member or staff
    consent: str  # yes or no (withdrawn comes later, by the reference)
    use_of_words: str | None  # quoted, summarised or not_at_all (consent yes)
    story: str  # the words as told (empty when consent is no: they are not recorded)
    standards: dict[str, str | None] = field(default_factory=dict)  # id -> confirms/contradicts/mixed
    reference: str = ""
    interviewer: str = ""
    credit: bool = False
    hours: float | None = None
    gathered_by: str = ""  # the group, as it appears on the report

    @property
    def period(self) -> str:
        return spec.period_of(self.gathered_on)


def problems(c: Captured, known_standards: set[str] | None = None) -> list[str]:
    """Everything wrong with a captured story, at once, in the form's words (never its words)."""
    out = []
    if not c.provider_id:
        out.append("Choose the service you visited.")
    if c.gathered_on > store.now().date():
        out.append("The day you heard the story cannot be in the future.")
    if c.teller not in TELLERS:
        out.append("Say who is telling: a person using the service, a family member or a member of staff.")
    if c.consent not in ("yes", "no"):
        out.append("Say whether the person agreed to their story being used.")
    if c.consent == "yes":
        if c.use_of_words not in ("quoted", "summarised", "not_at_all"):
            out.append("Say how the person agreed their words may be used: quoted, summarised, or not at all.")
        if not c.story.strip():
            out.append("Write the story in their words.")
        elif len(c.story) > MAX_WORDS:
            out.append(f"The story is longer than {MAX_WORDS:,} characters: keep the heart of it.")
    unknown = sorted(set(c.standards) - known_standards) if known_standards is not None else []
    if unknown:
        out.append(f"Not a standard: {', '.join(unknown)}.")
    wrong = sorted({v for v in c.standards.values() if v and v not in ("confirms", "contradicts", "mixed")})
    if wrong:
        out.append("What a story says of a standard is confirms, contradicts or mixed.")
    if not references.is_reference(c.reference):
        out.append("The story has no reference for the person to keep: reload the page for a new one.")
    if not c.interviewer.strip():
        out.append("Write your name, so that your work is credited and paid.")
    if c.hours is not None and not 0 <= c.hours <= 24:
        out.append("Hours spent are between 0 and 24.")
    if not c.gathered_by.strip():
        out.append("Write the name of your group, as it should appear on the report.")
    return out


def row_of(c: Captured) -> dict[str, str]:
    """The captured story as the cells of one stories.csv row (story_id filled in when joined)."""
    tags = ";".join(f"{sid}={stance}" if stance else sid for sid, stance in c.standards.items())
    agreed = c.consent == "yes"
    return {
        "story_id": "",
        "gathered_on": c.gathered_on.isoformat(),
        "teller": c.teller,
        "standards": tags,
        "consent": c.consent,
        # the words of someone who said no are not written down at all
        "story": c.story.strip() if agreed else NOT_RECORDED,
        "use_of_words": (c.use_of_words or "") if agreed else "",
        "reference": references.parse(c.reference),
        "interviewer": c.interviewer.strip(),
        "credit": "yes" if c.credit else "no",
        "hours": "" if c.hours is None else f"{c.hours:g}",
    }


@dataclass
class Joined:
    outcome: IngestOutcome
    story_ids: list[str]  # of the rows joined, in order (renumbered where the id was taken)
    renumbered: dict[str, str] = field(default_factory=dict)  # id as given -> id given

    def summary(self) -> str:
        text = self.outcome.summary()
        if self.renumbered:
            text += " Renumbered, as the pack already had these ids: " + ", ".join(
                f"{a} is now {b}" for a, b in self.renumbered.items()
            )
            text += "."
        return text


def add_story(
    con: duckdb.DuckDBPyConnection, c: Captured, source: str, known_standards: set[str] | None = None
) -> Joined:
    """Save one captured story: it joins the current pack of its provider and quarter as a new
    version of the pack (module docstring). CaptureError for a story that cannot be saved."""
    found = problems(c, known_standards)
    if found:
        raise CaptureError(" ".join(found))
    return join_rows(con, c.provider_id, c.period, [row_of(c)], c.gathered_by, source, LOADED_BY, whole=True)


def join_validation(con: duckdb.DuckDBPyConnection, validation: Validation, source: str, loaded_by: str) -> Joined:
    """Join the stories of a validated evidence pack (a workbook filled in on a visit) to the current
    pack of its provider and quarter, instead of replacing it. Its held-back rows join too, still
    held back, so nothing typed is lost."""
    if validation.kind != "pack":
        raise CaptureError(f"{source} is a provider's return, not an evidence pack of stories.")
    if validation.blocking:
        raise CaptureError(validation.report())
    rows = [_cells(r) for r in validation.frames[spec.STORIES.name].to_dict("records")]
    held = validation.quarantined
    rows += [
        {c: str(json.loads(j).get(c, "")) for c in spec.STORIES.column_names}
        for j in held.loc[held["table_name"] == spec.STORIES.name, "row_json"]
    ]
    meta = validation.meta
    return join_rows(con, meta["provider_id"], meta["period"], rows, meta.get("gathered_by", ""), source, loaded_by)


def join_rows(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    rows: list[dict[str, str]],
    gathered_by: str,
    source: str,
    loaded_by: str,
    whole: bool = False,
) -> Joined:
    """The new version of the provider's pack for the quarter: its current rows and these, read,
    validated and loaded as one pack. Rows without a story id, or with one the pack has, get the
    next free id C1, C2, …; a reference another story already has anywhere is refused. With
    `whole`, a new row that validation would hold back is refused instead, with why (the form
    says it to the interviewer, who can fix it there and then)."""
    with _JOINING:
        current = con.execute(
            "SELECT submission_id, gathered_by FROM current_submissions WHERE kind = 'pack' "
            "AND provider_id = ? AND period = ?",
            [provider_id, period],
        ).fetchone()
        kept = _current_rows(con, current[0]) if current else []
        taken = {r["story_id"].strip() for r in kept}
        _refuse_used_references(con, rows)
        renumbered, fresh = {}, []
        for row in rows:
            given = row.get("story_id", "").strip()
            if not given or given in taken:
                row = {**row, "story_id": _next_id(taken)}
                if given:
                    renumbered[given] = row["story_id"]
            taken.add(row["story_id"].strip())
            fresh.append(row)
        ids = [row["story_id"].strip() for row in fresh]
        groups = _groups(current[1] if current else "", gathered_by)
        files = {
            spec.PACK_META_FILE: _pack_yaml(provider_id, period, groups),
            spec.STORIES.file: _stories_csv(kept + fresh),
        }
        validation = returns.validate_files(source, FORM, files)
        if validation.blocking:
            raise CaptureError(validation.report())
        if whole:
            lines = set(range(len(kept) + 2, len(kept) + 2 + len(fresh)))  # the header is line 1
            wrong = [p for p in validation.problems if p.line in lines]
            if wrong:
                raise CaptureError(
                    "Not saved: " + "; ".join(f"{p.column or 'the row'} {p.message}" for p in wrong) + "."
                )
        outcome = ingest.ingest_validation(con, validation, source, loaded_by)
    return Joined(outcome, ids, renumbered)


def _cells(record: dict) -> dict[str, str]:
    """A typed row of a validated pack as the text a CSV holds."""
    out = {}
    for column in spec.STORIES.columns:
        value = record.get(column.name)
        if value is None or (isinstance(value, float) and value != value) or str(value) in ("<NA>", "NaT", "nan"):
            out[column.name] = ""
        elif column.type == spec.DATE:
            out[column.name] = str(value)[:10]
        elif column.type == spec.BOOLEAN:
            out[column.name] = "yes" if bool(value) else "no"
        elif column.type == spec.NUMBER:
            out[column.name] = f"{float(value):g}"
        else:
            out[column.name] = str(value)
    return out


def _current_rows(con: duckdb.DuckDBPyConnection, submission_id: str) -> list[dict[str, str]]:
    """Every row of a pack version as written, in the order of its lines: loaded rows from the
    stories table, held-back rows from the quarantine (as written, so they stay held back)."""
    names = list(spec.STORIES.column_names)
    loaded = con.execute(
        f"SELECT line, {', '.join(f'{chr(34)}{n}{chr(34)}' for n in names)} FROM stories WHERE submission_id = ?",
        [submission_id],
    ).fetchall()
    rows = [(line, _quoted_when_unsaid(_cells(dict(zip(names, values))), True)) for line, *values in loaded]
    held = con.execute(
        "SELECT line, row_json FROM quarantine WHERE submission_id = ? AND table_name = 'stories'", [submission_id]
    ).fetchall()
    for line, text in held:
        written = json.loads(text)
        cells = {n: str(written.get(n, "") or "") for n in names}
        rows.append((line, _quoted_when_unsaid(cells, "use_of_words" not in written)))
    return [cells for _, cells in sorted(rows, key=lambda pair: pair[0])]


def _quoted_when_unsaid(cells: dict[str, str], unsaid: bool) -> dict[str, str]:
    """A story of a pack made without the use_of_words column was quoted (audits.stories.use_of):
    written out so, as the column now has to be filled in for a consented story."""
    if unsaid and not cells["use_of_words"] and cells["consent"].strip().lower() == "yes":
        cells["use_of_words"] = "quoted"
    return cells


def _refuse_used_references(con: duckdb.DuckDBPyConnection, rows: list[dict[str, str]]) -> None:
    given = {references.compact(r.get("reference", "")) for r in rows if r.get("reference", "").strip()}
    if not given:
        return
    # Only another story's reference clashes: one withdrawn before its paper sheet was loaded
    # loads, and is withdrawn from the moment it is (audits.stories), as the person was promised.
    used = con.execute(
        "SELECT DISTINCT upper(regexp_replace(reference, '[^A-Za-z]', '', 'g')) FROM stories "
        "WHERE reference IS NOT NULL"
    ).fetchall()
    clash = sorted(given & {u for (u,) in used})
    if clash:
        raise CaptureError(
            f"The reference {', '.join(references.shown(c) for c in clash)} is already another story's. Each person "
            "keeps their own reference: give this story a new one (the form makes one; on paper, use a fresh sheet)."
        )


def _next_id(taken: set[str]) -> str:
    numbers = [int(m.group(1)) for m in (re.fullmatch(r"C(\d+)", t) for t in taken) if m]
    number = max(numbers, default=0) + 1
    while f"C{number}" in taken:
        number += 1
    return f"C{number}"


def _groups(current: str | None, new: str) -> str:
    """Who gathered the pack's stories: the groups so far and this one, each named once."""
    names = [n.strip() for n in re.split(r"\s+and\s+|;", current or "") if n.strip()]
    if new.strip() and new.strip().lower() not in {n.lower() for n in names}:
        names.append(new.strip())
    return " and ".join(names)


def _pack_yaml(provider_id: str, period: str, gathered_by: str) -> bytes:
    """pack.yaml with every value quoted as JSON (a YAML subset), so no name can change its meaning."""
    values = {"provider_id": provider_id, "period": period, "gathered_by": gathered_by}
    return "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items()).encode("utf-8")


@tiers.output(
    tiers.RESTRICTED, "a captured story as an evidence pack's stories.csv: people's words, for the store only"
)
def _stories_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spec.STORIES.column_names)
    for row in rows:
        writer.writerow([row.get(c, "") for c in spec.STORIES.column_names])
    return out.getvalue().encode("utf-8")
