"""Publication: a static, accessible HTML site of a quarter's signed audits.

GOV.UK asks for HTML, not only PDF, so each signed audit becomes a plain page that works
offline (no script, no font or style from elsewhere: one local stylesheet), with landmarks,
headings in order, tables with captions and header cells, a visible focus ring, and ratings
as symbol + word + colour. What it holds:

* index.html: the providers and the standards, and every provider against every standard;
* standards.html: each standard in its group's words, with each provider's rating;
* providers/<id>.html: the numbers beside the consented stories, the statement of
  independence, the actions from earlier audits, the provider's reply (or that it did not
  reply) and the factual accuracy check; providers/<id>-easy-read.html in plain words;
* data/results.csv and data/results.json (public-tier results) with data/dictionary.html/.csv;
* data/inputs-<period>.csv: the run's input manifest, whose SHA-256 each PDF prints (audits.manifest);
* pdf/: each signed PDF exactly as signed (its bytes as kept at sign-off).

Only providers whose sign-off is current are published: nothing unsigned or out of date,
and through audits.findings nothing held, withdrawn, not consented or kept out. Every value
goes through Jinja2 with autoescaping on, so people's words are text, never markup. Figures
are worded by audits.words from the public tier (`public_results`: audits.disclosure, the same
cells hidden as in every other public output), and publishing releases the quarter's one public
version (audits.disclosure.release) if nothing of it was released yet. Provider ids become file
names only if they match SAFE_ID.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from audits import (
    actions,
    dictionary,
    disclosure,
    findings,
    manifest,
    ratings,
    runs,
    sentences,
    signed,
    signoffs,
    spec,
    store,
    tiers,
    words,
)
from audits.cells import safe_cell
from audits.report import INDEPENDENCE_QUOTE, INDEPENDENCE_SOURCE, report_file_name

SITE = Path(__file__).parent / "site"
MARKER = ".published-by-lived-standards"
# The provider-return specification: letters, digits, - or _, at most 32, starting with a letter or digit.
SAFE_ID = spec.ID_RE  # the specification's pattern for ids (refused when a return is loaded, checked again here)


class PublishError(ValueError):
    """A site that cannot be written, said plainly."""


@tiers.output(tiers.PUBLIC, "the published site's figures")
def public_results(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """The run's results as the public may see them: the ONE place the published site takes its
    figures from (audits.disclosure: what the PDF, the public CSV and the public dashboard show)."""
    return disclosure.public_results(con, run_id)


@dataclass
class Rerun:
    """A quarter audited again after its public figures were released: the release in force, the
    latest run, and what would read differently in public if the latest replaced it."""

    period: str
    released: dict  # audits.disclosure.current_release
    latest_run: str
    changes: list[str]  # audits.disclosure.public_differences

    def words(self) -> str:
        """What happened and what publishing the latest run would change, in plain words."""
        when = words.long_datetime(self.released["released_at"])
        said = (
            f"The audit of {self.period} was run again ({words.audit_run(self.latest_run)}) after its public "
            f"figures were released on {when} from {words.audit_run(self.released['run_id'])}. Only one version "
            f"of a quarter's figures is ever public, and every public output of {self.period} shows the released one."
        )
        changed = " ".join(self.changes) if self.changes else "Its public figures and ratings would read the same."
        return f"{said} Publishing the new run instead would replace it: {changed}"


def rerun_since_release(con: duckdb.DuckDBPyConnection, period: str) -> Rerun | None:
    """The quarter's re-run since its release (None when nothing was released, or the release is
    its latest run): publishing must then supersede the release, or publish the released one again."""
    released = disclosure.current_release(con, period)
    latest = runs.latest_run_id(con, period)
    if released is None or latest is None or released["run_id"] == latest:
        return None
    return Rerun(period, released, latest, disclosure.public_differences(con, released["run_id"], latest))


@dataclass
class Published:
    period: str
    out_dir: Path
    providers: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # provider_id -> why it is not published
    files: list[Path] = field(default_factory=list)
    rerun: Rerun | None = None  # the quarter was audited again after its release
    superseded: bool = False  # and this publication replaced the release with the latest run

    def summary(self) -> str:
        lines = [
            f"Published {len(self.providers)} signed audit{'s' if len(self.providers) != 1 else ''} of "
            f"{self.period} to {self.out_dir} ({len(self.files)} files)."
        ]
        if self.rerun and self.superseded:
            lines.append(
                f"It replaces the version released on {words.long_datetime(self.rerun.released['released_at'])} "
                f"({words.audit_run(self.rerun.released['run_id'])}): "
                + (" ".join(self.rerun.changes) or "its public figures and ratings read the same.")
            )
        elif self.rerun:
            lines.append(
                f"It shows the released version ({words.audit_run(self.rerun.released['run_id'])}), not "
                f"{words.audit_run(self.rerun.latest_run)}: to publish that instead, publish again with --supersede (on the "
                "Publish page: tick “Replace the released version with the new run”)."
            )
        for provider_id, why in sorted(self.skipped.items()):
            lines.append(f"Not published: {provider_id}, {why}.")
        return "\n".join(lines)


# The open data's columns, each explained by the one data dictionary (audits.dictionary), which the
# dashboard's downloads share.
DICTIONARY = dictionary.of(
    [
        "period",
        "run_id",
        "provider_id",
        "provider_name",
        "standard_id",
        "standard_version",
        "standard_title",
        "standard_rating",
        "standard_rating_words",
        "measure_id",
        "measure_label",
        "numerator",
        "denominator",
        "value",
        "ci_lower",
        "ci_upper",
        "benchmark",
        "between_variance",
        "comparison",
        "measure_rating",
        "suppressed",
        "suppressed_why",
    ]
)

PLAIN = {
    "green": "They did this well.",
    "provisional": "The numbers are good, but we have not heard enough from people using the service yet.",
    "differs": "The numbers are good, but people using the service told us something different.",
    "amber": "They did some of this. They need to do more.",
    "red": "They did not do this well enough. They need to do better.",
    "no_data": "Too few people to say.",
    "green_amber": "They did this well or did some of it. We do not say which, to keep a few people private.",
    "amber_red": "They did some of this or did not do it well enough. We do not say which, to keep a few people private.",
    "withheld": "We do not show this rating, to keep a few people private.",
}

KEY_WORDS = [
    ("green", "the figures meet the standard and people using the service confirm it"),
    ("provisional", ratings.PROVISIONAL_EXPLANATION),
    ("differs", ratings.DIFFERS_EXPLANATION),
    ("amber", "some of the standard is met"),
    ("red", "the standard is not met"),
    ("no_data", "too few people to rate it"),
    (
        "green_amber",
        "one of Met or Partly met: the exact rating would let a reader work out a count of fewer than 5 people",
    ),
    ("amber_red", "one of Partly met or Not met, for the same reason"),
    ("withheld", "not shown, for the same reason"),
]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SITE)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _period_words(period: str) -> str:
    start, end = spec.parse_period(period)
    return f"{start:%B} to {end:%B %Y}"


def _clear(out_dir: Path) -> None:
    """Make out_dir an empty folder: only ever a folder that is empty or that publish wrote."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise PublishError(f"{out_dir} is a file: give a folder to publish into.")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
            raise PublishError(
                f"{out_dir} is not empty and was not written by a publication: give a new or empty folder."
            )
        for child in out_dir.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("Written by python -m audits publish; the next publication replaces it.\n")


