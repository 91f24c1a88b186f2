"""The audit PDF read back with pypdf: built by the real engine's run over a real store,
its figures are the figures of the results export."""

from __future__ import annotations

import csv
import gc
import hashlib
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from audits import method, report, report_batch, report_styles, runs, signoffs, store, story_review, words

from support.stores import STORIES_STANDARDS as STANDARDS
from support.stores import load_pack, put_returns, read_rows


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """A store with returns for 2026-Q1 and 2026-Q2, the fixture pack for Q2 (the auditor read S02,
    a family member's, as confirming both its standards), and a run of each."""
    db = tmp_path_factory.mktemp("report") / "audit.duckdb"
    with store.writing(db) as con:
        put_returns(con, "2026-Q1")
        put_returns(con, "2026-Q2")
    load_pack(db)
    with store.writing(db) as con:
        titles = story_review.standard_titles(STANDARDS)
        story_review.tag_story(
            con, "P001", "2026-Q2", "S02", "peer-workforce=confirms;warm-welcome=confirms", "A. Auditor", titles
        )
    runs.run_audit(db, "2026-Q1", STANDARDS, run_by="test")
    run_id = runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    return db, run_id


@pytest.fixture(scope="module")
def pdf(audited, tmp_path_factory):
    db, run_id = audited
    out = tmp_path_factory.mktemp("pdf") / "P001.pdf"
    report.build_report(db, "P001", "2026-Q2", out, auditor="A. Auditor", organisation="Independent Audit Collective")
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text, re.sub(r"\s+", " ", text)


@pytest.mark.slow
def test_provider_standards_and_no_draft(pdf):
    _, _, flat = pdf
    assert "Northgate Recovery & Wellbeing <Partnership>" in flat  # escaped, printed as written
    for title in (
        "A warm welcome within days of referral",
        "People with lived experience work in every team",
        "No targets for opiate-free discharge",
    ):
        assert title in flat
    assert "A safe home for everyone in treatment" not in flat
    assert "Independent Audit Collective" in flat and "Statement of independence" in flat


@pytest.mark.slow
def test_each_measure_is_explained_in_its_read_back_sentence(audited, pdf):
    from audits import sentences

    db, run_id = audited
    _, _, flat = pdf
    with store.reading(db) as con:
        audited_standards = runs.run_standards(con, run_id)
    assert "How each measure is counted" in flat
    for standard in audited_standards:
        for measure in standard.measures:
            assert " ".join(sentences.read_back(measure).split()) in flat, measure.id


def test_figures_are_the_results_export(audited, pdf, tmp_path):
    db, run_id = audited
    _, _, flat = pdf
    with store.writing(db) as con:
        export = runs.export_csv(con, "2026-Q2", tmp_path / "public.csv", public=True)
        measures = {m.id: m for s in runs.run_standards(con, run_id) for m in s.measures}
    with open(export, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["provider_id"] == "P001"]
    assert len(rows) == 4
    for row in rows:
        measure = measures[row["measure_id"]]
        value = words.value(measure, float(row["value"]))
        assert value in flat, f"{row['measure_id']}: {value} not printed"
        if row["ci_lower"]:
            interval = (
                f"{words.value(measure, float(row['ci_lower']))} to {words.value(measure, float(row['ci_upper']))}"
            )
            assert interval in flat
    # the figures this fixture was made to give
    assert "75.0% (15 of 20 people)" in flat
    assert "50.0% (5 of 10 staff (full-time equivalent))" in flat


@pytest.mark.slow
def test_small_counts_are_suppressed(audited, tmp_path):
    db, _ = audited
    out = report.build_report(db, "P002", "2026-Q2", tmp_path / "P002.pdf", organisation="Independent Audit Collective")
    flat = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(out).pages))
    assert "Riverside Drug and Alcohol Service" in flat
    assert "Not shown*: it would reveal fewer than 5 people" in flat
    assert "3 people" not in flat and "of 3 " not in flat
    # every report says what the asterisk means, and the hidden figure keeps its row on the chart
    assert "Figures marked * are not shown. A count of 1 to 4 people is never published" in flat
    assert "not shown*" in flat


