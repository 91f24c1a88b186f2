"""The overview's finished pieces: the one-line summary, the matrix's HTML, the watch list and what
changed, built once per viewer key and cached, so that a visit only sends them.

At national scale (150 providers × 11 standards) building them took ~2 CPU-s a visit (the matrix
~1 s of string building, the watch list ~0.5 s), and 20 commissioners opening the overview at once
queued 40 s of the server's two cores. What they show depends only on the quarter's audit run and
the previous quarter's (exact and public), the evidence stamp (which stories show), the providers'
names and areas, the overdue actions the viewer may see, the viewer's restricted set (which
providers are shown exact: audits.tiers, dashboard.viewer) and the area chosen: exactly the key of
the cache below. Two viewers with different restricted sets or areas never share a finished piece
(tests/test_dashboard_overview_cache.py). The figures are the engine's (dashboard.data); nothing
here works one out."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from audits import ratings, spec, tiers, words
from dashboard import data, downloads, html_table, overview_matrix, ui, watch

ALL_AREAS = "All areas"
# providers drawn in the matrix at once, the fewest standards met first; the rest in a fold. The
# matrix's box (46rem high) shows about 12 rows at 1440 x 1000, so 15 is its first screenful and a
# little more. Every row is ~40 DOM nodes and ~4.6 kB of HTML that each reader's browser sanitises,
# parses and lays out on every visit: at 30 the matrix was a third of the browser's work for an
# overview click, and 20 commissioners clicking at once share two cores (bench/pages.py --sessions)
FIRST = 15


def labels(names: dict[str, str]) -> dict[str, str]:
    """id -> the label people read: the name, with the id beside it when two share a name (or
    there is none), so that one provider can never hide another by taking its name."""
    counts = pd.Series(list(names.values())).value_counts()
    return {
        i: (n if isinstance(n, str) and n and counts[n] == 1 else f"{n or 'No name'} ({i})") for i, n in names.items()
    }


def shared_names(sr: pd.DataFrame) -> list[str]:
    """Provider names used by more than one provider id: said under the matrix."""
    pairs = sr[["provider_id", "provider_name"]].drop_duplicates()
    counts = pairs["provider_name"].value_counts()
    return [
        f"{name}: {', '.join(sorted(pairs.loc[pairs['provider_name'] == name, 'provider_id']))}"
        for name in counts[counts > 1].index
    ]


# Worse first, as a commissioner reads them.
CHANGE_ORDER = {
    words.CHANGE_WORSE: 0,
    words.CHANGE_TOO_FEW: 1,
    words.CHANGE_UNCLEAR: 2,
    words.CHANGE_NONE: 2,
    words.CHANGE_NOT_SHOWN: 2,
    words.CHANGE_UNCONFIRMED: 3,
    words.CHANGE_CONFIRMED: 4,
    watch.BY_STORIES: 4,
    words.CHANGE_RATED: 5,
    words.CHANGE_BETTER: 6,
}


def changes(moved: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """The ratings that moved since the last quarter (audits.changes, already worded), worse first."""
    moved = moved[moved["shown_before"].notna() & (moved["shown"] != moved["shown_before"])]
    names = labels(dict(zip(moved["provider_id"], moved["provider_name"])))
    return pd.DataFrame(
        {
            "Provider": moved["provider_id"].map(names),
            "Standard": moved["standard_id"].map(titles),
            "Before": moved["shown_before"].map(words.rating),
            "Now": [words.rating(r, u) for r, u in zip(moved["shown"], moved["uncertain"])],
            "Change": moved["change_short"],
        }
    ).sort_values(["Change", "Provider"], key=lambda c: c.map(CHANGE_ORDER) if c.name == "Change" else c, kind="stable")


def one_line(sr: pd.DataFrame, tally: pd.DataFrame, real: pd.DataFrame | None, previous: str, watched: int) -> str:
    """The whole quarter in one sentence: what was met, what was not, what changed for real."""
    shown = sr["shown"]
    met, provisional = int(shown.isin(ratings.MET).sum()), int((shown == "provisional").sum())
    rated, red = int(tally["rated"].sum()), int((shown == "red").sum())
    text = (
        f"{words.many(len(tally), 'provider')} against {words.many(sr['standard_id'].nunique(), 'standard')}: "
        f"{met} of the {rated} ratings "
        f"met ({provisional} of them provisional, not yet confirmed by people's experience), {red} not met, {int(tally['unrated'].sum())} too few to tell or not shown."
    )
    if real is not None:
        worse = int((real["change_short"] == words.CHANGE_WORSE).sum())
        better = int((real["change_short"] == words.CHANGE_BETTER).sum())
        text += f" Since {previous}: {worse} clearly worse, {better} clearly better."
    return text + f" {words.many(watched, 'provider')} on the watch list."


def matrix_caption(public: bool) -> str:
    """What the matrix shows and how to read it (said under it)."""
    return (
        "Each row is a provider, the fewest standards met first; each column a standard (its full title "
        "on hover); each cell the standard's rating for that provider, as a symbol and a word (the colour "
        "only repeats it), and how many people's stories speak to it. Open a cell for that provider's "
        "figures and stories of the standard, a provider's name for all its standards, a column's title "
        f"for the standard across providers. “{ratings.look('provisional').word}” means "
        f"{ratings.PROVISIONAL_EXPLANATION}. "
        + ui.UNCERTAIN_CAPTION
        + (" Counts of 1 to 4 stories are not shown (*)." if public else "")
    )


@dataclass(frozen=True)
class Pieces:
    """Everything the overview shows for one viewer key, finished: the page only sends it."""

    sr: pd.DataFrame  # the standard results shown (in the viewer's tier), with names and areas
    summary: str  # the quarter in one sentence
    shared: list[str]  # provider names used by more than one provider
    matrix: str  # the matrix's HTML (overview_matrix.matrix_html)
    ratings: pd.DataFrame  # the ratings' download rows (downloads.ratings_frame)
    watched: pd.DataFrame  # the watch list: Provider, Why it is on the watch list
    previous: str  # the quarter before
    compared: bool  # whether the quarter before was audited
    change_summary: str  # watch.summary, when something moved
    real: pd.DataFrame  # the clear changes, worded (changes()), worse first
    rest: pd.DataFrame  # the other moves, worded, worse first
    late: pd.DataFrame  # overdue actions of the providers shown, as the viewer may see them
    matrix_more: str = ""  # the matrix of the providers after the first FIRST ("" when there are none)
    more: int = 0  # how many providers matrix_more holds
    key: str = ""  # minted afresh at each build: names these pieces when they are drawn (show_table)


@tiers.output(tiers.BY_CALLER, "the overview's finished pieces: every figure in the viewer's tier (restricted set)")
def finished(db: str, cat: data.Catalogue, period: str, area: str, restricted: tuple[str, ...] | None) -> Pieces | None:
    """The overview of a quarter and area for a viewer whose exact figures are those of
    `restricted` (dashboard.viewer: None for the auditor, () for a viewer with none): from the
    cache when another visit with the same key built it. None when no provider in the area was
    audited that quarter."""
    previous = spec.previous_period(period)
    compared = previous in cat.runs
    runs = (
        cat.runs[period],
        cat.public_run(period),
        cat.runs[previous] if compared else None,
        cat.public_run(previous) if compared else None,
    )
    late = data.overdue_actions(db, restricted)
    return _finished(db, period, area, restricted, runs, data.evidence_stamp(db), cat.providers, late, cat)


@tiers.output(tiers.BY_CALLER, "the overview's finished pieces, cached per viewer key")
@st.cache_data(max_entries=64, show_spinner=False)
def _finished(
    db: str,
    period: str,
    area: str,
    restricted: tuple[str, ...] | None,
    runs: tuple[str | None, ...],
    stamp: str,
    providers: pd.DataFrame,
    late: pd.DataFrame,
    _cat: data.Catalogue,
) -> Pieces | None:
    # the key: every argument but _cat, whose parts that matter (the runs of both quarters and
    # the providers) are in `runs` and `providers`; `stamp` keys the stories and shown ratings
    return build(db, _cat, period, area, restricted, late)


@tiers.output(tiers.BY_CALLER, "the overview's pieces, built (not cached): every figure in the viewer's tier")
def build(
    db: str, cat: data.Catalogue, period: str, area: str, restricted: tuple[str, ...] | None, late: pd.DataFrame
) -> Pieces | None:
    """The overview's pieces, worked out from the cached reads of dashboard.data (what `finished`
    caches; tests compare the two)."""
    run_id = cat.runs[period]
    standards = data.standards(db, run_id)
    titles = {s.id: s.title for s in standards}
    sr = data.standard_results(db, cat, period, restricted).merge(cat.providers, on="provider_id", how="left")
    if area != ALL_AREAS:
        sr = sr[sr["area"] == area]
    if sr.empty:
        return None

    # what changed, worked out first: the one-line summary and the watch list both say it
    previous = spec.previous_period(period)
    real = rest = None
    if previous in cat.runs:
        every = data.changes(db, cat, period, previous, restricted)
        mine = every.drop(columns="uncertain").merge(
            sr[["provider_id", "standard_id", "provider_name", "uncertain"]], on=["provider_id", "standard_id"]
        )
        real, rest = watch.split(mine[mine["shown_before"].notna() & (mine["shown"] != mine["shown_before"])])
    names = labels(dict(zip(sr["provider_id"], sr["provider_name"])))
    late = late[late["provider_id"].isin(sr["provider_id"])].reset_index(drop=True)
    measures = data.measure_results(db, cat, period, restricted)
    # no quarter before to compare with: no change at all (sr's columns have no change_short,
    # which made the first audited quarter's overview fail with KeyError)
    unchanged = pd.DataFrame(columns=["provider_id", "standard_id", "change_short"])
    watched = watch.watch_list(sr, names, titles, real if real is not None else unchanged, measures, late)
    tally = overview_matrix.met_tally(sr)

    exact = set(restricted) if restricted is not None else None
    public = {p for p in sr["provider_id"] if exact is not None and p not in exact}
    told, shown_area = data.period_stories(db, period), None if area == ALL_AREAS else area
    # a national view's 150 rows are ~1,650 linked cells for every reader's browser to draw on
    # every visit: the FIRST with the fewest standards met are the ones to look at, the rest are
    # drawn only when asked for (the same matrix, in a fold built once opened: dashboard.overview)
    more = max(0, len(tally) - FIRST)
    draw = partial(overview_matrix.matrix_html, sr, standards, names, told, public, period, shown_area)
    matrix = draw(
        f"Ratings of every provider against every standard, {area}, {period}"
        if not more
        else f"Ratings of the {FIRST} providers with the fewest standards met, {area}, {period}",
        matrix_caption(bool(public)),
        slice(None, FIRST) if more else slice(None),
    )
    matrix_more = (
        draw(f"Ratings of the other {words.many(more, 'provider')}, {area}, {period}", "", slice(FIRST, None))
        if more
        else ""
    )
    none = pd.DataFrame(columns=["Provider", "Standard", "Before", "Now", "Change"])
    return Pieces(
        sr=sr,
        summary=one_line(sr, tally, real, previous, len(watched)),
        shared=shared_names(sr),
        matrix=matrix,
        ratings=downloads.ratings_frame(sr, titles),
        watched=watched,
        previous=previous,
        compared=real is not None,
        change_summary=watch.summary(real, rest, previous, period) if real is not None else "",
        real=changes(real, titles) if real is not None and not real.empty else none,
        rest=(
            changes(rest.assign(change_short=watch.change_words(rest)), titles)
            if rest is not None and not rest.empty
            else none
        ),
        late=late,
        matrix_more=matrix_more,
        more=more,
        key=secrets.token_hex(16),
    )


# --------------------------------------------------------------------------- sending the pieces
# Streamlit replays the elements a cached function drew (st.cache_data's element replay), so a
# piece drawn once is sent again without its work: st.html's clean-up of the matrix's HTML and the
# tables' HTML (~0.4 s a visit at national scale under load). The key is the piece itself (the
# matrix's HTML), or the key minted when the viewer's pieces were built with the table's name
# (hashing the tables' rows on every visit cost ~0.1 s), so a viewer is only ever sent what was
# drawn from their own pieces. The tables are static HTML (dashboard.html_table), not st.table:
# the browser's work is what twenty sessions at once wait for.


@st.cache_data(max_entries=256, show_spinner=False)
def show_html(body: str) -> None:
    """st.html of a finished piece (the matrix), drawn once and replayed."""
    st.html(body)


def show_table(pieces: Pieces, name: str, frame: pd.DataFrame, label: str, rated: tuple[str, ...] = ()) -> None:
    """One of these pieces' tables (`name`: which) as a static HTML table called `label` (its
    caption for screen readers), its `rated` columns tinted as ratings, drawn once and replayed."""
    _show_table(pieces.key, name, label, rated, frame)


@st.cache_data(max_entries=256, show_spinner=False)
def _show_table(key: str, name: str, label: str, rated: tuple[str, ...], _frame: pd.DataFrame) -> None:
    st.html(html_table.table_html(_frame, label, rated))
