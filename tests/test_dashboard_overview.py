"""The overview page (dashboard/overview.py, overview_matrix.py, watch.py) in Streamlit's AppTest:
the matrix of every provider against every standard (worst first, short labels, stories in each
cell, each cell a link), the watch list, real change apart from noise, and links that land on a
provider's stories of a standard."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from audits import words
from audits.standard_model import Standard
from dashboard import overview, overview_matrix, overview_pieces, stories_view, watch

from support.apptest import html_tables, html_texts, no_exception, overview_cells, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): those tests are marked slow.
slow = pytest.mark.slow


def _cells(at: AppTest) -> dict:
    """The matrix's cells by (provider id, standard id), read from their links."""
    out = {}
    for cell in overview_cells(at):
        if cell["tag"] == "td":
            query = parse_qs(urlsplit(cell["href"]).query)
            out[(query["provider"][0], query["standard"][0])] = cell
    return out


@slow
def test_the_matrix_says_each_rating_and_its_stories_worst_first_with_short_labels(shared_env):
    at = signed_in("commissioner")
    no_exception(at)
    assert "people with lived experience wrote" in texts(at)  # what the page is for
    cells = overview_cells(at)
    heads = [c for c in cells if c["row"] == 0][1:]
    # short labels to the eye; the full title on hover and to a screen reader
    assert [h["seen"] for h in heads] == ["No opiate free targets", "Peer workforce", "Warm welcome"]
    assert [h["said"] for h in heads] == [h["title"] for h in heads]
    assert heads[2]["said"] == "A warm welcome within days"
    assert heads[2]["href"] == "standard?standard=warm-welcome&period=2026-Q2"
    rows = [c for c in cells if c["tag"] == "th" and c["row"] > 0]
    # worst first: the share of standards met (Hill Lane 1 of 2, Riverside 2 of 3, Northgate 3 of 3)
    assert [r["seen"] for r in rows] == [
        "Hill Lane Project Met 1 of 2",
        "Riverside Together Met 2 of 3",
        "Northgate Recovery Partnership Met 3 of 3",
    ]
    assert rows[0]["href"] == "provider?provider=P003&period=2026-Q2"
    assert "1 too few to tell or not shown" in rows[0]["said"]
    by_pair = _cells(at)
    # each cell: symbol and word, its stories, and a link to that provider's stories of that standard
    welcome = by_pair[("P001", "warm-welcome")]
    assert welcome["href"] == "standard?standard=warm-welcome&provider=P001&period=2026-Q2#stories-p001"
    assert welcome["said"] == "✔ Met * stories"  # the link's name; the eye sees stripes as well
    assert welcome["seen"].startswith("✔ Met")
    # this commissioner has no area of its own: every figure is public, so P001's one printable
    # story (S1: S2 is held for a phone number, S3 said no) is counted as voices heard are
    # (the count's words in full are the link's title: on hover, and its description to a screen reader)
    assert welcome["seen"].endswith("* stories") and "fewer than 5 people" in welcome["title"]
    assert welcome["title"].startswith(
        "Northgate Recovery Partnership, A warm welcome within days: ✔ Met " + words.UNCERTAIN
    )
    assert welcome["class"] == "ls-r-green ls-u"  # tinted, striped and outlined by its class (one rule each)
    assert by_pair[("P002", "warm-welcome")]["seen"] == "◔ Met (provisional) no story"
    assert by_pair[("P003", "warm-welcome")]["seen"] == "○ Too few to tell no story"
    assert "striped cell with a dashed outline" in at.html[0].value
    # the one-line summary, and no list of the same names under the matrix any more
    assert "3 providers against 3 standards: 6 of the 8 ratings met" in texts(at)
    assert not at.get("page_link")
    at.selectbox[0].select("Southvale").run()
    assert [c["seen"] for c in overview_cells(at) if c["tag"] == "th" and c["row"] > 0] == [
        "Hill Lane Project Met 1 of 2"
    ]
    assert _cells(at)[("P003", "warm-welcome")]["href"].endswith("&period=2026-Q2&area=Southvale#stories-p003")


def _row_heads(at: AppTest, block: int = 0) -> list[str]:
    return [c["seen"] for c in overview_cells(at, block) if c["tag"] == "th" and c["row"] > 0]


