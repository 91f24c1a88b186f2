"""Every figure, rating, threshold, change and date in words, for every output.

The PDF, the dashboard, the published site and the command line all word a result
through these functions, so the same row reads the same everywhere ("72.5% (29 of
40 people)", "Met: 90% or more", "↑ Better (was Partly met)", "2 May 2026 at 14:05").
What a figure *is* (a share, a count, a median, a rate) is the measure kind's
business (audits.kinds); how it is said is here. Times are kept in UTC by the store
(store.now) and shown in UK time, because the people reading them are in England.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from audits import ratings, stats

UK = ZoneInfo("Europe/London")

OP_WORDS = {">=": "{} or more", "<=": "{} or less", ">": "more than {}", "<": "less than {}", "=": "exactly {}"}

# What the rows of each table are, one and many: "29 of 40 people".
UNITS = {
    "episodes": ("person", "people"),
    "contacts": ("contact", "contacts"),
    "workforce": ("member of staff", "staff"),
    "kpis": ("KPI", "KPIs"),
    "sites": ("site", "sites"),
    "documents": ("document", "documents"),
}

# A hidden figure, said the same way everywhere (audits.disclosure decides what is hidden). The
# mark is Fingertips' asterisk; the words tell the two kinds of hiding apart: a count of 1-4
# people itself (primary), and a figure hidden so that such a count cannot be worked out from it
# (secondary: with other figures, or with an earlier version of the same figures).
HIDDEN_MARK = "*"
NOT_SHOWN = f"Not shown{HIDDEN_MARK}"  # the mark after the words: a line starting "* " reads as a list
HIDDEN_WHY = {
    "small": "it would reveal fewer than 5 people",
    "linked": "hidden so that a small count cannot be worked out from other figures",
    "earlier": "hidden so that a small count cannot be worked out from an earlier version of these figures",
    # a group of a breakdown (audits.disclosure_breakdowns._small_whole): in the provider's own
    # figure, the people counted, or those not counted (or all of them), are 1-4
    "whole": "not broken down, as in the provider's figure as a whole fewer than 5 people are counted, or fewer than 5 are not",
}
HIDDEN_SMALL = "not shown: " + HIDDEN_WHY["small"]
HIDDEN_SECONDARY = "not shown: " + HIDDEN_WHY["linked"]
HIDDEN_FOOTNOTE = (
    "Figures marked * are not shown. A count of 1 to 4 people is never published, so that nobody can be recognised "
    "(“it would reveal fewer than 5 people”). Some other figures are hidden as well, so that such a "
    "count cannot be worked out from them, for example by subtracting one published figure from "
    "another (“so that a small count cannot be worked out”). A rating given as a range, such as "
    "“Met or partly met”, is one whose exact band would give a small count away. The benchmark is "
    "the figure of all the providers whose figures are shown, taken together."
)
HIDDEN_SHORT = (
    "Figures marked * are not shown, so that no count of fewer than 5 people can be read or worked out "
    "(see the note on small numbers in the summary)."
)
RESTRICTED_NOTE = "Restricted: exact figures, including counts of fewer than 5 people. Not for publication."
NO_FIGURE = "–"

TELLERS = {
    "person_using_services": "a person using the service",
    "family_member": "a family member",
    "peer_researcher": "a peer researcher",
    "staff": "a member of staff",
    "expert_citizen": "an expert citizen",
}


# --------------------------------------------------------------------------- numbers


def number(value) -> str:
    """1,234 or 2.5: whole numbers without a decimal point, others to one place."""
    if stats.is_missing(value):
        return NO_FIGURE
    return f"{value:,.1f}".removesuffix(".0")


def whole(value) -> str:
    """1,234: a count, never with a decimal point."""
    if stats.is_missing(value):
        return NO_FIGURE
    return f"{value:,.0f}"


def percent(share) -> str:
    """72.5% for a share of 0.725."""
    if stats.is_missing(share):
        return NO_FIGURE
    return f"{share * 100:.1f}%"


def unit(table: str, amount=None, weighted: bool = False) -> str:
    """What was counted: 'person' for one, 'people' otherwise; full-time equivalents when weighted."""
    one, many = UNITS[table]
    if weighted:
        return "staff (full-time equivalent)" if table == "workforce" else f"{many} (weighted)"
    return one if not stats.is_missing(amount) and amount == 1 else many


# --------------------------------------------------------------------------- ratings


# A rating whose 95% interval reaches across a threshold that would change it: the figures
# say one thing, but the data cannot yet tell it from the rating on the other side.
UNCERTAIN = "on the figures; the data can't yet tell"
UNCERTAIN_SHORT = "the data can't yet tell"  # for narrow cells, under the rating's word
UNCERTAIN_EXPLANATION = (
    "the rating is what the figures show, but their 95% interval reaches across a threshold that "
    "would change it, so the data can't yet tell which side of it the true figure is on"
)


def _unsure(key: str, uncertain) -> bool:
    return not stats.is_missing(uncertain) and bool(uncertain) and key in ratings.RANK


def rating(key: str, uncertain=False) -> str:
    """'✔ Met': symbol and word, as every output shows a rating (the colour only repeats it);
    '✔ Met on the figures; the data can't yet tell' when the data cannot tell it (`uncertain`)."""
    label = ratings.look(key).label
    return f"{label} {UNCERTAIN}" if _unsure(key, uncertain) else label


