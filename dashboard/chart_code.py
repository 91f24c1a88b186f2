"""Plotly's code fetched, run and exercised before a session's first chart, so that the chart
does not wait for it.

Streamlit loads the code of each kind of element the first time a page shows one. For a chart
that is Plotly's bundle, 4.7 MB of JavaScript, and the browser then compiles Plotly's drawing code
on its first draw: on the national store a session's first visit to a standard's page took
2.6-5.5 s in Chromium, against 1-1.5 s for later visits (measured with bench/pages.py). So one
small script, sent with the sign-in page (or with the first page of a session that is already
signed in), asks the browser at once to fetch and compile the very module Streamlit's chart
element imports (a modulepreload: same address, so the browser keeps one copy; work done off the
page's own thread). Once the sign-in page is drawn and the module fetched, when the browser is
idle, and only if the person has not yet started on the form, it runs the module: running it is ~0.7 s
of the page's own thread (national store, a quiet machine; most of it V8 compiling the functions
Plotly calls as it sets itself up), which no later moment can hide: run at the press of "Sign
in" it made the first page after signing in 0.7 s slower (it outlasts the server's check of the
password and its first page), and run at the click on a standard's page it was a third of that
page's first visit (median 2.9 s, 2.45 CPU-s of Chromium; 1.2 s, 1.3 CPU-s with the module run on
the sign-in page: the paired runs in the notes of issue 15). Started once the person is on the
form, it would hold up their typing, and a press of "Sign in" could come before it ended: then
the first page waits for it again (seen on a loaded machine). Once a signed-in page has been drawn for a
moment and the browser is idle, the script draws one tiny chart off screen with that module's
Plotly and removes it, so that Plotly's drawing code is compiled before the first real chart
(not when a page's own chart has drawn already: that did the work). Neither step starts in a
pause of a page's own loading, which it would hold up. A session that starts signed in (a
refresh, a pasted link) runs the module once a page has been drawn for a moment, or at a click
on a link to a standard's page (it draws its charts as it opens), whichever comes first: the
browser would otherwise wait idle while the server builds the page, then run it when the first
chart arrives.

Why it is safe on the sign-in page: the module is Streamlit's own public code, the same file for
everyone, served to anyone who can load the sign-in page; nothing of the store, the person or
the session is in it or sent with it, and the tiny chart is made-up numbers drawn in the
person's own browser, hidden from sight and from screen readers, and gone once drawn. If the
address cannot be found the script does nothing (the first chart loads as before).

The same moment (a signed-in page drawn for a moment, the browser idle) also runs the code of the
other kinds of element most pages show and the Guide does not (ELEMENTS: the choice of area,
period, standard or provider is a select box, 21 modules, 143 kB): a session's first overview
after the Guide fetched and compiled it at the click, 0.5 CPU-s of Chromium's on top of the
page's 0.3 (a CDP trace per Chromium process: the notes of issue 15), which for 20 sessions
clicking at once on this machine's two cores made the first round's median 21 s against 3.6 s
for later rounds. Same addresses as Streamlit's own imports, so each module runs once."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

STATIC = Path(st.__file__).resolve().parent / "static" / "static" / "js"
SENT = "_chart_code_sent"
# element modules run once a signed-in page is drawn and idle: every results page's choices
ELEMENTS = ("Selectbox",)
# how long a signed-in page stays drawn before the module is run, and again before the rehearsal:
# long enough that a pause between two runs of a page's script is not taken for a drawn page
WAIT_MS = 400


def module_name(static: Path = STATIC, element: str = "PlotlyChart") -> str | None:
    """The file name of Streamlit's module for a kind of element (its chart's by default) in this
    install (it carries a content hash), or None when there is not exactly one."""
    found = sorted(p.name for p in static.glob(f"{element}.*.js"))
    return found[0] if len(found) == 1 else None


def element_names(static: Path = STATIC) -> list[str]:
    """The file names of the ELEMENTS' modules in this install (those that can be named)."""
    return [n for n in (module_name(static, e) for e in ELEMENTS) if n is not None]


