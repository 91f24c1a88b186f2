"""Which stories may be printed, and how they confirm a standard's figures.

"I don't want numbers, I want stories – and that's how we do the monitoring."
A story reaches a report only when all of these hold:

* consent is 'yes' in the current evidence pack;
* it was never withdrawn: no withdrawal is recorded for it (story_withdrawals)
  and no pack ever loaded for that provider and period says 'withdrawn' for it;
* screening (audits.screening) found no personal details in it, or an auditor
  cleared it, or an auditor approved a redacted version (then only the redacted
  words are printed); an auditor may also keep it out.

Screening is re-done from the text every time, so a story can never slip through
because a screening row was not written. An auditor's decision is tied to the
exact words reviewed (their SHA-256 is kept in the review's note): if a
resubmitted pack changes the words, the story is held again.

Pairing: as in Scotland's MAT standards benchmarking, numbers alone never make
plain green. A standard that is green on its figures is 'provisional' ("green,
not yet confirmed by people's experience") unless a printable story tagged to it
that period was told by a person using the service or by a family member. We
count family members because they live the service alongside the person (and
are often the one who tells it); staff, peer researchers and expert citizens
speak about the service rather than from using it, so they do not confirm.

Tagging: a pack's `standards` column says which standards a story speaks to, and an
auditor may tag it later (tag_story). The latest tagging, kept in story_tags with who
and when, wins over the pack's column; an empty tagging clears it. Every view below
reads the tags through _current, so the PDF and the dashboard pair by them alike.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from audits import screening, stats

CONFIRMING_TELLERS = ("person_using_services", "family_member")
DECISIONS = ("cleared", "redacted", "kept_out")

TELLER_WORDS = {
    "person_using_services": "a person using the service",
    "family_member": "a family member",
    "peer_researcher": "a peer researcher",
    "staff": "a member of staff",
    "expert_citizen": "an expert citizen",
}

_COLUMNS = ["story_id", "gathered_on", "teller", "standards", "text", "redacted", "gathered_by"]


class ReviewError(ValueError):
    """An auditor's decision that cannot be recorded; the message never quotes the story."""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _note(text: str) -> str:
    return f"text sha256 {text_sha256(text)}"