def rating_word(key: str, uncertain=False) -> str:
    """'Met (provisional)': the word alone, for sentences (with UNCERTAIN when `uncertain`)."""
    word = ratings.look(key).word
    return f"{word} {UNCERTAIN}" if _unsure(key, uncertain) else word


def rating_key(label: str) -> tuple[str | None, bool]:
    """The rating and whether it is uncertain, read back from `rating`'s words (for tables
    that style a cell by its words); (None, False) for anything else."""
    if not isinstance(label, str):
        return None, False
    uncertain = label.endswith(" " + UNCERTAIN)
    plain = label.removesuffix(" " + UNCERTAIN)
    for key, look in [*ratings.LOOKS.items(), *ratings.RANGES.items()]:
        if look.label == plain:
            return key, uncertain
    return None, False


def result_rating(row) -> str:
    """A measure result's rating in words (`rating`), marked uncertain only where its interval
    is shown: a figure hidden for small numbers says nothing more about where it lies."""
    hidden = stats.is_missing(row.get("ci_lower")) or stats.is_missing(row.get("ci_upper"))
    return rating(row["rating"], False if hidden else row.get("uncertain"))


def uncertainty(measure, row) -> str:
    """Why a measure's rating is uncertain, in a sentence naming the interval and the bars it
    reaches across ('' when the data can tell it, or when the figure is hidden)."""
    lower, upper = row.get("ci_lower"), row.get("ci_upper")
    if not _unsure(row.get("rating"), row.get("uncertain")) or stats.is_missing(lower) or stats.is_missing(upper):
        return ""
    bars = [
        f"the bar for {rating_word(key)} ({threshold(th)})"
        for key, th in (("green", measure.green), ("amber", measure.amber))
        if th is not None and lower <= th.target <= upper
    ]
    across = " and ".join(bars) if bars else "a threshold"
    return (
        f"{_but(row['rating'])}: its 95% interval, {interval(measure, row)}, reaches across {across}, "
        "so the true figure may be on either side."
    )


def _but(key: str) -> str:
    """'Met on the figures, but the data can't yet tell' (UNCERTAIN as a sentence's start)."""
    head, tail = UNCERTAIN.split("; ")
    return f"{rating_word(key)} {head}, but {tail}"


def standard_uncertainty(key: str) -> str:
    """Why a standard's rating is uncertain, in a sentence."""
    return (
        f"{_but(key)}: the 95% interval of at least one of its measures reaches across a threshold "
        "that would change the standard's rating (see the figures)."
    )


def comparison(key) -> str:
    """How a provider compares with the benchmark, in words ('' when there is no comparison)."""
    if not isinstance(key, str):
        return ""
    return ratings.COMPARISON_WORDS.get(key, "")


def _was(key: str) -> str:
    """The earlier rating as it reads inside brackets: 'Met (provisional)' -> 'Met, provisional'."""
    word = rating_word(key)
    return word.replace(" (", ", ").removesuffix(")") if word.endswith(")") else word


