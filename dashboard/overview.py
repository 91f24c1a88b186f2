"""Page: overview for commissioners, a 30-second read. The quarter in one sentence; every
provider against every standard (dashboard.overview_matrix: worst first, how many met, the
stories behind each cell, each cell a way in to its figures and stories); the providers to
watch and what changed for real since the last quarter, apart from the noise (dashboard.watch);
and the overdue actions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import actions, ratings, spec, store, tiers, words
from dashboard import data, downloads, overview_matrix, ui, viewer, watch

WATCH_FIRST = 10  # providers shown open on the watch list, the most reasons first
INTRO = (
    "How each provider is doing against the standards that people with lived experience wrote, "
    "as judged by the independent audit. Choose an area and a quarter; open a standard or a provider "
    "to see the figures and the stories of the people using the service behind each rating."
)


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


def one_line(sr: pd.DataFrame, tally: pd.DataFrame, real: pd.DataFrame | None, previous: str, watched: int) -> str:
    """The whole quarter in one sentence: what was met, what was not, what changed for real."""
    shown = sr["shown"]
    met, provisional = int(shown.isin(overview_matrix.MET).sum()), int((shown == "provisional").sum())
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
    run_id = cat.runs[period]
    standards = data.standards(db, run_id)
    titles = {s.id: s.title for s in standards}
    sr = data.standard_results(db, cat, period, view.restricted).merge(cat.providers, on="provider_id", how="left")
    if area != "All areas":
        sr = sr[sr["area"] == area]
    if sr.empty:
        ui.empty(
            f"No provider in {area} was audited for {period}.",
            "choose another area or period, or ask the auditor to load that area's returns.",
        )
        return

    # what changed, worked out first: the one-line summary and the watch list both say it
    previous = spec.previous_period(period)
    real = rest = None
    if previous in cat.runs:
        every = data.changes(db, cat, period, previous, view.restricted)
        mine = every.drop(columns="uncertain").merge(
            sr[["provider_id", "standard_id", "provider_name", "uncertain"]], on=["provider_id", "standard_id"]
        )
        real, rest = watch.split(mine[mine["shown_before"].notna() & (mine["shown"] != mine["shown_before"])])
    names = labels(dict(zip(sr["provider_id"], sr["provider_name"])))
    with store.reading(db) as con:
        late = actions.as_seen(con, actions.overdue(con), view.restricted)
    late = late[late["provider_id"].isin(sr["provider_id"])]
    measures = data.measure_results(db, cat, period, view.restricted)
    watched = watch.watch_list(sr, names, titles, real if real is not None else sr.iloc[0:0], measures, late)
    tally = overview_matrix.met_tally(sr)

    st.subheader(f"{ui.md(area)}, {period}")
    st.markdown("**" + ui.md(one_line(sr, tally, real, previous, len(watched))) + "**")
    viewer.tier_note(view, sr)
    shared = shared_names(sr)
    if shared:
        st.warning(
            "More than one provider uses the same name, so the table shows their codes beside it: "
            + ui.md("; ".join(shared))
            + ". Ask the auditor to check the returns' provider names.",
            icon=":material/warning:",
        )
    public = {p for p in sr["provider_id"] if view.tier(p) == tiers.PUBLIC}
    st.html(
        overview_matrix.matrix_html(
            sr,
            standards,
            names,
            data.period_stories(db, period),
            public,
            period,
            None if area == "All areas" else area,
            f"Ratings of every provider against every standard, {area}, {period}",
            "Each row is a provider, the fewest standards met first; each column a standard (its full title "
            "on hover); each cell the standard's rating for that provider, as a symbol and a word (the colour "
            "only repeats it), and how many people's stories speak to it. Open a cell for that provider's "
            "figures and stories of the standard, a provider's name for all its standards, a column's title "
            f"for the standard across providers. “{ratings.look('provisional').word}” means "
            f"{ratings.PROVISIONAL_EXPLANATION}. "
            + ui.UNCERTAIN_CAPTION
            + (" Counts of 1 to 4 stories are not shown (*)." if public else ""),
        )
    )
    ui.footnote(sr)
    downloads.offer(
        downloads.ratings_frame(sr, titles), "ratings", title=f"Ratings of every provider, {area}, {period}"
    )

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
        ui.table(watched.head(WATCH_FIRST), min(len(watched), WATCH_FIRST))
        if len(watched) > WATCH_FIRST:
            more = watched.iloc[WATCH_FIRST:]
            with st.expander(f"{words.many(len(more), 'more provider')} on the watch list, fewer reasons each"):
                ui.table(more, len(more))

    st.subheader("What changed since the last quarter")
    if real is None:
        st.write(f"There is no audit of {previous} to compare with.")
    elif real.empty and rest.empty:
        st.write(f"No rating changed between {previous} and {period}.")
    else:
        st.write(watch.summary(real, rest, previous, period))
        if not real.empty:
            moved = changes(real, titles)
            ui.table(ui.style_ratings(moved, ["Before", "Now"]), len(moved))
        if not rest.empty:
            with st.expander(f"Moves that are not a clear change in the figures ({len(rest)})"):
                moved = changes(rest.assign(change_short=watch.change_words(rest)), titles)
                ui.table(ui.style_ratings(moved, ["Before", "Now"]), len(moved))
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
    ui.table(
        pd.DataFrame(
            {
                "Provider": [names.get(p, p) for p in late["provider_id"]],
                "Audit": late["period"],
                "Standard": late["standard_id"],
                "Action": late["what"],
                "Owner": late["owner"],
                "Was due": [words.long_date(d) for d in late["due_on"]],
            }
        ),
        len(late),
    )


if __name__ == "__main__":
    render()
