"""The auditor's work on stories: screening records, the review of held stories, and tagging.

Which stories may be printed is audits.stories' job; this module records what the auditor
decides about them. A decision is tied to the exact words reviewed (their SHA-256 is kept,
never the words), so a resubmitted pack that changes the words is held again. Nothing here
logs or quotes people's words: every message names the story by its id.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import duckdb
import pandas as pd

from audits import findings, screening, standard_files, store
from audits.stories import (
    SHOWN,
    answers,
    answers_applying,
    current_stories,
    pack_stances,
    review_note,
    split_standards,
    stances_of,
    story_status,
    use_of,
)
from audits.verdicts import STANCES

DECISIONS = ("cleared", "redacted", "summarised", "kept_out")
DECISION_WORDS = {
    "cleared": "cleared for printing",
    "redacted": "redacted version approved for printing",
    "summarised": "the auditor's summary approved for printing (never the person's words)",
    "kept_out": "kept out of every output",
    "undone": "decision undone: held again for review",
}


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
                    "use_of_words": use_of(row.use_of_words),
                }
            )
    return pd.DataFrame(rows, columns=["provider_id", "story_id", "reason", "flags", "story", "use_of_words"])


def _current_story(
    con: duckdb.DuckDBPyConnection, provider_id: str, period: str, story_id: str, next_step: str
) -> tuple[str, str]:
    """(story, consent) of a story in the current pack, or a plain refusal naming what to do next."""
    return _current_row(con, provider_id, period, story_id, next_step)[:2]


def _current_row(
    con: duckdb.DuckDBPyConnection, provider_id: str, period: str, story_id: str, next_step: str
) -> tuple[str, str, str]:
    """(story, consent, use of words) of a story in the current pack, or a plain refusal."""
    row = con.execute(
        "SELECT story, consent, use_of_words FROM cur_stories WHERE provider_id = ? AND period = ? AND story_id = ?",
        [provider_id, period, story_id],
    ).fetchone()
    if row is None:
        raise ReviewError(
            f"There is no story {story_id} in the current evidence pack of {provider_id} for {period}. {next_step}"
        )
    return row[0], row[1], use_of(row[2])


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

    A story that screening flagged is cleared only when the auditor confirms they read it and
    what was flagged is not a personal detail (accept_remaining_flags): one click never prints
    it. A redacted version is screened too: if it still looks like it holds personal details
    it is refused unless the auditor confirms the same of what is still flagged.

    The person's choice of how their words are used binds the auditor too: a story they agreed
    to have summarised is never cleared or redacted (only the auditor's summary, `redacted_text`
    of a 'summarised' decision, is printed), and one they agreed to have shown nowhere has no
    words to review.
    """
    if decision not in DECISIONS:
        raise ReviewError(f"'{decision}' is not a decision; use one of {', '.join(DECISIONS)}.")
    if not reviewed_by or not reviewed_by.strip():
        raise ReviewError("Say who made the decision (--by NAME).")
    story, consent, use = _current_row(
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
    if use == "not_at_all" and decision != "kept_out":
        raise ReviewError(
            f"The person who told story {story_id} agreed to be heard but not to their words being shown "
            "anywhere, so it is never printed: there is nothing to clear, redact or summarise."
        )
    if use == "summarised" and decision in ("cleared", "redacted"):
        raise ReviewError(
            f"The person who told story {story_id} agreed to a summary, not to their own words being printed: "
            'write a summary in your words (stories summarise --text "..."), or keep it out.'
        )
    if decision == "cleared":
        flagged = screening.screen(story)
        if flagged and not accept_remaining_flags:
            raise ReviewError(
                f"Story {story_id} of {provider_id} was held because it may contain {screening.reasons(flagged)}. "
                "Read it: if what screening flagged is not a personal detail, confirm that (tick 'I have read it' "
                "on the review page, or add --confirm on the command line); otherwise redact it or keep it out."
            )
    if decision in ("redacted", "summarised"):
        what = "redacted version" if decision == "redacted" else "summary"
        if not redacted_text or not redacted_text.strip():
            raise ReviewError(
                'A redaction needs the redacted words (--text "...").'
                if decision == "redacted"
                else 'A summary needs its words: what the person told, in your words (--text "...").'
            )
        remaining = screening.screen(redacted_text)
        if remaining and not accept_remaining_flags:
            raise ReviewError(
                f"The {what} of story {story_id} still seems to contain "
                f"{screening.reasons(remaining)}. Remove them, or if you have checked they are "
                "not personal details, repeat with --confirm."
            )
    else:
        redacted_text = None
    con.execute(
        "INSERT INTO story_reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [provider_id, period, story_id, decision, redacted_text, reviewed_by.strip(), store.now(), review_note(story)],
    )
    return f"Story {story_id} of {provider_id} for {period}: {DECISION_WORDS[decision]} (by {reviewed_by.strip()})."


def decisions(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Every current story's latest decision that still applies to its words, newest first:
    provider, story, decision, who and when, whether screening flags the words (so a page can
    say the auditor confirmed the flagged words were not personal details). No words."""
    rows = []
    for row in current_stories(con, period, provider_id).itertuples():
        if row.decision not in DECISIONS or row.note != review_note(row.story or ""):
            continue
        rows.append(
            {
                "provider_id": row.provider_id,
                "story_id": row.story_id,
                "decision": row.decision,
                "reviewed_by": row.reviewed_by,
                "reviewed_at": row.reviewed_at,
                "flagged": screening.reasons(screening.screen(row.story)),
            }
        )
    df = pd.DataFrame(rows, columns=["provider_id", "story_id", "decision", "reviewed_by", "reviewed_at", "flagged"])
    return df.sort_values("reviewed_at", ascending=False, kind="stable").reset_index(drop=True)


def signed_and_current(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> bool:
    """Is this provider's audit of the period signed off, with nothing changed since?"""

    try:
        found = findings.gather(con, provider_id, period)
    except findings.FindingsError:
        return False
    return found.signoff_status == "signed"


def undo_decision(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, story_id: str, by: str) -> str:
    """Undo the auditor's latest decision about a story (append-only: an 'undone' row), so the
    story is held again if screening flags it. Refused once the audit is signed off."""
    if not by or not by.strip():
        raise ReviewError("Say who undid the decision (--by NAME).")
    story, _ = _current_story(con, provider_id, period, story_id, "See the decisions on the review page.")
    latest = con.execute(
        "SELECT decision, note FROM story_reviews WHERE provider_id = ? AND period = ? AND story_id = ? "
        "ORDER BY reviewed_at DESC LIMIT 1",
        [provider_id, period, story_id],
    ).fetchone()
    if latest is None or latest[0] not in DECISIONS or latest[1] != review_note(story):
        raise ReviewError(f"Story {story_id} of {provider_id} for {period} has no decision to undo.")
    if signed_and_current(con, provider_id, period):
        raise ReviewError(
            f"The audit of {provider_id} for {period} is signed off, so its decisions can no longer be undone. "
            "A new decision can still be recorded: it marks the sign-off out of date, to be signed again."
        )
    con.execute(
        "INSERT INTO story_reviews VALUES (?, ?, ?, 'undone', NULL, ?, ?, ?)",
        [provider_id, period, story_id, by.strip(), store.now(), review_note(story)],
    )
    return f"Story {story_id} of {provider_id} for {period}: {DECISION_WORDS['undone']} (by {by.strip()})."


# --------------------------------------------------------------------------- tagging


def standard_titles(folder: Path) -> dict[str, str]:
    """id -> title of every standard in the folder (any status: a story may speak to a
    draft too), read by the standards loader. A folder with no readable standard is a
    ReviewError naming the folder."""

    load = standard_files.load_standards(Path(folder))
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


def parse_tags(value: str) -> tuple[list[str], dict[str, str]]:
    """'warm-welcome=confirms; aftercare=contradicts' -> (ids, stances); an id written without
    '=stance' has none (tag_story then asks for it)."""
    ids, stances = [], {}
    for part in str(value or "").split(";"):
        sid, _, stance = part.partition("=")
        sid, stance = sid.strip(), stance.strip().lower()
        if not sid:
            continue
        ids.append(sid)
        if stance:
            stances[sid] = stance
    return ids, stances


def tag_story(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    story_id: str,
    standard_ids: list[str] | str,
    tagged_by: str,
    titles: dict[str, str],
    stances: dict[str, str] | None = None,
) -> str:
    """Record an auditor's tagging of one consented story to standards, with what it says of each
    (confirms, contradicts or mixed: `stances`, or 'id=stance' in a string), replacing the pack's
    column and any earlier tagging; an empty list clears. Returns a plain summary that never
    quotes the story. `titles` (standard_titles) are the ids a tag may name."""
    stances = dict(stances or {})
    if isinstance(standard_ids, str):
        standard_ids, written = parse_tags(standard_ids)
        stances = {**written, **stances}
    if not tagged_by or not tagged_by.strip():
        raise ReviewError("Say who tagged the story (--by NAME).")
    ids = check_standard_ids(list(standard_ids), titles)
    wrong = sorted({f"'{v}'" for sid, v in stances.items() if sid in ids and v not in STANCES})
    missing = [sid for sid in ids if sid not in stances]
    if wrong or missing:
        problems = []
        if wrong:
            problems.append(f"{', '.join(wrong)} is not what a story can say of a standard")
        if missing:
            problems.append(f"say what it says of {', '.join(missing)}")
        raise ReviewError(
            f"For story {story_id}, {'; '.join(problems)}: each standard it speaks to is marked "
            f'{", ".join(STANCES)}. On the command line: --standards "{ids[0] if ids else "warm-welcome"}=confirms".'
        )
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
        "INSERT INTO story_tags (provider_id, period, story_id, standards, tagged_by, tagged_at, stances) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            provider_id,
            period,
            story_id,
            ";".join(ids),
            tagged_by.strip(),
            store.now(),
            json.dumps({sid: stances[sid] for sid in ids}),
        ],
    )
    what = (
        ("now speaks to " + ", ".join(f"{titles[i]} ({i}): {STANCE_WORDS[stances[i]]}" for i in ids))
        if ids
        else "now speaks to no standard (its tags are cleared)"
    )
    return f"Story {story_id} of {provider_id} for {period} {what} (tagged by {tagged_by.strip()})."


