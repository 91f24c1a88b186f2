"""The data dictionary: what each column of a file of results means, in one place.

Every file of results a person can take away (the published site's open data, and the CSV and
Excel downloads beside the dashboard's tables) names its columns from here, and its dictionary is
these entries for its columns, so the same column means the same thing in every file. Each entry
says the column's name, type, unit, meaning and how it is protected: in a public file figures that
would reveal a count of 1 to 4 people are left empty (audits.disclosure); a restricted file holds
exact figures and says so in its `tier` column.
"""

from __future__ import annotations

from typing import NamedTuple

from audits.stats import MIN_PROVIDERS


class Column(NamedTuple):
    name: str
    type: str  # text, whole number, number, yes/no
    unit: str
    meaning: str
    protection: str  # how the column is protected in a public file (a restricted one is exact)


AS_IS = "Shown as it is: it says nothing about how many people."
SMALL_HIDDEN = (
    "Left empty in public figures when it would reveal a count of 1 to 4 people or let one be worked out "
    "(suppressed says so, and why); exact in a restricted file."
)
ROUNDED = "In public figures rounded to the precision shown on screen and left empty when the figure is hidden. "
RESTRICTED_TIER = "Restricted: not for publication"  # the tier column's words for an exact row
PUBLIC_TIER = "Public"  # and for a disclosure-controlled one