def test_stories_consent_and_screening(pdf):
    _, _, flat = pdf
    assert "They made me a cup of tea before any forms – “no rush,” she said." in flat  # S01
    assert "croeso i’r tŷ, and the dŵr was free" in flat and "£3.50" in flat
    assert "He sat with my brother in the waiting room" in flat  # S02
    assert "Our notes template says <b>risk</b> & compliance first" in flat  # S06, as written
    assert "Nobody asked me the same question twice" in flat  # S07, untagged
    assert "pharmacy called my name" not in flat  # S03, consent no
    assert "pushed me off my script" not in flat  # S04, withdrawn
    assert "07700" not in flat and "night before every appointment" not in flat  # S05, held


def test_pairing_and_change(pdf):
    _, text, flat = pdf
    summary = flat[flat.index("Summary Every approved standard") : flat.index("Key:")]
    # peer-workforce: green on figures and confirmed by a family member's story; last
    # period it had no story, so it was provisional: the same figures, now confirmed (never "Better")
    # (5 of 10 staff, 95% interval 23.7% to 76.3%: the data can't yet tell it from below the 25% bar)
    assert re.search(
        r"People with lived experience work in every team ✔ Met on the figures; the data can't yet tell "
        r"= Still met, now confirmed by people's experience",
        summary,
    )
    # no-opiate-free-targets: green on figures, but the only story was withdrawn
    assert re.search(r"No targets for opiate-free discharge ◔ Met \(provisional\) = No change", summary)
    assert "green, not yet confirmed by people's experience" in flat
    assert re.search(r"A warm welcome within days of referral ◐ Partly met", summary)


def _cover(path: Path) -> str:
    return re.sub(r"\s+", " ", PdfReader(path).pages[0].extract_text())


@pytest.mark.slow
def test_cover_says_who_signed_off_this_run(pdf, tmp_path):
    _, text, _ = pdf
    cover = re.sub(r"\s+", " ", text[: text.index("Summary")])
    assert "Not yet signed off by the auditor" in cover  # the fixture run has no sign-off
    db = tmp_path / "audit.duckdb"
    with store.writing(db) as con:
        put_returns(con, "2026-Q2")
    first = runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    with store.writing(db) as con:
        signoffs.record_signoff(
            con, "P002", "2026-Q2", first, "Siân Ŵyn-Jones", "Fair & Open Audit <Co-op>", signoffs.DECLARATION, "sian"
        )
        signed_at = signoffs.signoffs_for(con, "2026-Q2", "P002").iloc[0]["signed_at"]
    report.build_report(db, "P002", "2026-Q2", tmp_path / "signed.pdf")
    cover = _cover(tmp_path / "signed.pdf")
    assert "Signed off by the auditor" in cover and "Not yet signed off" not in cover
    when = words.long_datetime(signed_at)  # UK time, as every output shows a time
    assert f"Siân Ŵyn-Jones, for Fair & Open Audit <Co-op>, signed off this audit run on {when}" in cover
    assert re.sub(r"\s+", " ", signoffs.DECLARATION) in cover
    assert "Audited by Fair & Open Audit <Co-op>, auditor Siân Ŵyn-Jones" in cover
    report.build_report(db, "P003", "2026-Q2", tmp_path / "unsigned.pdf")
    assert "Not yet signed off by the auditor" in _cover(tmp_path / "unsigned.pdf")
    # the audit is run again: the earlier sign-off no longer covers the report, and it says so
    second = runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    report.build_report(db, "P002", "2026-Q2", tmp_path / "rerun.pdf")
    cover = _cover(tmp_path / "rerun.pdf")
    assert "Not yet signed off by the auditor" in cover and second in cover
    assert f"An earlier audit run of 2026-Q2 ({first}) was signed off by Siân Ŵyn-Jones" in cover
    assert signoffs.DECLARATION[:40] not in cover


def test_annexes(audited, pdf):
    db, run_id = audited
    _, _, flat = pdf
    assert "episodes.csv" in flat and "referral_date '2026-13-01' is not a date" in flat
    assert run_id in flat
    for name in ("warm-welcome.yaml", "peer-workforce.yaml", "no-opiate-free-targets.yaml"):
        digest = hashlib.sha256((STANDARDS / name).read_bytes()).hexdigest()
        assert name in flat and digest in flat.replace(" ", "")
    assert "Wilson" in flat