@slow
def test_a_national_view_draws_the_fewest_met_first_and_the_rest_only_when_opened(shared_env, monkeypatch):
    # the dashboard's store has 3 providers: with FIRST at 1 it is drawn as a national view of 150
    # is with FIRST at 15 (checked by hand on the national store)
    st.cache_data.clear()  # pieces built with the real FIRST by other tests must not be replayed
    monkeypatch.setattr(overview_pieces, "FIRST", 1)
    try:
        at = signed_in("commissioner")
        no_exception(at)
        label = "All other providers (2)"
        assert _row_heads(at) == ["Hill Lane Project Met 1 of 2"]  # the fewest standards met
        assert "The table shows the 1 provider with the fewest standards met." in texts(at)
        assert f"The other 2 providers are under “{label}”, below it." in texts(at)
        assert [e.label for e in at.expander][0] == label
        assert "Riverside Together" not in html_texts(at)  # folded: not built until opened
        assert "3 providers against 3 standards: 6 of the 8 ratings met" in texts(at)  # the summary: all of them
        heads = [c for c in overview_cells(at) if c["row"] == 0]
        at.session_state["overview_matrix_more"] = True  # opened: the browser sends it back, the page reruns
        at.run()
        no_exception(at)
        # the rest, worst first as before, in the same matrix: same headers, same cells and links
        assert _row_heads(at, 1) == ["Riverside Together Met 2 of 3", "Northgate Recovery Partnership Met 3 of 3"]
        assert [c for c in overview_cells(at, 1) if c["row"] == 0] == heads
        rest = {(c["href"], c["seen"]) for c in overview_cells(at, 1) if c["tag"] == "td"}
        assert ("standard?standard=warm-welcome&provider=P001&period=2026-Q2#stories-p001", "✔ Met * stories") in rest
        # an area's matrix of no more than FIRST providers has no fold
        at.selectbox[0].select("Southvale").run()
        assert _row_heads(at) == ["Hill Lane Project Met 1 of 2"]
        assert label not in [e.label for e in at.expander] and "All other providers" not in texts(at)
    finally:
        st.cache_data.clear()


@slow
def test_the_auditor_reads_exact_story_counts(shared_env):
    at = signed_in("auditor")
    by_pair = _cells(at)
    assert by_pair[("P001", "warm-welcome")]["seen"] == "✔ Met 1 story"
    assert by_pair[("P001", "peer-workforce")]["title"].endswith(
        "1 story told with consent. Open its figures and stories."
    )


@slow
def test_what_changed_keeps_real_change_apart_from_noise(shared_env):
    at = signed_in("commissioner")
    page = texts(at)
    assert "0 ratings got clearly worse and 0 clearly better" in page
    assert "2 other ratings moved without a clear change in the figures" in page
    assert not at.table  # static HTML tables: st.table drew each cell as Markdown in the browser
    label = "Moves that are not a clear change in the figures (2)"
    assert [e.label for e in at.expander] == [label]
    assert label not in html_tables(at)  # folded: not built into the page until it is opened
    at.session_state["overview_moves"] = True  # opened (the browser sends its state back; the page reruns)
    at.run()
    no_exception(at)
    moved = html_tables(at)[label]
    assert moved.attrs["scopes"] == ["col"] * 5
    # Before and Now tinted by class (Now: met on the figures, the data can't yet tell: striped)
    assert moved.attrs["classes"][0][2:4] == ["ls-r-amber", "ls-r-green ls-u"]
    assert "means" in texts(at)  # what the words of the moves mean, under them
    moved = moved.set_index(["Provider", "Standard"])
    assert words.CHANGE_WORSE not in set(moved["Change"]) and words.CHANGE_BETTER not in set(moved["Change"])
    # P001's welcome rose from Partly met to Met, by 2.5 points of 80 people: within chance
    welcome = moved.loc[("Northgate Recovery Partnership", "A warm welcome within days")]
    assert welcome["Change"] == words.CHANGE_UNCLEAR
    assert welcome["Before"] == "◐ Partly met"
    # its peer workforce gained a confirming story: the same figures, neither better nor worse
    peers = moved.loc[("Northgate Recovery Partnership", "People with lived experience work in every team")]
    assert peers["Change"] == words.CHANGE_CONFIRMED
    assert "No provider got clearly worse since the last quarter" in page


def _moves(*rows) -> pd.DataFrame:
    columns = ["provider_id", "provider_name", "standard_id", "shown", "shown_before", "uncertain", "clear"]
    moved = pd.DataFrame(rows, columns=columns)
    return moved.assign(
        change_short=[
            words.change(n, b, c, short=True) for n, b, c in zip(moved["shown"], moved["shown_before"], moved["clear"])
        ]
    )


