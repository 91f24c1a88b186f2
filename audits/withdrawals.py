"""Taking a story back by the reference the person kept: final, everywhere, at once.

A person who told a peer interviewer their story keeps a reference (audits.references). When
they change their mind they give it to the auditor, or to an interviewer who is with them, and
the story is withdrawn for good:

* the reference itself is recorded (reference_withdrawals), so every story with it, in any
  quarter and in any pack loaded later (a paper sheet typed up next month), is withdrawn;
* each story found with it is recorded in story_withdrawals with the SHA-256 of its words
  (never the words), so the same words in any other quarter are withdrawn too (audits.stories);
* readers key their caches on audits.stories.evidence_stamp, which counts both tables, so the
  story leaves every page and every report made from then on at once;
* a PDF kept from before (a draft shared with the provider, a signed report) that printed the
  story is no longer given out (`printed_withdrawn`, `withdrawn_since`): a signed report goes
  out of date and is signed again without it.

There is no undo: a withdrawal is what the person asked for, and nothing of it can be taken
back by anyone else. Nothing here logs, prints or returns the words.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from audits import references, store, stories, words


class WithdrawalError(ValueError):
    """A withdrawal that cannot be recorded as asked, said plainly (never with the words)."""


# Every story ever loaded with a reference, matched on its twelve letters however it was typed.
_COMPACT = "upper(regexp_replace(coalesce(s.reference, ''), '[^A-Za-z]', '', 'g'))"


def stories_with(con: duckdb.DuckDBPyConnection, reference: str) -> pd.DataFrame:
    """Every story, in every pack version ever loaded, with this reference: provider, its name,
    period, story id, submission, teller, when it was gathered, whether its pack is current, and
    the SHA-256 of its words. No words."""
    found = con.execute(
        f"""
        SELECT s.provider_id, coalesce(p.provider_name, s.provider_id) AS provider_name, s.period, s.story_id,
               s.submission_id, s.teller, s.gathered_on, sub.is_current, s.story
        FROM stories s JOIN submissions sub ON sub.submission_id = s.submission_id
        LEFT JOIN providers p ON p.provider_id = s.provider_id
        WHERE {_COMPACT} = ?
        ORDER BY s.period, s.provider_id, s.story_id, sub.loaded_at
        """,
        [references.compact(reference)],
    ).fetchdf()
    found["words_sha256"] = [stories.words_sha256(text) if isinstance(text, str) else None for text in found["story"]]
    return found.drop(columns=["story"])


@dataclass(frozen=True)
class Found:
    """What a reference points at, in words that never quote the story."""

    reference: str
    already: dict | None  # when and by whom it was withdrawn, if it was
    stories: pd.DataFrame  # the current stories with it (provider, period, story id, teller, gathered on)

    def summary(self) -> str:
        if self.already:
            return (
                f"The story with the reference {self.reference} was withdrawn on "
                f"{words.long_datetime(self.already['withdrawn_at'])}. It is out of every report and page."
            )
        if self.stories.empty:
            return f"No story has the reference {self.reference}."
        parts = [
            f"{words.teller(r.teller).capitalize()} told story {r.story_id} on {words.long_date(r.gathered_on)} "
            f"about {r.provider_name} ({r.period})"
            for r in self.stories.itertuples()
        ]
        return "; ".join(parts) + "."


def look_up(con: duckdb.DuckDBPyConnection, reference: str) -> Found:
    """Which story a reference points at (so the person can confirm it is theirs), and whether it
    is already withdrawn. WithdrawalError for something that is not a reference."""
    try:
        shown = references.parse(reference)
    except references.ReferenceError as error:
        raise WithdrawalError(str(error)) from None
    done = con.execute(
        "SELECT withdrawn_by, withdrawn_at FROM reference_withdrawals WHERE reference = ?",
        [references.compact(shown)],
    ).fetchone()
    found = stories_with(con, shown)
    current = found[found["is_current"]].drop_duplicates(["provider_id", "period", "story_id"])
    return Found(
        shown,
        None if done is None else {"withdrawn_by": done[0], "withdrawn_at": done[1]},
        current[["provider_id", "provider_name", "period", "story_id", "teller", "gathered_on"]].reset_index(drop=True),
    )


def withdraw(con: duckdb.DuckDBPyConnection, reference: str, by: str, not_loaded_yet: bool = False) -> str:
    """Withdraw for good every story with this reference, in every quarter; returns what was done,
    in words. A reference no story has yet is refused (a mistyped one would withdraw nothing
    while the person's story stayed), unless `not_loaded_yet`: the story is on a paper sheet not
    yet typed up, and will be withdrawn the moment it is loaded."""
    if not by or not by.strip():
        raise WithdrawalError("Say who is recording the withdrawal (--by NAME).")
    found = look_up(con, reference)
    if found.already:
        return found.summary()
    every = stories_with(con, found.reference)
    if every.empty and not not_loaded_yet:
        raise WithdrawalError(
            f"No story has the reference {found.reference}. Check it letter by letter with the person's card or "
            "slip. If their story was written on a paper sheet that is not loaded yet, record the withdrawal "
            "anyway (--not-loaded-yet, or the tick on the page): it will be withdrawn as soon as it is loaded."
        )
    now = store.now()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO reference_withdrawals VALUES (?, ?, ?)", [references.compact(found.reference), by.strip(), now]
        )
        rows = every.drop_duplicates(["provider_id", "period", "story_id", "words_sha256"])
        if rows.empty:  # a paper sheet not loaded yet: its reference alone is recorded
            con.execute("COMMIT")
            return (
                f"Recorded: the story with the reference {found.reference} is withdrawn for good. No story with it "
                "is loaded yet; when its paper sheet is loaded, it will never be shown."
            )
        con.executemany(
            "INSERT INTO story_withdrawals (provider_id, period, story_id, submission_id, recorded_at, words_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [[r.provider_id, r.period, r.story_id, r.submission_id, now, r.words_sha256] for r in rows.itertuples()],
        )
        con.execute("COMMIT")
    except BaseException:
        store.rollback(con)
        raise
    from audits import publish  # publish reads stories through findings, which read withdrawals

    sites = publish.refresh(con, periods_with_words(con, rows), by.strip())
    where = ", ".join(f"{r.provider_name} {r.period}" for r in found.stories.itertuples())
    return " ".join(
        [
            f"Withdrawn for good: the story with the reference {found.reference} ({where}). It has left every page "
            "and every report from now on, in every quarter; a report already signed that printed it is out of date "
            "and is no longer given out.",
            *sites,
        ]
    )


def periods_with_words(con: duckdb.DuckDBPyConnection, withdrawn: pd.DataFrame) -> set[str]:
    """Every quarter in which one of these withdrawn stories' words appear (for the same
    provider): the quarters a withdrawal takes them out of (audits.stories matches the words)."""
    periods = set(withdrawn["period"])
    for provider_id, shas in withdrawn.groupby("provider_id")["words_sha256"]:
        told = con.execute(
            "SELECT DISTINCT period, story FROM stories WHERE provider_id = ? AND story IS NOT NULL", [provider_id]
        ).fetchall()
        periods |= {period for period, text in told if stories.words_sha256(text) in set(shas)}
    return periods


def withdrawn_since(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, since) -> bool:
    """Has any story of this provider and quarter been withdrawn after `since` (when a PDF was
    made)? Such a PDF may hold the words and is not given out again."""
    row = con.execute(
        f"""
        SELECT (SELECT count(*) FROM story_withdrawals WHERE provider_id = $p AND period = $q AND recorded_at > $t)
             + (SELECT count(*) FROM stories s JOIN reference_withdrawals r ON r.reference = {_COMPACT}
                WHERE s.provider_id = $p AND s.period = $q AND r.withdrawn_at > $t)
        """,
        {"p": provider_id, "q": period, "t": since},
    ).fetchone()
    return row[0] > 0


def printed_withdrawn(con: duckdb.DuckDBPyConnection, provider_id: str, period: str, basis: dict) -> list[str]:
    """The stories a report printed (by its basis, audits.signed) that have been withdrawn since:
    such a report is not given out again."""
    printed = {sid for sid, st in basis.get("stories", {}).items() if st.get("status") in stories.SHOWN}
    if not printed:
        return []
    table = stories.story_table(con, period, provider_id)
    gone = set(table.loc[table["status"] == "withdrawn", "story_id"].astype(str))
    gone |= {
        str(sid)
        for (sid,) in con.execute(
            "SELECT story_id FROM story_withdrawals WHERE provider_id = ? AND period = ?", [provider_id, period]
        ).fetchall()
    }
    return sorted(printed & gone)
