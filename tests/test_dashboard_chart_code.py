"""dashboard.chart_code: once signed in, the browser is asked to load Plotly's code while idle,
by the very module Streamlit's chart element loads, once a session."""

from __future__ import annotations

import re

import pytest

from dashboard import chart_code

from support.apptest import signed_in


def test_the_module_is_the_one_streamlits_chart_element_imports():
    name = chart_code.module_name()
    assert name is not None and name.startswith("PlotlyChart.") and name.endswith(".js")
    # Streamlit's front end imports its chart element by this relative address: the script's import
    # of the same address gives the same module, so the browser runs Plotly's code once
    page = (chart_code.STATIC.parent.parent / "index.html").read_text(encoding="utf-8")
    (entry,) = re.findall(r'<script type="module" crossorigin src="\./static/js/(index\.[^"/]+\.js)"', page)
    assert f"import(`./{name}`)" in (chart_code.STATIC / entry).read_text(encoding="utf-8")
    script = chart_code.SCRIPT.format(module=name)
    assert f"'{name}'" in script and "requestIdleCallback" in script and "import(address)" in script


def test_no_script_when_the_module_cannot_be_named(tmp_path):
    assert chart_code.module_name(tmp_path) is None
    (tmp_path / "PlotlyChart.a.js").write_text("")
    (tmp_path / "PlotlyChart.b.js").write_text("")
    assert chart_code.module_name(tmp_path) is None  # two: which one the front end imports is unknown


def _sent(at) -> int:
    return sum("PlotlyChart." in h.proto.body for h in at.sidebar.get("html"))


@pytest.mark.slow
def test_sent_once_a_session_after_signing_in(shared_env):
    at = signed_in("auditor")
    assert _sent(at) == 1
    at.switch_page("dashboard/guide.py").run()
    assert _sent(at) == 0  # already asked for in this session