def test_metadata_language_outline_fonts(pdf):
    reader, _, _ = pdf
    meta = reader.metadata
    assert meta.title == "Independent audit: Northgate Recovery & Wellbeing <Partnership>, 2026-Q2"
    assert meta.author == "A. Auditor, Independent Audit Collective"
    assert "2026-Q2" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    outline = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert outline[:3] == ["Independent audit of standards", "Summary", "The standards"]
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font.get("/FontDescriptor")
            )
            assert descriptor is not None and "/FontFile2" in descriptor, font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert any("DejaVuSans" in f for f in fonts)
    # page numbers and the running header
    assert "Page 2" in reader.pages[1].extract_text()
    assert "Independent audit · Northgate Recovery" in reader.pages[1].extract_text()


@pytest.mark.slow
def test_no_run_is_a_plain_error(tmp_path):
    db = tmp_path / "empty.duckdb"
    store.connect(db).close()
    with pytest.raises(report.ReportError, match="no audit run for 2026-Q2"):
        report.build_report(db, "P001", "2026-Q2", tmp_path / "x.pdf")


def test_unknown_provider_is_a_plain_error(audited, tmp_path):
    db, _ = audited
    with pytest.raises(report.ReportError, match="P404 has no results"):
        report.build_report(db, "P404", "2026-Q2", tmp_path / "x.pdf")


@pytest.mark.slow
def test_commands(audited, tmp_path):
    from typer.testing import CliRunner

    from audits.cli import app

    db, _ = audited
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "report",
            "--provider",
            "P001",
            "--period",
            "2026-Q2",
            "--pdf",
            str(tmp_path / "new" / "one.pdf"),
            "--db",
            str(db),
        ],
    )  # folder made
    assert result.exit_code == 0, result.output
    assert "Northgate Recovery" in PdfReader(tmp_path / "new" / "one.pdf").pages[0].extract_text()
    assert "folder is made if missing" in re.sub(r"[\s│]+", " ", runner.invoke(app, ["report", "--help"]).output)
    result = runner.invoke(
        app, ["reports", "--period", "2026-Q2", "--out", str(tmp_path / "all"), "--db", str(db), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "audit-P001-2026-Q2.pdf",
        "audit-P002-2026-Q2.pdf",
        "audit-P003-2026-Q2.pdf",
        "inputs-2026-Q2.csv",
    ]
    assert (tmp_path / "new" / "inputs-2026-Q2.csv").read_bytes() == (
        tmp_path / "all" / "inputs-2026-Q2.csv"
    ).read_bytes()
    result = runner.invoke(
        app, ["report", "--provider", "P001", "--period", "2026-Q5", "--pdf", str(tmp_path / "x.pdf"), "--db", str(db)]
    )
    assert result.exit_code == 1 and "not a quarter" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_story_review_commands(tmp_path):
    from typer.testing import CliRunner

    from audits.cli import app

    db = tmp_path / "audit.duckdb"
    load_pack(db)
    runner = CliRunner()
    held = runner.invoke(app, ["stories", "held", "--period", "2026-Q2", "--db", str(db)])
    assert held.exit_code == 0 and "P001 S05: held for the auditor: may contain a phone number" in held.output
    assert "07700" not in held.output  # words only with --show-words, which it points to
    assert "Read it first: the same command with --show-words" in held.output
    shown = runner.invoke(app, ["stories", "held", "--period", "2026-Q2", "--db", str(db), "--show-words"])
    assert "[[07700 900123]]" in shown.output and "Read it first" not in shown.output
    base = ["--provider", "P001", "--period", "2026-Q2", "--story", "S05", "--by", "A. Auditor", "--db", str(db)]
    refused = runner.invoke(app, ["stories", "redact", *base, "--text", "ring 07700 900111"])
    assert refused.exit_code == 1 and "07700" not in refused.output
    done = runner.invoke(app, ["stories", "redact", *base, "--text", "My keyworker rang me before appointments."])
    assert done.exit_code == 0 and "redacted version approved" in done.output
    assert (
        "No stories are waiting"
        in runner.invoke(app, ["stories", "held", "--period", "2026-Q2", "--db", str(db)]).output
    )
    missing = runner.invoke(
        app,
        [
            "stories",
            "clear",
            "--provider",
            "P001",
            "--period",
            "2026-Q2",
            "--story",
            "S99",
            "--by",
            "A. Auditor",
            "--db",
            str(db),
        ],
    )
    assert missing.exit_code == 1 and "no story S99" in missing.output


@pytest.mark.slow
def test_a_long_interview_prints_over_several_pages_and_every_report_is_drawn(tmp_path):
    """A consented story of about 14,000 characters (a long interview, one paragraph with
    sentences, and one run-on part with no full stop) flows over several pages instead of
    stopping the report (reportlab cannot split a table row)."""
    db = tmp_path / "audit.duckdb"
    with store.writing(db) as con:
        put_returns(con, "2026-Q2")
    sentence = "The peer worker sat with me every week and never once made me feel rushed or judged. "
    interview = sentence * 120 + "and then " * 400 + "that is the end of what I wanted to say."
    rows = read_rows()
    for row in rows:
        if row["story_id"] == "S07":
            row["story"] = interview
    load_pack(db, rows)
    runs.run_audit(db, "2026-Q2", STANDARDS, run_by="test")
    written = report_batch.build_reports(db, "2026-Q2", tmp_path / "pdfs", workers=1)
    assert len(written) == 3
    mine = next(p for p in written if "P001" in p.name)
    flat = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(mine).pages))
    assert "that is the end of what I wanted to say.”" in flat
    assert flat.count("never once made me feel rushed or judged") == 120
    assert all(len(piece) <= report.STORY_ROW_CHARACTERS for piece in report.story_pieces(interview))
    assert " ".join(report.story_pieces(interview)) == interview.strip()