COLUMNS = (
    Column("period", "text", "quarter", "The quarter audited, such as 2026-Q2 (April to June 2026).", AS_IS),
    Column("run_id", "text", "", "The audit run the figures come from (each run is kept unchanged).", AS_IS),
    Column("provider_id", "text", "", "The provider's code.", AS_IS),
    Column("provider_name", "text", "", "The provider's name.", AS_IS),
    Column("area", "text", "", "The area whose commissioners fund the provider.", AS_IS),
    Column("standard_id", "text", "", "The standard's short name.", AS_IS),
    Column("standard_version", "whole number", "", "The version of the standard audited.", AS_IS),
    Column("standard_title", "text", "", "The standard in a few plain words.", AS_IS),
    Column(
        "standard_rating",
        "text",
        "",
        "The standard's rating as shown: green, provisional, differs, amber, red or no_data; green_amber or "
        "amber_red (a range) or withheld when the exact band would give a small count away.",
        "In public figures a range (green_amber, amber_red) or withheld where the exact band would let a count "
        "of 1 to 4 people be worked out; exact in a restricted file.",
    ),
    Column(
        "standard_rating_words",
        "text",
        "",
        "The same in words, such as 'Met' or 'Partly met: people's experience differs'.",
        "As standard_rating.",
    ),
    Column(
        "uncertain",
        "yes/no",
        "",
        "yes when the rating is what the figures show but their 95% interval reaches across a threshold that "
        "would change it, so the data can't yet tell which side of it the true figure is on.",
        "In public figures worked out from the public figures alone.",
    ),
    Column("measure_id", "text", "", "The measure's short name.", AS_IS),
    Column("measure_label", "text", "", "What the measure counts, in words.", AS_IS),
    Column(
        "measure_kind",
        "text",
        "",
        "What kind of figure the measure is: proportion (a share), count, median or rate (per 1,000).",
        AS_IS,
    ),
    Column(
        "figure",
        "text",
        "as the measure's kind says it",
        "The figure as the dashboard says it, with the numerator and denominator beside a percentage, such as "
        "'72.5% (29 of 40 people)'; a hidden figure reads 'Not shown*' and why.",
        "The same words as the screen: a hidden figure is marked * with the reason, never its count.",
    ),
    Column(
        "numerator",
        "number",
        "people (or the rows the measure counts: contacts, staff, sites, KPIs, documents)",
        "How many were counted as meeting it (empty when not shown).",
        SMALL_HIDDEN,
    ),
    Column(
        "denominator",
        "number",
        "people (or the rows the measure counts: contacts, staff, sites, KPIs, documents)",
        "How many were counted in all (empty when not shown).",
        SMALL_HIDDEN,
    ),
    Column(
        "value",
        "number",
        "a share from 0 to 1 (proportion), a number (count), days or the measure's number (median), per 1,000 (rate)",
        "The figure (empty when not shown).",
        ROUNDED + SMALL_HIDDEN,
    ),
    Column(
        "ci_lower",
        "number",
        "as value",
        "Lower end of the 95% Wilson interval of a share or rate (empty when there is none).",
        ROUNDED + "An interval gives its figure back, so it is hidden with it.",
    ),
    Column(
        "ci_upper",
        "number",
        "as value",
        "Upper end of the 95% Wilson interval of a share or rate (empty when there is none).",
        ROUNDED + "An interval gives its figure back, so it is hidden with it.",
    ),
    Column(
        "benchmark",
        "number",
        "as value",
        "The figure of all the providers whose figures are shown, taken together (providers whose figures "
        "are hidden are left out of it, so that it gives no hidden count back).",
        "Pools only the providers whose figures are shown, rounded as shown; the auditor's own view pools every "
        "provider.",
    ),
    Column(
        "between_variance",
        "number",
        "a share's variance (the square of a share)",
        "The usual spread between providers that the comparison with the benchmark allowed for (τ², "
        "Spiegelhalter's adjustment for over-dispersion): the comparison's 95% limits at n people are the "
        "benchmark ± 1.96 × √(benchmark × (1 − benchmark) ÷ n + between_variance), 3.09 for the 99.8% limits, "
        "on the share scale (a rate per 1,000 divided by 1,000). 0 when the providers differ by no more than "
        f"chance, or fewer than {MIN_PROVIDERS} were compared; empty when the measure is not compared.",
        "Worked out from the figures shown alone, around the benchmark shown, so it gives no hidden count "
        "back; the auditor's own view works it out from every provider compared.",
    ),
    Column(
        "comparison",
        "text",
        "",
        "How the figure compares with the benchmark: similar, better, worse, best, worst or not_compared.",
        "Not compared when the figure is hidden.",
    ),
    Column(
        "measure_rating",
        "text",
        "",
        "The measure's rating on its figures: green, amber, red or no_data; green_amber or amber_red when "
        "the exact band would give a small count away, withheld when no band can be shown.",
        "In public figures a range or withheld where the exact band would let a count of 1 to 4 people be worked "
        "out; exact in a restricted file.",
    ),
    Column(
        "dimension",
        "text",
        "",
        "What a breakdown groups people by: sex, age_band or ethnicity (the return's codes).",
        AS_IS,
    ),
    Column(
        "group",
        "text",
        "",
        "The group of people a breakdown's row counts, in the return's codes ('female', '25-34', 'black'); "
        "'not_recorded' for rows whose person is not in the return's people, so the groups add up to the whole.",
        AS_IS,
    ),
    Column(
        "compared_with_whole",
        "text",
        "",
        "A group's figure against everyone's at the provider: similar (their 95% intervals overlap, so the data "
        "cannot tell them apart), better or worse, higher or lower, or not compared (too few people).",
        "Never given for a hidden figure.",
    ),
    Column(
        "suppressed",
        "yes/no",
        "",
        "yes when a figure is left empty so that a count of 1 to 4 people cannot be read or worked out.",
        AS_IS,
    ),
    Column("suppressed_why", "text", "", "Why the figures are left empty, in words (empty when nothing is).", AS_IS),
    Column(
        "voices_heard",
        "text",
        "people",
        "People who told the audit about it this quarter and agreed to their story being used, by group.",
        "In public figures a group of 1 to 4 people is not counted (marked *); exact in a restricted file.",
    ),
    Column(
        "enough_voices",
        "yes/no",
        "",
        "no when too few people using the service or their families were heard on the standard this quarter "
        "to say much about their experience of it.",
        AS_IS,
    ),
    Column(
        "tier",
        "text",
        "",
        f"'{RESTRICTED_TIER}': exact figures, including counts of 1 to 4 people, for those entitled to them "
        f"only; never publish or pass on such a row. '{PUBLIC_TIER}': disclosure-controlled figures that may be "
        "published.",
        "Every row says its own tier, so that a row copied elsewhere keeps its label.",
    ),
)

BY_NAME = {c.name: c for c in COLUMNS}


def of(names) -> list[Column]:
    """The entries of these columns, in their order: a column without an entry is refused, so
    that no file can carry a column its dictionary does not explain."""
    missing = [n for n in names if n not in BY_NAME]
    if missing:
        raise KeyError(f"no data dictionary entry for column(s) {', '.join(map(str, missing))}: add it to COLUMNS")
    return [BY_NAME[n] for n in names]
