"""dashboard.chart_code: with the sign-in page (or the first page of a session already signed in),
the browser is asked to fetch Plotly's code, then once signed in to run it and draw one tiny chart
off screen, by the very module
Streamlit's chart element loads, once a session."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import chart_code

from support import dashboard_store
from support.apptest import APP, signed_in


def test_the_module_is_the_one_streamlits_chart_element_imports():
    name = chart_code.module_name()
    assert name is not None and name.startswith("PlotlyChart.") and name.endswith(".js")
    # Streamlit's front end imports its chart element by this relative address: the script's import
    # of the same address gives the same module, so the browser runs Plotly's code once
    page = (chart_code.STATIC.parent.parent / "index.html").read_text(encoding="utf-8")
    (entry,) = re.findall(r'<script type="module" crossorigin src="\./static/js/(index\.[^"/]+\.js)"', page)
    assert f"import(`./{name}`)" in (chart_code.STATIC / entry).read_text(encoding="utf-8")
    script = chart_code.script(name)
    assert f"'{name}'" in script and "requestIdleCallback" in script and "import(address)" in script
    # the module puts its Plotly on window, which the rehearsal draws with
    assert "window.Plotly=" in (chart_code.STATIC / name).read_text(encoding="utf-8")


def test_the_element_modules_are_the_ones_streamlit_imports_and_are_run_once_drawn():
    """The select box's module (every results page's choices, not on the Guide): the script runs
    it by the very address Streamlit's front end imports, at the moment it runs Plotly's."""
    names = chart_code.element_names()
    assert [n.split(".")[0] for n in names] == list(chart_code.ELEMENTS)
    page = (chart_code.STATIC.parent.parent / "index.html").read_text(encoding="utf-8")
    (entry,) = re.findall(r'<script type="module" crossorigin src="\./static/js/(index\.[^"/]+\.js)"', page)
    index = (chart_code.STATIC / entry).read_text(encoding="utf-8")
    assert all(f"import(`./{n}`)" in index for n in names)
    script = chart_code.script("PlotlyChart.x.js", ["Selectbox.y.js"], 400)
    assert "['Selectbox.y.js'].forEach(function (name) { import(base + name)" in script
    assert script.count("later(function () {") == 2  # both wait for a drawn page, none runs on the sign-in page
    assert chart_code.script("PlotlyChart.x.js", [], 400).count("[].forEach") == 1  # none found: nothing run


def test_a_click_on_a_link_to_a_standards_page_runs_the_module_at_once_and_only_once():
    """A standard's page draws its charts as it opens: a click on a link to it (the menu's, an
    overview cell's) runs the module while the server builds the page; either way it runs once."""
    script = chart_code.script("PlotlyChart.x.js", ["Selectbox.y.js"], 400)
    assert "addEventListener('click'" in script and "=== 'standard'" in script
    assert script.count("import(address)") == 1  # one place runs it, guarded by lsChartRun
    assert "if (window.lsChartRun) return;" in script and "later(function () { run(true); }, 400);" in script
    assert "run(false)" in script and "if (rehearsal) later(rehearse, 400)" in script  # no rehearsal after a click


def test_on_the_sign_in_page_the_module_runs_only_once_fetched_and_before_the_form_is_touched():
    """Run on the sign-in page while the person has not started on the form, and only once the
    module is fetched and compiled (it runs at once then): a press of "Sign in" can then never
    come before the run has ended (run then it held up the first page after signing in)."""
    script = chart_code.script("PlotlyChart.x.js", wait=400)
    assert "fetch.addEventListener('load', function () { fetched = true; });" in script
    assert "['focusin', 'pointerdown', 'keydown', 'input']" in script and "closest('[data-testid=stForm]')" in script
    assert (
        "if (window.lsChartRun || touched || drawnSignedIn())" in script and "if (!fetched || !signInDrawn())" in script
    )
    assert "if (!touched && !drawnSignedIn()) run(true);" in script


def test_the_script_survives_streamlits_sanitiser():
    """st.html runs a script only if DOMPurify keeps it, and DOMPurify drops an element whose text
    holds what looks like a tag ("<b", "</"): the only ones allowed are the script's own."""
    script = chart_code.script("PlotlyChart.x.js", ["Selectbox.y.js"], 400)
    assert re.findall(r"<[/\w!]", script) == ["<s", "</"]
    assert script.startswith("<script>") and script.endswith("</script>")


def test_no_script_when_the_module_cannot_be_named(tmp_path):
    assert chart_code.module_name(tmp_path) is None
    (tmp_path / "PlotlyChart.a.js").write_text("")
    (tmp_path / "PlotlyChart.b.js").write_text("")
    assert chart_code.module_name(tmp_path) is None  # two: which one the front end imports is unknown


def _sent(elements) -> list[str]:
    return [h.proto.body for h in elements.get("html") if "PlotlyChart." in h.proto.body]


@pytest.mark.slow
def test_sent_once_a_session_after_signing_in(shared_env):
    at = signed_in("auditor")
    (script,) = _sent(at.sidebar)
    assert "ms) return" in script and f"later(function () {{ run(true); }}, {chart_code.WAIT_MS});" in script
    at.switch_page("dashboard/guide.py").run()
    assert _sent(at.sidebar) == []  # already asked for in this session


@pytest.mark.slow
def test_sent_with_the_sign_in_page_and_not_again_once_signed_in(env):
    at = AppTest.from_file(APP, default_timeout=30).run()
    (script,) = _sent(at.main)  # at the page's end, after the form: the person types meanwhile
    assert "modulepreload" in script and _sent(at.sidebar) == []
    last = at.main.children[max(at.main.children)]
    assert getattr(last, "proto", None) is not None and last.proto.body == script
    at.text_input[0].input("commissioner")
    at.text_input[1].input(dashboard_store.PASSWORD)
    at.button[0].click().run()
    assert at.session_state["account"].role == "commissioner"
    assert _sent(at.main) == [] and _sent(at.sidebar) == []  # the browser has it from the sign-in page
