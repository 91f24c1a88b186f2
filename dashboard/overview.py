"""Page: overview for commissioners, a 30-second read. The quarter in one sentence; every
provider against every standard (dashboard.overview_matrix: worst first, how many met, the
stories behind each cell, each cell a way in to its figures and stories; in a national view the
15 with the fewest met (overview_pieces.FIRST), the rest in a fold built only once opened); the providers to
watch and what changed for real since the last quarter, apart from the noise (dashboard.watch);
and the overdue actions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from audits import tiers, words
from dashboard import downloads, html_table, overview_pieces, ui, viewer

WATCH_FIRST = 10  # providers shown open on the watch list, the most reasons first
RATED = ("Before", "Now")  # the change tables' columns that hold ratings (tinted)
INTRO = (
    "How each provider is doing against the standards that people with lived experience wrote, "
    "as judged by the independent audit. Choose an area and a quarter; open a standard or a provider "
    "to see the figures and the stories of the people using the service behind each rating."
)


# the overview's words and tables are finished, and cached per viewer key, in dashboard.overview_pieces
from dashboard.overview_pieces import CHANGE_ORDER, changes, labels, one_line, shared_names  # noqa: E402, F401


@tiers.output(tiers.BY_CALLER, "the overview of ratings: each provider in the viewer's tier (dashboard.viewer)")
def render() -> None:
    view = viewer.open_results_page(__file__)
    st.title("Overview")
    st.write(INTRO)
    db, cat = view.db, view.cat
    if not cat.runs:
        ui.empty("There are no audit results yet.", ui.NO_RESULTS_NEXT)
        return
    left, right = st.columns(2)
    with left:
        area = ui.remember("Area", ["All areas"] + cat.areas, "area", "overview")
    with right:
        periods = list(reversed(cat.periods))
        period = ui.remember("Period", periods, "period", "overview")
    pieces = overview_pieces.finished(db, cat, period, area, view.restricted)
    if pieces is None:
        ui.empty(
            f"No provider in {area} was audited for {period}.",
            "choose another area or period, or ask the auditor to load that area's returns.",
        )
        return
    watched, previous, late = pieces.watched, pieces.previous, pieces.late

    st.subheader(f"{ui.md(area)}, {period}")
    st.markdown("**" + ui.md(pieces.summary) + "**")
    viewer.tier_note(view, pieces.sr)
    if pieces.shared:
        st.warning(
            "More than one provider uses the same name, so the table shows their codes beside it: "
            + ui.md("; ".join(pieces.shared))
            + ". Ask the auditor to check the returns' provider names.",
            icon=":material/warning:",
        )
    if pieces.more:
        label = f"All other providers ({pieces.more})"
        st.write(
            f"The table shows the {words.many(overview_pieces.FIRST, 'provider')} with the fewest standards met. "
            f"The other {words.many(pieces.more, 'provider is', 'providers are')} under “{label}”, below it."
        )
    overview_pieces.show_html(pieces.matrix)
    if pieces.more:
        with folded(label, "matrix_more") as shown:
            if shown:
                overview_pieces.show_html(pieces.matrix_more)
    ui.footnote(pieces.sr)
    downloads.offer(pieces.ratings, "ratings", title=f"Ratings of every provider, {area}, {period}")

    st.subheader("Watch list")
    if watched.empty:
        st.write(
            "No provider got clearly worse since the last quarter, none is much worse than the benchmark, "
            "and no agreed action is overdue."
        )
    else:
        st.write(
            "Providers that got clearly worse since the last quarter, that are much worse than the benchmark "
            "on a measure (outside its 99.8% limits), or that have agreed actions overdue: the most reasons first."
        )
        # a list of every provider says nowhere to look: the first few open, the rest one click away
        overview_pieces.show_table(pieces, "watch", watched.head(WATCH_FIRST), "Watch list, the most reasons first")
        if len(watched) > WATCH_FIRST:
            more = watched.iloc[WATCH_FIRST:]
            label = f"{words.many(len(more), 'more provider')} on the watch list, fewer reasons each"
            with folded(label, "watch_more") as shown:
                if shown:
                    overview_pieces.show_table(pieces, "watch, more", more, label)

    st.subheader("What changed since the last quarter")
    if not pieces.compared:
        st.write(f"There is no audit of {previous} to compare with.")
    elif pieces.real.empty and pieces.rest.empty:
        st.write(f"No rating changed between {previous} and {period}.")
    else:
        st.write(pieces.change_summary)
        if not pieces.real.empty:
            overview_pieces.show_table(pieces, "real", pieces.real, "Clear changes since the last quarter", RATED)
        if not pieces.rest.empty:
            label = f"Moves that are not a clear change in the figures ({len(pieces.rest)})"
            with folded(label, "moves") as shown:
                if shown:
                    overview_pieces.show_table(pieces, "rest", pieces.rest, label, RATED)
                    st.caption(
                        f"“{words.CHANGE_UNCLEAR}” means {words.CHANGE_UNCLEAR_EXPLANATION}. "
                        "A rating still met on the figures that gained or lost a confirming story is the same figures: "
                        "neither better nor worse."
                    )

    overdue_actions(cat, late)


def overdue_actions(cat, late: pd.DataFrame) -> None:
    """The actions providers agreed after earlier audits that are past their day and not done."""
    st.subheader("Overdue actions")
    if late.empty:
        st.write("No agreed action is overdue.")
        return
    names = cat.providers.set_index("provider_id")["provider_name"]
    st.write(
        f"{words.many(len(late), 'agreed action is', 'agreed actions are')} past their day and not reported done. "
        "See *Action plans*."
    )
    table = pd.DataFrame(
        {
            "Provider": [names.get(p, p) for p in late["provider_id"]],
            "Audit": late["period"],
            "Standard": late["standard_id"],
            "Action": late["what"],
            "Owner": late["owner"],
            "Was due": [words.long_date(d) for d in late["due_on"]],
        }
    )
    st.html(html_table.table_html(table, "Overdue actions"))


@contextmanager
def folded(label: str, key: str) -> Iterator[bool]:
    """A folded section whose contents are built only once it is opened (whether it is open
    comes back to the server, which reruns the page): at national scale the ~130 more watched
    providers and ~120 moves that are not a clear change were half the page the browser drew on
    every visit, folded or not. Yields whether it is open; its label says how many it holds."""
    with st.expander(label, key=f"overview_{key}", on_change="rerun") as section:
        yield bool(section.open)


if __name__ == "__main__":
    render()