def test_the_method_annex_explains_each_choice_with_references(pdf):
    _, _, flat = pdf
    annex = flat[flat.index("Annex B: how the audit works") : flat.index("Annex C: integrity")]
    # the running header and footer of a page break fall inside a paragraph's extracted text
    annex = re.sub(r"Independent audit · .{0,160}? · \d{4}-Q\d Lived Standards ", "", annex)
    annex = re.sub(r"Audit run run-\S+ · .{0,160}? Page \d+ ", "", annex)
    for section in method.SECTIONS:
        assert re.sub(r"\s+", " ", section.text) in annex, section.title
    for choice in (
        "this provider included",  # the benchmark pooled with the provider's own rows, and why
        "benchmark ± 1.96",  # the funnel's limits, the same test as the table's comparison
        "Newcombe's 95% interval of the difference",  # what changed
        "the data can't yet tell",  # uncertain ratings
        "A count, such as",  # why counts have no interval
    ):
        assert choice in annex, choice
    for reference in (
        "Wilson EB",
        "Newcombe RG. Interval estimation",
        "Spiegelhalter DJ",
        "Funnel Plots",
        "Campbell MJ",
    ):
        assert reference in annex, reference


def test_an_uncertain_rating_says_why_beside_its_figures(pdf):
    _, _, flat = pdf
    # peer-workforce: 5 of 10 staff (full-time equivalent), 50%, against Met at 25% or more
    assert (
        "Share of the workforce (full-time equivalent) with lived experience — Met on the figures, but the data "
        "can't yet tell: its 95% interval, 23.7% to 76.3%, reaches across the bar for Met (25% or more)"
    ) in flat
    assert "✔ Met on the figures; the data can't yet tell" in flat
    # the PDF is public: its benchmark pools the providers whose figures are shown (audits.disclosure)
    assert "Benchmark (providers shown, this one included)" in flat


