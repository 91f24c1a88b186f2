"""What a commissioner should look at first: real change told apart from noise, and the
providers to watch.

A rating is called better or worse only when audits.changes says the figures behind it moved
by more than chance (`clear`). Every other move (within chance, a confirming story gained or
lost, to or from too few to tell, a rating not shown in full) is listed apart as "not a clear
change in the figures", so a quarter without a confirming story never reads as "worse". The
watch list names the providers that got clearly worse, that are much worse than the benchmark
(outside its 99.8% limits, which allow for the usual spread between providers: stats.dispersion),
or that have agreed actions overdue (audits.actions). Everything
here reads what the engine and disclosure control already worked out, in the viewer's tier."""

from __future__ import annotations

import pandas as pd

from audits import ratings, words

# A rating that moved only because of what people's experience says (the figures-rating stood
# still: audits.changes gives `clear` None), so neither better nor worse in the figures.
BY_STORIES = "Moved with what people's experience says, not with the figures"


def clear_moves(moved: pd.DataFrame) -> pd.Series:
    """Which of the moved rows (provider, standard, shown, shown_before, clear) are real change:
    the figures behind them moved by more than chance."""
    return moved["clear"].apply(lambda c: c is not None and not pd.isna(c) and bool(c)).astype(bool)


def change_words(moved: pd.DataFrame) -> list[str]:
    """The change of each moved row as audits.changes words it, except a move between ranks
    that the figures did not make (clear None): that one came from people's stories alone."""
    out = []
    for short, clear, now, before in zip(moved["change_short"], moved["clear"], moved["shown"], moved["shown_before"]):
        ranked = now in ratings.RANK and before in ratings.RANK
        if ranked and clear is None and short in (words.CHANGE_BETTER, words.CHANGE_WORSE):
            out.append(BY_STORIES)
        else:
            out.append(short)
    return out


def split(moved: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(real change, the rest): the rows of ratings that moved since the last quarter."""
    real = clear_moves(moved) if not moved.empty else pd.Series(dtype=bool)
    return moved[real], moved[~real]


def summary(real: pd.DataFrame, rest: pd.DataFrame, previous: str, period: str) -> str:
    """One paragraph: how many ratings changed for real, which way, and how many moves are not."""
    worse = int((real["change_short"] == words.CHANGE_WORSE).sum())
    better = int((real["change_short"] == words.CHANGE_BETTER).sum())
    text = (
        f"Between {previous} and {period}, {words.many(worse, 'rating')} got clearly worse and {better} clearly better: "
        "the figures behind them moved by more than chance."
    )
    if not rest.empty:
        text += (
            f" {words.many(len(rest), 'other rating')} moved without a clear change in the figures (within chance, a "
            "confirming story gained or lost, or too few to tell); they are listed apart, and none of them is "
            "called better or worse."
        )
    return text


def watch_list(
    sr: pd.DataFrame,
    names: dict[str, str],
    titles: dict[str, str],
    real: pd.DataFrame,
    measures: pd.DataFrame,
    late: pd.DataFrame,
) -> pd.DataFrame:
    """Providers to watch, the most reasons first: Provider, Why. sr: the standards shown
    (in the viewer's tier); real: the clear changes; measures: the measure results shown (with
    `comparison`, in the viewer's tier); late: overdue actions (audits.actions.overdue)."""
    mine = set(sr["provider_id"])
    reasons: dict[str, list[tuple[int, str]]] = {}
    worse = real[real["change_short"] == words.CHANGE_WORSE]
    for provider_id, group in worse.groupby("provider_id"):
        said = "; ".join(titles.get(s, s) for s in group["standard_id"])
        reasons.setdefault(provider_id, []).append((3, f"↓ Clearly worse since last quarter: {said}"))
    if not measures.empty and "comparison" in measures.columns:
        much = measures[measures["provider_id"].isin(mine) & (measures["comparison"] == "worst")]
        for provider_id, group in much.groupby("provider_id"):
            standards = "; ".join(dict.fromkeys(titles.get(s, s) for s in group["standard_id"]))
            spread = group["between_variance"].max() if "between_variance" in group else None
            limits = words.limits_name("99.8%", spread)
            reasons.setdefault(provider_id, []).append(
                (
                    2,
                    f"Much worse than the benchmark on {words.many(len(group), 'measure')} (outside its {limits}): {standards}",
                )
            )
    if not late.empty:
        for provider_id, group in late[late["provider_id"].isin(mine)].groupby("provider_id"):
            reasons.setdefault(provider_id, []).append((1, f"{words.many(len(group), 'agreed action')} overdue"))
    rows = sorted(reasons.items(), key=lambda item: (-sum(w for w, _ in item[1]), names.get(item[0], item[0]).lower()))
    return pd.DataFrame(
        {
            "Provider": [names.get(p, p) for p, _ in rows],
            "Why it is on the watch list": [" · ".join(text for _, text in sorted(r, reverse=True)) for _, r in rows],
        },
        columns=["Provider", "Why it is on the watch list"],
    )
