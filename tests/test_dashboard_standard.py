"""A standard's page (dashboard/standard.py) in Streamlit's AppTest: funnel, XmR, tables
and stories, small counts hidden from the public tier (the chart too) while exact figures go to
the auditor, a commissioner's own area and a provider's own, and the read-back sentence that
says what is counted."""

from __future__ import annotations

import html as html_lib
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from audits import accounts, words
from dashboard import measure_views, stories_view, ui

from support import dashboard_store
from support import disclosure_attacker as attacker
from support.apptest import (
    ACCOUNTS,
    APP,
    frames,
    html_tables,
    html_texts,
    no_exception,
    read_as_shown,
    signed_in,
    texts,
)

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_standard_page_has_funnel_xmr_tables_and_stories(shared_env):
    at = signed_in("commissioner")
    at.session_state["standard_id"] = "warm-welcome"
    at.session_state["provider_id"] = "P001"
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("99.8% limits" in s for s in specs)  # the funnel plot
    assert any("Usual range" in s for s in specs)  # Making Data Count's usual range over 9 quarters
    page = texts(at) + html_texts(at)
    assert "A warm welcome makes all the difference." in page  # the voice
    assert "a peer met me at the door <the first time>" in html_texts(at)  # a consented story, as written
    assert "&lt;the first time&gt;" in "".join(h.value for h in at.html)  # as text, never markup
    assert "07700 900123" not in page  # held by screening
    assert "sent away twice" not in page  # consent 'no'
    assert "Signal" in frames(at)[-1].columns or any("Signal" in f.columns for f in frames(at))


def standard_page(account: accounts.Account, standard_id: str = "warm-welcome") -> tuple[AppTest, pd.DataFrame]:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = account
    at.run()
    at.session_state["standard_id"] = standard_id
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    return at, frames(at)[0].set_index("Provider")


def test_small_counts_are_hidden_from_the_public_tier_and_the_chart_still_shows_the_provider(env):
    at, table = standard_page(ACCOUNTS["expert_citizen"])
    # 4 people at Hill Lane: hidden, and the page says why in plain words
    assert table.loc["Hill Lane Project", "Figure"] == "Not shown*: it would reveal fewer than 5 people"
    assert table.loc["Hill Lane Project", "Rating"] == "○ Too few to tell"
    page = texts(at)
    assert "because it would reveal fewer than 5 people" in page and words.HIDDEN_FOOTNOTE in page
    assert words.RESTRICTED_NOTE not in page  # nothing exact on an expert citizen's page
    # the others are not hidden to protect Hill Lane: the benchmark pools only the providers shown
    assert table.loc["Riverside Together", "Figure"] == "90.0% (54 of 60 people)"
    funnel = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if "99.8% limits" in c.proto.spec))
    # never silently missing: its size is hidden too, so it is a marked entry of the chart's legend
    entries = [t["name"] for t in funnel["data"]]
    assert "Hill Lane Project: not shown*, not on the chart" in entries
    # and nothing goes to the browser with more decimals than the page shows
    points = [
        y
        for t in funnel["data"]
        if t.get("mode", "").startswith("markers")
        for y in attacker.values(t["y"])
        if y is not None
    ]
    line = attacker.values(next(t for t in funnel["data"] if t["name"].startswith("Benchmark"))["y"])
    assert points and all(round(y, 3) == y for y in points + line)


