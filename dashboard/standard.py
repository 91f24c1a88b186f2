"""Page: one standard. Its statement, why and voices in the group's words; each
measure across providers (a funnel plot for proportions, so providers of different
sizes are compared fairly); the trend for one provider, one chart for every role, with NHS
Making Data Count's usual range once there are enough quarters; and the stories beside the
numbers."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audits import tiers, voices, words
from dashboard import breakdowns_view, data, downloads, over_time, stories_view, ui, viewer
from dashboard.measure_views import across_providers, measure_rows, standard_rows


def chosen_provider(ids: list[str]) -> str | None:
    """The provider the page's choice below will show (a link's, the last chosen, or the first),
    so the charts above it ring the same provider."""
    ui.follow_link(ui.PROVIDER_LINK, "provider_id")
    current = st.session_state.get("provider_id")
    return current if current in ids else (ids[0] if ids else None)


@tiers.output(tiers.BY_CALLER, "the standard page: each row in the viewer's tier (dashboard.viewer)")
def render() -> None:
    view = viewer.open_results_page(__file__, ui.STANDARD_LINK, "standard_id")
    own, db, cat = view.own, view.db, view.cat
    st.title("A standard")
    st.write(
        "What a standard asks, in the words of the people with lived experience who wrote it; how "
        "each provider's figures compare; and what people using the services say about it."
    )
    if not cat.runs:
        ui.empty("There are no audit results yet.", ui.NO_RESULTS_NEXT)
        return
    left, right = st.columns(2)
    with right:
        period = ui.remember("Period", list(reversed(cat.periods)), "period", "standard")
    run_id = cat.runs[period]
    standards = {s.id: s for s in data.standards(db, run_id)}
    with left:
        standard_id = ui.remember(
            "Standard", list(standards), "standard_id", "standard", format_func=lambda s: standards[s].title
        )
    standard = standards[standard_id]
    providers = cat.providers
    ui.follow_link("area", "area")  # an overview cell names its area
    area = st.session_state.get("area", "All areas")
    if own:
        providers = providers[providers["provider_id"] == own]
    elif area != "All areas":
        providers = providers[providers["area"] == area]

    st.header(ui.md(standard.title))
    st.markdown(f"**What good looks like.** {ui.md(standard.statement)}")
    st.markdown(f"**Why it matters.** {ui.md(standard.why)}")
    for voice in standard.voices:
        ui.words_block(voice.quote.replace("\n", " "), voice.source)
    st.caption(
        f"Version {standard.version}, approved by {ui.md(standard.approved_by)} on {words.long_date(standard.approved_on)}."
    )

    results = standard_rows(db, cat, period, view.restricted, standard, providers)
    selected = own or chosen_provider(list(providers["provider_id"]))
    where = "your service" if own else ("all areas" if area == "All areas" else area)
    st.subheader(f"Each measure across providers, {period} ({where})")
    viewer.tier_note(view, results)
    if results.empty:
        ui.empty("No results for this standard in this period.", "choose another period or standard.")
    for measure in standard.measures:
        st.markdown(f"#### {ui.md(measure.label)}")
        across_providers(measure_rows(results, measure), measure, not view.auditor, selected)
    ui.footnote(results)

    st.subheader(f"Voices heard on this standard, {period}")
    heard, needed = data.heard(db, period)
    public = not view.auditor  # voices heard: exact for the auditor only (audits.voices.protect)
    voiced = pd.DataFrame(
        {
            "Provider": [f"{r.provider_name} ({r.provider_id})" for r in providers.itertuples()],
            # the auditor sees exact counts; everyone else as the public does (audits.voices.protect)
            "Voices heard": [
                words.voices_heard(heard.get((p, standard.id), {}), public) for p in providers["provider_id"]
            ],
            "Enough to tell?": [
                "Too few voices" if voices.too_few(heard.get((p, standard.id), {}), needed) else "Yes"
                for p in providers["provider_id"]
            ],
        }
    )
    ui.table(voiced, len(voiced), name=f"Voices heard on {standard.title}, {period}")
    downloads.offer(
        downloads.voices_frame(providers, heard, standard.id, period, needed, public),
        f"{standard.id}-voices",
        title=f"Voices heard on {standard.title}, {period}",
    )
    st.caption(
        "People who told us about this standard this quarter and agreed to their story being used. "
        + words.too_few_voices(needed).replace("Too few voices: ", "Too few voices means ")
        + (" Counts of 1 to 4 people are not shown." if public else "")
    )

    st.subheader("Over time, and in people's words")
    ids = list(providers["provider_id"])
    if not ids:
        return
    names = providers.set_index("provider_id")["provider_name"]
    provider_id = own or ui.remember(
        "Provider", ids, "provider_id", "standard", format_func=lambda p: f"{names[p]} ({p})"
    )
    history = data.history(db, cat, view.restricted)
    for measure in standard.measures:
        over_time.trend(history, provider_id, standard, measure, names[provider_id])
    if not history.empty:
        ui.footnote(history[(history["provider_id"] == provider_id) & (history["standard_id"] == standard.id)])
    breakdowns_view.section(view, period, standard, provider_id, names[provider_id])
    stories_view.every_provider(
        providers,
        data.period_stories(db, period),
        standard.id,
        period,
        _ratings(view, period, standard.id),
        provider_id,
    )


def _ratings(view: viewer.Viewer, period: str, standard_id: str) -> dict[str, str]:
    """Each provider's rating of the standard in words, in the viewer's tier (beside its stories)."""
    sr = data.standard_results(view.db, view.cat, period, view.restricted)
    sr = sr[sr["standard_id"] == standard_id]
    return {p: words.rating(r, u) for p, r, u in zip(sr["provider_id"], sr["shown"], sr["uncertain"])}


if __name__ == "__main__":
    render()