def test_the_chart_draws_the_met_and_partly_met_bands_and_its_key_names_them(pdf):
    from reportlab.lib import colors

    from audits import ratings, report_charts

    _, _, flat = pdf
    assert "✔ Met from here" in flat and "◐ Partly met from here" in flat  # the key, read back
    row = {"label": "A share", "value": 0.5, "rating": "red", "green": 0.9, "amber": 0.75, "higher": True}
    lower = {**row, "green": 0.1, "amber": 0.25, "higher": False}

    def strips(chart) -> dict[str, tuple[float, float]]:
        tints = {colors.HexColor(ratings.look(r).colour).hexval(): r for r in ("green", "amber")}
        x = lambda v: report_charts.LABEL_WIDTH + report_charts.TRACK_WIDTH * v  # noqa: E731
        found = {
            tints[fill.hexval()]: (x0, x0 + width)
            for kind, (x0, _, width, height), _, _, _, fill in chart.marks
            if kind == "rect" and fill is not None and fill.hexval() in tints and height < 3
        }
        return {r: tuple(round((v - x(0)) / (x(1) - x(0)), 3) for v in span) for r, span in found.items()}

    assert strips(report_charts.proportion_chart([row])) == {"green": (0.9, 1.0), "amber": (0.75, 0.9)}
    assert strips(report_charts.proportion_chart([lower])) == {"green": (0.0, 0.1), "amber": (0.1, 0.25)}


@pytest.mark.slow
def test_a_report_drawn_after_others_is_the_same_bytes_as_drawn_first(audited, tmp_path, monkeypatch):
    """What a batch reuses (the run read once and split by provider, markup parsed once per
    process, lines broken once per markup, style and width for every report of the process)
    changes no byte: a report drawn after the others of its period is the report drawn first,
    in a fresh process's caches (dates and ids fixed)."""
    import datetime as dt

    from reportlab import rl_config

    from audits import findings

    db, run_id = audited
    monkeypatch.setattr(rl_config, "invariant", 1)
    with store.reading(db) as con:
        shared = findings.run_shared(con, run_id)
        providers = sorted(shared.published["provider_id"].unique())
        gathered = {p: findings.gather(con, p, "2026-Q2", shared=shared) for p in providers}
        alone = findings.gather(con, "P001", "2026-Q2", run_id=run_id)  # no batch: its own read of the run
    for data in [*gathered.values(), alone]:
        data.generated_at = dt.datetime(2026, 7, 1, 9, 30)
    assert len(providers) > 1 and any(not sec.stories.empty for sec in gathered["P001"].sections)
    monkeypatch.setattr(report_styles, "_PARSED", {})
    monkeypatch.setattr(report_styles, "_BROKEN", {})
    first = report.render(alone, tmp_path / "first.pdf").read_bytes()
    broken_once = dict(report_styles._BROKEN)
    for provider_id, data in gathered.items():
        report.render(data, tmp_path / f"{provider_id}.pdf")
    assert (tmp_path / "P001.pdf").read_bytes() == first
    assert len(report_styles._PARSED) > 50  # the later reports did reuse the parsed markup
    # ... and the lines broken for the first: the same lines, not broken again
    assert len(broken_once) > 50
    assert all(report_styles._BROKEN[key]["blPara"] is lines["blPara"] for key, lines in broken_once.items())