def split_standards(value: str | None) -> list[str]:
    """'a; b;' -> ['a', 'b']: the ids a story is tagged with."""
    if stats.is_missing(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _has_tags_table(con: duckdb.DuckDBPyConnection) -> bool:
    """A store of schema 1 opened read-only (the dashboard never migrates) has no story_tags
    yet: its stories are paired by the pack's column alone until a writer migrates it."""
    return (
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'story_tags'").fetchone()[0] > 0
    )


def _current(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Current stories of a period (every provider, or one), each with the auditor's latest
    decision, latest tagging and whether it was ever withdrawn: one query, however many
    providers. `standards` is the tagging's when there is one, else the pack's."""
    tags = (
        """SELECT provider_id, story_id, standards, tagged_by, tagged_at FROM story_tags
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider)
            QUALIFY row_number() OVER (PARTITION BY provider_id, story_id
                                       ORDER BY tagged_at DESC, rowid DESC) = 1"""
        if _has_tags_table(con)
        else """SELECT NULL::VARCHAR AS provider_id, NULL::VARCHAR AS story_id, NULL::VARCHAR AS standards,
                      NULL::VARCHAR AS tagged_by, NULL::TIMESTAMP AS tagged_at WHERE false"""
    )
    return con.execute(
        """
        WITH tags AS ("""
        + tags
        + """
        ), latest AS (
            SELECT * FROM story_reviews
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider)
            QUALIFY row_number() OVER (PARTITION BY provider_id, story_id ORDER BY reviewed_at DESC) = 1
        ), withdrawn AS (
            SELECT provider_id, story_id FROM story_withdrawals
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider)
            UNION SELECT provider_id, story_id FROM stories
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider) AND consent = 'withdrawn'
        )
        SELECT s.provider_id, s.story_id, s.gathered_on, s.teller,
               CASE WHEN t.story_id IS NULL THEN s.standards ELSE t.standards END AS standards,
               s.standards AS pack_standards, t.tagged_by, t.tagged_at,
               s.consent, s.story,
               w.story_id IS NOT NULL AS withdrawn,
               l.decision, l.redacted_text, l.note, l.reviewed_by, l.reviewed_at,
               sub.gathered_by
        FROM cur_stories s
        LEFT JOIN tags t ON t.provider_id = s.provider_id AND t.story_id = s.story_id
        LEFT JOIN latest l ON l.provider_id = s.provider_id AND l.story_id = s.story_id
        LEFT JOIN withdrawn w ON w.provider_id = s.provider_id AND w.story_id = s.story_id
        LEFT JOIN submissions sub ON sub.submission_id = s.submission_id
        WHERE s.period = $period AND ($provider IS NULL OR s.provider_id = $provider)
        ORDER BY s.provider_id, s.gathered_on, s.story_id
        """,
        {"period": period, "provider": provider_id},
    ).fetchdf()


def _decision_applies(row) -> bool:
    """A decision counts only for the exact words the auditor reviewed."""
    return isinstance(row.decision, str) and row.note == _note(row.story or "")


def story_status(row) -> tuple[str, str]:
    """(status, reason) of one current story: printable, redacted, held, kept_out,
    withdrawn or no_consent. The reason never quotes the story."""
    if row.withdrawn or row.consent == "withdrawn":
        return "withdrawn", "consent withdrawn"
    if row.consent != "yes":
        return "no_consent", "no consent to share"
    flags = screening.screen(row.story)
    if _decision_applies(row):
        if row.decision == "kept_out":
            return "kept_out", f"kept out by {row.reviewed_by}"
        if row.decision == "redacted":
            return "redacted", f"redacted version approved by {row.reviewed_by}"
        if row.decision == "cleared":
            return "printable", f"cleared by {row.reviewed_by}" if flags else "screening found nothing"
    if flags:
        return "held", f"held for the auditor: may contain {screening.reasons(flags)}"
    return "printable", "screening found nothing"


def period_story_table(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Every current story of a period (all providers, or one) with its provider, status,
    reason and the words that may be printed (empty unless printable). One read of the
    store, screening done here over the rows: the one path every view below goes through."""
    rows = []
    for row in _current(con, period, provider_id).itertuples():
        status, reason = story_status(row)
        redacted = status == "redacted"
        printable = status in ("printable", "redacted")
        rows.append(
            {
                "provider_id": row.provider_id,
                "story_id": row.story_id,
                "gathered_on": row.gathered_on,
                "teller": row.teller,
                "standards": split_standards(row.standards),
                "consent": row.consent,
                "status": status,
                "reason": reason,
                "text": (row.redacted_text if redacted else row.story) if printable else None,
                "redacted": redacted,
                "gathered_by": row.gathered_by,
            }
        )
    return pd.DataFrame(rows, columns=["provider_id"] + _COLUMNS + ["consent", "status", "reason"])