def test_exact_figures_go_only_to_the_auditor_a_commissioners_own_area_and_a_providers_own(env):
    southvale = accounts.Account("sv", "Southvale commissioner", "commissioner", None, ("Southvale",))
    at, table = standard_page(southvale)
    # Hill Lane is in Southvale: exact, and the page says the figures are not for publication
    assert table.loc["Hill Lane Project", "Figure"] == "50.0% (2 of 4 people)"
    assert words.RESTRICTED_NOTE in "\n".join(w.value for w in at.warning)
    assert "your own area's providers are exact" in "\n".join(w.value for w in at.warning)
    # Northshire's providers are not theirs: public figures
    assert "people)" in table.loc["Riverside Together", "Figure"]
    _, table = standard_page(ACCOUNTS["commissioner"])  # no area recorded: every provider public
    assert table.loc["Hill Lane Project", "Figure"].startswith("Not shown*")
    at, table = standard_page(ACCOUNTS["auditor"])
    assert table.loc["Hill Lane Project", "Figure"] == "50.0% (2 of 4 people)"
    assert words.RESTRICTED_NOTE in "\n".join(w.value for w in at.warning)
    # a provider sees its own exact figures, lived experience of 3 staff included, marked so
    own = accounts.Account("p3", "Hill Lane", "provider", "P003")
    at, table = standard_page(own, "peer-workforce")
    assert words.RESTRICTED_NOTE in "\n".join(w.value for w in at.warning)
    assert not any(f.startswith("*") for f in table["Figure"])


def test_the_standard_page_says_what_is_counted_in_the_read_back_sentence(shared_env):
    at = signed_in("commissioner")
    at.session_state["standard_id"] = "warm-welcome"
    at.switch_page("dashboard/standard.py").run()
    assert "Of everyone in treatment at any time in the quarter, the share with the first supportive contact" in texts(
        at
    )


def test_every_providers_stories_show_under_its_own_heading_beside_its_rating(env):
    db, _ = env
    dashboard_store.add_pack(
        db,
        "P002",
        "2026-Q2",
        [
            (
                "R1",
                "family_member",
                "warm-welcome",
                "yes",
                "They rang my mum back the same day & asked what she needed.",
            ),
            ("R2", "person_using_services", "warm-welcome", "no", "Not for sharing."),
        ],
    )
    at, _ = standard_page(ACCOUNTS["commissioner"])
    headings = {h.proto.anchor: read_as_shown(h.value) for h in at.subheader if h.proto.anchor.startswith("stories-")}
    # P001's story and P002's, each under its own provider (not only the chosen one's); Hill Lane
    # has none and is not the chosen provider: named in one line instead
    assert headings == {
        "stories-p001": "Northgate Recovery Partnership (P001)",
        "stories-p002": "Riverside Together (P002)",
    }
    told = html_texts(at)
    assert "They rang my mum back the same day & asked what she needed." in told
    assert "a peer met me at the door <the first time>" in told
    assert "Told by a family member" in told
    assert "Not for sharing." not in told  # consent 'no'
    page = texts(at)
    assert "Rating for this standard: **◔ Met (provisional) on the figures; the data can't yet tell**" in page
    assert "No consented story speaks to this standard yet for: Hill Lane Project (P003)." in page
    # full contrast: the stories' style sets no opacity and no faded colour
    sheet = stories_view.STORY_CSS
    assert "opacity" not in sheet and "color: inherit" in sheet and "rgba" not in sheet


def _breakdowns(at: AppTest) -> list[pd.DataFrame]:
    """The breakdown tables: one static HTML table each (ui.table's static), named by its measure,
    provider, dimension and quarter; none drawn as st.table."""
    assert not [f for f in frames(at) if "Compared with everyone" in f.columns]
    tables = {name: t for name, t in html_tables(at).items() if "Compared with everyone" in t.columns}
    assert all(", by " in name for name in tables), list(tables)
    return list(tables.values())


def test_breakdowns_by_sex_age_and_ethnic_group_exact_for_the_auditor(env):
    at = signed_in("auditor")
    at.session_state["standard_id"] = "warm-welcome"
    at.session_state["provider_id"] = "P001"
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    tables = _breakdowns(at)
    assert tables, "no breakdown table on the standard page"
    sex = next(t for t in tables if "Female" in list(t["Group"])).set_index("Group")
    # P001: 80 people, every other one a woman
    assert sex.loc["Female", "Figure"].endswith("of 40 people)")
    assert sex.loc["Male", "Figure"].endswith("of 40 people)")
    assert sex.loc["Other", "Figure"] == "No people"
    assert set(sex["Compared with everyone"]) <= set(words.GROUP_COMPARISONS.values())
    assert "By sex, age and ethnic group" in texts(at)
    assert words.BREAKDOWN_NOTE in texts(at)
    assert [tab.label for tab in at.tabs][:3] == ["Sex", "Age", "Ethnic group"]


