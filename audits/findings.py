"""What one provider's audit found, gathered from the store for every output that tells it.

The PDF (audits.report) draws it and the published site pages it; neither reads the store
nor computes a figure itself. Everything comes from what the audit run recorded: the run's
results as disclosure control leaves them for publishing, the standards exactly as the run
audited them, the ratings as shown to people (audits.verdicts), and the stories that may be
printed (audits.stories). A whole period's outputs share one read of the run (RunShared).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from audits import (
    actions,
    changes,
    credits,
    disclosure,
    disclosure_breakdowns,
    manifest,
    runs,
    settings,
    signed,
    signoffs,
    spec,
    stats,
    store,
    stories,
    tiers,
    verdicts,
    voices,
    words,
)
from audits.standard_model import Standard


class FindingsError(RuntimeError):
    """Findings that cannot be gathered, with a plain message saying why and what to do."""


@dataclass
class Section:
    standard: Standard
    rating: str  # as shown (audits.verdicts): green becomes provisional without confirming stories
    previous: str | None  # shown rating of the previous period, None if not audited
    measures: pd.DataFrame  # this provider's published results for the standard
    stories: pd.DataFrame  # printable stories tagged to the standard (with stances and answers)
    voices: verdicts.Voices = verdicts.NO_VOICES  # what they say of it, as the rating counted them
    heard: voices.Counts = field(default_factory=dict)  # people heard on it, by group (exact: outputs protect)
    too_few: bool = True  # too few people using the service or their families heard on it (audits.voices)
    needed: int = 1  # confirming stories a green needs (the setting voices_needed), for the too-few words
    uncertain: bool = False  # the data can't yet tell the rating (audits.engine)
    clear: bool | None = None  # the move since the previous period is more than chance (audits.changes)
    breakdowns: pd.DataFrame | None = None  # its measures by sex, age and ethnic group, as published


@dataclass
class Findings:
    provider_id: str
    provider_name: str
    area: str
    period: str
    run_id: str
    run_started: object
    run_by: str | None
    organisation: str | None
    auditor: str | None
    gathered_by: str | None
    sections: list[Section]
    untagged: pd.DataFrame  # printable stories not tagged to any audited standard
    story_counts: dict[str, int]  # status -> number of stories (no words)
    quarantine: pd.DataFrame  # file_name, table_name, reasons, lines
    files: pd.DataFrame  # what, name, sha256: this provider's files and the standards
    other_providers: int  # how many other providers' returns the run used (for the benchmarks only)
    inputs_sha256: str  # SHA-256 of the run's input manifest, every input listed (audits.manifest)
    signoff: dict | None = None  # the auditor's sign-off of exactly this run, if recorded
    earlier_signoff: dict | None = None  # a sign-off of an earlier run of the period, when this one has none
    generated_at: dt.datetime = field(default_factory=lambda: store.now().replace(microsecond=0))
    # unsigned, signed (nothing changed since), or out_of_date (with what changed, in words)
    signoff_status: str = "unsigned"
    out_of_date: list[str] = field(default_factory=list)
    basis: dict = field(default_factory=dict)  # what a sign-off of this report freezes (audits.signed)
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)  # actions agreed after earlier audits
    factcheck: str = ""  # the factual accuracy check in one sentence
    reply: dict | None = None  # the provider's reply, published with the audit
    heard: voices.Counts = field(default_factory=dict)  # people heard this quarter, by group (exact)
    work: credits.Work | None = None  # the peer interviewers' work behind the stories (names only if they chose)


@tiers.output(tiers.PUBLIC, "the run's results as the PDF and the published site show them")
def published_results(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """The whole run's results as they may be published (audits.disclosure: the same cells hidden
    in every public output)."""
    return disclosure.public_results(con, run_id)


@dataclass
class RunShared:
    """What every provider's findings of one run share, read once for a whole period's outputs."""

    run_id: str
    published: pd.DataFrame  # the run's results fit to publish
    standards: list[Standard]  # as audited
    stories: pd.DataFrame  # the period's story table, every provider
    shown: pd.DataFrame  # the run's public standard ratings with the rating shown
    previous_shown: pd.DataFrame  # the same for the previous period's public run (may be empty)
    # each provider's standards with their change since then, from public figures (audits.changes)
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=changes.COLUMNS))
    # each provider's people measures by sex, age and ethnic group, as published
    breakdowns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=disclosure_breakdowns.PUBLIC_COLUMNS))
    # every input the run read, named (audits.manifest.inputs): kind, name, version, sha256
    inputs: list[manifest.Input] = field(default_factory=list)
    inputs_sha256: str = ""  # the SHA-256 of their manifest (audits.manifest.sha256)
    # read once for the whole period rather than once a report (each was a query per report):
    voices_needed: int = 1  # the setting voices_needed
    signoffs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=signoffs.COLUMNS))  # newest first
    actions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=actions.COLUMNS))  # public ones
    works: dict = field(default_factory=dict)  # provider id -> credits.Work of the period
    # What gather read once per provider, read once for the whole period (`per_provider`; None:
    # gather reads each itself, as for one report). Each gives a provider what its own read gives.
    period: str | None = None  # the run's period, once per_provider has read
    names: dict | None = None  # provider id -> (provider_name, area)
    run: tuple | None = None  # the run's (started_at, run_by)
    gathered_by: dict | None = None  # provider id -> who gathered its evidence pack
    held: pd.DataFrame | None = None  # held_back of every provider of the period, with provider_id
    files: pd.DataFrame | None = None  # every provider's files (part 0 of gather's files), with provider_id
    standard_files: pd.DataFrame | None = None  # the standards read by the run (part 1, the same for all)
    drafts: dict | None = None  # provider id -> its latest draft of the period (audits.drafts)
    comments: pd.DataFrame | None = None  # every factual accuracy comment of the period (audits.factcheck)
    replies: dict | None = None  # provider id -> its latest reply (audits.factcheck.latest_reply)
    printable: pd.DataFrame | None = None  # stories.printable_of the period's story table (every provider)
    voices: dict | None = None  # stories.voices_of the period's story table (keyed by provider)
    heard: dict | None = None  # voices.heard of the period's story table (keyed by provider)
    _no_held: pd.DataFrame | None = field(default=None, repr=False)
    _split: dict[str, dict] = field(default_factory=dict, repr=False)

    def of(self, name: str, provider_id: str) -> pd.DataFrame:
        """One provider's rows of a shared frame (`published`, `stories`, ...), as filtering it by
        provider_id would give them. The frame is split by provider once for the whole batch:
        filtering the run's frames again for each of 150 reports cost more than drawing them."""
        frame = getattr(self, name)
        if frame.empty or "provider_id" not in frame.columns:
            return frame.iloc[0:0] if "provider_id" in frame.columns else frame
        if name not in self._split:
            self._split[name] = dict(tuple(frame.groupby("provider_id", sort=False, observed=True)))
        return self._split[name].get(provider_id, frame.iloc[0:0])

    def split_all(self) -> RunShared:
        """Split every shared frame by provider now, once, before worker processes are forked
        from this one (each would otherwise split them again)."""
        for name in ("published", "stories", "shown", "previous_shown", "changes", "breakdowns", "signoffs", "actions"):
            self.of(name, "")
        for name in ("held", "files", "comments", "printable"):
            if getattr(self, name) is not None:
                self.of(name, "")
        return self

    def per_provider(self, con: duckdb.DuckDBPyConnection) -> RunShared:
        """Read now, for every provider of the period at once, what gather otherwise reads for each
        report (its name, its files, the rows held back, the factual accuracy check, its reply), and
        count the story table's voices once: about a third of gathering a report was those reads."""
        from audits import drafts, factcheck

        period = con.execute("SELECT period FROM runs WHERE run_id = ?", [self.run_id]).fetchone()[0]
        self.period = period
        self.names = {
            r[0]: (r[1], r[2]) for r in con.execute("SELECT provider_id, provider_name, area FROM providers").fetchall()
        }
        self.run = con.execute("SELECT started_at, run_by FROM runs WHERE run_id = ?", [self.run_id]).fetchone()
        self.gathered_by = dict(
            con.execute(
                "SELECT provider_id, gathered_by FROM current_submissions WHERE kind = 'pack' AND period = ?", [period]
            ).fetchall()
        )
        self.held = held_back_of_period(con, period)
        self._no_held = held_back(con, "", period)  # none held back: as held_back gives it (its column types)
        self.files = con.execute(
            f"""
            SELECT s.provider_id, {_FILE_ROWS}
            WHERE s.period = ?
            ORDER BY s.provider_id, what DESC, name
            """,
            [period],
        ).fetchdf()
        self.standard_files = con.execute(
            f"{_STANDARD_ROWS} ORDER BY what DESC, name", [self.run_id, self.run_id]
        ).fetchdf()
        self.drafts = drafts.every_latest(con, period)
        self.comments = factcheck.comments(con, period)
        self.replies = factcheck.latest_replies(con, period)
        self.printable = stories.printable_of(self.stories)
        self.voices = stories.voices_of(self.stories)
        self.heard = voices.heard(self.stories)
        return self

    def held_back(self, provider_id: str) -> pd.DataFrame:
        """held_back of one provider of the period, from what per_provider read."""
        mine = self.own("held", provider_id)
        return self._no_held.copy() if mine.empty else mine

    def own(self, name: str, provider_id: str) -> pd.DataFrame:
        """One provider's rows of a frame read for every provider (`held`, `files`), without the
        provider_id column, indexed from 0: as its own query gives them."""
        mine = self.of(name, provider_id)
        return mine.drop(columns="provider_id").reset_index(drop=True)


