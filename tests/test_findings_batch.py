"""What a batch of reports reads once for the whole period (audits.findings.run_shared) gives each
provider exactly what its own reads give: the interviewers' work, the public actions from
earlier audits, the sign-offs, the settings and the input manifest."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pypdf import PdfReader
from reportlab import rl_config

from audits import (
    actions,
    capture,
    credits,
    disclosure,
    drafts,
    factcheck,
    findings,
    manifest,
    report,
    settings,
    signoffs,
    store,
    stories,
)

from support.stores import audited_with_pack, captured

pytestmark = pytest.mark.slow  # a store audited twice (a few seconds)


def test_a_batch_gathers_each_provider_as_its_own_reads_do(tmp_path):
    db, run_id = audited_with_pack(tmp_path / "audit.duckdb")
    with store.writing(db) as con:
        # interviewers' work for two providers, one of them credited by name
        for provider_id, credit, hours in (("P001", True, 2.0), ("P002", False, 1.5), ("P002", True, 0.5)):
            capture.add_story(con, captured(provider_id=provider_id, credit=credit, hours=hours), "test")
        # an action of P003 from the earlier audit, agreed
        action_id = actions.propose(
            con, "P003", "2026-Q1", "warm-welcome", "Call back within a day", "Manager",
            store.now().date() + dt.timedelta(days=30), "You notice", "Pat",
        )  # fmt: skip
        actions.review(con, action_id, "agreed", None, "Chris Commissioner")
        settings.put(con, "voices_needed", 2, "test")
        con.execute(
            f"INSERT INTO signoffs ({', '.join(signoffs.COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ["P002", "2026-Q2", run_id, "Ann Auditor", "Fair Audit Co", "I declare.", "ann", store.now()],
        )
    with store.reading(db) as con:
        shared = findings.run_shared(con, run_id).split_all()
        providers = sorted(shared.published["provider_id"].unique())
        assert providers == ["P001", "P002", "P003"]
        for provider_id in providers:
            found = findings.gather(con, provider_id, "2026-Q2", shared=shared)
            assert found.work == credits.work(con, "2026-Q2", provider_id), provider_id
            own = actions.public_plans(con, provider_id, before="2026-Q2")
            assert found.actions.to_dict("records") == own.to_dict("records"), provider_id
            assert found.signoff == signoffs.signoff_of_run(con, provider_id, "2026-Q2", run_id), provider_id
            assert all(sec.needed == 2 for sec in found.sections)
            assert found.inputs_sha256 == manifest.sha256(manifest.inputs(con, run_id))
        # the story table is read once and counted for the ratings shown: as reading it again gives
        pd.testing.assert_frame_equal(shared.shown, disclosure.public_standard_ratings(con, run_id))
        pd.testing.assert_frame_equal(shared.stories, stories.story_table(con, "2026-Q2"))
    assert shared.works["P002"].hours == 2.0 and shared.works["P001"].named == ("Sam Peer",)
    assert "P003" not in shared.works  # no story of it names an interviewer


def _same_findings(a: findings.Findings, b: findings.Findings) -> None:
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, obj=f"{a.provider_id} {name}")
        elif name == "sections":
            assert len(x) == len(y)
            for one, other in zip(x, y):
                for part in one.__dataclass_fields__:
                    u, v = getattr(one, part), getattr(other, part)
                    if isinstance(u, pd.DataFrame):
                        pd.testing.assert_frame_equal(u, v, obj=f"{a.provider_id} {one.standard.id} {part}")
                    else:
                        assert u == v, (a.provider_id, one.standard.id, part)
        else:
            assert x == y, (a.provider_id, name)


def test_what_a_period_reads_once_per_provider_gathers_as_each_report_reads_it(tmp_path, monkeypatch):
    """RunShared.per_provider: names, the run, files, rows held back, the factual accuracy check
    and the reply, read for every provider at once, give each exactly what its own reads give."""
    monkeypatch.setattr(rl_config, "invariant", 1)  # no time or random id in the file: bytes compare
    db, run_id = audited_with_pack(tmp_path / "audit.duckdb")
    with store.writing(db) as con:
        drafts.share(con, "P001", "2026-Q2", "Ann Auditor")
        drafts.share(con, "P002", "2026-Q2", "Ann Auditor")
        factcheck.comment(con, "P001", "2026-Q2", "warm-welcome", None, "41 not 38.", "Pat")
        factcheck.reply(con, "P002", "2026-Q2", "We have started calling people back.", "Pat")
        factcheck.reply(con, "P002", "2026-Q2", "We now call everyone back within a day.", "Pat")
        factcheck.reply(con, "P003", "2026-Q2", "A reply, then withdrawn.", "Sam")
        factcheck.reply(con, "P003", "2026-Q2", "", "Sam")
    with store.reading(db) as con:
        alone = findings.run_shared(con, run_id).split_all()
        once = findings.run_shared(con, run_id).per_provider(con).split_all()
        gathered = {}
        for provider_id in ("P001", "P002", "P003"):
            own = findings.gather(con, provider_id, "2026-Q2", shared=alone)
            batch = findings.gather(con, provider_id, "2026-Q2", shared=once)
            batch.generated_at = own.generated_at
            _same_findings(own, batch)
            gathered[provider_id] = batch
            pdfs = [tmp_path / f"{provider_id}-{way}.pdf" for way in ("own", "batch")]
            for found, path in zip((own, batch), pdfs):
                found.generated_at = dt.datetime(2026, 7, 1, 9, 30)
                report.render(found, path)
            # the same PDF: the same text on every page, title, language and outline (the same bytes)
            before, after = (PdfReader(path) for path in pdfs)
            assert [p.extract_text() for p in before.pages] == [p.extract_text() for p in after.pages]
            assert before.metadata.title == after.metadata.title and before.metadata.title
            assert before.trailer["/Root"]["/Lang"] == after.trailer["/Root"]["/Lang"]
            assert [o.title for o in before.outline if not isinstance(o, list)] == [
                o.title for o in after.outline if not isinstance(o, list)
            ]
            assert pdfs[0].read_bytes() == pdfs[1].read_bytes()
    assert "made 1 comment" in gathered["P001"].factcheck and "no comment" in gathered["P002"].factcheck
    assert gathered["P002"].reply["reply"] == "We now call everyone back within a day."
    assert gathered["P003"].reply is None and "No draft" in gathered["P003"].factcheck
    assert sum(len(f.quarantine) for f in gathered.values()) > 0  # the fixture pack has a row held back
    assert all(len(f.files) > 1 for f in gathered.values()) and gathered["P001"].provider_name