STANCE_WORDS = {"confirms": "it confirms", "contradicts": "it contradicts", "mixed": "it is mixed"}


def answer_contradiction(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    story_id: str,
    standard_id: str,
    answer: str,
    answered_by: str,
) -> str:
    """Record why a rating stands in spite of a story that contradicts it (append-only, tied to
    the story's words); an empty answer withdraws an earlier one. Returns a plain summary."""
    if not answered_by or not answered_by.strip():
        raise ReviewError("Say who answered (--by NAME).")
    story, _ = _current_story(con, provider_id, period, story_id, "See the stories on the review page.")
    tagged = con.execute(
        "SELECT stances FROM story_tags WHERE provider_id = ? AND period = ? AND story_id = ? "
        "ORDER BY tagged_at DESC, rowid DESC LIMIT 1",
        [provider_id, period, story_id],
    ).fetchone()
    if tagged is None or stances_of(tagged[0]).get(standard_id) != "contradicts":
        raise ReviewError(
            f"Story {story_id} of {provider_id} is not marked as contradicting {standard_id}, so there is "
            "nothing to answer. Tag it first and mark what it says."
        )
    answer = (answer or "").strip()
    con.execute(
        "INSERT INTO contradiction_answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [provider_id, period, story_id, standard_id, answer, answered_by.strip(), store.now(), review_note(story)],
    )
    if not answer:
        return f"The answer to story {story_id} on {standard_id} is withdrawn: the contradiction is open again."
    return (
        f"Answered story {story_id} of {provider_id} on {standard_id}: the rating stands for the reason given "
        f"(by {answered_by.strip()})."
    )


def taggable_stories(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """The consented, never-withdrawn stories of a period an auditor may tag, with their
    status, current tags, the pack's tags, who tagged them and when, and only the words
    that may be shown (None unless printable: a held story's words are on the review
    list, a kept-out story's nowhere)."""
    rows = []
    given = answers(con, period, provider_id)
    for row in current_stories(con, period, provider_id).itertuples():
        status, reason = story_status(row)
        if status in ("withdrawn", "no_consent"):
            continue
        printable = status in SHOWN
        mine = answers_applying(given, row)
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
                "text": (row.story if status == "printable" else row.redacted_text) if printable else None,
                "stances": stances_of(row.stances) if isinstance(row.tagged_by, str) else {},
                "pack_stances": pack_stances(row.pack_standards),
                "answers": mine,
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
            "stances",
            "pack_stances",
            "answers",
        ],
    )