def test_breakdowns_of_a_small_provider_are_hidden_from_the_public_tier(env):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["account"] = ACCOUNTS["expert_citizen"]
    at.run()
    at.session_state["standard_id"] = "warm-welcome"
    at.session_state["provider_id"] = "P003"
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    # Hill Lane: 4 people, 2 women and 2 men: not broken down, which each measure says once, with
    # no table of groups that would each say "not shown" (nor tabs to hold them)
    assert _breakdowns(at) == []
    said = [m.value for m in at.markdown if m.value.startswith("Not broken down")]
    assert said and all(m == ui.md(words.NOT_BROKEN_DOWN) for m in said)
    assert not [t for t in at.tabs if t.label == "Sex"]
    assert words.RESTRICTED_NOTE not in "\n".join(w.value for w in at.warning)


def _many_providers_stories() -> None:
    """A standard's stories section with 12 providers' stories (national scale has 150)."""
    import pandas as pd

    from dashboard import stories_view

    ids = [f"P{i:03d}" for i in range(1, 14)]
    providers = pd.DataFrame({"provider_id": ids, "provider_name": [f"Service {i}" for i in ids]})
    told = pd.DataFrame(
        {
            "provider_id": ids[:12],
            "standards": [["warm-welcome"]] * 12,
            "text": [f"Story of {i} <b>as typed</b>" for i in ids[:12]],
            "teller": "person_using_services",
            "gathered_on": pd.Timestamp("2026-05-01"),
            "gathered_by": None,
            "redacted": False,
        }
    )
    ratings = dict.fromkeys(ids, "◑ Partly met")
    stories_view.every_provider(providers, told, "warm-welcome", "2026-Q2", ratings, chosen="P005")


def test_at_national_scale_the_chosen_providers_stories_stay_open_and_the_others_fold_one_line_each():
    at = AppTest.from_function(_many_providers_stories, default_timeout=30).run()
    no_exception(at)
    # the chosen provider (an overview cell's link lands on its anchor): heading, rating and stories open
    headings = [h for h in at.subheader if h.proto.anchor.startswith("stories-")]
    assert [(h.proto.anchor, read_as_shown(h.value)) for h in headings] == [("stories-p005", "Service P005 (P005)")]
    open_html = "".join(h.value for h in at.html if "P005" in h.value)
    assert "Story of P005 &lt;b&gt;as typed&lt;/b&gt;" in open_html  # people's words as text
    # the 11 others: one folded line each, name, rating and how many stories, A to Z, in one block
    # of HTML the browser folds by itself (a <details> each), each with that provider's stories only
    assert not at.expander
    folds = [h.value for h in at.html if "ls-folds" in h.value]
    assert len(folds) == 1
    found = re.findall(r'<details class="ls-fold"><summary>(.*?)</summary>(.*?)</details>', folds[0], re.S)
    assert [html_lib.unescape(line) for line, _ in found][:1] == ["Service P001 (P001) · ◑ Partly met · 1 story"]
    assert len(found) == 11 and "P005" not in " ".join(line for line, _ in found)
    for (line, body), i in zip(found, [f"P{n:03d}" for n in range(1, 13) if n != 5]):
        assert f"({i})" in line
        assert re.findall(r"Story of (P\d+)", body) == [i]  # its own story, and no other's
        assert f"Story of {i} &lt;b&gt;as typed&lt;/b&gt;" in body  # people's words as text
        assert "<details" not in body  # nothing in a story opens another fold
    assert "No consented story speaks to this standard yet for: Service P013 (P013)." in texts(at)


