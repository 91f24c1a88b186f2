"""What a sign-off froze, and whether the report still says it.

Signing keeps the PDF exactly as signed (its bytes, in the store, with their SHA-256) and the
basis of the report: the audit run, every story of the provider with its status, the words
that would print (as a SHA-256), its tags, stances and the auditor's answers, and each
standard's rating as shown. Anything that would change the signed report afterwards (a new
tag, a review decision, a withdrawal, an answer, a changed setting, a new run) makes the
basis gathered now differ from the one kept, and the sign-off reads "out of date: sign again"
everywhere it shows, naming what changed. The old signed version stays, byte for byte.
"""

from __future__ import annotations

import hashlib
import json

import duckdb
import pandas as pd

from audits import words

OUT_OF_DATE = "Out of date: sign again"


def _sha(text) -> str | None:
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest() if isinstance(text, str) else None


def basis(run_id: str, voices_needed: int, shown: dict[str, str], table: pd.DataFrame) -> dict:
    """The basis of one provider's report: run, setting, shown rating of each standard, and every
    story with what the report makes of it (words only as SHA-256)."""
    told = {}
    for row in table.itertuples():
        told[str(row.story_id)] = {
            "status": row.status,
            "text_sha256": _sha(row.text),
            "teller": row.teller,
            "tags": list(row.standards),
            "stances": dict(sorted(row.stances.items())),
            "answers": {sid: _sha(a) for sid, a in sorted(row.answers.items())},
        }
    return {
        "run_id": run_id,
        "voices_needed": int(voices_needed),
        "ratings": dict(sorted(shown.items())),
        "stories": dict(sorted(told.items())),
    }


def basis_sha256(value: dict) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


STATUS_WORDS = {
    "printable": "printable",
    "redacted": "printed in a redacted version",
    "summarised": "printed as the auditor's summary",
    "not_shown": "heard but never shown, as the person chose",
    "held": "held for personal details",
    "kept_out": "kept out",
    "withdrawn": "withdrawn",
    "no_consent": "not consented",
}


def differences(old: dict, new: dict) -> list[str]:
    """What changed between the basis signed and the basis now, in plain words (never a story's
    words); empty when the report would say the same."""
    out = []
    if old.get("run_id") != new.get("run_id"):
        out.append(
            f"the audit was run again ({words.audit_run(new.get('run_id'))}) after "
            f"{words.audit_run(old.get('run_id'))} was signed"
        )
        return out
    if old.get("voices_needed") != new.get("voices_needed"):
        out.append(
            f"the number of confirming stories a green needs changed from {old.get('voices_needed')} "
            f"to {new.get('voices_needed')}"
        )
    before, now = old.get("stories", {}), new.get("stories", {})
    for story_id in sorted(set(before) | set(now)):
        a, b = before.get(story_id), now.get(story_id)
        if a is None:
            out.append(f"story {story_id} is new")
            continue
        if b is None:
            out.append(f"story {story_id} is no longer in the evidence pack")
            continue
        if a["status"] != b["status"]:
            out.append(
                f"story {story_id} was {STATUS_WORDS.get(a['status'], a['status'])} and is now "
                f"{STATUS_WORDS.get(b['status'], b['status'])}"
            )
        elif a["text_sha256"] != b["text_sha256"]:
            out.append(f"the words printed of story {story_id} changed")
        if a["tags"] != b["tags"] or a["stances"] != b["stances"]:
            out.append(f"story {story_id}'s tags changed")
        if a["answers"] != b["answers"]:
            out.append(f"the auditor's answer to story {story_id} changed")
    for standard_id in sorted(set(old.get("ratings", {})) | set(new.get("ratings", {}))):
        was, now_rating = old.get("ratings", {}).get(standard_id), new.get("ratings", {}).get(standard_id)
        if was != now_rating:
            out.append(
                f"{standard_id} would now show {words.rating_word(now_rating) if now_rating else 'nothing'} "
                f"(signed as {words.rating_word(was) if was else 'nothing'})"
            )
    return out


def keep(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    run_id: str,
    signed_at,
    pdf: bytes,
    value: dict,
) -> str:
    """Store the signed PDF's bytes and the basis with the sign-off; the PDF's SHA-256."""
    digest = hashlib.sha256(pdf).hexdigest()
    con.execute(
        "INSERT INTO signed_reports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [provider_id, period, run_id, signed_at, pdf, digest, json.dumps(value, sort_keys=True), basis_sha256(value)],
    )
    return digest


def record(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, run_id: str, signed_at) -> dict | None:
    """The frozen record of one sign-off (basis as a dict, the PDF's SHA-256; not the bytes)."""
    row = con.execute(
        "SELECT basis_json, pdf_sha256 FROM signed_reports WHERE provider_id = ? AND period = ? AND run_id = ? "
        "AND signed_at = ?",
        [provider_id, period, run_id, signed_at],
    ).fetchone()
    return None if row is None else {"basis": json.loads(row[0]), "pdf_sha256": row[1]}


def versions(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Every signed version of a period (or of one provider), newest first, with who signed it
    and the PDF's SHA-256 (not the bytes)."""
    return con.execute(
        """
        SELECT r.provider_id, r.period, r.run_id, r.signed_at, r.pdf_sha256, octet_length(r.pdf) AS pdf_bytes,
               s.name, s.organisation
        FROM signed_reports r
        LEFT JOIN signoffs s ON s.provider_id = r.provider_id AND s.period = r.period AND s.run_id = r.run_id
                             AND s.signed_at = r.signed_at
        WHERE r.period = ? AND (? IS NULL OR r.provider_id = ?)
        ORDER BY r.signed_at DESC, r.provider_id
        """,
        [period, provider_id, provider_id],
    ).fetchdf()


class SignedError(ValueError):
    """A signed PDF that cannot be given, said plainly."""


def _withheld(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, value: dict) -> str | None:
    from audits import withdrawals

    gone = withdrawals.printed_withdrawn(con, provider_id, period, value)
    if not gone:
        return None
    return (
        f"This signed report of {provider_id} for {period} printed a story that has since been withdrawn "
        f"({', '.join(gone)}), so it is no longer given out; its SHA-256 stays as the record. Sign the audit "
        "again for a report without it."
    )


def withheld(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, signed_at) -> str | None:
    """Why a signed PDF is no longer given out (it printed a story withdrawn since), or None."""
    row = con.execute(
        "SELECT basis_json FROM signed_reports WHERE provider_id = ? AND period = ? AND signed_at = ?",
        [provider_id, period, signed_at],
    ).fetchone()
    return None if row is None else _withheld(con, provider_id, period, json.loads(row[0]))


def signed_pdf(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, signed_at=None) -> tuple[bytes, str]:
    """(bytes, SHA-256) of a signed PDF exactly as signed: the latest, or the one signed at
    `signed_at`. The bytes are checked against the SHA-256 kept when it was signed."""
    row = con.execute(
        "SELECT pdf, pdf_sha256, basis_json FROM signed_reports WHERE provider_id = ? AND period = ? "
        "AND (? IS NULL OR signed_at = ?) ORDER BY signed_at DESC LIMIT 1",
        [provider_id, period, signed_at, signed_at],
    ).fetchone()
    if row is None:
        raise SignedError(f"There is no signed report of {provider_id} for {period}.")
    reason = _withheld(con, provider_id, period, json.loads(row[2]))
    if reason:
        raise SignedError(reason)
    pdf, digest = bytes(row[0]), row[1]
    if hashlib.sha256(pdf).hexdigest() != digest:
        raise SignedError(f"The stored signed report of {provider_id} for {period} does not match its SHA-256.")
    return pdf, digest
