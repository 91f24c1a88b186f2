"""People's stories beside the numbers: each story as a quote of plain text at full contrast,
with who told it and when underneath, under the provider and standard it speaks to.

"I don't want numbers, I want stories – and that's how we do the monitoring." The stories
come only from audits.stories' readers (consent, withdrawals and screening already applied
there: dashboard.data.period_stories); this module only draws them, as escaped
HTML text (never Markdown), in the text colour itself: no faded caption, no opacity."""

from __future__ import annotations

import html
import re

import pandas as pd
import streamlit as st

from audits import tiers, voices, words
from dashboard import ui

STORY_CSS = """<style>
.ls-story { margin: 0 0 0.9rem 0; }
.ls-story blockquote { margin: 0; padding: 0.15rem 0 0.15rem 0.9rem; border-left: 4px solid #005eb8;
  white-space: pre-wrap; color: inherit; font-size: 1rem; line-height: 1.5; }
.ls-story figcaption { margin: 0.3rem 0 0 1.15rem; color: inherit; font-size: 0.875rem; font-style: italic; }
</style>"""

NO_STORY = "No consented story speaks to this standard this quarter yet."


def told_by(story) -> str:
    """Who told a story, when, who gathered it, and whether the auditor changed its words."""
    return (
        f"Told by {words.teller(story['teller'])} on {words.long_date(story['gathered_on'])}; "
        f"gathered{words.gathered_by(story)}"
        + (" (personal details removed by the auditor)" if story["redacted"] else "")
        + (f". {words.SUMMARY_NOTE}" if story.get("summarised") else "")
    )


def figures_html(told: pd.DataFrame) -> str:
    """The stories as figures of escaped text, without the style sheet: people's words can never
    become a link or markup."""
    return "".join(
        f'<figure class="ls-story"><blockquote>{html.escape(str(story["text"]))}</blockquote>'
        f"<figcaption>{html.escape(told_by(story))}</figcaption></figure>"
        for _, story in told.iterrows()
    )


def quotes_html(told: pd.DataFrame) -> str:
    """The stories as figures of escaped text, with their style sheet (one st.html)."""
    return STORY_CSS + figures_html(told)


def show(told: pd.DataFrame) -> None:
    """One provider's printable stories of one standard, open, or a plain line saying there are none."""
    if told.empty:
        st.write(NO_STORY)
        return
    st.html(quotes_html(told))


def _content(told: pd.DataFrame) -> bytes:
    """The stories' content as the cache key: every column and value, lists (a story's standards)
    by their text (Streamlit's own hash cannot hash a list and logged a warning on every visit)."""
    return str(list(told.columns)).encode() + pd.util.hash_pandas_object(told.astype(str)).to_numpy().tobytes()


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={pd.DataFrame: _content})
def _quotes_of(told: pd.DataFrame, standard_id: str) -> dict[str, str]:
    """Provider id -> the HTML of its stories of one standard (figures_html, without the style
    sheet), built once per content of the quarter's printable stories (a withdrawal changes them)
    and standard: a standard's page drew some forty providers' stories again on every visit.
    Stories are printed in public: no tier to keep apart."""
    return {provider_id: figures_html(mine) for provider_id, mine in by_provider(told, standard_id).items()}


def _show_of(quotes: dict[str, str], provider_id: str) -> None:
    """As `show`, from the stories' HTML built by _quotes_of."""
    if provider_id in quotes:
        st.html(STORY_CSS + quotes[provider_id])
    else:
        st.write(NO_STORY)


FOLD_CSS = """<style>
.ls-folds { margin: 0 0 1rem 0; }
.ls-fold { border: 1px solid #d5d9e0; border-radius: 0.5rem; margin: 0 0 0.5rem 0; }
.ls-fold > summary { cursor: pointer; padding: 0.55rem 0.9rem; font-size: 1rem; line-height: 1.5; }
.ls-fold > summary:focus-visible { outline: 3px solid #005eb8; outline-offset: 2px; }
.ls-fold[open] > summary { border-bottom: 1px solid #d5d9e0; }
.ls-fold > .ls-fold-body { padding: 0.8rem 0.9rem 0.1rem 0.9rem; }
</style>"""


def folded_html(rows: list[tuple[str, str]], quotes: dict[str, str]) -> str:
    """Every other provider's stories of a standard folded one line each, as one block of HTML:
    rows are (provider id, its line: name, rating and how many stories), quotes the stories' HTML
    of each provider (_quotes_of). Each line is a <details> the browser opens and closes by
    itself, by mouse or keyboard, with no round trip to the server; a closed one is not laid out.
    Forty providers' folds were forty Streamlit expanders, each label drawn through Streamlit's
    Markdown component: ~1 CPU-s of a first visit's Chromium, before anyone opened one. The line
    is escaped text, never markup."""
    return (
        STORY_CSS
        + FOLD_CSS
        + '<div class="ls-folds">'
        + "".join(
            f'<details class="ls-fold"><summary>{html.escape(line)}</summary>'
            f'<div class="ls-fold-body">{quotes.get(provider_id) or "<p>" + html.escape(NO_STORY) + "</p>"}</div>'
            "</details>"
            for provider_id, line in rows
        )
        + "</div>"
    )


def of(told: pd.DataFrame, provider_id: str, standard_id: str) -> pd.DataFrame:
    """The stories of a quarter (data.period_stories) that one provider's people told of one standard."""
    if told.empty:
        return told
    keep = (told["provider_id"] == provider_id) & told["standards"].apply(lambda tags: standard_id in tags)
    return told[keep]