def story_table(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> pd.DataFrame:
    """Every current story of one provider and period with its status, reason and the
    words that may be printed. One read for both views below."""
    return period_story_table(con, period, provider_id).drop(columns="provider_id")


def provider_table(table: pd.DataFrame, provider_id: str) -> pd.DataFrame:
    """One provider's rows of a period-wide story table, shaped as story_table gives them."""
    return table[table["provider_id"] == provider_id].drop(columns="provider_id").reset_index(drop=True)


def statuses_of(table: pd.DataFrame) -> pd.DataFrame:
    return table[["story_id", "gathered_on", "teller", "standards", "consent", "status", "reason"]].copy()


def printable_of(table: pd.DataFrame, standard_id: str | None = None) -> pd.DataFrame:
    keep = table["status"].isin(["printable", "redacted"])
    if standard_id is not None:
        keep &= table["standards"].apply(lambda tags: standard_id in tags)
    columns = (["provider_id"] if "provider_id" in table.columns else []) + _COLUMNS
    return table.loc[keep, columns].reset_index(drop=True)


def story_statuses(con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> pd.DataFrame:
    """Every current story of a provider and period with its status and reason (no text)."""
    return statuses_of(story_table(con, provider_id, period))


def printable_stories(
    con: duckdb.DuckDBPyConnection, provider_id: str, period: str, standard_id: str | None = None
) -> pd.DataFrame:
    """The stories that may be printed, with the words to print (the redacted ones
    when a redaction was approved). Filtered to one standard's tag when given."""
    return printable_of(story_table(con, provider_id, period), standard_id)


def period_printable_stories(con: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """Every provider's printable stories of a period, in one pass (with provider_id)."""
    return printable_of(period_story_table(con, period))


def confirmed_standards(printable: pd.DataFrame) -> set[str]:
    """Standard ids with at least one printable story told by a person using the
    service or a family member."""
    confirming = printable[printable["teller"].isin(CONFIRMING_TELLERS)]
    return {sid for tags in confirming["standards"] for sid in tags}


def confirmed_pairs_of(printable: pd.DataFrame) -> set[tuple[str, str]]:
    """(provider_id, standard_id) confirmed by a story, from period-wide printable stories."""
    confirming = printable[printable["teller"].isin(CONFIRMING_TELLERS)]
    return {(pid, sid) for pid, tags in zip(confirming["provider_id"], confirming["standards"]) for sid in tags}


def confirmed_pairs(con: duckdb.DuckDBPyConnection, period: str) -> set[tuple[str, str]]:
    """Every (provider_id, standard_id) of a period that a printable story from a person
    using the service or a family member confirms: what turns provisional green into green."""
    return confirmed_pairs_of(period_printable_stories(con, period))


def pairing_rating(rating: str, has_confirming_story: bool) -> str:
    """Green on numbers alone is 'provisional' until people's experience confirms it."""
    if rating == "green" and not has_confirming_story:
        return "provisional"
    return rating


# --------------------------------------------------------------------------- the auditor's work


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
    now = dt.datetime.now()
    con.executemany(
        "INSERT INTO story_screening VALUES (?, ?, ?, ?, ?, ?)",
        [(p, q, sid, sub, screening.flags_to_json(screening.screen(text)), now) for p, q, sid, sub, text in df],
    )
    return len(df)


def held_stories(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Stories with consent 'yes' that wait for the auditor: provider, story, reasons,
    the flags and the words (for the auditor's review only; never log them)."""
    rows = []
    for row in _current(con, period, provider_id).itertuples():
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
        [provider_id, period, story_id, decision, redacted_text, reviewed_by.strip(), dt.datetime.now(), _note(story)],
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
    _, consent = _current_story(
        con, provider_id, period, story_id, "See the stories on the dashboard's review page, or the pack's stories.csv."
    )
    withdrawn = con.execute(
        "SELECT count(*) FROM story_withdrawals WHERE provider_id = ? AND period = ? AND story_id = ?",
        [provider_id, period, story_id],
    ).fetchone()[0]
    if consent != "yes" or withdrawn:
        consent = "withdrawn" if withdrawn else consent
        raise ReviewError(
            f"Story {story_id} of {provider_id} for {period} has consent '{consent}': only stories "
            "with consent 'yes' can ever be shown, so it cannot be tagged."
        )
    con.execute(
        "INSERT INTO story_tags VALUES (?, ?, ?, ?, ?, ?)",
        [provider_id, period, story_id, ";".join(ids), tagged_by.strip(), dt.datetime.now()],
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
    for row in _current(con, period, provider_id).itertuples():
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
