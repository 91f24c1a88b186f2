"""Publication over a real store: the signed audits of a quarter as a static site, nothing
unsigned, people's words as text, figures from the public tier, open data with a dictionary;
and the whole lifecycle of one provider on the command line (readiness, draft, comments,
sign-off, publish) as the Done-when of issue 11 says."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from pypdf import PdfReader
from typer.testing import CliRunner

from audits import drafts, factcheck, publish, ratings, readiness, sentences, store, story_review
from audits.cli import app
from audits.standard_files import load_standards

from support.stores import STORIES_STANDARDS as STANDARDS
from support.stores import audited_with_pack

# Whole audits taken to publication over real stores (seconds each): make test runs them.
pytestmark = pytest.mark.slow


@pytest.fixture
def audited(tmp_path):
    return audited_with_pack(tmp_path / "audit.duckdb")


def cli(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result


class Page(HTMLParser):
    """What an accessibility checker reads: lang, landmarks, headings in order, links, scripts."""

    def __init__(self):
        super().__init__()
        self.lang, self.landmarks, self.headings, self.links, self.scripts, self.tags = None, [], [], [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.append(tag)
        if tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(int(tag[1]))
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "iframe", "object", "embed"):
            self.scripts += 1


def read(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_lifecycle_of_one_provider_to_publication(audited, tmp_path):
    db, run_id = audited
    sign = ["signoff", "--provider", "P001", "--period", "2026-Q2", "--name", "Ann Auditor"]
    sign += ["--organisation", "Fair Audit Co", "--i-declare", "--db", db]

    board = cli("readiness", "--period", "2026-Q2", "--db", db)
    assert board.exit_code == 0 and "Review 1 held story" in board.output

    # signoff exits 1 naming the held story
    refused = cli(*sign)
    assert refused.exit_code == 1 and "story S05" in refused.output

    # review with the confirmation; tag a contradicting story (S02, a family member's)
    assert (
        cli(
            "stories", "clear", "--provider", "P001", "--period", "2026-Q2", "--story", "S05", "--by", "Ann", "--db", db
        ).exit_code
        == 1
    )
    assert (
        cli(
            "stories",
            "keep-out",
            "--provider",
            "P001",
            "--period",
            "2026-Q2",
            "--story",
            "S05",
            "--by",
            "Ann",
            "--db",
            db,
        ).exit_code
        == 0
    )
    tagged = cli(
        "stories",
        "tag",
        "--provider",
        "P001",
        "--period",
        "2026-Q2",
        "--story",
        "S02",
        "--by",
        "Ann",
        "--standards",
        "peer-workforce=contradicts;warm-welcome=confirms",
        "--standards-dir",
        STANDARDS,
        "--db",
        db,
    )
    assert tagged.exit_code == 0, tagged.output

    # the draft, a comment with a file, its window, the answer
    assert cli("draft", "share", "--provider", "P001", "--period", "2026-Q2", "--by", "Ann", "--db", db).exit_code == 0
    with store.writing(db) as con:
        comment = factcheck.comment(
            con,
            "P001",
            "2026-Q2",
            "warm-welcome",
            None,
            "Our figure for May is <b>wrong</b> & low.",
            "Pat Provider",
            file_name="evidence.csv",
            file_bytes=b"month,contacts\nMay,41\n",
        )
    waiting = cli(*sign)
    assert waiting.exit_code == 1 and f"{comment} on warm-welcome" in waiting.output
    assert "open until the end of" in waiting.output
    assert (
        cli(
            "draft",
            "answer",
            "--comment",
            comment,
            "--not-accepted",
            "--text",
            "The return says 38.",
            "--by",
            "Ann",
            "--db",
            db,
        ).exit_code
        == 0
    )
    with store.writing(db) as con:
        drafts.close(con, "P001", "2026-Q2", "Pat Provider")
        factcheck.reply(con, "P001", "2026-Q2", "We accept the findings & will act <now>.", "Pat Provider")
    done = cli(*sign)
    assert done.exit_code == 0, done.output

    # publish: P001 signed; P002 and P003 unsigned appear nowhere
    out = tmp_path / "site"
    published = cli("publish", "--period", "2026-Q2", "--out", out, "--db", db)
    assert published.exit_code == 0, published.output
    assert "Not published: P002, not signed off" in published.output
    index = out / "index.html"
    provider = out / "providers" / "P001.html"
    assert index.exists() and provider.exists() and (out / "providers" / "P001-easy-read.html").exists()
    assert not (out / "providers" / "P002.html").exists()
    everything = "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file() and p.suffix != ".pdf"
    )
    for other in ("P002", "P003", "Riverside", "Hill Lane"):
        assert other not in everything, other

    page = provider.read_text(encoding="utf-8")
    # a contradicting story turns the green into "Partly met: people's experience differs", story beside it
    assert "Partly met: people&#39;s experience differs" in page
    assert "The auditor reads this story as contradicting the figures." in page
    # people's words are text, never markup
    assert "&lt;b&gt;risk&lt;/b&gt;" in page or "risk" not in page
    assert "<b>" not in page
    assert "We accept the findings &amp; will act &lt;now&gt;." in page
    assert "07700" not in everything  # the held-then-kept-out story
    assert "Fair Audit Co" in page and "I declare that I and the organisation" in page
    assert "1 not accepted, with the reasons given" in page
    # each measure is explained in the one read-back sentence, as in the PDF and the workshop
    listing = (out / "standards.html").read_text(encoding="utf-8")
    for standard in load_standards(STANDARDS).audited:
        for measure in standard.measures:
            said = str(escape(sentences.read_back(measure)))
            assert said in listing, said
    assert str(escape(sentences.read_back(load_standards(STANDARDS).audited[0].measures[0]))) in everything
    for path in [index, provider, out / "standards.html", out / "data" / "dictionary.html"]:
        parsed = read(path)
        assert parsed.lang == "en-GB", path
        assert {"header", "main", "footer"} <= set(parsed.landmarks), path
        assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1, path
        assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:])), (path, parsed.headings)
        assert parsed.scripts == 0, path
        assert not [link for link in parsed.links if link.startswith(("http:", "https:", "//"))], path
        for link in parsed.links:  # every local link leads to a file that exists
            target = (path.parent / link.split("#")[0]).resolve()
            assert target.exists(), (path, link)

    # open data: public tier, signed providers only, with the dictionary
    rows = list(csv.DictReader(open(out / "data" / "results.csv", encoding="utf-8")))
    assert rows and {r["provider_id"] for r in rows} == {"P001"}
    assert set(rows[0]) == {c.name for c in publish.DICTIONARY}
    data = json.loads((out / "data" / "results.json").read_text(encoding="utf-8"))
    assert data["tier"] == "public" and len(data["rows"]) == len(rows)
    peer = [r for r in rows if r["standard_id"] == "peer-workforce"]
    assert peer and peer[0]["standard_rating"] == "differs"
    # the index counts the standards met as the dashboard does: provisional is met on the figures
    shown = {r["standard_id"]: r["standard_rating"] for r in rows}
    met, rated = sum(r in ratings.MET for r in shown.values()), sum(r not in ratings.NOT_RATED for r in shown.values())
    provisional = sum(r == "provisional" for r in shown.values())
    said = " ".join(index.read_text(encoding="utf-8").split())
    assert f"Met {met} of the {rated} standards that could be rated" in said and rated
    assert (f", {provisional} of them not yet confirmed" in said) == bool(provisional)
    # the signed PDF is there, byte for byte
    with store.reading(db) as con:
        from audits import signed

        pdf, _ = signed.signed_pdf(con, "P001", "2026-Q2")
        assert (out / "pdf" / "audit-P001-2026-Q2.pdf").read_bytes() == pdf
    # the input manifest in the open data is the one whose checksum the signed PDF prints
    inputs = (out / "data" / "inputs-2026-Q2.csv").read_bytes()
    signed_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert re.findall(r"inputs-2026-Q2\.csvInputmanifestoftherun([0-9a-f]{64})", signed_text) == [
        hashlib.sha256(inputs).hexdigest()
    ]
    with store.reading(db) as con:
        row = readiness.board(con, "2026-Q2").set_index("provider_id").loc["P001"]
    assert row["published"].startswith("Yes") and row["next_step"] == "Done: published"

    # a later change: out of date, and a new publication leaves it out
    with store.writing(db) as con:
        story_review.answer_contradiction(
            con, "P001", "2026-Q2", "S02", "peer-workforce", "Staff counts are right.", "Ann"
        )
        row = readiness.board(con, "2026-Q2").set_index("provider_id").loc["P001"]
        assert row["out_of_date"].startswith("Out of date: sign again")
        again = publish.publish(con, "2026-Q2", out, "test")
    assert again.providers == [] and "out of date" in again.skipped["P001"]
    assert not (out / "providers" / "P001.html").exists()


def test_an_unsafe_folder_or_id_is_refused(audited, tmp_path):
    db, _ = audited
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    refused = cli("publish", "--period", "2026-Q2", "--out", tmp_path / "full", "--db", db)
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    assert publish.SAFE_ID.fullmatch("P001") and not publish.SAFE_ID.fullmatch("../P001")
    assert not publish.SAFE_ID.fullmatch("P 1") and not publish.SAFE_ID.fullmatch("-P1")


def test_a_quarter_audited_again_after_its_release_is_published_by_superseding_or_as_released(tmp_path):
    """One public version a quarter: after a re-run, publishing says what happened and what would
    read differently in public, and publishes only when told which version (the released one
    again, or the new run superseding it)."""
    from audits import disclosure

    from support import hard_store

    db, site, period = tmp_path / "audit.duckdb", tmp_path / "site", hard_store.PERIOD
    _, first, second, published = hard_store.published_then_rerun(db, tmp_path / "hard", site)
    assert published.providers == ["P001"]
    refused = cli("publish", "--period", period, "--out", site, "--db", db)
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "was run again" in said and "--supersede" in said and "--keep-release" in said, said
    assert "1 measure result and 0 standard ratings would read differently in public" in said, said
    assert "Deaths Behind Nested Measures: " in said and "→" in said, said
    both = cli("publish", "--period", period, "--out", site, "--supersede", "--keep-release", "--db", db)
    assert both.exit_code == 1 and "Choose one" in both.output
    with store.writing(db) as con:
        assert disclosure.current_release(con, period)["run_id"] == first  # refusing changed nothing
        kept = publish.publish(con, period, site, "test", supersede=False)
        assert kept.providers == ["P001"] and "shows the released version" in kept.summary()
        assert disclosure.current_release(con, period)["run_id"] == first
        hard_store.sign_off(con, second)
        new = publish.publish(con, period, site, "test", supersede=True)
        assert new.providers == ["P001"] and "It replaces the version released on" in new.summary()
        release = disclosure.current_release(con, period)
        assert release["run_id"] == second and release["supersedes"] is not None
        assert publish.rerun_since_release(con, period) is None
        again = publish.publish(con, period, site, "test")  # nothing to choose any more
    assert again.rerun is None
    rows = list(csv.DictReader(open(site / "data" / "results.csv", encoding="utf-8")))
    assert {r["run_id"] for r in rows} == {second}
