"""What a batch of reports reads once for the whole period (audits.findings.run_shared) gives each
provider exactly what its own reads give: the interviewers' work, the public actions from
earlier audits, the sign-offs, the settings and the input manifest."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from audits import actions, capture, credits, disclosure, findings, manifest, settings, signoffs, store, stories

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