def anchor(provider_id: str) -> str:
    """The address fragment of a provider's stories on a standard's page (the overview's cells
    link to it): letters, digits and dashes only, whatever the provider's id holds."""
    return "stories-" + re.sub(r"[^a-z0-9]+", "-", str(provider_id).lower()).strip("-")


def count_words(n: int, public: bool) -> tuple[str, str]:
    """A cell's count of stories, short and in full: ('3 stories', '3 stories from people, with
    consent'). In the public tier a count of 1 to 4 is not shown, by the rule voices heard follow
    (audits.voices.protect): ('* stories', 'fewer than 5 stories: the count is not shown')."""
    shown = voices.protect({"stories": n})[1] if public else n
    if shown is None:
        return f"{words.HIDDEN_MARK} stories", f"stories: {words.HIDDEN_SMALL}"
    if shown == 0:
        return "no story", "no story yet"
    one = "story" if shown == 1 else "stories"
    return f"{words.whole(shown)} {one}", f"{words.whole(shown)} {one} told with consent"


FOLD_AFTER = 8  # providers with stories shown open; beyond it (national scale) the others fold


def by_provider(told: pd.DataFrame, standard_id: str) -> dict[str, pd.DataFrame]:
    """Provider id -> its stories of one standard (data.period_stories), split in one pass
    (filtering the quarter's stories again for each of 150 providers took a second)."""
    if told.empty:
        return {}
    keep = told["standards"].apply(lambda tags: standard_id in tags)
    return {str(k): v for k, v in told[keep].groupby("provider_id", sort=False)}


def land_on(provider_id: str) -> None:
    """Scroll to a provider's stories when the address asks for them (an overview cell's link ends
    in #stories-…), once they are drawn: Streamlit scrolls to the fragment only if the heading is
    already there when the page loads, which a cold first load may miss. Only the fixed anchor
    pattern reaches the script (letters, digits and dashes)."""
    target = anchor(provider_id)
    # st.html's script runs in the page itself (components.v1.html, an iframe, is going from Streamlit)
    st.html(
        "<script>(function(){var n=0;"
        f"if(window.location.hash!=='#{target}')return;"
        f"(function go(){{var e=document.getElementById('{target}');"
        "if(e){e.scrollIntoView();}else if(n++<50){setTimeout(go,100);}})();})();</script>",
        unsafe_allow_javascript=True,
    )


def _heading(row, ratings: dict[str, str]) -> None:
    st.subheader(f"{ui.md(row.provider_name)} ({ui.md(row.provider_id)})", anchor=anchor(row.provider_id))
    st.markdown(f"Rating for this standard: **{ui.md(ratings.get(row.provider_id, words.rating('no_data')))}**")


@tiers.output(tiers.PUBLIC, "every provider's printable stories of one standard (stories are printed in public)")
def every_provider(
    providers: pd.DataFrame,
    told: pd.DataFrame,
    standard_id: str,
    period: str,
    ratings: dict[str, str],
    chosen: str | None = None,
) -> None:
    """Under each provider (providers: provider_id, provider_name), its rating for the standard
    (ratings: provider id -> the rating in words, in the viewer's tier) and its stories, open.
    Providers with no story are named in one line, except the one the person chose (an overview
    cell), which always has its own heading, so the link lands on it. With more than FOLD_AFTER
    providers' stories (national scale: a hundred or more), the chosen provider's stay open first
    and every other provider's fold under one line each (name, rating, how many stories), so the
    page stays readable and each provider's stories stay beside its rating."""
    st.subheader(f"In people's words, {period}")
    st.write(
        "What people using each service, and their families, told the independent audit about this "
        "standard this quarter, with their consent and with personal details taken out. Each story is "
        "shown under the provider it speaks of, beside that provider's rating."
    )
    mine = by_provider(told, standard_id)
    quotes = _quotes_of(told, standard_id)
    ordered = providers.sort_values("provider_name", key=lambda c: c.str.lower())
    speaking = [row for row in ordered.itertuples() if row.provider_id in mine or row.provider_id == chosen]
    named = {row.provider_id for row in speaking}
    silent = [
        f"{row.provider_name} ({row.provider_id})" for row in ordered.itertuples() if row.provider_id not in named
    ]
    if len(speaking) <= FOLD_AFTER:
        for row in speaking:
            _heading(row, ratings)
            _show_of(quotes, row.provider_id)
    else:
        first = [row for row in speaking if row.provider_id == chosen]
        for row in first:
            _heading(row, ratings)
            _show_of(quotes, row.provider_id)
        others = [row for row in speaking if row.provider_id != chosen]
        st.markdown(
            f"**Every other provider's stories of this standard** ({words.whole(len(others))} providers, "
            "A to Z): open a provider to read its stories."
        )
        lines = []
        for row in others:
            n = len(mine.get(row.provider_id, ()))
            rating = ratings.get(row.provider_id, words.rating("no_data"))
            lines.append(
                (
                    row.provider_id,
                    f"{row.provider_name} ({row.provider_id}) · {rating} · {words.whole(n)} {'story' if n == 1 else 'stories'}",
                )
            )
        # one block the browser folds by itself (folded_html), not one Streamlit expander each
        st.html(folded_html(lines, quotes))
    if silent:
        st.write("No consented story speaks to this standard yet for: " + ui.md("; ".join(silent)) + ".")
    if chosen in named:
        land_on(chosen)