def test_a_missing_story_is_never_worse_and_only_clear_moves_are_change():
    moved = _moves(
        ("P1", "One", "s1", "red", "amber", False, True),  # the figures fell by more than chance
        ("P1", "One", "s2", "amber", "green", False, False),  # within chance
        ("P2", "Two", "s1", "provisional", "green", False, None),  # no confirming story this quarter
        ("P2", "Two", "s2", "differs", "green", False, None),  # a story contradicts: not the figures
    )
    real, rest = watch.split(moved)
    assert list(zip(real["provider_id"], real["standard_id"])) == [("P1", "s1")]
    said = dict(zip(rest["standard_id"] + rest["provider_id"], watch.change_words(rest)))
    assert said == {
        "s2P1": words.CHANGE_UNCLEAR,
        "s1P2": words.CHANGE_UNCONFIRMED,
        "s2P2": watch.BY_STORIES,
    }
    assert words.CHANGE_WORSE not in said.values()
    table = overview.changes(rest.assign(change_short=watch.change_words(rest)), {"s1": "S one", "s2": "S two"})
    assert words.CHANGE_WORSE not in set(table["Change"])


def test_the_watch_list_names_who_got_worse_is_much_worse_or_has_actions_overdue():
    moved = _moves(
        ("P1", "One", "s1", "red", "amber", False, True), ("P3", "Three", "s1", "green", "amber", False, True)
    )
    real, _ = watch.split(moved)
    shown = pd.DataFrame({"provider_id": ["P1", "P2", "P3", "P4"], "standard_id": "s1"})
    measures = pd.DataFrame(
        {
            "provider_id": ["P1", "P2", "P3", "P9"],
            "standard_id": "s1",
            "comparison": ["worst", "worst", "similar", "worst"],
        }
    )
    late = pd.DataFrame({"provider_id": ["P2", "P2", "P4"]})
    names = {"P1": "One", "P2": "Two", "P3": "Three", "P4": "Four"}
    table = watch.watch_list(shown, names, {"s1": "S one"}, real, measures, late)
    assert list(table["Provider"]) == ["One", "Two", "Four"]  # the most reasons first; P3 got better
    why = dict(zip(table["Provider"], table["Why it is on the watch list"]))
    assert why["One"].startswith("↓ Clearly worse since last quarter: S one")
    assert "Much worse than the benchmark on 1 measure" in why["One"]
    assert "2 agreed actions overdue" in why["Two"] and why["Four"] == "1 agreed action overdue"
    assert "(outside its 99.8% limits): S one" in why["One"]  # no between_variance: chance alone
    # the comparisons allowed for the usual spread between providers: the reason says so
    spread = watch.watch_list(shown, names, {"s1": "S one"}, real, measures.assign(between_variance=0.004), late)
    said = dict(zip(spread["Provider"], spread["Why it is on the watch list"]))["Two"]
    assert "(outside its 99.8% limits, allowing for the usual spread between providers): S one" in said


def test_story_counts_in_public_are_protected_as_voices_heard_are():
    assert stories_view.count_words(0, True)[0] == "no story"
    assert stories_view.count_words(3, True)[0] == "* stories"
    assert stories_view.count_words(3, False)[0] == "3 stories"
    assert stories_view.count_words(1, False)[0] == "1 story"
    assert stories_view.count_words(12, True)[0] == "12 stories"
    assert (
        overview_matrix.short_label(
            Standard.model_construct(id="trauma-informed-access", title="A warm, trauma-informed welcome, with support")
        )
        == "Trauma informed access"
    )


def follow(at: AppTest, href: str) -> AppTest:
    """Follow a link of the matrix as the browser does: its page, with its query parameters,
    in the same session (AppTest cannot click a link itself)."""
    page, query = urlsplit(href).path, urlsplit(href).query
    for key, value in parse_qsl(query):
        at.query_params[key] = value
    return at.switch_page(f"dashboard/{page}.py").run()


@slow
def test_a_cell_opens_that_providers_stories_of_that_standard(shared_env):
    at = signed_in("commissioner")
    follow(at, _cells(at)[("P001", "peer-workforce")]["href"])
    no_exception(at)
    assert at.session_state["account"].role == "commissioner"  # still signed in
    assert at.header[0].value == "People with lived experience work in every team"
    assert at.query_params["standard"] == "peer-workforce"  # kept in the address: a refresh shows it again
    heading = next(h for h in at.subheader if h.value.startswith("Northgate Recovery Partnership"))
    assert heading.proto.anchor == "stories-p001"  # the cell's link lands on it
    assert "a peer met me at the door <the first time>" in html_texts(at)
    at.selectbox(key="_standard_standard_id").select("warm-welcome").run()  # another choice sticks
    assert at.header[0].value == "A warm welcome within days"
    assert at.query_params["standard"] == "warm-welcome"


@slow
def test_a_providers_name_opens_its_page_in_the_same_session(shared_env):
    at = signed_in("commissioner")
    hill_lane = next(c for c in overview_cells(at) if c["seen"].startswith("Hill Lane Project"))
    follow(at, hill_lane["href"])
    no_exception(at)
    assert at.header[0].value.startswith("Hill Lane Project (P003)")
