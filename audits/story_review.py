"""The auditor's work on stories: screening records, the review of held stories, and tagging.

Which stories may be printed is audits.stories' job; this module records what the auditor
decides about them. A decision is tied to the exact words reviewed (their SHA-256 is kept,
never the words), so a resubmitted pack that changes the words is held again. Nothing here
logs or quotes people's words: every message names the story by its id.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import duckdb
import pandas as pd

from audits import screening, store
from audits.stories import current_stories, review_note, split_standards, story_status

DECISIONS = ("cleared", "redacted", "kept_out")


class ReviewError(ValueError):
    """An auditor's decision that cannot be recorded; the message never quotes the story."""


def record_screening(con: duckdb.DuckDBPyConnection, provider_id: str | None = None, period: str | None = None) -> int:
    """Write a story_screening row for each current story not yet screened in its
    submission (kinds and positions only). Returns how many were screened."""
    df = con.execute(
        """
        SELECT s.provider_id, s.period, s.story_id, s.submission_id, s.story FROM cur_stories s
        WHERE (? IS NULL OR s.provider_id = ?) AND (? IS NULL OR s.period = ?)
          AND NOT EXISTS (SELECT 1 FROM story_screening x WHERE x.submission_id = s.submission_id
                          AND x.story_id = s.story_id)
        """,
        [provider_id, provider_id, period, period],
    ).fetchall()
    if not df:
        return 0
    now = store.now()
    con.executemany(
        "INSERT INTO story_screening VALUES (?, ?, ?, ?, ?, ?)",
        [(p, q, sid, sub, screening.flags_to_json(screening.screen(text)), now) for p, q, sid, sub, text in df],
    )
    return len(df)


