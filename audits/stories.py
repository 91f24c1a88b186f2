"""Which stories may be printed, and how they confirm a standard's figures.

"I don't want numbers, I want stories – and that's how we do the monitoring."
A story reaches a report only when all of these hold:

* consent is 'yes' in the current evidence pack;
* it was never withdrawn: no withdrawal is recorded for it (story_withdrawals), no pack
  ever loaded for that provider and period says 'withdrawn' for it, and the same words
  were not withdrawn in any other quarter's pack of that provider;
* screening (audits.screening) found no personal details in it, or an auditor
  cleared it, or an auditor approved a redacted version (then only the redacted
  words are printed); an auditor may also keep it out;
* the person agreed their words may be quoted. A person may instead agree to a summary
  only (`use_of_words` summarised: the story is held until the auditor writes one, and only
  the auditor's summary is ever printed, never the words) or to being heard without their
  words being shown at all (not_at_all: counted as a voice heard, never printed). A pack
  made before this choice was recorded has no such column: its stories are quoted.

A withdrawal may also come by the reference the person kept (audits.withdrawals): every story
with that reference, in any quarter, is withdrawn from then on, and so are the same words.

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

Stances: the auditor's tagging also says what the story says of each standard (confirms,
contradicts or mixed; audits.verdicts says how each moves a rating). A tag without a stance
(the pack's own column, or a tagging made before stances existed) is awaiting the auditor:
it is printed beside the standard but neither confirms nor contradicts it. The auditor's
answer to a contradiction (why the rating stands) is tied to the words answered, as a
decision is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Container, Iterable

import duckdb
import pandas as pd

from audits import screening, stats
from audits.verdicts import STANCES, Voices

CONFIRMING_TELLERS = ("person_using_services", "family_member")

TELLER_WORDS = {
    "person_using_services": "a person using the service",
    "family_member": "a family member",
    "peer_researcher": "a peer researcher",
    "staff": "a member of staff",
    "expert_citizen": "an expert citizen",
}

PRINTABLE_COLUMNS = [
    "provider_id",
    "story_id",
    "gathered_on",
    "teller",
    "standards",
    "text",
    "redacted",
    "gathered_by",
    "stances",  # standard id -> confirms / contradicts / mixed, as the auditor marked it
    "answers",  # standard id -> the auditor's answer to a contradiction (why the rating stands)
    "summarised",  # True: `text` is the auditor's summary, never the person's words
    "credited",  # the interviewer's name when they chose to be named, else None
]
TABLE_COLUMNS = PRINTABLE_COLUMNS + ["consent", "use_of_words", "status", "reason", "auditor_tagged"]

# The statuses whose `text` may be printed: the words as told, a redacted version, or the
# auditor's summary.
SHOWN = ("printable", "redacted", "summarised")
USES = ("quoted", "summarised", "not_at_all")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def words_sha256(text: str) -> str:
    """The SHA-256 of a story's words as a withdrawal keeps them: folded as screening reads them
    (look-alike letters, accents, invisible characters), lower case, and every run of anything
    but letters and digits one space, so a retyped copy of the same words matches."""
    return text_sha256(" ".join(re.findall(r"\w+", screening.folded(str(text)).lower())))


def review_note(text: str) -> str:
    """What a decision keeps of the words it was made on: their SHA-256, never the words."""
    return f"text sha256 {text_sha256(text)}"


def split_standards(value: str | None) -> list[str]:
    """'a; b;' -> ['a', 'b']: the ids a story is tagged with. A pack may say what the story
    says of each, as a peer interviewer read it ('a=confirms; b=contradicts'): the ids alone."""
    if stats.is_missing(value):
        return []
    ids = [part.partition("=")[0].strip() for part in str(value).split(";")]
    return list(dict.fromkeys(sid for sid in ids if sid))


def pack_stances(value: str | None) -> dict[str, str]:
    """What the pack's standards column says each story says ('a=confirms; b=contradicts'), as the
    peer interviewer read it: a proposal the auditor confirms when tagging. It moves no rating."""
    if stats.is_missing(value):
        return {}
    out = {}
    for part in str(value).split(";"):
        sid, _, stance = part.partition("=")
        if sid.strip() and stance.strip().lower() in STANCES:
            out[sid.strip()] = stance.strip().lower()
    return out


def use_of(value) -> str:
    """How the person agreed their words may be used; a pack without the column: quoted."""
    return value if isinstance(value, str) and value in USES else "quoted"


def evidence_stamp(con: duckdb.DuckDBPyConnection) -> str:
    """A value that changes whenever anything that decides which stories may be shown, or what
    they say of a standard, changes: a pack loaded (a captured story joins the pack as a new
    version of it), a withdrawal (by story or by the person's reference), a review decision, a tagging.
    Readers that cache stories (the dashboard) key their caches by it, so a withdrawn story
    leaves every page at once, without a restart."""
    row = con.execute(
        """SELECT (SELECT count(*) || '/' || coalesce(max(loaded_at)::VARCHAR, '') FROM submissions WHERE kind = 'pack'),
                  (SELECT count(*) || '/' || coalesce(max(recorded_at)::VARCHAR, '') FROM story_withdrawals),
                  (SELECT count(*) || '/' || coalesce(max(reviewed_at)::VARCHAR, '') FROM story_reviews),
                  (SELECT count(*) || '/' || coalesce(max(tagged_at)::VARCHAR, '') FROM story_tags),
                  (SELECT count(*) || '/' || coalesce(max(withdrawn_at)::VARCHAR, '') FROM reference_withdrawals)"""
    ).fetchone()
    return "|".join(row)


def current_stories(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Current stories of a period (every provider, or one), each with the auditor's latest
    decision, latest tagging and whether it was ever withdrawn: one query, however many
    providers. `standards` is the tagging's when there is one, else the pack's."""
    df = con.execute(
        """
        WITH tags AS (
            SELECT provider_id, story_id, standards, stances, tagged_by, tagged_at FROM story_tags
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider)
            QUALIFY row_number() OVER (PARTITION BY provider_id, story_id
                                       ORDER BY tagged_at DESC, rowid DESC) = 1
        ), latest AS (
            SELECT * FROM story_reviews
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider)
            QUALIFY row_number() OVER (PARTITION BY provider_id, story_id ORDER BY reviewed_at DESC) = 1
        ), withdrawn AS (
            SELECT provider_id, story_id FROM story_withdrawals
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider)
            UNION SELECT provider_id, story_id FROM stories
            WHERE period = $period AND ($provider IS NULL OR provider_id = $provider) AND consent = 'withdrawn'
        ), by_reference AS (
            -- the person's reference, however it was typed: its twelve letters (audits.references)
            SELECT reference FROM reference_withdrawals
        )
        SELECT s.provider_id, s.story_id, s.gathered_on, s.teller,
               CASE WHEN t.story_id IS NULL THEN s.standards ELSE t.standards END AS standards,
               s.standards AS pack_standards, t.stances, t.tagged_by, t.tagged_at,
               s.consent, s.story, s.use_of_words, s.reference, s.interviewer, s.credit, s.hours,
               w.story_id IS NOT NULL
                 OR upper(regexp_replace(coalesce(s.reference, ''), '[^A-Za-z]', '', 'g')) IN (SELECT reference FROM by_reference)
                 AS withdrawn,
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
    # The same words withdrawn in any quarter's pack are withdrawn here too: a withdrawal follows
    # the person's words, whatever the pack numbered them.
    withdrawn_words = set(
        con.execute(
            "SELECT provider_id, words_sha256 FROM story_withdrawals WHERE words_sha256 IS NOT NULL "
            "AND ($provider IS NULL OR provider_id = $provider)",
            {"provider": provider_id},
        ).fetchall()
    )
    if withdrawn_words and not df.empty:
        same_words = [(p, words_sha256(t)) in withdrawn_words for p, t in zip(df["provider_id"], df["story"])]
        df["withdrawn"] = df["withdrawn"] | pd.Series(same_words, index=df.index)
    return df


def stances_of(value) -> dict[str, str]:
    """A tagging's stances (JSON) as standard id -> stance; {} for none."""
    if not isinstance(value, str) or not value:
        return {}
    return {k: v for k, v in json.loads(value).items() if v in STANCES}


def answers(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> dict:
    """(provider_id, story_id, standard_id) -> the auditor's latest answer to a contradiction:
    dict of answer, answered_by, answered_at and note (the SHA-256 of the words answered)."""
    rows = con.execute(
        """
        SELECT provider_id, story_id, standard_id, answer, answered_by, answered_at, note
        FROM contradiction_answers WHERE period = ? AND (? IS NULL OR provider_id = ?)
        QUALIFY row_number() OVER (PARTITION BY provider_id, story_id, standard_id
                                   ORDER BY answered_at DESC, rowid DESC) = 1
        """,
        [period, provider_id, provider_id],
    ).fetchall()
    return {
        (p, s, sid): {"answer": a, "answered_by": by, "answered_at": at, "note": note}
        for p, s, sid, a, by, at, note in rows
    }


def answers_applying(given: dict, row) -> dict[str, dict]:
    """The answers to this story that still apply: not withdrawn ('') and made on these words."""
    note = review_note(row.story or "")
    return {
        sid: a
        for (p, s, sid), a in given.items()
        if p == row.provider_id and s == row.story_id and a["answer"] and a["note"] == note
    }


def _named(row) -> bool:
    """Did the interviewer choose to be named beside this story?"""
    return not stats.is_missing(row.credit) and bool(row.credit) and isinstance(row.interviewer, str)


def _decision_applies(row) -> bool:
    """A decision counts only for the exact words the auditor reviewed."""
    return isinstance(row.decision, str) and row.note == review_note(row.story or "")


def story_status(row) -> tuple[str, str]:
    """(status, reason) of one current story: printable, redacted, summarised, held, kept_out,
    not_shown, withdrawn or no_consent. The reason never quotes the story."""
    if row.withdrawn or row.consent == "withdrawn":
        return "withdrawn", "consent withdrawn"
    if row.consent != "yes":
        return "no_consent", "no consent to share"
    use = use_of(getattr(row, "use_of_words", None))
    if use == "not_at_all":
        return "not_shown", "heard, but the person agreed to their words being shown nowhere"
    flags = screening.screen(row.story)
    if _decision_applies(row):
        if row.decision == "kept_out":
            return "kept_out", f"kept out by {row.reviewed_by}"
        if row.decision == "summarised":
            return "summarised", f"the auditor's summary, approved by {row.reviewed_by}"
    if use == "summarised":
        return "held", "held for the auditor's summary: the person agreed to a summary, not to their own words"
    if _decision_applies(row):
        if row.decision == "redacted":
            return "redacted", f"redacted version approved by {row.reviewed_by}"
        if row.decision == "cleared":
            return "printable", f"cleared by {row.reviewed_by}" if flags else "screening found nothing"
    if flags:
        return "held", f"held for the auditor: may contain {screening.reasons(flags)}"
    return "printable", "screening found nothing"


def story_table(con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None) -> pd.DataFrame:
    """Every current story of a period (all providers, or one) with its provider, status,
    reason and the words that may be printed (empty unless printable). The one reader every
    output goes through: one read of the store, screening done here over the rows."""
    rows = []
    given = answers(con, period, provider_id)
    for row in current_stories(con, period, provider_id).itertuples():
        status, reason = story_status(row)
        redacted = status == "redacted"
        printable = status in SHOWN
        tags = split_standards(row.standards)
        stances = stances_of(row.stances) if isinstance(row.tagged_by, str) else {}
        rows.append(
            {
                "provider_id": row.provider_id,
                "story_id": row.story_id,
                "gathered_on": row.gathered_on,
                "teller": row.teller,
                "standards": tags,
                "text": (row.story if status == "printable" else row.redacted_text) if printable else None,
                "redacted": redacted,
                "gathered_by": row.gathered_by,
                "stances": {sid: stances[sid] for sid in tags if sid in stances},
                "answers": {sid: a["answer"] for sid, a in answers_applying(given, row).items()},
                "summarised": status == "summarised",
                "credited": row.interviewer if _named(row) else None,
                "consent": row.consent,
                "use_of_words": use_of(row.use_of_words),
                "status": status,
                "reason": reason,
                "auditor_tagged": isinstance(row.tagged_by, str),
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def printable_of(table: pd.DataFrame, standard_id: str | None = None, provider_id: str | None = None) -> pd.DataFrame:
    """The rows of a story table that may be printed, for one standard's tag and one provider
    when given."""
    keep = table["status"].isin(SHOWN)
    if standard_id is not None:
        keep &= table["standards"].apply(lambda tags: standard_id in tags)
    if provider_id is not None:
        keep &= table["provider_id"] == provider_id
    return table.loc[keep, PRINTABLE_COLUMNS].reset_index(drop=True)


def printable_stories(
    con: duckdb.DuckDBPyConnection, provider_id: str, period: str, standard_id: str | None = None
) -> pd.DataFrame:
    """The stories of one provider that may be printed, with the words to print (the redacted
    ones when a redaction was approved). Filtered to one standard's tag when given."""
    return printable_of(story_table(con, period, provider_id), standard_id)


def voices_of(table: pd.DataFrame) -> dict[tuple[str, str], Voices]:
    """What people's experience says of each (provider_id, standard_id) of a story table: the
    printable stories tagged to it, told by a person using the service or a family member, by
    the stance the auditor marked (a tag without a stance counts for nothing yet).

    We count family members because they live the service alongside the person (and are often
    the one who tells it); staff, peer researchers and expert citizens speak about the service
    rather than from using it, so they neither confirm nor contradict."""
    told = printable_of(table)
    told = told[told["teller"].isin(CONFIRMING_TELLERS)]
    return _tallied(
        (provider_id, standard_id, stance, given)
        for provider_id, stances, given in zip(told["provider_id"], told["stances"], told["answers"])
        for standard_id, stance in stances.items()
    )


def voices_in(
    con: duckdb.DuckDBPyConnection, period: str, provider_id: str | None = None
) -> dict[tuple[str, str], Voices]:
    """`voices_of(story_table(con, period, provider_id))`, the same counts, for a reader that needs
    only them (the auditor's summary after `python -m audits run`). Only a story the auditor
    tagged with a stance, told by a person using the service or a family member, can count, so
    only those few are screened and given a status (story_status, as story_table does); every
    other story of the period is read but never screened."""
    df = current_stories(con, period, provider_id)
    keep = [
        isinstance(by, str) and isinstance(teller, str) and teller in CONFIRMING_TELLERS and bool(stances_of(stances))
        for by, teller, stances in zip(df["tagged_by"], df["teller"], df["stances"])
    ]
    candidates = df[keep]
    given = answers(con, period, provider_id) if not candidates.empty else {}

    def told():
        for row in candidates.itertuples():
            if story_status(row)[0] not in SHOWN:
                continue
            stances = stances_of(row.stances)
            answered = answers_applying(given, row)
            for standard_id in split_standards(row.standards):
                stance = stances.get(standard_id)
                if stance is not None:
                    yield row.provider_id, standard_id, stance, answered

    return _tallied(told())


def _tallied(told: Iterable[tuple[str, str, str, Container[str]]]) -> dict[tuple[str, str], Voices]:
    """Voices of each (provider_id, standard_id) from (provider_id, standard_id, stance, the
    standards the provider answered) of every story told: a contradiction not answered counts
    as unanswered too."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for provider_id, standard_id, stance, answered in told:
        tally = counts.setdefault((provider_id, standard_id), {})
        tally[stance] = tally.get(stance, 0) + 1
        if stance == "contradicts" and standard_id not in answered:
            tally["unanswered"] = tally.get("unanswered", 0) + 1
    return {
        pair: Voices(
            confirming=n.get("confirms", 0),
            contradicting=n.get("contradicts", 0),
            unanswered=n.get("unanswered", 0),
            mixed=n.get("mixed", 0),
        )
        for pair, n in counts.items()
    }


def awaiting_stance(table: pd.DataFrame) -> pd.DataFrame:
    """Printable stories the auditor has not yet read for what they say: never tagged by the
    auditor, or tagged to a standard without a stance. (A story the auditor tagged to no
    standard is done: it speaks to none.)"""
    printable = table[table["status"].isin(SHOWN)]
    keep = [
        not tagged or any(sid not in stances for sid in tags)
        for tags, stances, tagged in zip(printable["standards"], printable["stances"], printable["auditor_tagged"])
    ]
    return printable[pd.Series(keep, index=printable.index, dtype=bool)]
