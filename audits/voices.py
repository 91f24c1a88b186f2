"""Voices heard: how many people told us about a provider, and about each standard, by group.

"12 people using the service, 3 family members, 4 staff" beside a rating lets a reader see how
much experience lies behind it, as Scotland's MAT standards benchmarking reports the voices
behind each standard. A person is heard when they agreed to their story being used and have not
taken it back, whether their words may be quoted, summarised, or shown nowhere (a story the
auditor keeps out, or has not yet checked for personal details, is still a person heard). A
story speaks to a standard when it is tagged to it (the auditor's tagging, else the pack's).
One story is one person's account: a person heard twice in a quarter is told once, as one story.

These are counts of people, so a public output (every PDF, the published site, the dashboard
for everyone but the auditor) never shows a count of 1 to 4, nor a total that would give one
back: `protect`, which is audits.disclosure's rule for a group split into parts (the same rule
as every public figure's).
"""

from __future__ import annotations

import pandas as pd

from audits import disclosure

# The groups in the order they are said: people using the service first.
GROUPS = ("person_using_services", "family_member", "staff", "peer_researcher", "expert_citizen")
# Whose experience can move a rating (audits.stories.CONFIRMING_TELLERS), and so whose voices a
# standard needs enough of.
USING = ("person_using_services", "family_member")
# Fewer people using the service or their families than this heard on a standard is too few to
# say much about their experience of it; the same line as small-number suppression, so that
# saying "too few" never tells a reader more than a hidden count would.
ENOUGH = 5

Counts = dict[str, int]  # teller group -> people heard


def heard(table: pd.DataFrame) -> dict[tuple[str, str | None], Counts]:
    """(provider_id, standard_id) -> people heard by group, from a story table (audits.stories.
    story_table); (provider_id, None) holds everyone heard about the provider that quarter."""
    told = table[~table["status"].isin(["withdrawn", "no_consent"])]
    out: dict[tuple[str, str | None], Counts] = {}
    for provider_id, teller, tags in zip(told["provider_id"], told["teller"], told["standards"]):
        for key in [None, *dict.fromkeys(tags)]:
            counts = out.setdefault((provider_id, key), {})
            counts[teller] = counts.get(teller, 0) + 1
    return out


def protect(counts: Counts) -> tuple[dict[str, int | None], int | None]:
    """The counts and their total as a public output may show them: a count of 1 to 4 is None
    (not shown), and so is the total when it would give one back (audits.disclosure.protect_parts:
    the voices heard follow the rule every public figure follows)."""
    return disclosure.protect_parts(counts)


def too_few(counts: Counts, needed: int = 1) -> bool:
    """Too few people using the service or their families heard on a standard to say much about
    their experience: fewer than ENOUGH (or than the confirming stories a green needs, if more)."""
    return sum(counts.get(g, 0) for g in USING) < max(ENOUGH, needed)
