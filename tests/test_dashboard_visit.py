"""The visit kit (dashboard/visit.py) in Streamlit's AppTest: the interview guides and the
workbook to download, loading stories back for the interviewer only."""

from __future__ import annotations

import pytest

from support.apptest import no_exception, signed_in

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_the_visit_kit_offers_the_guides_and_the_workbook_and_loads_it_back_for_an_interviewer(env):
    at = signed_in("expert_citizen")
    at.switch_page("dashboard/visit.py").run()
    no_exception(at)
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("Download the guides (3 standards)") for label in labels)
    assert not at.get("file_uploader")  # loading stories is for the interviewer and the auditor
    at = signed_in("peer_interviewer")
    at.switch_page("dashboard/visit.py").run()
    no_exception(at)
    assert at.get("file_uploader")
