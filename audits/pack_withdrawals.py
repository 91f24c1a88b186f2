"""An evidence pack's withdrawn stories, recorded as the pack loads (audits.ingest).

A story whose consent cell says withdrawn, loaded or held back, is recorded in
story_withdrawals with the SHA-256 of its words (never the words), inside the pack's own
transaction; the provider's stories of other quarters with the same words are named to the
auditor (they leave every output too: audits.stories). A withdrawal is final, so the consent
cell is read whatever its case, spacing or punctuation and whatever else is wrong with the row.

What a batch's writer needs from the store for this (the withdrawals already recorded, the
words of each quarter's current stories) is read once a batch (`Memory`) and kept up to date
as each pack commits, instead of queried for every pack that withdraws (~200 a national year).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from audits import spec, stories
from audits.returns import Validation

Recorded = tuple[str, str | None]  # (story id, the words' SHA-256 or None): a story_withdrawals row's key


@dataclass
class Memory:
    """The store's withdrawals and current stories as one batch's writer has them: each read at
    most once a batch, at the first pack that needs it (None until then), then kept as each
    pack commits (`committed`). Only the batch's writer writes while it is open (the store's
    lock), so nothing else can change them in between."""

    # (provider, period) -> the stories recorded withdrawn there
    recorded: dict[tuple[str, str], set[Recorded]] | None = None
    # provider -> period -> (story id, words) of the current pack's stories that have words
    told: dict[str, dict[str, list[tuple[str, str]]]] | None = None

    def recorded_in(self, con: duckdb.DuckDBPyConnection, provider_id: str, period: str) -> set[Recorded]:
        if self.recorded is None:
            self.recorded = {}
            for provider, quarter, story_id, sha in con.execute(
                "SELECT provider_id, period, story_id, words_sha256 FROM story_withdrawals"
            ).fetchall():
                self.recorded.setdefault((provider, quarter), set()).add((story_id, sha))
        return self.recorded.get((provider_id, period), set())

    def told_by(self, con: duckdb.DuckDBPyConnection, provider_id: str) -> dict[str, list[tuple[str, str]]]:
        if self.told is None:
            self.told = {}
            for provider, quarter, story_id, words in con.execute(
                "SELECT provider_id, period, story_id, story FROM cur_stories"
            ).fetchall():
                quarters = self.told.setdefault(provider, {})
                quarters.setdefault(quarter, [])
                if words:
                    quarters[quarter].append((story_id, words))
        return self.told.get(provider_id, {})

    def committed(self, validation: Validation, provider_id: str, period: str, recorded: list[Recorded]) -> None:
        """A pack of (provider, period) has committed: it is that quarter's current pack now, and
        `recorded` its new withdrawals."""
        if self.recorded is not None and recorded:
            self.recorded.setdefault((provider_id, period), set()).update(recorded)
        if self.told is None:
            return
        loaded = _stories(validation)
        if loaded is None and validation.batch is None:
            self.told = None  # its stories are not at hand: read them again when next needed
            return
        pairs = [] if loaded is None else zip(loaded["story_id"].to_pylist(), loaded["story"].to_pylist())
        self.told.setdefault(provider_id, {})[period] = [(sid, words) for sid, words in pairs if words]


@dataclass
class Withdrawals:
    """What a pack's transaction recorded: the new story_withdrawals rows' keys and the other
    quarters' stories with the same words, (period, story id)."""

    recorded: list[Recorded] = field(default_factory=list)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)


def may_withdraw(validation: Validation) -> bool:
    """Could this pack withdraw a story? Only if a loaded story says withdrawn (the very values
    `withdrawing` reads) or a stories row was held back (read there whatever its consent
    cell says). Most packs do not: their look-ups are saved."""
    if _held_stories(validation):
        return True
    if validation.batch is None:
        return True  # nothing to tell from here: look it up
    loaded = _stories(validation)
    return loaded is not None and bool(pc.any(pc.equal(loaded["consent"], "withdrawn")).as_py())


def record(
    con: duckdb.DuckDBPyConnection,
    validation: Validation,
    submission_id: str,
    provider_id: str,
    period: str,
    now,
    memory: Memory,
) -> Withdrawals:
    """Record a pack's withdrawn stories not yet recorded, and find the other quarters' stories
    with the same words, inside the pack's transaction (`memory` is told once it commits)."""
    found = withdrawing(con, validation, submission_id)
    if not found:
        return Withdrawals()
    already = memory.recorded_in(con, provider_id, period)
    new: list[Recorded] = []
    for story_id, words in found:
        key = (story_id, stories.words_sha256(words) if words else None)
        if key not in already and key not in new:
            new.append(key)
    if new:
        # One statement for them all (executemany runs one statement per row).
        con.execute(
            "INSERT INTO story_withdrawals VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(new)),
            [value for story_id, sha in new for value in (provider_id, period, story_id, submission_id, now, sha)],
        )
    shas = {sha for _, sha in new if sha is not None}
    return Withdrawals(new, elsewhere(con, shas, provider_id, period, memory) if shas else [])


def elsewhere(
    con: duckdb.DuckDBPyConnection, shas: set[str], provider_id: str, period: str, memory: Memory
) -> list[tuple[str, str]]:
    """Stories of the provider's other quarters (their current packs) that a withdrawal in this
    pack takes out, by their words (`shas`: the words' SHA-256 this pack's withdrawals
    recorded), so the auditor is told plainly, never the words."""
    told = memory.told_by(con, provider_id)
    return sorted(
        (quarter, story_id)
        for quarter, said in told.items()
        if quarter != period
        for story_id, words in said
        if stories.words_sha256(words) in shas
    )


def withdrawing(
    con: duckdb.DuckDBPyConnection, validation: Validation, submission_id: str
) -> list[tuple[str, str | None]]:
    """(story id, words) of each story of this pack whose consent says withdrawn, loaded or held back.

    The loaded ones are read from the pack's checked rows, the very values just inserted
    into `stories` (a query of the table for them scanned every pack's stories, each pack:
    ~1 ms, growing with the store); the held-back ones from `quarantine`, whatever else is
    wrong with the row, only when a stories row was held back."""
    found: list[tuple[str, str | None]] = []
    loaded = _stories(validation)
    if loaded is not None and loaded.num_rows:
        withdrawn = loaded.filter(pc.fill_null(pc.equal(loaded["consent"], "withdrawn"), False))
        found += zip(withdrawn["story_id"].to_pylist(), withdrawn["story"].to_pylist())
    if _held_stories(validation):
        found += con.execute(
            """
            SELECT trim(coalesce(key_value, '')), json_extract_string(row_json, '$.story') FROM quarantine
            WHERE submission_id = ? AND table_name = 'stories'
              AND regexp_replace(lower(json_extract_string(row_json, '$.consent')), '[^a-z]', '', 'g') = 'withdrawn'
            """,
            [submission_id],
        ).fetchall()
    return found


def _stories(validation: Validation) -> pa.Table | None:
    """The pack's loaded stories rows as checked (None: none, or not at hand)."""
    return validation.batch.rows(spec.STORIES.name, validation.number) if validation.batch else None


def _held_stories(validation: Validation) -> bool:
    held = validation.quarantined
    return bool(len(held) and (held["table_name"] == spec.STORIES.name).any())
