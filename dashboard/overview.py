"""Page: overview for commissioners. Every provider against every standard for an
area and a period, how many met, what changed since the last quarter, and a way in
to each standard and each provider."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import ratings, spec, tiers, words
from dashboard import data, ui, viewer

ORDER = ("green", "provisional", "amber", "red", "no_data")
SHOWN_AS_RANGE = tuple(ratings.RANGES)
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


def matrix(sr: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """Providers x standards, keyed by their ids, shown with their labels."""
    cells = sr.assign(shown=[words.rating(r, u) for r, u in zip(sr["shown"], sr["uncertain"])])
    table = cells.pivot_table(index="provider_id", columns="standard_id", values="shown", aggfunc="first")
    table = table[[sid for sid in titles if sid in table.columns]]
    names = labels({i: dict(zip(sr["provider_id"], sr["provider_name"])).get(i) for i in table.index})
    table = table.loc[sorted(table.index, key=lambda i: names[i].lower())]  # by name, as people look
    table = table.rename(index=names, columns=labels(titles))
    table.index.name = "Provider"
    table.columns.name = None
    return table.fillna("not audited")


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
    words.CHANGE_RATED: 5,
    words.CHANGE_BETTER: 6,
}


def change_summary(moved: pd.DataFrame, previous: str, period: str) -> str:
    """How many ratings moved, and how many of the moves the data can tell from chance."""
    tally = moved["Change"].value_counts()
    worse, better = int(tally.get(words.CHANGE_WORSE, 0)), int(tally.get(words.CHANGE_BETTER, 0))
    unclear = int(tally.get(words.CHANGE_UNCLEAR, 0))
    stories = int(tally.get(words.CHANGE_CONFIRMED, 0) + tally.get(words.CHANGE_UNCONFIRMED, 0))
    other = len(moved) - worse - better - unclear - stories
    parts = [f"{worse} worse", f"{better} better", f"{unclear} with no clear change in the figures"]
    if stories:
        parts.append(f"{stories} still met, with a confirming story gained or lost")
    if other:
        parts.append(f"{other} to or from too few to tell")
    return (
        f"{len(moved)} rating(s) moved between {previous} and {period}: {', '.join(parts)}. "
        "A move is called better or worse only when the figures behind it changed by more than chance; "
        f"“{words.CHANGE_UNCLEAR}” means {words.CHANGE_UNCLEAR_EXPLANATION}. The worse come first."
    )


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
    titles = {s.id: s.title for s in data.standards(db, run_id)}
    sr = data.standard_results(db, cat, period, view.restricted).merge(cat.providers, on="provider_id", how="left")
    if area != "All areas":
        sr = sr[sr["area"] == area]
    if sr.empty:
        ui.empty(
            f"No provider in {area} was audited for {period}.",
            "choose another area or period, or ask the auditor to load that area's returns.",
        )
        return

    st.subheader(f"{ui.md(area)}, {period}")
    viewer.tier_note(view, sr)
    counts = sr["shown"].value_counts()
    ranged = int(sr["shown"].isin(SHOWN_AS_RANGE).sum())
    for column, rating in zip(st.columns(len(ORDER) + bool(ranged)), ORDER + (("withheld",) if ranged else ())):
        if rating == "withheld":
            column.metric(f"Not shown in full{words.HIDDEN_MARK}", ranged)
        else:
            column.metric(ratings.look(rating).label, int(counts.get(rating, 0)))
    unsure = int(sr["uncertain"].sum())
    st.caption(
        f"Counts of provider-standard pairs in {area} for {period} ({words.audit_run(run_id)}). "
        f'"{ratings.look("provisional").word}" means {ratings.PROVISIONAL_EXPLANATION}. '
        f"{unsure} of the {len(sr)} ratings are {words.UNCERTAIN}."
    )

    table = matrix(sr, titles)
    st.html(
        ui.rating_matrix_html(
            table,
            f"Ratings of every provider against every standard, {area}, {period}",
            "Each row is a provider, each column a standard; each cell is the standard's rating for that "
            "provider, as a symbol and a word (the colour only repeats it). "
            + ui.UNCERTAIN_CAPTION
            + " Scroll inside the table for more providers or standards; the headers stay in view.",
        )
    )
    ui.footnote(sr)

    st.subheader("Look closer")
    st.caption(
        "Each link opens that standard's or provider's page, with its figures, trends and stories. "
        "Links follow the order of the table above."
    )
    shared = shared_names(sr)
    if shared:
        st.warning(
            "More than one provider uses the same name, so the table shows their codes beside it: "
            + ui.md("; ".join(shared))
            + ". Ask the auditor to check the returns' provider names.",
            icon=":material/warning:",
        )
    st.markdown("**Open a standard**")
    audited = [sid for sid in titles if sid in set(sr["standard_id"])]
    with st.container(horizontal=True, gap="small", key="open_standards"):
        for standard_id, label in labels({sid: titles[sid] for sid in audited}).items():
            st.page_link(
                "dashboard/standard.py",
                label=ui.md(label),
                icon=":material/checklist:",
                query_params={ui.STANDARD_LINK: standard_id},
            )
    st.markdown("**Open a provider**")
    names = dict(zip(sr["provider_id"], sr["provider_name"]))
    box = st.container(height=260, border=False) if len(table) > ui.LONG_TABLE_ROWS else st.container()
    with box, st.container(horizontal=True, gap="small", key="open_providers"):
        for provider_id, label in sorted(labels(names).items(), key=lambda item: item[1].lower()):
            st.page_link(
                "dashboard/provider.py",
                label=ui.md(label),
                icon=":material/apartment:",
                query_params={ui.PROVIDER_LINK: provider_id},
            )

    st.subheader("What changed since the last quarter")
    previous = spec.previous_period(period)
    if previous not in cat.runs:
        st.write(f"There is no audit of {previous} to compare with.")
    else:
        every = data.changes(db, cat, period, previous, view.restricted)
        mine = every.drop(columns="uncertain").merge(
            sr[["provider_id", "standard_id", "provider_name", "uncertain"]], on=["provider_id", "standard_id"]
        )
        moved = changes(mine, titles)
        if moved.empty:
            st.write(f"No rating changed between {previous} and {period}.")
        else:
            st.write(change_summary(moved, previous, period))
            ui.table(ui.style_ratings(moved, ["Before", "Now"]), len(moved))

    overdue_actions(db, cat, sr, view.restricted)


def overdue_actions(db: str, cat, sr: pd.DataFrame, restricted: tuple[str, ...] | None) -> None:
    """The actions providers agreed after earlier audits that are past their day and not done (of
    providers seen in the public tier, only those a public output lists: audits.actions.as_seen)."""
    from audits import actions, store

    st.subheader("Overdue actions")
    with store.reading(db) as con:
        late = actions.as_seen(con, actions.overdue(con), restricted)
    late = late[late["provider_id"].isin(sr["provider_id"])]
    if late.empty:
        st.write("No agreed action is overdue.")
        return
    names = cat.providers.set_index("provider_id")["provider_name"]
    st.write(f"{len(late)} agreed action(s) are past their day and not reported done. See *Action plans*.")
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