def _section_context(sec: findings.Section) -> dict:
    measures = []
    results = sec.measures.set_index("measure_id")
    for m in sec.standard.measures:
        if m.id not in results.index:
            continue
        row = results.loc[m.id]
        bench, compared = words.benchmark(m, row)
        measures.append(
            {
                "label": m.label,
                "rules": sentences.read_back(m),  # the same sentence as the PDF and the workshop
                "figure": words.figure(m, row),
                "interval": words.interval(m, row),
                "benchmark": bench,
                "compared": compared,
                "rating": row["rating"],
            }
        )
    told = []
    for st in sec.stories.to_dict("records"):
        told.append(
            {
                "text": st["text"],
                "teller": words.teller(st["teller"]),
                "gathered_on": words.long_date(st["gathered_on"]),
                "gathered_by": words.gathered_by(st).removeprefix(" by "),
                "redacted": bool(st["redacted"]),
                "summarised": bool(st["summarised"]),
                "stance": words.stance(st["stances"].get(sec.standard.id, "")),
                "answer": st["answers"].get(sec.standard.id, ""),
            }
        )
    explanation = {
        "provisional": f"Met on the figures, but {ratings.PROVISIONAL_EXPLANATION}.",
        "differs": f"{ratings.DIFFERS_EXPLANATION.capitalize()}. The stories are below.",
    }.get(sec.rating, "")
    return {
        "id": sec.standard.id,
        "title": sec.standard.title,
        "statement": sec.standard.statement,
        "rating": sec.rating,
        "change": words.change(sec.rating, sec.previous),
        "explanation": explanation,
        "measures": measures,
        "stories": told,
        "look": ratings.look(sec.rating),
        "plain": PLAIN[sec.rating],
        # the site is public: counts of 1 to 4 people are not shown (audits.voices.protect)
        "heard": words.voices_heard(sec.heard, public=True),
        "too_few": words.too_few_voices(sec.needed) if sec.too_few else "",
    }


