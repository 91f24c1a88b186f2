"""The provider's factual accuracy check of a shared draft, the auditor's answers, and the
provider's reply published with the audit.

A comment is about one standard (or one of its measures), says what is wrong in the provider's
words, and may bring one file as evidence. A file is only ever stored and given back to download
under a name made here: never opened, run or drawn. It must be small (MAX_FILE_BYTES) and one of
a few kinds, and its first bytes must say it is that kind. The auditor answers each comment:
accepted (saying the change made) or not accepted (saying why). Sign-off is refused while any
comment is unanswered (audits.signoffs). Nothing here is deleted or changed: a new answer is a
new row, and the latest wins.
"""

from __future__ import annotations

import hashlib
import uuid

import duckdb
import pandas as pd

from audits import drafts, runs, screening, store, words

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT = 4000
# kind -> (what it is, the first bytes every such file starts with; None: plain UTF-8 text)
FILE_KINDS: dict[str, tuple[str, bytes | None]] = {
    "pdf": ("PDF document", b"%PDF-"),
    "png": ("PNG image", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("JPEG image", b"\xff\xd8\xff"),
    "jpeg": ("JPEG image", b"\xff\xd8\xff"),
    "xlsx": ("Excel workbook", b"PK\x03\x04"),
    "docx": ("Word document", b"PK\x03\x04"),
    "csv": ("CSV file", None),
    "txt": ("text file", None),
}
OUTCOMES = {"accepted": "Accepted: the change made", "not_accepted": "Not accepted: the reasons"}


class FactcheckError(ValueError):
    """A comment, file, answer or reply that cannot be recorded, said plainly."""


def check_file(name: str, data: bytes) -> str:
    """The file's kind (its extension) if it may be kept; otherwise a plain refusal."""
    kind = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(sorted({f".{k}" for k in FILE_KINDS}))
    if kind not in FILE_KINDS:
        raise FactcheckError(f"{name} cannot be attached: send one of {allowed}.")
    if len(data) > MAX_FILE_BYTES:
        raise FactcheckError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; a file may be at most {MAX_FILE_BYTES // 1024 // 1024} MB."
        )
    if not data:
        raise FactcheckError(f"{name} is empty.")
    what, magic = FILE_KINDS[kind]
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise FactcheckError(f"{name} is not UTF-8 text, so it is not a {what}.") from None
        if b"\x00" in data:
            raise FactcheckError(f"{name} holds binary data, so it is not a {what}.")
    elif not data.startswith(magic):
        raise FactcheckError(f"{name} does not start as a {what} does: send the file itself, not a renamed one.")
    return kind


def _standards_of(con, run_id: str) -> dict[str, set[str]]:
    return {s.id: {m.id for m in s.measures} for s in runs.run_standards(con, run_id)}


def comment(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    standard_id: str,
    measure_id: str | None,
    text: str,
    commented_by: str,
    file_name: str | None = None,
    file_bytes: bytes | None = None,
) -> str:
    """Record the provider's comment on a fact in its shared draft; returns the comment's id."""
    draft = drafts.latest(con, provider_id, period)
    if draft is None:
        raise FactcheckError(
            f"No draft of {period} has been shared with {provider_id} yet, so there is nothing to check."
        )
    if not drafts.is_open(draft):
        closed = (
            "the provider closed it"
            if draft.get("closed_at") is not None
            else f"it closed at the end of {words.long_date(draft['due_on'])}"
        )
        raise FactcheckError(f"The factual accuracy check of {period} is over: {closed}.")
    problems = []
    text = (text or "").strip()
    if not text:
        problems.append("say which fact is wrong and what it should be")
    elif len(text) > MAX_TEXT:
        problems.append(f"keep the comment under {MAX_TEXT} characters (send a file for more)")
    if not commented_by or not commented_by.strip():
        problems.append("say who comments")
    known = _standards_of(con, draft["run_id"])
    if standard_id not in known:
        problems.append(f"choose a standard of the draft ({', '.join(sorted(known))})")
    elif measure_id and measure_id not in known[standard_id]:
        problems.append(f"choose a measure of {standard_id} ({', '.join(sorted(known[standard_id]))}) or none")
    kind = None
    if file_bytes is not None:
        try:
            kind = check_file(file_name or "", file_bytes)
        except FactcheckError as error:
            problems.append(str(error).rstrip("."))
    if problems:
        raise FactcheckError("To comment, " + "; ".join(problems) + ".")
    comment_id = f"C-{uuid.uuid4().hex[:8]}"
    con.execute(
        "INSERT INTO factual_comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            comment_id,
            draft["draft_id"],
            provider_id,
            period,
            standard_id,
            measure_id or None,
            text,
            (file_name or "")[-120:] if kind else None,
            kind,
            file_bytes if kind else None,
            hashlib.sha256(file_bytes).hexdigest() if kind else None,
            commented_by.strip(),
            store.now(),
        ],
    )
    return comment_id


def answer(con: duckdb.DuckDBPyConnection, comment_id: str, outcome: str, text: str, answered_by: str) -> str:
    """The auditor's answer to a comment: accepted (with the change made) or not accepted (with
    the reasons). Returns a plain summary."""
    found = con.execute(
        "SELECT provider_id, standard_id FROM factual_comments WHERE comment_id = ?", [comment_id]
    ).fetchone()
    problems = []
    if found is None:
        problems.append(f"answer a comment that exists (there is no comment {comment_id})")
    if outcome not in OUTCOMES:
        problems.append("choose accepted or not accepted")
    if not (text or "").strip():
        problems.append(
            "say what was changed" if outcome == "accepted" else "give the reasons the comment is not accepted"
        )
    if not answered_by or not answered_by.strip():
        problems.append("say who answers")
    if problems:
        raise FactcheckError("To answer, " + "; ".join(problems) + ".")
    con.execute(
        "INSERT INTO factual_answers VALUES (?, ?, ?, ?, ?)",
        [comment_id, outcome, text.strip(), answered_by.strip(), store.now()],
    )
    return f"Answered comment {comment_id} of {found[0]} on {found[1]}: {OUTCOMES[outcome].split(':')[0].lower()}."


