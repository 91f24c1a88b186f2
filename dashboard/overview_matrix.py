"""The overview's matrix: every provider against every standard, read in 30 seconds.

Short column labels (the full title on hover and for screen readers), providers worst first
with how many standards each met, a count of people's stories in every cell, and every cell a
link to that provider's figures and stories of that standard. Plain HTML (dashboard.ui's
matrix style), so that row and column headers are real headers for screen readers and the
table fits a 1440 px screen without a sideways scroll. The ratings and stories it is given
are already in the viewer's tier; story counts of public-tier providers are protected here
as voices heard are (dashboard.stories_view.count_words)."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pandas as pd

from audits import ratings, tiers, words
from audits.standard_model import Standard
from dashboard import html_table, stories_view, ui

STANDARD_PAGE, PROVIDER_PAGE = "standard", "provider"  # the pages' addresses (url paths)
SHORT = 24  # characters: a title longer than this is shown by its short name

MATRIX_CSS = """<style>
.ls-overview-wrap { max-height: 46rem; }
/* the fold of all other providers: its box uses most of the fold's own side padding, so the same
   twelve columns fit at 1440 px as they do above it (it was 22 px too narrow: the last scrolled) */
[data-testid="stExpander"] .ls-overview-wrap { margin: 0 -0.75rem; }
.ls-overview { table-layout: auto; }
.ls-overview thead th { min-width: 0; max-width: none; font-size: 0.75rem; line-height: 1.25; }
.ls-overview thead th:first-child, .ls-overview tbody th { min-width: 8rem; max-width: 10rem; }
.ls-overview td { padding: 0; min-width: 3.6rem; font-size: 0.75rem; line-height: 1.25; }
.ls-overview a { color: inherit; text-decoration: none; }
.ls-overview a:hover, .ls-overview a:focus-visible { text-decoration: underline; }
.ls-overview td a { display: block; padding: 0.3rem 0.3rem; }
.ls-overview td a:focus-visible { outline: 3px solid #003087; outline-offset: -3px; }
.ls-overview .ls-count { display: block; font-weight: 400; margin-top: 0.1rem; }
.ls-overview .ls-met { display: block; font-weight: 400; font-size: 0.75rem; }
.ls-overview tbody th a { color: #004a93; text-decoration: underline; }
</style>"""


def short_label(standard: Standard) -> str:
    """A column's label: the title when it is short, else the short name the expert citizens
    gave the standard as its id ('trauma-informed-access' reads 'Trauma informed access'),
    whichever is shorter."""
    if len(standard.title) <= SHORT:
        return standard.title
    from_id = standard.id.replace("-", " ").capitalize()
    return from_id if len(from_id) < len(standard.title) else standard.title


def met_tally(sr: pd.DataFrame) -> pd.DataFrame:
    """Per provider: standards met on the figures (Met or Met (provisional)), rated (every
    standard with a rating, a range included), not met, and too few to tell or not shown."""
    shown = sr["shown"]
    tally = pd.DataFrame(
        {
            "provider_id": sr["provider_id"],
            "met": shown.isin(ratings.MET),
            "provisional": shown == "provisional",
            "rated": ~shown.isin(ratings.NOT_RATED),
            "not_met": shown == "red",
            "unrated": shown.isin(ratings.NOT_RATED),
        }
    )
    return tally.groupby("provider_id").sum().astype(int)


def worst_first(tally: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Provider ids, the lowest share of standards met first (the most not met first among
    equals, then by name); providers with nothing rated come last: there is nothing to tell."""

    def key(provider_id: str):
        row = tally.loc[provider_id]
        share = row["met"] / row["rated"] if row["rated"] else 2.0
        return (share, -row["not_met"], names[provider_id].lower())

    return sorted(tally.index, key=key)


def met_words(row) -> tuple[str, str]:
    """('Met 3 of 9', 'met 3 of the 9 standards rated; 2 too few to tell') for a row header."""
    short = f"Met {row['met']} of {row['rated']}"
    full = f"met {row['met']} of the {row['rated']} standards rated"
    if row["provisional"]:
        full += f" ({row['provisional']} {ratings.look('provisional').word}: {ratings.PROVISIONAL_EXPLANATION})"
    if row["unrated"]:
        full += f"; {row['unrated']} too few to tell or not shown"
    return short, full


def story_counts(told: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(provider_id, standard_id) -> printable stories tagged to it (data.period_stories)."""
    counts: dict[tuple[str, str], int] = {}
    for provider_id, tags in zip(told["provider_id"], told["standards"]):
        for standard_id in dict.fromkeys(tags):
            counts[(provider_id, standard_id)] = counts.get((provider_id, standard_id), 0) + 1
    return counts


def link(page: str, period: str, area: str | None, fragment: str = "", **choices: str) -> str:
    """A page's address relative to the app (so it works under any base path) with the
    choices in its query, as the pages read them back (ui.LINKED)."""
    query = {**choices, "period": period, **({"area": area} if area else {})}
    return f"{page}?{urlencode(query)}" + (f"#{fragment}" if fragment else "")


@tiers.output(tiers.BY_CALLER, "the overview's matrix: ratings and story counts in each provider's tier")
def matrix_html(
    sr: pd.DataFrame,
    standards: list[Standard],
    names: dict[str, str],
    told: pd.DataFrame,
    public: set[str],
    period: str,
    area: str | None,
    name: str,
    caption: str,
    rows: slice = slice(None),
) -> str:
    """The matrix as HTML. sr: the standard results shown (provider_id, standard_id, shown,
    uncertain), in the viewer's tier; names: provider id -> label; told: the quarter's
    printable stories; public: the providers whose figures are public-tier for this viewer;
    rows: which of the providers, worst first, it holds (all of them unless told: the overview
    draws the worst 15 of a national view first (overview_pieces.FIRST) and the rest in a fold, dashboard.overview)."""
    audited = [s for s in standards if s.id in set(sr["standard_id"])]
    cells = {(r.provider_id, r.standard_id): (r.shown, r.uncertain) for r in sr.itertuples()}
    tally = met_tally(sr)
    counts = story_counts(told)
    labels = ui_labels({s.id: short_label(s) for s in audited})

    def head(s: Standard) -> str:
        href = html.escape(link(STANDARD_PAGE, period, area, **{ui.STANDARD_LINK: s.id}))
        return (
            f'<th scope="col" title="{html.escape(s.title)}"><a href="{href}">'
            f'<span aria-hidden="true">{html.escape(labels[s.id])}</span>'
            f'<span class="ls-sr">{html.escape(s.title)}</span></a></th>'
        )

    def cell(provider_id: str, s: Standard) -> str:
        if (provider_id, s.id) not in cells:
            return "<td>not audited</td>"
        key, uncertain = cells[(provider_id, s.id)]
        look = ratings.look(key)
        unsure = bool(uncertain) and key in ratings.RANK
        short, full = stories_view.count_words(counts.get((provider_id, s.id), 0), provider_id in public)
        said = words.rating(key, unsure)
        title = f"{names[provider_id]}, {s.title}: {said}; {full}. Open its figures and stories."
        href = link(
            STANDARD_PAGE,
            period,
            area,
            stories_view.anchor(provider_id),
            **{ui.STANDARD_LINK: s.id, ui.PROVIDER_LINK: provider_id},
        )
        # the look comes from the cell's class (one rule per rating: dashboard.html_table); a
        # rating the data can't yet tell is striped and outlined. Said in full (the rating, that
        # the data can't yet tell, the stories) by the link's title: on hover, and read by a
        # screen reader as the link's description. Nothing else is repeated in a cell: 1,650
        # cells at national scale, each drawn by every reader's browser on every visit
        return (
            f'<td class="{html_table.rating_class(key, unsure)}"><a href="{html.escape(href)}" title="{html.escape(title)}">'
            f'{look.symbol}&nbsp;{html.escape(look.word)}<span class="ls-count">{html.escape(short)}</span></a></td>'
        )

    def row(provider_id: str) -> str:
        short, full = met_words(tally.loc[provider_id])
        href = html.escape(link(PROVIDER_PAGE, period, area, **{ui.PROVIDER_LINK: provider_id}))
        return (
            f'<tr><th scope="row"><a href="{href}">{html.escape(names[provider_id])}</a>'
            f'<span class="ls-met" title="{html.escape(full)}"><span aria-hidden="true">{html.escape(short)}</span>'
            f'<span class="ls-sr">, {html.escape(full)}</span></span></th>'
            + "".join(cell(provider_id, s) for s in audited)
            + "</tr>"
        )

    order = worst_first(tally, names)[rows]
    return (
        f"{ui.MATRIX_CSS}{MATRIX_CSS}<style>{html_table.rating_css()}</style>"
        f'<div class="ls-matrix-wrap ls-overview-wrap" role="region" tabindex="0" aria-label="{html.escape(name)}">'
        f'<table class="ls-matrix ls-overview"><thead><tr><th scope="col">Provider, worst first</th>'
        f"{''.join(head(s) for s in audited)}</tr></thead>"
        f"<tbody>{''.join(row(p) for p in order)}</tbody></table></div>"
        + (f'<p style="font-size: 0.875rem; margin-top: 0.4rem">{html.escape(caption)}</p>' if caption else "")
    )


def ui_labels(short: dict[str, str]) -> dict[str, str]:
    """Short labels kept apart: two standards that would read the same show their ids."""
    seen = pd.Series(list(short.values())).value_counts()
    return {sid: (label if seen[label] == 1 else f"{label} ({sid})") for sid, label in short.items()}