CHANGE_BETTER, CHANGE_WORSE, CHANGE_NONE = "↑ Better", "↓ Worse", "= No change"
CHANGE_UNCLEAR = "No clear change"
CHANGE_TOO_FEW, CHANGE_RATED = "Now too few to tell", "Now rated"
CHANGE_NOT_SHOWN = "Cannot say: a rating not shown in full"
# Met on the figures both periods; what changed is whether a story from people using the
# service confirmed it. Neither better nor worse: the figures did not move across a bar.
CHANGE_CONFIRMED = "= Still met, now confirmed by people's experience"
CHANGE_UNCONFIRMED = "= Still met on the figures, not confirmed by a story this period"
CHANGE_UNCLEAR_EXPLANATION = (
    "the rating moved, but the figures behind it did not change by more than chance (Newcombe's 95% "
    "interval of the difference includes no change), so the data can't tell it from the usual ups and downs"
)


def change(now: str, before: str | None, clear: bool | None = None, short: bool = False) -> str:
    """Which way a shown rating moved since the previous period, in words: '↑ Better (was
    Partly met)', or without the earlier rating when it is shown beside it (`short`).

    `clear` says whether the figures behind the move changed by more than chance (the rule
    is audits.changes); when it is False a move between ratings is 'No clear change', because
    the data cannot tell it from the usual ups and downs. None: not known, the move is worded
    as it is. Met and Met (provisional) are the same figures: a move between them says what
    people's experience added, never better or worse.
    """
    if before is None:
        return "New: not audited last period"
    was = "" if short else f" (was {_was(before)})"
    if now == before:
        return CHANGE_NONE
    if now in ratings.RANGES or before in ratings.RANGES:
        return CHANGE_NOT_SHOWN + was
    if {now, before} == {"green", "provisional"}:
        return CHANGE_CONFIRMED if now == "green" else CHANGE_UNCONFIRMED
    if now not in ratings.RANK:
        return CHANGE_TOO_FEW + was
    if before not in ratings.RANK:
        return CHANGE_RATED + was
    if ratings.RANK[now] == ratings.RANK[before]:
        return CHANGE_NONE + was
    if clear is False:
        return CHANGE_UNCLEAR + was
    return (CHANGE_BETTER if ratings.RANK[now] > ratings.RANK[before] else CHANGE_WORSE) + was


# --------------------------------------------------------------------------- thresholds


def threshold(th) -> str:
    """'90% or more', '14 or less', 'exactly 0' (a Threshold of a standard)."""
    amount = f"{th.number:g}{'%' if th.percent else ''}"
    return OP_WORDS[th.op].format(amount)


def thresholds(measure) -> str:
    """'Met: 90% or more · Partly met: 75% or more' (a measure's bars, in words)."""
    out = f"{rating_word('green')}: {threshold(measure.green)}"
    if measure.amber is not None:
        out += f" · {rating_word('amber')}: {threshold(measure.amber)}"
    return out


def rules(measure) -> str:
    """A measure's thresholds and its minimum count, as one line under its name."""
    least = minimum(measure)
    return thresholds(measure) + (f". {least}" if least else "")


def minimum(measure) -> str:
    """'Rated only with at least 10 people' ('' for a kind rated whatever the count)."""
    from audits.kinds import kind_of

    if not kind_of(measure).minimum_count:
        return ""
    return f"Rated only with at least {measure.min_count} {unit(measure.table)}"


# --------------------------------------------------------------------------- figures


def hidden(row) -> str:
    """What of a row disclosure control hid: '' (nothing), 'numerator' (with the value and the
    interval), or 'all'. The exact figures of a restricted view have no such column."""
    level = row.get("hidden") if hasattr(row, "get") else None
    return level if isinstance(level, str) else ""


def hidden_why(row) -> str:
    """Why a row's figure is not shown, in words ('' when it is shown)."""
    if not hidden(row):
        return ""
    return HIDDEN_WHY.get(row.get("reason") or "small", HIDDEN_WHY["small"])


def value(measure, amount) -> str:
    """A result's value alone: '72.5%', '3', '12.5 days'... as the measure's kind says it."""
    from audits.kinds import kind_of

    if stats.is_missing(amount):
        return NO_FIGURE
    return kind_of(measure).value_words(amount)


