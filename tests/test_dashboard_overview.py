"""The overview page (dashboard/overview.py) in Streamlit's AppTest: the matrix of every
provider against every standard, what changed, and links that open a standard or a provider."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from audits import words
from dashboard import overview

from support.apptest import frames, html_matrix, no_exception, read_as_shown, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_overview_shows_ratings_as_symbol_and_word_and_changes(shared_env):
    at = signed_in("commissioner")
    assert "people with lived experience wrote" in texts(at)  # what the page is for
    matrix, heads = html_matrix(at)
    keys = {words.rating_key(cell)[0] for cell in matrix.values.ravel()}
    assert {"green", "red", "provisional", "no_data"} <= keys
    # P002 has no stories, so its greens are provisional; P001's welcome is confirmed by a story.
    # P001's is Met on a figure whose 95% interval reaches below the 90% bar: the cell says so.
    # P002's is too (54 of 60): shown to a commissioner, whose public figures hide no more than what
    # would give a small count away (audits.disclosure), so its mark is shown as well
    unsure = " " + words.UNCERTAIN
    assert matrix.loc["Riverside Together", "A warm welcome within days"] == words.rating("provisional", True)
    assert matrix.loc["Northgate Recovery Partnership", "A warm welcome within days"] == "✔ Met" + unsure
    assert matrix.loc["Hill Lane Project", "A warm welcome within days"] == "○ Too few to tell"
    assert matrix.loc["Riverside Together", "No targets for opiate-free discharge"] == "◔ Met (provisional)"
    assert heads[(0, 1)] == ("th", "col") and heads[(1, 0)] == ("th", "row")  # headers for screen readers
    assert "striped cell with a dashed outline" in at.html[0].value
    assert "What changed since the last quarter" in texts(at)
    moved = frames(at)[0].set_index(["Provider", "Standard"])
    assert set(moved["Change"]) <= set(overview.CHANGE_ORDER)
    order = list(moved["Change"])
    assert order == sorted(order, key=overview.CHANGE_ORDER.get)
    # P001's welcome rose from Partly met to Met, by 2.5 points of 80 people: within chance
    welcome = moved.loc[("Northgate Recovery Partnership", "A warm welcome within days")]
    assert welcome["Change"] == words.CHANGE_UNCLEAR
    assert (welcome["Before"], welcome["Now"]) == ("◐ Partly met", "✔ Met" + unsure)
    # its peer workforce gained a confirming story: the same figures, neither better nor worse
    peers = moved.loc[("Northgate Recovery Partnership", "People with lived experience work in every team")]
    assert peers["Change"] == words.CHANGE_CONFIRMED
    assert "1 with no clear change in the figures" in texts(at)
    at.selectbox[0].select("Southvale").run()
    assert list(html_matrix(at)[0].index) == ["Hill Lane Project"]


def follow(at: AppTest, link) -> AppTest:
    """Follow an st.page_link as the browser does: its page, with its query parameters,
    in the same session (AppTest cannot click a link itself)."""
    for key, value in parse_qsl(link.proto.query_string):
        at.query_params[key] = value
    return at.switch_page(f"dashboard/{link.proto.page}.py").run()


def overview_links(at: AppTest) -> dict[str, list]:
    links = {"standard": [], "provider": []}
    for link in at.get("page_link"):
        links[link.proto.page].append(link)
    return links


def test_overview_links_every_standard_and_provider_in_the_tables_order(shared_env):
    at = signed_in("commissioner")
    matrix, _ = html_matrix(at)
    links = overview_links(at)
    assert [read_as_shown(link.proto.label) for link in links["standard"]] == list(matrix.columns)
    assert [read_as_shown(link.proto.label) for link in links["provider"]] == list(matrix.index)
    assert [link.proto.query_string for link in links["provider"]] == [
        "provider=P003",
        "provider=P001",
        "provider=P002",
    ]
    at.selectbox[0].select("Southvale").run()
    assert [link.proto.label for link in overview_links(at)["provider"]] == ["Hill Lane Project"]


def test_a_standards_link_opens_it_in_the_same_session(shared_env):
    at = signed_in("commissioner")
    peer = next(link for link in overview_links(at)["standard"] if "peer-workforce" in link.proto.query_string)
    follow(at, peer)
    no_exception(at)
    assert at.session_state["account"].role == "commissioner"  # still signed in
    assert at.header[0].value == "People with lived experience work in every team"
    assert at.query_params["standard"] == "peer-workforce"  # kept in the address: a refresh shows it again
    at.selectbox(key="_standard_standard_id").select("warm-welcome").run()  # another choice sticks
    assert at.header[0].value == "A warm welcome within days"
    assert at.query_params["standard"] == "warm-welcome"  # and the address follows the choice
    at.run()
    assert at.header[0].value == "A warm welcome within days"


def test_a_providers_link_opens_it_in_the_same_session(shared_env):
    at = signed_in("commissioner")
    hill_lane = next(link for link in overview_links(at)["provider"] if link.proto.label == "Hill Lane Project")
    follow(at, hill_lane)
    no_exception(at)
    assert at.header[0].value.startswith("Hill Lane Project (P003)")