def held_stories(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Stories with consent 'yes' that wait for the auditor: provider, story, reasons,
    the flags and the words (for the auditor's review only; never log them)."""
    rows = []
    for row in current_stories(con, period, provider_id).itertuples():
        status, reason = story_status(row)
        if status == "held":
            rows.append(
                {
                    "provider_id": row.provider_id,
                    "story_id": row.story_id,
                    "reason": reason,
                    "flags": screening.screen(row.story),
                    "story": row.story,
                }
            )
    return pd.DataFrame(rows, columns=["provider_id", "story_id", "reason", "flags", "story"])


def _current_story(
    con: duckdb.DuckDBPyConnection, provider_id: str, period: str, story_id: str, next_step: str
) -> tuple[str, str]:
    """(story, consent) of a story in the current pack, or a plain refusal naming what to do next."""
    row = con.execute(
        "SELECT story, consent FROM cur_stories WHERE provider_id = ? AND period = ? AND story_id = ?",
        [provider_id, period, story_id],
    ).fetchone()
    if row is None:
        raise ReviewError(
            f"There is no story {story_id} in the current evidence pack of {provider_id} for {period}. {next_step}"
        )
    return row


def review_story(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    story_id: str,
    decision: str,
    reviewed_by: str,
    redacted_text: str | None = None,
    accept_remaining_flags: bool = False,
) -> str:
    """Record an auditor's decision about one current story; returns a plain summary.

    A redacted version is screened too: if it still looks like it holds personal
    details it is refused, unless the auditor confirms those flags are not
    personal details (accept_remaining_flags).
    """
    if decision not in DECISIONS:
        raise ReviewError(f"'{decision}' is not a decision; use one of {', '.join(DECISIONS)}.")
    if not reviewed_by or not reviewed_by.strip():
        raise ReviewError("Say who made the decision (--by NAME).")
    story, consent = _current_story(
        con,
        provider_id,
        period,
        story_id,
        f"List the stories waiting for review with: python -m audits stories held --period {period}",
    )
    if consent != "yes":
        raise ReviewError(
            f"Story {story_id} of {provider_id} for {period} has consent '{consent}': only stories "
            "with consent 'yes' can ever be printed, so there is nothing to review."
        )
    if decision == "redacted":
        if not redacted_text or not redacted_text.strip():
            raise ReviewError('A redaction needs the redacted words (--text "...").')
        remaining = screening.screen(redacted_text)
        if remaining and not accept_remaining_flags:
            raise ReviewError(
                f"The redacted version of story {story_id} still seems to contain "
                f"{screening.reasons(remaining)}. Remove them, or if you have checked they are "
                "not personal details, repeat with --confirm."
            )
    else:
        redacted_text = None
    con.execute(
        "INSERT INTO story_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [provider_id, period, story_id, decision, redacted_text, reviewed_by.strip(), store.now(), review_note(story)],
    )
    words = {
        "cleared": "cleared for printing",
        "redacted": "redacted version approved for printing",
        "kept_out": "kept out of every output",
    }[decision]
    return f"Story {story_id} of {provider_id} for {period}: {words} (by {reviewed_by.strip()})."


# --------------------------------------------------------------------------- tagging


def standard_titles(folder: Path) -> dict[str, str]:
    """id -> title of every standard in the folder (any status: a story may speak to a
    draft too), read by the standards loader. A folder with no readable standard is a
    ReviewError naming the folder."""
    from audits.standards import load_standards

    load = load_standards(Path(folder))
    titles = {standard.id: standard.title for standard in load.standards}
    if not titles:
        found = f" ({load.problems[0]})" if load.problems else ""
        raise ReviewError(
            f"No standard could be read from {folder}{found}. Give the folder of standards "
            "files with --standards-dir, for example --standards-dir standards."
        )
    return titles


def check_standard_ids(ids: list[str], titles: dict[str, str]) -> list[str]:
    """The ids, each once, in the order given; every unknown id refused at once, each with
    the nearest known id when one is close."""
    problems = []
    for sid in dict.fromkeys(ids):
        if sid in titles:
            continue
        close = difflib.get_close_matches(sid, list(titles), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        problems.append(f"'{sid}' is not the id of any standard.{hint}")
    if problems:
        raise ReviewError("\n".join(problems) + "\nThe standards are: " + ", ".join(sorted(titles)) + ".")
    return list(dict.fromkeys(ids))


def tag_story(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    story_id: str,
    standard_ids: list[str] | str,
    tagged_by: str,
    titles: dict[str, str],
) -> str:
    """Record an auditor's tagging of one consented story to standards (replacing the pack's
    column and any earlier tagging; an empty list clears); returns a plain summary that
    never quotes the story. `titles` (standard_titles) are the ids a tag may name."""
    if isinstance(standard_ids, str):
        standard_ids = split_standards(standard_ids)
    if not tagged_by or not tagged_by.strip():
        raise ReviewError("Say who tagged the story (--by NAME).")
    ids = check_standard_ids(list(standard_ids), titles)
    _current_story(
        con, provider_id, period, story_id, "See the stories on the dashboard's review page, or the pack's stories.csv."
    )
    row = current_stories(con, period, provider_id).set_index("story_id").loc[story_id]
    consent = "withdrawn" if row["withdrawn"] else row["consent"]
    if consent != "yes":
        raise ReviewError(
            f"Story {story_id} of {provider_id} for {period} has consent '{consent}': only stories "
            "with consent 'yes' can ever be shown, so it cannot be tagged."
        )
    con.execute(
        "INSERT INTO story_tags VALUES (?, ?, ?, ?, ?, ?)",
        [provider_id, period, story_id, ";".join(ids), tagged_by.strip(), store.now()],
    )
    what = (
        ("now speaks to " + ", ".join(f"{titles[i]} ({i})" for i in ids))
        if ids
        else "now speaks to no standard (its tags are cleared)"
    )
    return f"Story {story_id} of {provider_id} for {period} {what} (tagged by {tagged_by.strip()})."


def taggable_stories(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """The consented, never-withdrawn stories of a period an auditor may tag, with their
    status, current tags, the pack's tags, who tagged them and when, and only the words
    that may be shown (None unless printable: a held story's words are on the review
    list, a kept-out story's nowhere)."""
    rows = []
    for row in current_stories(con, period, provider_id).itertuples():
        status, reason = story_status(row)
        if status in ("withdrawn", "no_consent"):
            continue
        printable = status in ("printable", "redacted")
        rows.append(
            {
                "provider_id": row.provider_id,
                "story_id": row.story_id,
                "teller": row.teller,
                "status": status,
                "reason": reason,
                "standards": split_standards(row.standards),
                "pack_standards": split_standards(row.pack_standards),
                "tagged_by": row.tagged_by if isinstance(row.tagged_by, str) else None,
                "tagged_at": row.tagged_at if isinstance(row.tagged_by, str) else None,
                "text": (row.redacted_text if status == "redacted" else row.story) if printable else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "provider_id",
            "story_id",
            "teller",
            "status",
            "reason",
            "standards",
            "pack_standards",
            "tagged_by",
            "tagged_at",
            "text",
        ],
    )