def figure(measure, row) -> str:
    """The figure as a reader says it: '72.5% (29 of 40 people)'; a hidden one says why."""
    from audits.kinds import kind_of

    denominator = row.get("denominator")
    weighted = bool(getattr(measure, "weight", None))
    if hidden(row) == "all":
        return f"{NOT_SHOWN}: {hidden_why(row)}"
    if hidden(row):
        return f"{NOT_SHOWN}: {hidden_why(row)} {_out_of(measure, row)}"
    if stats.is_missing(row.get("value")):
        if stats.is_missing(denominator):
            return "Nothing to measure"
        return f"Nothing to measure (0 {unit(measure.table, 0, weighted)})"
    return kind_of(measure).figure_words(measure, row)


def interval(measure, row) -> str:
    """The 95% interval: '65.1% to 79.0%' ('–' for a kind without one, or a hidden figure)."""
    from audits.kinds import kind_of

    lower, upper = row.get("ci_lower"), row.get("ci_upper")
    if not kind_of(measure).has_interval or stats.is_missing(lower) or stats.is_missing(upper):
        return NO_FIGURE
    return f"{value(measure, lower)} to {value(measure, upper)}"


# The benchmark pools every provider's rows of the audit run, this provider's own included
# (audits.method says why), and every output that shows it says so.
BENCHMARK_LABEL = "Benchmark (all providers, this one included)"
BENCHMARK_NOTE = (
    "The benchmark is the figure for all providers in this audit run together, this provider included "
    "(as Fingertips compares each area with an England figure that includes it)."
)
# In public outputs (and every view but the auditor's) the benchmark pools only the providers whose
# figures are shown (audits.disclosure), so that it gives no hidden count back.
PUBLIC_BENCHMARK_LABEL = "Benchmark (providers shown, this one included)"
PUBLIC_BENCHMARK_NOTE = (
    "The benchmark is the figure of all the providers whose figures are shown, taken together, this "
    "provider included when its figure is shown; providers whose figures are hidden are left out of it, "
    "so that it gives no hidden count back."
)


def benchmark_label(public: bool) -> str:
    """The benchmark's name as a column heading: the public one or the auditor's (all providers)."""
    return PUBLIC_BENCHMARK_LABEL if public else BENCHMARK_LABEL


def benchmark_note(public: bool) -> str:
    """What the benchmark is, in a sentence: the public one or the auditor's (all providers)."""
    return PUBLIC_BENCHMARK_NOTE if public else BENCHMARK_NOTE


def benchmark_scope(public: bool) -> str:
    """Who the benchmark pools, in a few words."""
    return "the providers whose figures are shown, together" if public else "all providers together, each one included"


def not_compared(measure, row) -> str:
    """Why a figure was not compared with the benchmark, as the engine decided it: the true
    reason ('too few people to rate', 'no better direction', ...)."""
    from audits.kinds import kind_of

    kind = kind_of(measure)
    if not kind.compared:
        return f"{kind.title.lower()} is not tested against the benchmark"
    if row.get("rating") == "no_data":
        return f"too few {unit(measure.table)} to rate"
    if measure.green.higher_is_better is None:
        return "the standard says no direction is better"
    return "no figure to compare"


def benchmark(measure, row) -> tuple[str, str]:
    """(the all-provider figure, how this provider compares with it) for a figures table."""
    from audits.kinds import kind_of

    kind = kind_of(measure)
    level = row.get("benchmark")
    compared = row.get("comparison")
    if stats.is_missing(level):
        if kind.compared and hidden(row):
            # the public benchmark pools the providers whose figures are shown: none here
            return "No benchmark: no provider's figure can be shown", ""
        return "No benchmark", ""
    if hidden(row):
        return value(measure, level), f"Not compared: the figure is not shown{HIDDEN_MARK}"
    if not isinstance(compared, str) or compared == "not_compared":
        return value(measure, level), f"Not compared ({not_compared(measure, row)})"
    return value(measure, level), comparison(compared)


# --------------------------------------------------------------------------- dates and people


def _as_date(when) -> dt.date:
    if isinstance(when, str):
        return dt.date.fromisoformat(when[:10])
    if isinstance(when, dt.datetime):
        return when.date()
    if hasattr(when, "to_pydatetime"):  # pandas Timestamp
        return when.to_pydatetime().date()
    return when


