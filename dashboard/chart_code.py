"""Plotly's code fetched and run while the browser has nothing else to do, so that a session's
first chart does not wait for it.

Streamlit loads the code of each kind of element the first time a page shows one. For a chart
that is Plotly's bundle, 4.7 MB of JavaScript: on the national store a session's first visit to a
standard's page took 4-9 s in Chromium, against 1-2.7 s for later visits, most of it fetching,
compiling and running that bundle (measured with bench/pages.py). Once a person has
signed in, one small script waits until the page has finished and stayed finished for a second
(the person is reading it; never in a pause of the page's own loading), then asks the browser,
when it is idle, to import the very module
Streamlit's chart element imports (same address, so the browser keeps one copy): by the time
someone opens a page with a chart, it is there. Nothing is drawn, nothing is sent anywhere else,
and if the address cannot be found the script does nothing (the chart loads as before)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

STATIC = Path(st.__file__).resolve().parent / "static" / "static" / "js"
SENT = "_chart_code_sent"


def module_name(static: Path = STATIC) -> str | None:
    """The file name of Streamlit's chart element module in this install (it carries a content
    hash), or None when there is not exactly one."""
    found = sorted(p.name for p in static.glob("PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


SCRIPT = """<script>
(function () {{
  var entry = document.querySelector('script[type=module][src*="/static/js/index."]');
  if (!entry) return;
  var address = entry.src.replace(/index\\.[^/]+\\.js(\\?.*)?$/, '{module}');
  var load = function () {{ import(address).catch(function () {{}}); }};
  var app = document.querySelector('[data-testid=stApp]'), quiet = 0;
  /* only once the page has finished and stayed finished for a second (the person is reading it):
     never in a pause of the page's own loading, which the 4.7 MB would then hold up */
  var wait = window.setInterval(function () {{
    var done = app && app.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-stale=true], [data-testid=stSkeleton]');
    quiet = done ? quiet + 1 : 0;
    if (quiet < 2) return;
    window.clearInterval(wait);
    if (window.requestIdleCallback) window.requestIdleCallback(load, {{timeout: 4000}});
    else load();
  }}, 500);
}})();
</script>"""


def when_idle() -> None:
    """Send the script once a session (a fresh page load is a fresh session: sent again)."""
    if st.session_state.get(SENT):
        return
    name = module_name()
    if name is None:
        return
    st.session_state[SENT] = True
    with st.sidebar:
        st.html(SCRIPT.format(module=name), unsafe_allow_javascript=True)