def test_a_report_reads_its_sections_rows_as_each_frame_would_give_them(audited):
    """report._records turns every section's frame into records at once: the same records, in
    the same order and with the same Python values (None, NaN, numbers, text), as each frame's
    own DataFrame.to_dict("records")."""
    import math

    import pandas as pd

    from audits import findings

    db, run_id = audited
    with store.reading(db) as con:
        data = findings.gather(con, "P001", "2026-Q2", run_id=run_id)
    measures, parts = [sec.measures for sec in data.sections], [sec.breakdowns for sec in data.sections]
    for frames in (measures, parts):
        full = next(f for f in frames if not f.empty)
        # pieces of one frame, as a report's sections are; none, and empty ones
        frames = [*frames, None, full.iloc[0:0], full.iloc[::-1]]
        assert sum(f is not None and not f.empty for f in frames) > 1  # so read at once
        want = [[] if f is None else f.to_dict("records") for f in frames]
        got = report._records(frames)
        assert len(got) == len(want)
        for rows, expected in zip(got, want, strict=True):
            assert [list(r) for r in rows] == [list(r) for r in expected]
            for row, other in zip(rows, expected, strict=True):
                for name, value in row.items():
                    assert type(value) is type(other[name]), name
                    same_nan = isinstance(value, float) and math.isnan(value) and math.isnan(other[name])
                    assert same_nan or value is other[name] or value == other[name], name
    # pieces of different types are each read alone
    mixed = [pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": ["x"]})]
    assert report._records(mixed) == [[{"a": 1}, {"a": 2}], [{"a": "x"}]]
    # every kind of column a report reads, with its missing values, as pandas gives them
    kinds = pd.DataFrame(
        {
            "text": pd.array(["a", None, "c"], dtype="str"),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "share": [0.5, float("nan"), 1.0],
            "flag": [True, False, True],
            "version": pd.array([1, 2, 3], dtype="int32"),
            "when": pd.to_datetime(["2026-01-01", None, "2026-03-01"]),
        }
    )
    for frame in (kinds, kinds.drop(columns="when")):
        rows, want = report._rows(frame), frame.to_dict("records")
        assert [[type(v) for v in r.values()] for r in rows] == [[type(v) for v in r.values()] for r in want]
        assert repr(rows) == repr(want)


def _printed_manifest_sha256(pdf: Path) -> str:
    """The input manifest's checksum as Annex C prints it, read back from the PDF."""
    flat = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(pdf).pages))
    found = re.findall(r"inputs-2026-Q2\.csvInputmanifestoftherun([0-9a-f]{64})", flat)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.slow
def test_each_pdf_prints_the_checksum_of_the_input_manifest_written_beside_it(audited, tmp_path):
    """The other providers' files are one checksum in each PDF: the checksum of the manifest the
    batch writes beside the PDFs, which lists each of them (by checksum, never by provider) and
    this provider's own submission, also listed in full in the PDF."""
    db, run_id = audited
    paths = report_batch.build_reports(db, "2026-Q2", tmp_path, workers=1)
    assert gc.get_freeze_count() == 0  # what the batch set aside from the collector is handed back
    inputs = (tmp_path / "inputs-2026-Q2.csv").read_bytes()
    rows = list(csv.DictReader(inputs.decode("utf-8").splitlines()))
    assert [r["kind"] for r in rows].count("submission") == 3 and [r["kind"] for r in rows].count("standard") >= 3
    for name in ("warm-welcome.yaml", "peer-workforce.yaml", "no-opiate-free-targets.yaml"):
        digest = hashlib.sha256((STANDARDS / name).read_bytes()).hexdigest()
        assert {"kind": "standard", "name": name, "sha256": digest}.items() <= next(
            r for r in rows if r["name"] == name
        ).items()
    assert not any(p in inputs.decode() for p in ("P001", "P002", "P003"))  # no provider is named in it
    with store.reading(db) as con:
        submissions = dict(
            con.execute(
                "SELECT name, sha256 FROM run_inputs WHERE run_id = ? AND kind = 'submission'", [run_id]
            ).fetchall()
        )
    assert sorted(r["sha256"] for r in rows if r["kind"] == "submission") == sorted(submissions.values())
    for path in paths:
        assert _printed_manifest_sha256(path) == hashlib.sha256(inputs).hexdigest(), path.name
        flat = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))
        provider_id = path.name.split("-")[1]
        assert submissions[provider_id] in flat  # its own submission, in full
        assert "Therunalsousedthereturnsof2otherproviders" in flat
        for other in set(submissions) - {provider_id}:
            assert submissions[other] not in flat and other not in flat  # counted, never named


def test_a_batchs_reports_are_each_drawn_once_in_batches_that_shrink_towards_the_end():
    jobs = list(range(150))
    for workers in (1, 2, 3):
        batches = report_batch._batches(jobs, workers)
        assert [j for b in batches for j in b] == jobs
        assert max(map(len, batches)) == report_batch.BATCH
    sizes = [len(b) for b in report_batch._batches(jobs, 2)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-2:] == [1, 1]  # the workers finish together
    assert report_batch._batches([], 2) == [] and report_batch._batches([7], 2) == [[7]]