def _rows(restricted, standard_id: str = "warm-welcome"):
    """A standard's measure rows as the page reads them, in the tier `restricted` gives."""
    from dashboard import data

    db = data.db()
    cat = data.catalogue(db)
    period = cat.periods[-1]
    results = data.measure_results(db, cat, period, restricted)
    results = results[results["standard_id"] == standard_id].merge(cat.providers, on="provider_id")
    measures = {m.id: m for s in data.standards(db, cat.runs[period]) if s.id == standard_id for m in s.measures}
    return results.assign(name=lambda d: d["provider_name"]).sort_values("name"), measures


def test_the_words_of_each_row_read_from_dicts_are_those_read_row_by_row(shared_env):
    """Before/after: the page words its rows from dicts (to_dict) instead of iterrows' Series: every
    word of every row, in both tiers, is the same either way, and so is the chart's sentence."""
    from dashboard import downloads

    for restricted in ((), None):  # public rows (an expert citizen's), exact rows (the auditor's)
        rows, measures = _rows(restricted)
        assert not rows.empty
        for measure_id, measure in measures.items():
            mine = rows[rows["measure_id"] == measure_id]
            series = [r for _, r in mine.iterrows()]
            table = measure_views.measure_table(mine, measure)
            assert list(table["Rating"]) == [words.result_rating(r) for r in series]
            assert list(table["Figure"]) == [words.figure(measure, r) for r in series]
            assert list(table["95% interval"]) == [words.interval(measure, r) for r in series]
            assert list(table["Compared with the benchmark"]) == [words.benchmark(measure, r)[1] for r in series]
            download = downloads.results_frame(mine, measure)
            assert list(download["figure"]) == [words.figure(measure, r) for r in series]
            assert list(download["suppressed_why"]) == [words.hidden_why(r) for r in series]
            assert list(download["tier"]) == list(mine["tier"])
            benchmark = mine["benchmark"].dropna()
            benchmark = float(benchmark.iloc[0]) if not benchmark.empty else None
            for chosen in (None, "P001", "P003"):
                assert words.across_providers_summary(
                    measure, mine.to_dict("records"), benchmark, True, chosen
                ) == words.across_providers_summary(measure, series, benchmark, True, chosen)


def test_a_built_measure_is_never_served_to_a_viewer_of_another_tier(shared_env):
    """measure_view is cached across sessions, keyed by the rows' content (their tier and every
    figure): the auditor's exact build, made first, is not what the public gets for the same
    measure and provider ringed; and each build says what its own rows say."""

    exact, measures = _rows(None)
    public, _ = _rows(())
    measure = measures["contact-within-2-days"]
    mine = exact[exact["measure_id"] == measure.id]
    theirs = public[public["measure_id"] == measure.id]
    first = measure_views.measure_view(mine, measure, False, "P003")
    assert measure_views.measure_view(mine, measure, False, "P003") is first  # warm: the same build
    shown = measure_views.measure_view(theirs, measure, True, "P003")
    assert shown is not first
    hill_lane = lambda view: view.table.set_index("Provider").loc["Hill Lane Project", "Figure"]  # noqa: E731
    assert hill_lane(first) == "50.0% (2 of 4 people)"
    assert hill_lane(shown) == "Not shown*: it would reveal fewer than 5 people"
    assert set(first.download["tier"]) == {"restricted"} and set(shown.download["tier"]) == {"public"}
    assert "2 of 4" not in shown.said + shown.caption + json.dumps(shown.fig.to_plotly_json(), default=str)
    # the ringed provider is part of the key: another choice is another build
    assert measure_views.measure_view(theirs, measure, True, "P001") is not shown