def long_date(when) -> str:
    """2 May 2026 (a day: a quarter's end, when a story was gathered, when a standard was approved)."""
    if stats.is_missing(when) or when is None:
        return ""
    day = _as_date(when)
    return f"{day.day} {day:%B %Y}"


def uk_time(when: dt.datetime) -> dt.datetime:
    """A store time (UTC, no zone) as the clock on the wall in England."""
    if hasattr(when, "to_pydatetime"):
        when = when.to_pydatetime()
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(UK)


def long_datetime(when) -> str:
    """2 May 2026 at 14:05, UK time (when something was loaded, signed, reviewed or tagged)."""
    if stats.is_missing(when) or when is None:
        return ""
    local = uk_time(when)
    return f"{long_date(local.date())} at {local:%H:%M}"


def audit_run(run_id: str) -> str:
    """'the audit run on 2 May 2026 at 14:05': an audit run as people name it, never its internal
    id (the id starts with the moment the run began, UTC: audits.runs)."""
    found = re.match(r"run-(\d{8})-(\d{6})", str(run_id or ""))
    if not found:
        return "the audit run"
    began = dt.datetime.strptime(found.group(1) + found.group(2), "%Y%m%d%H%M%S")
    return f"the audit run on {long_datetime(began)}"


STANCES = {
    "confirms": "The auditor reads this story as confirming the figures.",
    "contradicts": "The auditor reads this story as contradicting the figures.",
    "mixed": "The auditor reads this story as mixed: it partly confirms and partly contradicts the figures.",
}


def stance(key: str) -> str:
    """What a story says of a standard, as the auditor marked it, in a sentence."""
    return STANCES.get(key, "")


def teller(key) -> str:
    """Who told a story, in words: 'a person using the service'."""
    return TELLERS.get(key, str(key))


# --------------------------------------------------------------------------- voices heard

# Each group of people heard, one and many: "1 family member", "3 family members".
VOICE_GROUPS = {
    "person_using_services": ("person using the service", "people using the service"),
    "family_member": ("family member", "family members"),
    "staff": ("member of staff", "staff"),
    "peer_researcher": ("peer researcher", "peer researchers"),
    "expert_citizen": ("expert citizen", "expert citizens"),
}
NOBODY_HEARD = "No one yet"


def voices_heard(counts: dict[str, int], public: bool) -> str:
    """'12 people using the service, 3 family members, 4 staff'. In a public output
    (`public`) a count of 1 to 4 is not shown (audits.voices.protect): '* family members (not
    shown: fewer than 5 people)'."""
    from audits import voices

    if not any(counts.values()):
        return NOBODY_HEARD
    shown = voices.protect(counts)[0] if public else counts
    parts = []
    for group in voices.GROUPS:
        if not counts.get(group):
            continue
        one, many = VOICE_GROUPS[group]
        n = shown[group]
        parts.append(f"{HIDDEN_MARK} {many} ({HIDDEN_SMALL})" if n is None else f"{whole(n)} {one if n == 1 else many}")
    return ", ".join(parts)


def people_heard(counts: dict[str, int], public: bool) -> str:
    """Everyone heard about a provider in a quarter, with the total when it may be shown:
    '19 people heard: 12 people using the service, 3 family members, 4 staff'."""
    from audits import voices

    if not any(counts.values()):
        return "No one was heard this quarter: no consented story was gathered."
    total = voices.protect(counts)[1] if public else sum(counts.values())
    said = voices_heard(counts, public)
    if total is None:
        return f"People heard: {said}."
    return f"{whole(total)} {'person' if total == 1 else 'people'} heard: {said}."


TOO_FEW_VOICES = (
    "Too few voices: fewer than {n} people using the service or their families were heard on this standard "
    "this quarter, too few to say much about their experience of it."
)


def too_few_voices(needed: int = 1) -> str:
    """What a standard with too few voices says (audits.voices.too_few)."""
    from audits import voices

    return TOO_FEW_VOICES.format(n=max(voices.ENOUGH, needed))


SUMMARY_NOTE = (
    "These are the auditor's words: the person agreed to a summary of their story, not to their own words "
    "being printed."
)


def gathered_by(row) -> str:
    """' by Sam Peer, Northshire Peer Interviewers' after 'gathered on …': the group, and the
    interviewer only when they chose to be named (audits.stories: `credited`)."""

    def text(value) -> str:
        return value.strip() if isinstance(value, str) else ""

    get = row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)
    group, named = text(get("gathered_by")), text(get("credited", None))
    return f" by {', '.join(part for part in (named, group) if part)}" if group or named else ""


