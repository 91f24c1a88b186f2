"""Page: overview for commissioners. Every provider against every standard for an
area and a period, how many met, what changed since the last quarter, and a way in
to each standard and each provider."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import ratings, spec, words
from dashboard import auth, data, ui

ORDER = ("green", "provisional", "amber", "red", "no_data")
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
    table = sr.pivot_table(index="provider_id", columns="standard_id", values="shown", aggfunc="first")
    table = table[[sid for sid in titles if sid in table.columns]].map(words.rating, na_action="ignore")
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


def changes(now: pd.DataFrame, before: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    joined = now.merge(
        before[["provider_id", "standard_id", "shown"]],
        on=["provider_id", "standard_id"],
        how="inner",
        suffixes=("", "_before"),
    )
    moved = joined[joined["shown"] != joined["shown_before"]]
    names = labels(dict(zip(now["provider_id"], now["provider_name"])))
    return pd.DataFrame(
        {
            "Provider": moved["provider_id"].map(names),
            "Standard": moved["standard_id"].map(titles),
            "Before": moved["shown_before"].map(words.rating),
            "Now": moved["shown"].map(words.rating),
            "Change": [words.change(n, b, short=True) for b, n in zip(moved["shown_before"], moved["shown"])],
        }
    ).sort_values(["Change", "Provider"], key=lambda c: c.map(CHANGE_ORDER) if c.name == "Change" else c, kind="stable")


# Worse first, as a commissioner reads them.
CHANGE_ORDER = {
    words.CHANGE_WORSE: 0,
    words.CHANGE_TOO_FEW: 1,
    words.CHANGE_UNCLEAR: 2,
    words.CHANGE_NONE: 2,
    words.CHANGE_RATED: 3,
    words.CHANGE_BETTER: 4,
}


def render() -> None:
    auth.require_page(__file__)
    st.title("Overview")
    st.write(INTRO)
    db = data.db()
    cat = data.catalogue(db)
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
    sr = data.standard_results(db, run_id).merge(cat.providers, on="provider_id", how="left")
    if area != "All areas":
        sr = sr[sr["area"] == area]
    if sr.empty:
        ui.empty(
            f"No provider in {area} was audited for {period}.",
            "choose another area or period, or ask the auditor to load that area's returns.",
        )
        return

    st.subheader(f"{ui.md(area)}, {period}")
    counts = sr["shown"].value_counts()
    for column, rating in zip(st.columns(len(ORDER)), ORDER):
        column.metric(ratings.look(rating).label, int(counts.get(rating, 0)))
    st.caption(
        f"Counts of provider-standard pairs in {area} for {period} (audit run {run_id}). "
        f'"{ratings.look("provisional").word}" means {ratings.PROVISIONAL_EXPLANATION}.'
    )

    table = matrix(sr, titles)
    st.html(
        ui.rating_matrix_html(
            table,
            f"Ratings of every provider against every standard, {area}, {period}",
            "Each row is a provider, each column a standard; each cell is the standard's rating for that "
            "provider, as a symbol and a word (the colour only repeats it). Scroll inside the table for more "
            "providers or standards; the headers stay in view.",
        )
    )

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
        before = data.standard_results(db, cat.runs[previous])
        moved = changes(sr, before, titles)
        if moved.empty:
            st.write(f"No rating changed between {previous} and {period}.")
        else:
            tally = moved["Change"].value_counts()
            worse, better = int(tally.get(words.CHANGE_WORSE, 0)), int(tally.get(words.CHANGE_BETTER, 0))
            other = len(moved) - worse - better
            st.write(
                f"{len(moved)} rating(s) changed between {previous} and {period}: {worse} worse, "
                f"{better} better"
                + (f", {other} to or from too few to tell" if other else "")
                + ". The worse come first."
            )
            ui.table(ui.style_ratings(moved, ["Before", "Now"]), len(moved))

    overdue_actions(db, cat, sr)


def overdue_actions(db: str, cat, sr: pd.DataFrame) -> None:
    """The actions providers agreed after earlier audits that are past their day and not done."""
    from audits import actions, store

    st.subheader("Overdue actions")
    with store.reading(db) as con:
        late = actions.overdue(con)
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
