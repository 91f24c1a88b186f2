"""The expert citizens group's actions on its standards: save a draft, approve it as a group.

The files stay the truth the audit reads. An approved standard is `standards/<id>.yaml`; a
draft is `standards/drafts/<id>.yaml`, which the audit never reads (audits.standard_files reads only
the files directly in the folder), so the approved version keeps being audited while the next
one is discussed. Every draft saved and every version approved is also kept in the store with
who and when (migration 0050), for the history a group can follow (audits.versions).

A draft becomes the audited version only by the group, never by one person: either
`approvals_needed` (a setting, audits.settings: at least 2) different expert-citizen accounts approve the same text of the draft (a
change to the draft after that needs their approval again), or someone records a meeting of
the group with the names of at least that many people present. The approval record names
them; the file says how it was approved and when. The dashboard page and the command line
both call these functions; nothing here knows about Streamlit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from audits import sentences, settings, standard_edit, store, words
from audits.accounts import Account
from audits.standard_files import StandardProblem, parse_standard_text
from audits.standard_model import Standard

DRAFTS = "drafts"
EDITOR_ROLE = "expert_citizen"


def approvals_needed(con: duckdb.DuckDBPyConnection) -> int:
    """Different expert-citizen accounts whose approval makes a draft the audited version (or
    the fewest names a recorded meeting must list): the setting, never fewer than two."""
    return settings.get(con, "approvals_needed")


class WorkshopError(ValueError):
    """An action the workshop cannot take, said plainly (every reason at once)."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draft_path(folder: Path, standard_id: str) -> Path:
    return Path(folder) / DRAFTS / f"{standard_id}.yaml"


def approved_path(folder: Path, standard_id: str) -> Path:
    return Path(folder) / f"{standard_id}.yaml"


@dataclass
class Source:
    """One standard as the workshop opens it: its draft when there is one, else its file."""

    id: str
    path: Path
    text: str
    standard: Standard | None  # None: the file has problems
    problems: list[StandardProblem]
    approved: Standard | None  # the version the audit reads now (None: never approved)

    @property
    def is_draft(self) -> bool:
        return self.path.parent.name == DRAFTS

    @property
    def title(self) -> str:
        return self.standard.title if self.standard else self.approved.title if self.approved else self.id


def sources(folder: Path) -> dict[str, Source]:
    """Every standard of the folder, by id, in title order: the draft when there is one, else
    the file. Each file is read once."""
    folder = Path(folder)
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    drafts = sorted((folder / DRAFTS).glob("*.yaml")) if (folder / DRAFTS).is_dir() else []
    approved: dict[str, Standard] = {}
    found: dict[str, Source] = {}
    for path in files + drafts:
        text = path.read_text(encoding="utf-8")
        standard, problems = parse_standard_text(text, path.name)
        sid = path.stem
        if path.parent == folder and standard is not None and standard.status == "approved":
            approved[sid] = standard
        found[sid] = Source(sid, path, text, standard, problems, approved.get(sid))
    return dict(sorted(found.items(), key=lambda item: item[1].title.lower()))