SCRIPT = """<script>
(function () {{
  var entry = document.querySelector('script[type=module][src*="/static/js/index."]');
  if (!entry || window.lsChartCode) return;
  window.lsChartCode = true;
  var base = entry.src.replace(/index\\.[^/]+\\.js(\\?.*)?$/, '');
  var address = base + '{module}';
  var app = document.querySelector('[data-testid=stApp]');
  /* drawn, and signed in (the menu shows): running the module and drawing wait for that */
  var drawnSignedIn = function () {{ return !!document.querySelector('[data-testid=stSidebarNav]'); }};
  var drawn = function () {{
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-stale=true], [data-testid=stSkeleton], [data-testid=stSpinner]')
      && !!document.querySelector('[data-testid=stSidebarNav]');
  }};
  /* at once, even on the sign-in page: fetch and compile the module, without running it (work
     off the page's own thread, so a person who signs in meanwhile does not wait for it) */
  var fetch = document.createElement('link');
  fetch.rel = 'modulepreload';
  fetch.href = address;
  var fetched = false;
  fetch.addEventListener('load', function () {{ fetched = true; }});
  document.head.appendChild(fetch);
  /* `then`, once the page has been drawn for `ms` (a person reading or typing), when the browser
     has nothing else to do: never in a pause of the page's own loading, which it would hold up */
  var later = function (then, ms) {{
    var since = null, wait = window.setInterval(function () {{
      if (!drawn()) {{ since = null; return; }}
      since = since || Date.now();
      if (Date.now() - since < ms) return;
      window.clearInterval(wait);
      if (window.requestIdleCallback) window.requestIdleCallback(then, {{timeout: 3000}});
      else then();
    }}, 100);
  }};
  /* a tiny chart of the kinds the dashboard draws (points with intervals and hover text, a line
     with a gap, bands, a threshold line and its label, a legend, a share's axis), off screen */
  var rehearse = function () {{
    var P = window.Plotly;
    if (!P || !P.newPlot) return;
    /* a page's own chart has drawn already (the person went straight to one): that did this work */
    if (document.querySelector('[data-testid=stPlotlyChart] .main-svg')) return;
    var box = document.createElement('div');
    box.setAttribute('aria-hidden', 'true');
    box.style.cssText = 'position:fixed;left:-10000px;top:0;width:480px;height:300px;visibility:hidden;';
    document.body.appendChild(box);
    /* hover text with markup, as the dashboard's, its brackets written as an escape: Streamlit's
       sanitiser drops a script whose text holds a tag */
    var lt = '\\x3c';
    var text = {{hovertemplate: lt + 'b>%{{customdata[0]}}' + lt + '/b>' + lt + 'br>%{{customdata[1]}}' + lt + 'extra>a' + lt + '/extra>',
      customdata: [['a', 'b'], ['c', 'd']]}};
    var data = [
      Object.assign({{type: 'scatter', mode: 'markers', name: 'a', x: ['2026-Q1', '2026-Q2'], y: [0.4, 0.6],
        marker: {{symbol: 'circle', size: 9, color: '#1a7f37', line: {{width: 1, color: 'white'}}}},
        error_y: {{type: 'data', symmetric: false, array: [0.1, 0.1], arrayminus: [0.1, 0.1], thickness: 1}}}}, text),
      Object.assign({{type: 'scatter', mode: 'lines+markers', name: 'b', x: ['2026-Q1', '2026-Q2'], y: [0.5, 0.7],
        error_y: {{type: 'constant', value: 0.05, thickness: 7, width: 0}}}}, text),
      {{type: 'scatter', mode: 'lines', name: 'c', x: [1, 2, NaN, 1, 2], y: [0.2, 0.3, NaN, 0.8, 0.9],
        line: {{dash: 'dot', width: 1}}, hoverinfo: 'skip'}}
    ];
    var layout = {{template: 'none', height: 300, margin: {{l: 84, r: 10, t: 60, b: 10}}, plot_bgcolor: 'white',
      title: {{text: 'a', subtitle: {{text: 'b'}}, x: 0.01, xanchor: 'left'}},
      legend: {{orientation: 'h', yref: 'container', y: 0, yanchor: 'bottom'}}, hoverlabel: {{bgcolor: 'white'}},
      yaxis: {{title: {{text: 'a'}}, tickformat: '.0%', range: [0, 1], fixedrange: true, automargin: true}},
      xaxis: {{fixedrange: true, automargin: true}},
      shapes: [{{type: 'rect', xref: 'paper', x0: 0, x1: 1, y0: 0.8, y1: 1, fillcolor: '#eeeeee', opacity: 0.6,
        line: {{width: 0}}, layer: 'below'}}, {{type: 'line', xref: 'paper', x0: 0, x1: 1, y0: 0.8, y1: 0.8,
        line: {{dash: 'dash', width: 1}}}}],
      annotations: [{{xref: 'paper', x: 1, y: 0.8, text: 'a', showarrow: false, xanchor: 'right'}}]}};
    Promise.resolve(P.newPlot(box, data, layout, {{displaylogo: false}}))
      .then(function () {{ window.lsChartCode = 'rehearsed'; }}, function () {{}})
      .then(function () {{ P.purge(box); box.remove(); }});
  }};
  /* run the module once a session: by the person's click on a link to a page that draws charts as
     it opens (a standard's), or once a signed-in page has been read for a moment */
  var run = function (rehearsal) {{
    if (window.lsChartRun) return;
    window.lsChartRun = true;
    import(address).then(function () {{ if (rehearsal) later(rehearse, {wait}); }}).catch(function () {{}});
  }};
  /* a click on a link to a standard's page: the browser then waits for the server to build the
     page, idle; running the module at once, rather than when the page's first chart arrives,
     puts that wait to use (the click itself is not held up: it has been handled) */
  document.addEventListener('click', function (event) {{
    var link = event.target && event.target.closest ? event.target.closest('a[href]') : null;
    if (!link || !drawnSignedIn()) return;
    var path = new URL(link.href, window.location.href).pathname.split('/').filter(Boolean);
    /* no rehearsal then: the page's own charts draw with the module at once */
    if (path.pop() === 'standard') window.setTimeout(function () {{ run(false); }}, 0);
  }}, true);
  /* on the sign-in page, once it is drawn and the browser is idle: run the module then, so that neither the
     first page after signing in nor the first page with charts waits for it. The rehearsal still
     waits for a signed-in page (it draws; a press of "Sign in" must not wait for it) */
  var signInDrawn = function () {{
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-stale=true], [data-testid=stSkeleton], [data-testid=stSpinner]')
      && !!document.querySelector('[data-testid=stForm]') && !drawnSignedIn();
  }};
  /* only once the module is fetched and compiled (it runs at once then), and only before the
     person starts on the form: run while they type, it would hold up their typing, and a press of
     "Sign in" could come before it has finished (then it outlasts the server's check of the
     password and holds up the first page); a person who starts at once has it run once a
     signed-in page is drawn, as below */
  var touched = false;
  ['focusin', 'pointerdown', 'keydown', 'input'].forEach(function (kind) {{
    document.addEventListener(kind, function (event) {{
      if (event.target && event.target.closest && event.target.closest('[data-testid=stForm]')) touched = true;
    }}, true);
  }});
  var onSignIn = window.setInterval(function () {{
    if (window.lsChartRun || touched || drawnSignedIn()) {{ window.clearInterval(onSignIn); return; }}
    if (!fetched || !signInDrawn()) return;
    window.clearInterval(onSignIn);
    var go = function () {{ if (!touched && !drawnSignedIn()) run(true); }};
    if (window.requestIdleCallback) window.requestIdleCallback(go, {{timeout: 1000}});
    else go();
  }}, 50);
  later(function () {{ run(true); }}, {wait});
  /* the other element code most pages need, run at the same kind of moment (once a session) */
  later(function () {{
    {elements}.forEach(function (name) {{ import(base + name).catch(function () {{}}); }});
  }}, {wait});
}})();
</script>"""


def send() -> None:
    """Send the script, once a session (a fresh page load is a fresh session: sent again), where
    the caller is drawing: the sign-in page's end, or the menu of a signed-in page."""
    if st.session_state.get(SENT):
        return
    name = module_name()
    if name is None:
        return
    st.session_state[SENT] = True
    st.html(script(name), unsafe_allow_javascript=True)


def script(module: str, elements: list[str] | None = None, wait: int = WAIT_MS) -> str:
    """The script for this install: Plotly's module (module_name), the ELEMENTS' modules (names
    without quotes or markup: Streamlit's own file names), the wait in milliseconds before running
    them on a signed-in page (on the sign-in page the module runs as soon as it can)."""
    names = element_names() if elements is None else elements
    listed = "[" + ", ".join(f"'{n}'" for n in names) + "]"
    return SCRIPT.format(module=module, wait=wait, elements=listed)


def when_idle() -> None:
    """Signed in: sent with the menu (a session that signed in on its sign-in page has it already)."""
    with st.sidebar:
        send()