def comments(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Every comment of a period (or one provider), oldest first, with its latest answer (or
    none) and whether a file came with it (not the bytes)."""
    return con.execute(
        """
        WITH answered AS (
            SELECT * FROM factual_answers
            QUALIFY row_number() OVER (PARTITION BY comment_id ORDER BY answered_at DESC, rowid DESC) = 1
        )
        SELECT c.comment_id, c.draft_id, c.provider_id, c.period, c.standard_id, c.measure_id, c.comment,
               c.file_name, c.file_type, c.file_sha256, octet_length(c.file_bytes) AS file_size,
               c.commented_by, c.commented_at,
               a.outcome, a.answer, a.answered_by, a.answered_at
        FROM factual_comments c LEFT JOIN answered a USING (comment_id)
        WHERE c.period = ? AND (? IS NULL OR c.provider_id = ?)
        ORDER BY c.commented_at, c.comment_id
        """,
        [period, provider_id, provider_id],
    ).fetchdf()


def unanswered(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    df = comments(con, period, provider_id)
    return df[df["outcome"].isna()].reset_index(drop=True)


def file_of(con: duckdb.DuckDBPyConnection, comment_id: str) -> tuple[str, bytes]:
    """(a download name made here, the bytes) of a comment's file: never the name the provider
    gave, so nothing it chose ends up in a path or a header."""
    row = con.execute(
        "SELECT file_type, file_bytes FROM factual_comments WHERE comment_id = ? AND file_bytes IS NOT NULL",
        [comment_id],
    ).fetchone()
    if row is None:
        raise FactcheckError(f"Comment {comment_id} has no file.")
    return f"comment-{comment_id}.{row[0]}", bytes(row[1])


def summary(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> str:
    """The factual accuracy check in one sentence, for the report and the published page."""
    draft = drafts.latest(con, provider_id, period)
    return summary_of(draft, None if draft is None else comments(con, period, provider_id))


def summary_of(draft: dict | None, df: pd.DataFrame | None) -> str:
    """`summary` from what it reads: the latest draft (drafts.latest) and that provider's comments
    (`comments`), so that a period's reports can read them once for every provider."""
    if draft is None:
        return "No draft was shared with the provider for a factual accuracy check."
    if df is None or df.empty:
        return (
            f"A draft was shared with the provider on {words.long_date(draft['shared_at'])} for a factual accuracy "
            "check; the provider made no comment."
        )
    accepted = int((df["outcome"] == "accepted").sum())
    refused = int((df["outcome"] == "not_accepted").sum())
    waiting = int(df["outcome"].isna().sum())
    parts = [f"{accepted} accepted with the change made", f"{refused} not accepted, with the reasons given"]
    if waiting:
        parts.append(f"{waiting} not yet answered")
    return (
        f"A draft was shared with the provider on {words.long_date(draft['shared_at'])} for a factual accuracy "
        f"check. The provider made {len(df)} comment{'s' if len(df) != 1 else ''}: " + ", ".join(parts) + "."
    )


# --------------------------------------------------------------------------- the provider's reply


def reply(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, text: str, replied_by: str) -> str:
    """The provider's reply to its audit, published with it (as Healthwatch publishes a provider's
    response). It is published, so it is screened and refused if it seems to hold a personal
    detail; an empty reply withdraws an earlier one."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise FactcheckError(f"Keep the reply under {MAX_TEXT} characters.")
    if not replied_by or not replied_by.strip():
        raise FactcheckError("Say who replies.")
    flags = screening.screen(text)
    if flags:
        raise FactcheckError(
            f"The reply seems to contain {screening.reasons(flags)}. It is published, so take out anything "
            "that could identify a person (names, phone numbers, addresses) and send it again."
        )
    con.execute(
        "INSERT INTO provider_replies VALUES (?, ?, ?, ?, ?)",
        [provider_id, period, text, replied_by.strip(), store.now()],
    )
    return "Your reply is withdrawn." if not text else "Your reply is saved; it will be published with the audit."


def latest_reply(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> dict | None:
    """The provider's latest reply (None when it never replied or withdrew its reply)."""
    row = con.execute(
        "SELECT reply, replied_by, replied_at FROM provider_replies WHERE provider_id = ? AND period = ? "
        "ORDER BY replied_at DESC, rowid DESC LIMIT 1",
        [provider_id, period],
    ).fetchone()
    if row is None or not row[0]:
        return None
    return {"reply": row[0], "replied_by": row[1], "replied_at": row[2]}


def latest_replies(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, dict | None]:
    """provider_id -> `latest_reply` of every provider that ever replied in the period, at once."""
    rows = con.execute(
        "SELECT provider_id, reply, replied_by, replied_at FROM provider_replies WHERE period = ? "
        "QUALIFY row_number() OVER (PARTITION BY provider_id ORDER BY replied_at DESC, rowid DESC) = 1",
        [period],
    ).fetchall()
    return {r[0]: ({"reply": r[1], "replied_by": r[2], "replied_at": r[3]} if r[1] else None) for r in rows}