def stamp(folder: Path) -> tuple:
    """Changes whenever a standards file or draft of the folder does (for a cached read)."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.yaml")) + sorted((folder / DRAFTS).glob("*.yaml")) if folder.is_dir() else []
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


# --------------------------------------------------------------------------- saving a draft


@dataclass(frozen=True)
class Outcome:
    """What an action did, in words a person reads after the page reloads."""

    message: str
    standard_id: str
    version: int
    approved: bool = False


def _who(by: Account | str) -> tuple[str, str]:
    if isinstance(by, Account):
        return by.username, by.display_name
    name = " ".join(str(by or "").split())
    if not name:
        raise WorkshopError("Say who is saving or approving (a name).")
    return name, name


def _record_version(
    con, standard: Standard, text: str, status: str, by: Account | str, note: str | None, names: str | None = None
) -> None:
    username, name = _who(by)
    name = names or name
    con.execute(
        "INSERT INTO standard_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [standard.id, standard.version, status, text, sha256(text), username, name, store.now(), note or None],
    )


def draft_text(folder: Path, text: str) -> tuple[Standard, str]:
    """The text as a draft: status draft, no approval, the version after the approved one."""
    doc = standard_edit.load(text)
    standard_id = str(doc.get("id", ""))
    approved = _approved_version(folder, standard_id)
    version = (approved or 0) + 1
    changed = text
    for key, value in (("status", "draft"), ("version", version), ("approved_by", None), ("approved_on", None)):
        changed = standard_edit.edit(changed, (key,), value)
    standard, problems = parse_standard_text(changed, f"{standard_id}.yaml")
    if standard is None:
        raise WorkshopError(
            f"This cannot be saved yet: {len(problems)} thing{'s' if len(problems) != 1 else ''} to fix first. "
            + " ".join(f"{'Line ' + str(p.line) + ': ' if p.line else ''}{p.message}" for p in problems)
        )
    return standard, changed


def _approved_version(folder: Path, standard_id: str) -> int | None:
    path = approved_path(folder, standard_id)
    if not path.exists():
        return None
    standard, _ = parse_standard_text(path.read_text(encoding="utf-8"), path.name)
    if standard is None:
        raise WorkshopError(
            f"The approved file {path.name} has problems, so no draft of it can be saved: "
            "fix it first (python -m audits standards check shows them)."
        )
    return standard.version


def save_draft(
    con: duckdb.DuckDBPyConnection, folder: Path, text: str, by: Account | str, note: str | None = None
) -> Outcome:
    """Save a standard as a draft (never audited): the file in drafts/ and a version in the
    store. Saving the same text again changes nothing; a changed draft needs new approvals."""
    if isinstance(by, Account) and by.role != EDITOR_ROLE:
        raise WorkshopError("Only expert citizens save changes to the standards.")
    try:
        standard, text = draft_text(folder, text)
    except standard_edit.EditError as error:
        raise WorkshopError(f"This cannot be saved yet: {error}.") from None
    path = draft_path(folder, standard.id)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return Outcome(
            f"Nothing has changed since draft version {standard.version} was saved.", standard.id, standard.version
        )
    con.execute("BEGIN TRANSACTION")
    try:
        _record_version(con, standard, text, "draft", by, note)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        con.execute("COMMIT")
    except Exception:
        store.rollback(con)
        raise
    needed = approvals_needed(con)
    return Outcome(
        f"Saved “{standard.title}” as draft version {standard.version}. It is not audited until "
        f"{needed} expert citizens approve it, or the group records a meeting that approved it.",
        standard.id,
        standard.version,
    )


# --------------------------------------------------------------------------- approving


@dataclass
class Approvals:
    """Where a draft stands: who has approved this exact text, and how many more are needed."""

    standard_id: str
    version: int | None  # None: there is no draft
    sha256: str | None
    names: list[str] = field(default_factory=list)  # display names, in the order they approved
    usernames: list[str] = field(default_factory=list)
    needed: int = settings.SETTINGS["approvals_needed"].default

    @property
    def waiting_for(self) -> int:
        return max(0, self.needed - len(self.usernames))

    def words(self) -> str:
        if self.version is None:
            return "There is no draft waiting for approval."
        if not self.names:
            return f"Draft version {self.version}: no one has approved it yet. {self.needed} expert citizens need to."
        more = self.waiting_for
        return (
            f"Draft version {self.version}: approved by {words_list(self.names)}. "
            f"Waiting for {more} more expert citizen{'s' if more != 1 else ''}."
        )


def words_list(names: list[str]) -> str:
    return sentences.listed(names, "and")


def approvals(con: duckdb.DuckDBPyConnection, folder: Path, standard_id: str) -> Approvals:
    path = draft_path(folder, standard_id)
    if not path.exists():
        return Approvals(standard_id, None, None, needed=approvals_needed(con))
    text = path.read_text(encoding="utf-8")
    standard, _ = parse_standard_text(text, path.name)
    digest = sha256(text)
    rows = con.execute(
        "SELECT username, names_json FROM standard_approvals WHERE standard_id = ? AND sha256 = ? "
        "AND how = 'account' ORDER BY recorded_at",
        [standard_id, digest],
    ).fetchall()
    state = Approvals(standard_id, standard.version if standard else None, digest, needed=approvals_needed(con))
    for username, names in rows:
        if username not in state.usernames:
            state.usernames.append(username)
            state.names.append(json.loads(names)[0])
    return state


def _draft(folder: Path, standard_id: str) -> tuple[Standard, str]:
    path = draft_path(folder, standard_id)
    if not path.exists():
        raise WorkshopError(f"There is no draft of '{standard_id}' to approve: save one first.")
    text = path.read_text(encoding="utf-8")
    standard, problems = parse_standard_text(text, path.name)
    if standard is None:
        raise WorkshopError(
            "The draft has problems, so it cannot be approved: "
            + " ".join(f"line {p.line}: {p.message}" if p.line else p.message for p in problems)
        )
    return standard, text


def approve(con: duckdb.DuckDBPyConnection, folder: Path, standard_id: str, account: Account) -> Outcome:
    """One expert citizen approves the draft as it is now. When enough different expert
    citizens have approved the same text, it becomes the version the audit reads."""
    if account.role != EDITOR_ROLE:
        raise WorkshopError("Only expert citizens approve changes to the standards.")
    standard, text = _draft(folder, standard_id)
    state = approvals(con, folder, standard_id)
    if account.username in state.usernames:
        return Outcome(
            f"You have already approved draft version {standard.version}. " + state.words(),
            standard_id,
            standard.version,
        )
    now = store.now()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO standard_approvals VALUES (?, ?, ?, 'account', ?, ?, NULL, NULL, ?, ?)",
            [standard_id, standard.version, sha256(text), account.username, json.dumps([account.display_name]),
             account.username, now],
        )  # fmt: skip
        state.usernames.append(account.username)
        state.names.append(account.display_name)
        done = not state.waiting_for
        if done:
            by = f"{len(state.names)} members of the expert citizens group, in the standards workshop"
            _publish(con, folder, standard, text, by, now.date(), account, words_list(state.names))
        con.execute("COMMIT")
    except Exception:
        store.rollback(con)
        raise
    if not done:
        return Outcome(
            f"Your approval of draft version {standard.version} is recorded. " + state.words(),
            standard_id,
            standard.version,
        )
    return Outcome(
        f"Version {standard.version} of “{standard.title}” is approved by {words_list(state.names)}. "
        "The next audit run uses it.",
        standard_id,
        standard.version,
        approved=True,
    )


def approve_at_meeting(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    standard_id: str,
    group: str,
    day: dt.date,
    present: list[str],
    recorded_by: Account | str,
) -> Outcome:
    """Record that a meeting of the group approved the draft, with the names of those present:
    the draft becomes the version the audit reads."""
    group = " ".join(str(group or "").split())
    names = []
    for name in present:
        name = " ".join(str(name).split())
        if name and name.lower() not in (n.lower() for n in names):
            names.append(name)
    problems = []
    if not group:
        problems.append("say which group met")
    if not isinstance(day, dt.date) or day > store.now().date():
        problems.append("give the day the group met (not a day still to come)")
    needed = approvals_needed(con)
    if len(names) < needed:
        problems.append(f"list the names of everyone present: at least {needed} different people")
    if isinstance(recorded_by, Account) and recorded_by.role != EDITOR_ROLE:
        problems.append("only an expert citizen records the group's approval")
    if problems:
        raise WorkshopError("The approval is not recorded yet: " + "; ".join(problems) + ".")
    standard, text = _draft(folder, standard_id)
    who, _ = _who(recorded_by)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO standard_approvals VALUES (?, ?, ?, 'meeting', NULL, ?, ?, ?, ?, ?)",
            [standard_id, standard.version, sha256(text), json.dumps(names), group, day, who, store.now()],
        )
        by = f"{group}, at its meeting on {words.long_date(day)} ({len(names)} members present)"
        _publish(con, folder, standard, text, by, day, recorded_by, f"{group}: {words_list(names)}")
        con.execute("COMMIT")
    except Exception:
        store.rollback(con)
        raise
    return Outcome(
        f"Version {standard.version} of “{standard.title}” is approved by {group} at its meeting on "
        f"{words.long_date(day)}, with {words_list(names)} present. The next audit run uses it.",
        standard_id,
        standard.version,
        approved=True,
    )


def _publish(con, folder: Path, standard: Standard, text: str, by: str, day: dt.date, recorded_by, names: str) -> Path:
    """The approved draft becomes the file the audit reads; the draft file goes."""
    approved = text
    for key, value in (("status", "approved"), ("approved_by", by), ("approved_on", day)):
        approved = standard_edit.edit(approved, (key,), value)
    target = approved_path(folder, standard.id)
    checked, problems = parse_standard_text(approved, target.name)
    if checked is None:
        raise WorkshopError("The approved version could not be written: " + "; ".join(p.message for p in problems))
    _record_version(con, checked, approved, "approved", recorded_by, None, names)
    target.write_text(approved, encoding="utf-8")
    draft_path(folder, standard.id).unlink(missing_ok=True)
    return target