def test_a_built_trend_is_never_served_to_a_viewer_of_another_tier_and_says_what_it_did(shared_env):
    """trend_view is cached across sessions, keyed by the provider's rows (their tier and every
    figure): Hill Lane's exact quarters and its public quarters are two builds; and its table,
    worded from dicts, is the one worded row by row (before/after)."""
    from dashboard import data, over_time

    db = data.db()
    cat = data.catalogue(db)
    measure = next(
        m for s in data.standards(db, cat.runs[cat.periods[-1]]) if s.id == "warm-welcome" for m in s.measures
    )
    periods = tuple(cat.periods)
    built = {}
    for restricted in (None, ()):
        history = data.history(db, cat, restricted)
        rows = history[(history["provider_id"] == "P003") & (history["measure_id"] == measure.id)].sort_values("period")
        built[restricted] = view = over_time.trend_view(rows, periods, measure, "Hill Lane Project")
        quarters = over_time.every_quarter(history, rows)
        assert set(view.download["tier"]) == {"restricted" if restricted is None else "public"}
        assert list(view.table["Figure"]) == [words.figure(measure, r) for _, r in quarters.iterrows()]
        assert over_time.trend_view(rows, periods, measure, "Hill Lane Project") is view  # warm: the same
    exact, public = built[None], built[()]
    assert exact is not public
    assert "2 of 4 people" in " ".join(exact.table["Figure"])
    assert "2 of 4 people" not in " ".join(public.table["Figure"]) + public.said + public.caption


def test_the_stories_html_built_once_a_quarter_is_each_providers_own(shared_env):
    """Before/after: the cached HTML of every provider's stories of a standard is what figures_html
    draws from that provider's stories alone (stories_view.of), and no provider's is missing."""
    from dashboard import data

    db = data.db()
    told = data.period_stories(db, data.catalogue(db).periods[-1])
    quotes = stories_view._quotes_of(told, "warm-welcome")
    assert quotes
    for provider_id in told["provider_id"].unique():
        mine = stories_view.of(told, provider_id, "warm-welcome")
        assert quotes.get(provider_id) == (stories_view.figures_html(mine) if not mine.empty else None)
    # keyed by the stories' content: a story kept out or withdrawn is another entry, at once
    gone = next(iter(quotes))
    assert gone not in stories_view._quotes_of(told[told["provider_id"] != gone], "warm-welcome")
    assert stories_view._quotes_of(told.copy(), "warm-welcome") == quotes


def test_built_breakdowns_are_never_served_to_a_viewer_of_another_tier(shared_env):
    """breakdowns_view._built is cached across sessions, keyed as its read is (run, provider,
    standard and exact or public): Hill Lane's exact tables (built first) are not what the public
    gets, and each is the table breakdown_tables words from that tier's rows (before/after)."""
    from audits import breakdown_tables
    from dashboard import breakdowns_view, data

    db = data.db()
    cat = data.catalogue(db)
    period = cat.periods[-1]
    standard = next(s for s in data.standards(db, cat.runs[period]) if s.id == "warm-welcome")
    sexes = {}
    for exact, run_id in ((True, cat.runs[period]), (False, cat.public_run(period))):
        tables, download, broken = breakdowns_view._built(db, run_id, "P003", standard, exact)
        rows = breakdowns_view._rows(db, run_id, "P003", standard.id, exact)
        for (measure_id, dimension), table in tables.items():
            measure = next(m for m in standard.measures if m.id == measure_id)
            assert table.equals(breakdown_tables.table(rows, measure, dimension))
            mine = rows[rows["measure_id"] == measure_id].to_dict("records")
            assert broken[measure_id] == breakdown_tables.not_broken_down(mine)
        # exact figures are broken down whatever their size
        assert exact is False or set(broken.values()) == {""}
        assert set(download["tier"]) == {"restricted" if exact else "public"}
        sexes[exact] = next(t for t in tables.values() if "Female" in list(t["Group"])).set_index("Group")
    assert sexes[True].loc["Female", "Figure"].endswith("of 2 people)")
    assert sexes[False].loc["Female", "Figure"].startswith("Not shown*")