def _data_rows(found: findings.Findings) -> list[dict]:
    rows = []
    for sec in found.sections:
        labels = {m.id: m.label for m in sec.standard.measures}
        for r in sec.measures.to_dict("records"):
            rows.append(
                {
                    "period": found.period,
                    "run_id": found.run_id,
                    "provider_id": found.provider_id,
                    "provider_name": found.provider_name,
                    "standard_id": sec.standard.id,
                    "standard_version": sec.standard.version,
                    "standard_title": sec.standard.title,
                    "standard_rating": sec.rating,
                    "standard_rating_words": words.rating_word(sec.rating),
                    "measure_id": r["measure_id"],
                    "measure_label": labels.get(r["measure_id"], r["measure_id"]),
                    "numerator": r.get("numerator"),
                    "denominator": r.get("denominator"),
                    "value": r.get("value"),
                    "ci_lower": r.get("ci_lower"),
                    "ci_upper": r.get("ci_upper"),
                    "benchmark": r.get("benchmark"),
                    "between_variance": r.get("between_variance"),
                    "comparison": r.get("comparison"),
                    "measure_rating": r["rating"],
                    "suppressed": "yes" if words.hidden(r) else "no",
                    "suppressed_why": words.hidden_why(r),
                }
            )
    return rows


def _json_value(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@tiers.output(tiers.PUBLIC, "the published site of a quarter's signed audits and its open data")
def publish(
    con: duckdb.DuckDBPyConnection,
    period: str,
    out_dir: Path,
    published_by: str,
    record: bool = True,
    supersede: bool | None = None,
) -> Published:
    """Write the site of the period's signed audits into out_dir (replacing an earlier
    publication there) and, with `record`, keep a note of what was published.

    A quarter has one public version. When it was audited again after its release, the auditor
    says which to publish: `supersede=True` replaces the release with the latest run (the summary
    says what reads differently), `supersede=False` publishes the released version again (as
    `refresh` does); left None, publishing is refused with what happened and what would change."""
    try:
        spec.parse_period(period)
    except ValueError as error:
        raise PublishError(f"{error}.") from None
    rerun = rerun_since_release(con, period)
    if rerun is not None and supersede is None:
        raise PublishError(
            f"{rerun.words()} To publish the new run, supersede the release (python -m audits publish --period "
            f"{period} --out FOLDER --supersede, or tick “Replace the released version” on Publish); to publish "
            f"the released version again, use --keep-release."
        )
    run_id = rerun.latest_run if rerun is not None and supersede else findings.latest_run(con, period)
    if record:
        # what is published is the quarter's one public version from now on
        try:
            disclosure.release(con, period, run_id, published_by, how="publish", supersede=bool(supersede))
        except disclosure.ReleaseError as error:
            raise PublishError(str(error)) from None
    shared = findings.run_shared(con, run_id)
    shared.published = public_results(con, run_id)
    out = Published(period, Path(out_dir), rerun=rerun, superseded=bool(rerun and supersede))
    gathered: list[tuple[findings.Findings, bytes, str]] = []
    for provider_id in sorted(shared.shown["provider_id"].unique()):
        if not SAFE_ID.fullmatch(str(provider_id)):
            out.skipped[provider_id] = "its code cannot be a file name (letters, digits, - or _ only)"
            continue
        found = findings.gather(con, provider_id, period, shared=shared)
        if found.signoff_status == "unsigned":
            out.skipped[provider_id] = "not signed off"
            continue
        if found.signoff_status == "out_of_date":
            out.skipped[provider_id] = "its sign-off is out of date: sign again"
            continue
        pdf, digest = signed.signed_pdf(con, provider_id, period, found.signoff["signed_at"])
        gathered.append((found, pdf, digest))
    _write(out, gathered, shared, period)
    if record:
        con.execute(
            "INSERT INTO publications VALUES (?, ?, ?, ?, ?)",
            [
                period,
                store.now(),
                published_by,
                str(out.out_dir),
                json.dumps(
                    [
                        {"provider_id": f.provider_id, "signed_at": str(f.signoff["signed_at"]), "pdf_sha256": d}
                        for f, _, d in gathered
                    ]
                ),
            ],
        )
    return out


def refresh(con: duckdb.DuckDBPyConnection, periods, published_by: str) -> list[str]:
    """Publish each of these periods again, into the folder of its latest publication, so that a
    story withdrawn since leaves the published site at once (its provider's signed report is no
    longer given out, so the provider's page goes until the audit is signed again). What was
    done, one sentence a period, for the person who withdrew it; a folder that is not on this
    computer any more is named, to publish again by hand."""
    said = []
    for period in sorted(set(periods)):
        row = con.execute(
            "SELECT out_dir FROM publications WHERE period = ? ORDER BY published_at DESC LIMIT 1", [period]
        ).fetchone()
        if row is None or not row[0]:
            continue
        folder = Path(row[0])
        if not (folder / MARKER).is_file():
            said.append(
                f"The {period} site was published to {folder}, which is not on this computer: publish it again "
                "wherever it is, so the story leaves it too."
            )
            continue
        try:
            publish(con, period, folder, published_by, supersede=False)  # the version it shows, again
        except PublishError as error:
            said.append(f"The {period} site in {folder} could not be published again ({error}): publish it again.")
            continue
        said.append(f"The published site of {period} in {folder} was written again without it.")
    return said


def _write(out: Published, gathered: list, shared: findings.RunShared, period: str) -> None:
    env = _environment()
    today = store.now()
    common = {
        "period": period,
        "period_words": _period_words(period),
        "published_on": words.long_date(words.uk_time(today)),
        "looks": {**ratings.LOOKS, **ratings.RANGES},
        "hidden_footnote": words.HIDDEN_FOOTNOTE,
        "benchmark_label": words.PUBLIC_BENCHMARK_LABEL,
    }
    _clear(out.out_dir)
    for folder in ("providers", "data", "pdf"):
        (out.out_dir / folder).mkdir()
    shutil.copy(SITE / "style.css", out.out_dir / "style.css")
    out.files.append(out.out_dir / "style.css")

    def page(path: str, template: str, root: str, **context) -> None:
        target = out.out_dir / path
        target.write_text(env.get_template(template).render(**common, root=root, **context), encoding="utf-8")
        out.files.append(target)

    standards = [s for s in shared.standards if s.audited]
    providers, data_rows = [], []
    for found, pdf, digest in gathered:
        out.providers.append(found.provider_id)
        sections = [_section_context(sec) for sec in found.sections]
        pdf_name = report_file_name(found.provider_id, period)
        (out.out_dir / "pdf" / pdf_name).write_bytes(pdf)
        out.files.append(out.out_dir / "pdf" / pdf_name)
        titles = {s.id: s.title for s in standards}
        plan = [
            {
                "standard": f"{titles.get(a['standard_id'], a['standard_id'])} ({a['period']})",
                "what": a["what"],
                "noticed": a["noticed"],
                "owner": a["owner"],
                "due": actions.due_words(a).removeprefix("by "),
                "status": a["status_words"],
            }
            for a in found.actions.to_dict("records")
        ]
        notes = []
        if any(sec["rating"] == "provisional" for sec in sections):
            notes.append(f"{ratings.look('provisional').label}: {ratings.PROVISIONAL_EXPLANATION}.")
        if any(sec["rating"] == "differs" for sec in sections):
            notes.append(f"{ratings.look('differs').label}: {ratings.DIFFERS_EXPLANATION}.")
        crumbs = [("All providers", "../index.html"), (found.provider_name, None)]
        context = {
            "f": found,
            "sections": sections,
            "notes": notes,
            "statement": signoffs.independence_statement(found.signoff["organisation"], found.provider_name),
            "signoff": found.signoff,
            "signed_on": words.long_datetime(found.signoff["signed_at"]),
            "actions": plan,
            "reply": found.reply,
            "reply_on": words.long_date(found.reply["replied_at"]) if found.reply else "",
            "factcheck": found.factcheck,
            "pdf_name": pdf_name,
            "pdf_sha256": digest,
            "people_heard": words.people_heard(found.heard, public=True),
            "summary_note": words.SUMMARY_NOTE,
            "work": found.work.words() if found.work is not None else "",
        }
        page(
            f"providers/{found.provider_id}.html",
            "provider.html",
            "../",
            title=found.provider_name,
            crumbs=crumbs,
            **context,
        )
        done = sum(a["status"] == "done" for a in found.actions.to_dict("records"))
        late = sum(a["status"] == "overdue" for a in found.actions.to_dict("records"))
        promises = (
            f"They promised to do {len(plan)} thing{'s' if len(plan) != 1 else ''} after earlier checks. "
            f"{done} done. {late} late."
            if plan
            else "There were no promises from earlier checks to look at."
        )
        # a quarter without any story pack has story tables without columns
        shown_stories = len({sid for sec in found.sections for sid in sec.stories.get("story_id", [])})
        page(
            f"providers/{found.provider_id}-easy-read.html",
            "easy-read.html",
            "../",
            title=f"{found.provider_name}: easy read",
            crumbs=[
                ("All providers", "../index.html"),
                (found.provider_name, f"{found.provider_id}.html"),
                ("Easy read", None),
            ],
            f=found,
            sections=sections,
            told=(
                f"{shown_stories} people told us what it was like. They said yes to sharing their words."
                if shown_stories
                else "Nobody's story was shared this time."
            ),
            heard=words.people_heard(found.heard, public=True),
            promises=promises,
            reply=found.reply,
        )
        ratings_of = {sec["id"]: sec["rating"] for sec in sections}
        counted = ratings.tally(ratings_of.values())  # as the dashboard counts them
        providers.append(
            {
                "provider_id": found.provider_id,
                "provider_name": found.provider_name,
                "area": found.area,
                "ratings": ratings_of,
                "met": counted["met"],
                "provisional": counted["provisional"],
                "rated": counted["rated"],
                "too_few": counted["unrated"],
            }
        )
        data_rows += _data_rows(found)
    index_standards = [{"id": s.id, "title": s.title} for s in standards]
    page(
        "index.html",
        "index.html",
        "",
        title="Every provider",
        crumbs=None,
        providers=providers,
        standards=index_standards,
        key_words=[
            (k, m) for k, m in KEY_WORDS if k in ratings.LOOKS or any(k in p["ratings"].values() for p in providers)
        ],
        quote=INDEPENDENCE_QUOTE,
        quote_source=INDEPENDENCE_SOURCE,
        provisional_words=f"{ratings.PROVISIONAL_EXPLANATION.removeprefix('green, ')} ({ratings.look('provisional').word})",
    )
    page(
        "standards.html",
        "standards.html",
        "",
        title="The standards",
        crumbs=[("All providers", "index.html"), ("The standards", None)],
        standards=[
            {
                "id": s.id,
                "title": s.title,
                "statement": s.statement,
                "why": s.why,
                "voices": [{"quote": v.quote.strip(), "source": v.source} for v in s.voices],
                "measures": [{"label": m.label, "read_back": sentences.read_back(m)} for m in s.measures],
                "rows": [
                    (p["provider_name"], p["provider_id"], p["ratings"][s.id])
                    for p in providers
                    if s.id in p["ratings"]
                ],
            }
            for s in standards
        ],
    )
    columns = [c.name for c in DICTIONARY]
    frame = runs.contract_intervals(pd.DataFrame(data_rows, columns=columns), shared.standards)
    with open(out.out_dir / "data" / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in frame.itertuples(index=False):
            writer.writerow([runs._cell(v) for v in record])
    (out.out_dir / "data" / "results.json").write_text(
        json.dumps(
            {
                "period": period,
                "tier": "public",
                "columns": {c.name: c.meaning for c in DICTIONARY},
                "rows": [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")],
            },
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    with open(out.out_dir / "data" / "dictionary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(dictionary.Column._fields)
        writer.writerows([safe_cell(cell) for cell in row] for row in DICTIONARY)
    out.files += [out.out_dir / "data" / n for n in ("results.csv", "results.json", "dictionary.csv")]
    # every input of the run, the list whose checksum each PDF prints (audits.manifest)
    inputs = out.out_dir / "data" / manifest.file_name(period)
    inputs.write_bytes(manifest.csv_bytes(shared.inputs))
    out.files.append(inputs)
    page(
        "data/dictionary.html",
        "dictionary.html",
        "../",
        title="Open data",
        crumbs=[("All providers", "../index.html"), ("Open data", None)],
        columns=DICTIONARY,
    )