def many(n: int, singular: str, plural: str | None = None) -> str:
    """'1 provider', '3 providers', '0 providers': a count with its noun, never 'provider(s)'."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


# --------------------------------------------------------------------------- charts in words
# A sentence beside every chart says what it shows, for people who cannot see it (and for
# everyone who would rather read): the chart's accessible name and a caption under it.


def _tally(keys, say) -> str:
    """'2 Met, 1 Partly met': how many of each, in the order first seen."""
    counts: dict[str, int] = {}
    for key in keys:
        counts[say(key)] = counts.get(say(key), 0) + 1
    return ", ".join(f"{n} {word}" for word, n in counts.items())


def _rating_said(key) -> str:
    if not isinstance(key, str) or not key:
        return "not rated"
    word = ratings.look(key).word.rstrip(" *")
    return word if key in ("green", "amber", "red") else word[0].lower() + word[1:]


SPREAD = "allowing for the usual spread between providers"


def limits_name(level: str, tau2) -> str:
    """A funnel's limits by name: '95% limits' when they allow for chance alone, '95% limits,
    allowing for the usual spread between providers' when they allow for the variance between
    providers too (stats.dispersion; tau2 missing or 0: none)."""
    spread = not stats.is_missing(tau2) and float(tau2) > 0
    return f"{level} limits, {SPREAD}" if spread else f"{level} limits"


def chart_bands(measure) -> str:
    """'The bands drawn: Met at 90% or more; Partly met at 75% or more.'"""
    said = f"{rating_word('green')} at {threshold(measure.green)}"
    if measure.amber is not None:
        said += f"; {rating_word('amber')} at {threshold(measure.amber)}"
    return f"The bands drawn: {said}."


def across_providers_summary(measure, rows, benchmark, funnel: bool, chosen: str | None = None) -> str:
    """What a chart of one measure across providers shows, in words: how many providers have
    each rating, how they compare with the benchmark (the engine's comparison, as the table
    says it), which are not shown, and the chosen provider's figure. rows: dicts or a frame's
    rows with name, rating, comparison, value, hidden (and the figure's columns)."""
    rows = list(rows)
    shown = [r for r in rows if not hidden(r) and not stats.is_missing(r.get("value"))]
    not_shown = [r for r in rows if hidden(r)]
    what = "Funnel plot" if funnel else "Chart"
    parts = [
        f"{what} of {measure.label}, {len(rows)} provider{'s' if len(rows) != 1 else ''}"
        + (f": {_tally([r.get('rating') for r in shown], _rating_said)}." if shown else ".")
    ]
    parts.append(chart_bands(measure))
    if not stats.is_missing(benchmark):
        compared = [r.get("comparison") for r in shown if r.get("comparison") in ratings.COMPARISON_WORDS]
        compared = [c for c in compared if c != "not_compared"]
        side = {"best": "better", "better": "better", "similar": "similar", "worse": "worse", "worst": "worse"}
        tally = _tally([side[c] for c in compared], str)
        parts.append(f"Benchmark {value(measure, benchmark)}" + (f"; compared with it: {tally}." if tally else "."))
    if not_shown:
        parts.append(
            f"{len(not_shown)} provider figure{'s' if len(not_shown) != 1 else ''} not shown{HIDDEN_MARK} "
            "(a grey band on the chart)."
        )
    for row in rows:
        if chosen is not None and row.get("provider_id") == chosen:
            parts.append(f"{row.get('name')} (ringed): {figure(measure, row)}, {_rating_said(row.get('rating'))}.")
    return " ".join(parts)


def over_time_summary(measure, rows, name: str, variation: str | None = None, assurance: str | None = None) -> str:
    """What one provider's chart over time shows, in words: its first and latest figures, the
    ratings of its quarters, what the usual range says of the latest (variation, assurance:
    the Making Data Count icons' sentences) and the quarters not shown. rows: one a quarter,
    in order, with period, value, rating, hidden (and the figure's columns)."""
    rows = list(rows)
    plotted = [r for r in rows if not hidden(r) and not stats.is_missing(r.get("value"))]
    parts = [f"{measure.label} at {name}, {rows[0]['period']} to {rows[-1]['period']}."]
    if plotted:
        first, last = plotted[0], plotted[-1]
        parts.append(
            f"{value(measure, first['value'])} in {first['period']}"
            + (f", {value(measure, last['value'])} in {last['period']}" if last is not first else "")
            + f". Ratings of the {len(plotted)} quarter{'s' if len(plotted) != 1 else ''} with a figure: "
            f"{_tally([r.get('rating') for r in plotted], _rating_said)}."
        )
    parts.append(chart_bands(measure))
    parts += [s for s in (variation, assurance) if s]
    gaps = sum(bool(hidden(r)) for r in rows)
    if gaps:
        parts.append(f"{gaps} quarter{'s' if gaps != 1 else ''} not shown{HIDDEN_MARK} (a grey band on the chart).")
    return " ".join(parts)


# --------------------------------------------------------------------------- breakdowns


# A group's figure beside the provider's whole figure (audits.breakdowns): "similar" whenever
# their 95% intervals overlap, so that no group is ranked on noise.
GROUP_COMPARISONS = {
    "similar": "Similar to everyone's",
    "better": "Better than everyone's",
    "worse": "Worse than everyone's",
    "higher": "Higher than everyone's",
    "lower": "Lower than everyone's",
    "not_compared": "Too few to compare",
    "whole_hidden": f"Not compared: everyone's figure is not shown{HIDDEN_MARK}",
}
BREAKDOWN_NOTE = (
    "Each group's figure is worked out as the whole figure is, over the people of that group. "
    "“Similar” means the group's 95% interval overlaps the interval of everyone's figure, so the data "
    "cannot tell them apart; “better” or “worse” only when the two intervals are apart. A group with "
    "fewer people than the measure's minimum count is not compared."
)


def group(dimension: str, code: str) -> str:
    """A group of people as a reader says it: 'Female', '25 to 34', 'Black'."""
    from audits import breakdowns, vocabulary

    if code == breakdowns.NOT_RECORDED:
        return "Not recorded (not in the return's people)"
    return vocabulary.field_of(breakdowns.PEOPLE, dimension).codes.get(code, code)


def dimension(name: str) -> str:
    """A breakdown's dimension as a heading: 'Sex', 'Age', 'Ethnic group'."""
    from audits import breakdowns, vocabulary

    return vocabulary.field_of(breakdowns.PEOPLE, name).name


def group_comparison(row) -> str:
    """How a group compares with everyone at the provider, in words; a hidden figure is not compared."""
    if hidden(row) and row.get("denominator") != 0:  # a group of nobody: as group_figure says
        return f"Not compared: the figure is not shown{HIDDEN_MARK}"
    return GROUP_COMPARISONS.get(row.get("comparison"), GROUP_COMPARISONS["not_compared"])


# a measure whose provider's figure as a whole is small is not broken down: said once, above
# its groups (audits.breakdown_tables.not_broken_down), not in each group's row
NOT_BROKEN_DOWN = (
    "Not broken down*: in the provider's figure as a whole fewer than 5 people are counted, "
    "or fewer than 5 are not, so no group's count is shown."
)


def group_figure(measure, row) -> str:
    """A group's figure: '72.5% (29 of 40 people)'; 'No people' for a group with nobody in it;
    'Not shown* (out of 22 people)' for a group of a measure not broken down (its table says why
    once: NOT_BROKEN_DOWN)."""
    # a group of nobody says so even when its numerator was hidden with the rest of a small
    # whole: its count can only be 0, which its shown denominator says already
    if not stats.is_missing(row.get("denominator")) and row.get("denominator") == 0:
        return f"No {unit(measure.table)}"
    if hidden(row) and row.get("reason") == "whole":  # audits.disclosure_breakdowns.WHOLE
        if hidden(row) == "all":
            return NOT_SHOWN
        return f"{NOT_SHOWN} {_out_of(measure, row)}"
    return figure(measure, row)


def _out_of(measure, row) -> str:
    """Whom a hidden count is out of: '(out of 22 people)' (its denominator is shown)."""
    denominator = row.get("denominator")
    return f"(out of {number(denominator)} {unit(measure.table, denominator, bool(getattr(measure, 'weight', None)))})"