def latest_run(con: duckdb.DuckDBPyConnection, period: str) -> str:
    """The run whose figures the period publishes (its release, or its latest run before anything
    is released: audits.disclosure), or a plain refusal saying to run the audit first."""
    run_id = disclosure.public_run_id(con, period)
    if run_id is None:
        raise FindingsError(
            f"There is no audit run for {period} yet: run the audit first (python -m audits run --period {period})."
        )
    return run_id


@tiers.output(tiers.PUBLIC, "what a run's PDFs and published pages share")
def run_shared(con: duckdb.DuckDBPyConnection, run_id: str) -> RunShared:
    period = con.execute("SELECT period FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]
    previous_run = disclosure.public_run_id(con, spec.previous_period(period))
    previous = disclosure.public_standard_ratings(con, previous_run) if previous_run else pd.DataFrame()
    published = published_results(con, run_id)
    standards = runs.run_standards(con, run_id)
    told = stories.story_table(con, period)  # read once: the ratings shown count its voices
    # public ratings, and whether the data can tell them, from the public figures alone
    shown = disclosure.public_standard_ratings(con, run_id, told=told)
    inputs = manifest.inputs(con, run_id)
    return RunShared(
        run_id=run_id,
        published=published,
        standards=standards,
        stories=told,
        shown=shown,
        previous_shown=previous,
        changes=disclosure.public_changes(con, run_id, shown, previous, previous_run),
        breakdowns=disclosure_breakdowns.public(con, run_id),
        inputs=inputs,
        inputs_sha256=manifest.sha256(inputs),
        voices_needed=settings.get(con, "voices_needed"),
        signoffs=signoffs.signoffs_for(con, period),
        actions=actions.public_plans(con, None, before=period),  # the PDF and the site are public
        works=credits.works(con, period),
    )


# Why a story row was held back is never shown: a reason can quote the words typed into the
# wrong column (a phone number in the teller column of a story without consent).
STORY_ROW_HELD = "held back by validation (the reason is not shown: it may quote people's words)"


def held_back_of_period(con: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """`held_back` of every provider of a period at once, with a provider_id column first: each
    provider's rows as held_back gives them, in its order."""
    return con.execute(
        """
        SELECT q.provider_id, q.period, q.file_name, q.table_name,
               CASE WHEN q.table_name = 'stories' THEN ? ELSE q.reasons END AS reasons,
               count(*) AS rows, list(q.line ORDER BY q.line) AS lines
        FROM quarantine q JOIN current_submissions s ON s.submission_id = q.submission_id
        WHERE q.period = ?
        GROUP BY ALL ORDER BY q.provider_id, q.period DESC, q.file_name, min(q.line)
        """,
        [STORY_ROW_HELD, period],
    ).fetchdf()


def held_back(con: duckdb.DuckDBPyConnection, provider_id: str, period: str | None = None) -> pd.DataFrame:
    """Rows held back from the provider's current returns and packs (one period, or every one),
    counted by file and reason, with their spreadsheet lines: period, file_name, table_name,
    reasons, rows, lines. The one reader of the quarantine for every output."""
    return con.execute(
        """
        SELECT q.period, q.file_name, q.table_name,
               CASE WHEN q.table_name = 'stories' THEN ? ELSE q.reasons END AS reasons,
               count(*) AS rows, list(q.line ORDER BY q.line) AS lines
        FROM quarantine q JOIN current_submissions s ON s.submission_id = q.submission_id
        WHERE q.provider_id = ? AND (? IS NULL OR q.period = ?)
        GROUP BY ALL ORDER BY q.period DESC, q.file_name, min(q.line)
        """,
        [STORY_ROW_HELD, provider_id, period, period],
    ).fetchdf()


def gather(
    con: duckdb.DuckDBPyConnection,
    provider_id: str,
    period: str,
    *,
    run_id: str | None = None,
    shared: RunShared | None = None,
    auditor: str | None = None,
    organisation: str | None = None,
) -> Findings:
    """Everything one provider's audit found, read from the store (never recomputed).

    A batch passes what the run's outputs share (`run_shared`), read once for all providers.
    The other providers of the run are counted, never named: their files are in the run's
    input manifest (audits.manifest), whose checksum the findings carry.
    """
    run_id = run_id or (shared.run_id if shared else latest_run(con, period))
    shared = shared or run_shared(con, run_id)
    read_once = shared.period is not None and (run_id, period) == (shared.run_id, shared.period)  # per_provider
    if not read_once:
        provider = con.execute(
            "SELECT provider_name, area FROM providers WHERE provider_id = ?", [provider_id]
        ).fetchone()
    else:
        provider = shared.names.get(provider_id)
    published = shared.published
    mine = shared.of("published", provider_id)
    if provider is None or mine.empty:
        known = ", ".join(sorted(published["provider_id"].unique())[:12])
        raise FindingsError(
            f"Provider {provider_id} has no results in the {period} audit run. "
            f"Providers in that run: {known or 'none'}."
        )
    if not read_once:
        run = con.execute("SELECT started_at, run_by FROM runs WHERE run_id = ?", [run_id]).fetchone()
    else:
        run = shared.run
    # signoffs.signoff_of_run, and the latest sign-off of an earlier run when this one has none
    done = shared.of("signoffs", provider_id)
    this_run = done[done["run_id"] == run_id]
    signoff = None if this_run.empty else this_run.iloc[0].to_dict()
    earlier = None
    if signoff is None:
        earlier = None if done.empty else done.iloc[0].to_dict()
    named = signoff or earlier
    if named:
        auditor = auditor or named["name"]
        organisation = organisation or named["organisation"]

    table = shared.of("stories", provider_id)
    printable = (
        stories.printable_of(table) if not read_once else shared.of("printable", provider_id).reset_index(drop=True)
    )
    mine_shown = shared.of("shown", provider_id).set_index("standard_id")
    shown, uncertain = mine_shown["shown"], mine_shown["uncertain"]
    moved = shared.of("changes", provider_id).set_index("standard_id")["clear"]
    before = shared.of("previous_shown", provider_id)
    previous = {} if before.empty else dict(before[["standard_id", "shown"]].values)
    by_standard = dict(tuple(mine.groupby("standard_id", sort=False, observed=True)))
    tags = [set(t) for t in printable["standards"]]
    told = stories.voices_of(table) if not read_once else shared.voices
    heard = voices.heard(table) if not read_once else shared.heard
    needed = shared.voices_needed
    sections = []
    parts = shared.of("breakdowns", provider_id)
    parts_of = dict(tuple(parts.groupby("standard_id", sort=False, observed=True)))
    audited = [s for s in shared.standards if s.audited]
    for standard in audited:
        if standard.id not in shown.index:
            continue
        hits = [i for i, t in enumerate(tags) if standard.id in t]  # most standards have none
        tagged = printable.iloc[hits] if hits else printable.iloc[0:0]
        sections.append(
            Section(
                standard=standard,
                rating=shown[standard.id],
                previous=previous.get(standard.id),
                measures=by_standard.get(standard.id, mine.iloc[0:0]),
                stories=tagged.reset_index(drop=True),
                voices=told.get((provider_id, standard.id), verdicts.NO_VOICES),
                heard=heard.get((provider_id, standard.id), {}),
                too_few=voices.too_few(heard.get((provider_id, standard.id), {}), needed),
                needed=needed,
                uncertain=bool(uncertain[standard.id]),
                clear=None if stats.is_missing(moved.get(standard.id)) else bool(moved[standard.id]),
                breakdowns=parts_of.get(standard.id, parts.iloc[0:0]),
            )
        )
    audited_ids = {s.id for s in audited}
    untagged = printable[np.array([not (t & audited_ids) for t in tags], dtype=bool)]
    counts = table["status"].value_counts().to_dict()
    if not read_once:
        gathered_by = con.execute(
            "SELECT gathered_by FROM current_submissions WHERE kind = 'pack' AND provider_id = ? AND period = ?",
            [provider_id, period],
        ).fetchone()
    else:
        gathered_by = (shared.gathered_by[provider_id],) if provider_id in shared.gathered_by else None
    if not read_once:
        files = con.execute(
            f"""
            SELECT {_FILE_ROWS}
            WHERE s.provider_id = ? AND s.period = ?
            UNION ALL
            {_STANDARD_ROWS}
            ORDER BY part, what DESC, name
            """,
            [provider_id, period, run_id, run_id],
        ).fetchdf()
    else:
        own_files = shared.own("files", provider_id)
        files = (
            pd.concat([own_files, shared.standard_files], ignore_index=True)
            if not own_files.empty
            else shared.standard_files.copy()
        )
    submissions = [(name, sha) for kind, name, _, sha in shared.inputs if kind == "submission"]
    own = next((sha for name, sha in submissions if name == provider_id), None)
    if own is not None:
        files = pd.concat(
            [
                pd.DataFrame([{"what": "Return (whole submission)", "name": provider_id, "sha256": own, "part": 0}]),
                files,
            ],
            ignore_index=True,
        )
    basis = signed.basis(run_id, needed, {sec.standard.id: sec.rating for sec in sections}, table)
    status, changed = _signoff_status(con, provider_id, period, run_id, signoff, earlier, basis)
    from audits import factcheck

    return Findings(
        provider_id=provider_id,
        provider_name=provider[0] or provider_id,
        area=provider[1] or "",
        period=period,
        run_id=run_id,
        run_started=run[0] if run else None,
        run_by=run[1] if run else None,
        organisation=organisation,
        auditor=auditor,
        gathered_by=gathered_by[0] if gathered_by else None,
        sections=sections,
        untagged=untagged,
        story_counts=counts,
        quarantine=held_back(con, provider_id, period) if not read_once else shared.held_back(provider_id),
        files=files,
        other_providers=sum(name != provider_id for name, _ in submissions),
        inputs_sha256=shared.inputs_sha256,
        signoff=signoff,
        earlier_signoff=earlier,
        signoff_status=status,
        out_of_date=changed,
        basis=basis,
        actions=_actions_of(shared, provider_id),
        factcheck=factcheck.summary(con, provider_id, period) if not read_once else _factcheck(shared, provider_id),
        reply=factcheck.latest_reply(con, provider_id, period) if not read_once else shared.replies.get(provider_id),
        heard=heard.get((provider_id, None), {}),
        work=shared.works.get(provider_id),
    )


# A provider's files (part 0) and the standards the run read (part 1), as gather lists them.
_FILE_ROWS = """CASE s.kind WHEN 'return' THEN 'Return' ELSE 'Evidence pack' END AS what, f.file_name AS name,
               f.sha256, 0 AS part
        FROM submission_files f JOIN current_submissions s ON s.submission_id = f.submission_id"""
_STANDARD_ROWS = """SELECT CASE WHEN name IN (SELECT file_name FROM run_standards WHERE run_id = ?)
                    THEN 'Standard, version ' || version
                    ELSE 'Standards file read, not audited (draft or retired)' END AS what, name, sha256, 1 AS part
        FROM run_inputs WHERE run_id = ? AND kind = 'standard'"""


def _factcheck(shared: RunShared, provider_id: str) -> str:
    """factcheck.summary from what the period's batch read once."""
    from audits import factcheck

    draft = shared.drafts.get(provider_id)
    return factcheck.summary_of(draft, None if draft is None else shared.of("comments", provider_id))


def _actions_of(shared: RunShared, provider_id: str) -> pd.DataFrame:
    """One provider's public actions from earlier audits, as actions.public_plans gives them."""
    mine = shared.of("actions", provider_id)
    return mine.reset_index(drop=True) if not mine.empty else pd.DataFrame(columns=actions.COLUMNS)


def _signoff_status(con, provider_id, period, run_id, signoff, earlier, basis) -> tuple[str, list[str]]:
    """(unsigned | signed | out_of_date, what changed since signing, in words)."""
    if signoff is None and earlier is None:
        return "unsigned", []
    if signoff is None:
        return "out_of_date", [
            f"the audit was run again ({words.audit_run(run_id)}) after {words.audit_run(earlier['run_id'])} was signed"
        ]
    kept = signed.record(con, provider_id, period, run_id, signoff["signed_at"])
    if kept is None:
        return "out_of_date", ["it was signed before Lived Standards kept what a sign-off covers"]
    changed = signed.differences(kept["basis"], basis)
    return ("out_of_date" if changed else "signed"), changed
