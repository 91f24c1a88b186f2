"""Disclosure control: the figures of an audit run that may be published, worked out once.

The promise: no count of 1 to 4 people can be read, or worked out, from anything public. Every
public output (the public CSV, the published site and its open data, every PDF, and what the
dashboard shows a viewer of providers that are not theirs) reads the run's public results from
here and nowhere else, so they all hide the same cells. `docs/disclosure.md` says the policy in
plain words; this is how it is done.

Per run, over the engine's results and the standards as audited (`protect`):

1. Primary: a count of 1-4 people is hidden: a denominator of 1-4 hides the row's figures; a
   numerator of 1-4, or 1-4 people not counted (the complement), hides the numerator, the value
   and the interval (each gives the count back with the denominator).
2. Linked groups: the groups of people the measures count are read from the standards'
   definitions (audits.populations). Within a provider's quarter, when two published counts are
   counts of groups one inside the other and differ by 1-4 (leavers, and leavers who did not
   die), one of them is hidden (the one that hides least), as is any count that two others
   would give back by addition. Repeated until nothing of the kind is left.
3. Earlier versions: a count published by an earlier run of the same quarter that differs by
   1-4 from this run's is hidden in this run, so two versions cannot be subtracted. Every run is
   protected against every earlier run of its quarter, whether or not that one was released.
4. Ratings: a hidden count's rating is a band of values, and a band can narrow it to one value
   ("99 people, Met at <= 2%" can only be 1). For every row with a hidden count the possible
   values are worked out from what is public alone (the denominator if shown, the thresholds,
   the minimum count, why the cell is hidden, the counts of nested groups that are shown); if
   any band would leave a small count with one possible value, bands are merged ("Met or
   partly met") or the rating is not shown, whatever the true band is, so that hiding it says
   nothing. A standard's public rating is worked out from its measures' public ratings.
5. Benchmarks: the public benchmark pools only the providers whose figures are shown (so it
   adds nothing to what is shown), and public comparisons are made against it, allowing for the
   spread between providers worked out from the shown figures alone (`_public_spread`).
6. Precision: every public value is rounded to the precision people are shown.

Which run's public results a quarter shows is decided by its release (`release`,
`public_run_id`): once released (`export --public`, the published site), the quarter's public
outputs come from that run until the auditor supersedes it.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from audits import engine, populations, spec, stats, store, tiers
from audits.kinds import kind_of
from audits.standard_model import Measure, Standard, combine_ratings

SMALL = range(1, 5)  # counts of people that are never published
NONE, NUMERATOR, ALL = "", "numerator", "all"  # what of a row is hidden
_RANK = {NONE: 0, NUMERATOR: 1, ALL: 2}
_TRIO = ("denominator", "numerator", "complement")
SMALL_REASON, LINKED, EARLIER = "small", "linked", "earlier"  # why
RATED = ("red", "amber", "green")
# Public ratings that are not one band: merged bands, or the rating not shown.
GREEN_AMBER, AMBER_RED, WITHHELD = "green_amber", "amber_red", "withheld"
COARSE = {GREEN_AMBER: {"green", "amber"}, AMBER_RED: {"amber", "red"}}
NOT_ONE_BAND = (GREEN_AMBER, AMBER_RED, WITHHELD)

PUBLIC_COLUMNS = ["run_id", *engine.MEASURE_COLUMNS, "hidden", "reason"]
PUBLIC_STANDARD_COLUMNS = ["run_id", "provider_id", "period", "standard_id", "standard_version", "rating"]


class ReleaseError(ValueError):
    """A release that cannot be made as asked, said plainly with what to do instead."""


# --------------------------------------------------------------------------- groups of people


@dataclass
class _Groups:
    """The groups of people a run's measures count: which (measure, role) pairs count the same
    group (a class), and which classes lie inside which."""

    members: dict[tuple[str, str], int]  # ((standard_id, measure_id), role) -> class
    inside: set[tuple[int, int]]  # (inner class, outer class), strictly inside
    by_class: dict[int, list[tuple[tuple[str, str], str]]] = field(default_factory=dict)
    _trios: dict[tuple[str, str], tuple] = field(default_factory=dict, repr=False, compare=False)
    plan: dict[tuple[str, str], tuple[tuple, bool]] = field(default_factory=dict, repr=False, compare=False)
    _nested: list[tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    # answers worked out from these groups alone, remembered for the run (disclosure_breakdowns)
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def trio(self, key: tuple[str, str]) -> tuple[int | None, int | None, int | None]:
        """The classes a measure's denominator, numerator and complement count (None: not one)."""
        found = self._trios.get(key)
        if found is None:
            found = self._trios[key] = tuple(self.members.get((key, role)) for role in _TRIO)
        return found

    def plan_of(self, key: tuple[str, str]) -> tuple[tuple, bool]:
        """A measure's trio and whether it counts all three (remembered in `plan`)."""
        trio = self.trio(key)
        found = self.plan[key] = (trio, None not in trio)
        return found

    @property
    def nested(self) -> list[tuple[int, int]]:
        """`inside`, in order (remembered)."""
        if self._nested is None:
            self._nested = sorted(self.inside)
        return self._nested

    def neighbours(self, c: int) -> list[int]:
        return [o for i, o in self.inside if i == c] + [i for i, o in self.inside if o == c]


def _groups(measures: dict[tuple[str, str], Measure]) -> _Groups:
    reps: list[populations.Group] = []
    members: dict[tuple[tuple[str, str], str], int] = {}
    for key, measure in measures.items():
        for role, group in populations.groups_of(measure).items():
            for c, rep in enumerate(reps):
                if populations.same(group, rep):
                    members[(key, role)] = c
                    break
            else:
                reps.append(group)
                members[(key, role)] = len(reps) - 1
    inside = {
        (a, b)
        for a, b in itertools.permutations(range(len(reps)), 2)
        if reps[a].table == reps[b].table and populations.inside(reps[a], reps[b])
    }
    out = _Groups(members, inside)
    for member, c in members.items():
        out.by_class.setdefault(c, []).append(member)
    return out


# --------------------------------------------------------------------------- one provider


@dataclass
class _Provider:
    """One provider's rows of a run and what of them is hidden, while protecting."""

    rows: dict[tuple[str, str], int]  # measure key -> row index
    counts: dict[int, int]  # class -> true count
    level: dict[int, str]  # row index -> NONE, NUMERATOR, ALL
    reason: dict[int, str]
    plan: list | None = field(default=None, repr=False, compare=False)  # _plan's, once the rows are set
    # _exposed's answer when _protect_moved ended (None once anything more is hidden since)
    shown: set[int] | None = field(default=None, repr=False, compare=False)


def _role_counts(row) -> dict[str, int]:
    d, n = row["denominator_rows"], row["numerator_rows"]
    out = {}
    if not stats.is_missing(d):
        out["denominator"] = int(d)
        if not stats.is_missing(n):
            out["numerator"] = int(n)
            out["complement"] = int(d) - int(n)
    return out


def _exposed(p: _Provider, g: _Groups) -> set[int]:
    """Classes whose count anyone can read or add up from what is shown of this provider.

    Asked ~16,000 times an audit (the breakdowns' groups): each row's classes are read from
    g.plan, and a row showing all of its three counts is left out of the sums (it adds nothing
    to them). The classes are added in the same order as ever, so the set is the same set,
    iterated in the same order."""
    out: set[int] = set()
    add = out.add
    whole: list[tuple] = []  # the rows counting all three, not all shown
    level = p.level
    for i, trio, full in _plan(p, g):
        shown = level[i]
        if shown == NONE:
            for c in trio:
                if c is not None:
                    add(c)
            continue
        if shown != ALL and trio[0] is not None:  # the denominator
            add(trio[0])
        if full:
            whole.append(trio)
    changed = True
    while changed:  # two of numerator, complement and denominator give the third
        changed = False
        left = []  # a trio all shown stays so: only the others are looked at again
        for trio in whole:
            a, b, c = trio
            known = (a in out) + (b in out) + (c in out)
            if known == 2:
                out.update(trio)
                changed = True
            elif known < 2:
                left.append(trio)
        whole = left
    return out


def _plan(p: _Provider, g: _Groups) -> list[tuple[int, tuple, bool]]:
    """Each row of the provider with its trio and whether it counts all three (g.plan), in the
    order of p.rows, remembered on the provider (its rows are all set before it is protected)."""
    if p.plan is None or len(p.plan) != len(p.rows):
        plan = g.plan
        p.plan = [(i, *(plan.get(key) or g.plan_of(key))) for key, i in p.rows.items()]
    return p.plan


def _hide(p: _Provider, g: _Groups, c: int, reason: str) -> bool:
    """Hide every showing of class c for this provider; True if anything more is hidden."""
    changed = False
    for key, role in g.by_class.get(c, []):
        i = p.rows.get(key)
        if i is None:
            continue
        want = ALL if role == "denominator" else NUMERATOR
        if _RANK[want] > _RANK[p.level[i]]:
            p.level[i] = want
            p.reason[i] = reason
            changed = True
    return changed


def _cost(p: _Provider, g: _Groups, c: int) -> int:
    total = 0
    for key, role in g.by_class.get(c, []):
        i = p.rows.get(key)
        if i is not None:
            total += max(0, _RANK[ALL if role == "denominator" else NUMERATOR] - _RANK[p.level[i]])
    return total


def _unexpose(p: _Provider, g: _Groups, c: int, reason: str) -> set[int]:
    """Hide class c, and when it can still be added up from two others, hide those too. What is
    exposed afterwards (_exposed's answer, which the caller would otherwise work out again)."""
    _hide(p, g, c, reason)
    while c in (shown := _exposed(p, g)):
        for key in p.rows:
            trio = g.trio(key)
            if c in trio and None not in trio:
                if (trio[1] != c and _hide(p, g, trio[1], reason)) or (trio[2] != c and _hide(p, g, trio[2], reason)):
                    break
        else:
            raise AssertionError(f"class {c} stays exposed")  # pragma: no cover - a bug, never data
    return shown


def _protect_provider(p: _Provider, g: _Groups, earlier: dict[tuple[str, str], dict[str, list[int]]]) -> None:
    """Hide, for one provider, until no count of 1-4 can be read or subtracted."""
    _protect_moved(p, g, _moved(p, g, earlier))


def _moved(p: _Provider, g: _Groups, earlier: dict[tuple[str, str], dict[str, list[int]]]) -> list[int]:
    """The classes whose count is 1-4 away from an earlier run's, in the order they are looked at
    (the counts do not change while protecting; only whether each is shown does)."""
    counts = p.counts
    moved = []
    members = g.members
    for key, before in earlier.items():
        if key not in p.rows:
            continue
        for role, was in before.items():
            c = members.get((key, role))
            if c is None or c not in counts:
                continue
            now = counts[c]
            for count in was:
                if 0 < abs(now - count) < 5:
                    moved.append(c)
                    break
    return moved


def _protect_moved(p: _Provider, g: _Groups, moved: list[int]) -> None:
    """_protect_provider, the classes moved since an earlier run (`_moved`) given."""
    counts, level, reason = p.counts, p.level, p.reason
    for key, i in p.rows.items():
        d, n, k = g.trio(key)
        if d is not None and counts[d] in SMALL:
            level[i], reason[i] = ALL, SMALL_REASON
        elif (n is not None and counts[n] in SMALL) or (k is not None and counts[k] in SMALL):
            level[i], reason[i] = NUMERATOR, SMALL_REASON
    # the counts do not change here, only what is shown: the classes of 1-4 people, and the nested
    # pairs 1-4 apart, are found once (each looked for in what is shown in the same order as ever)
    tiny = {c for c, count in counts.items() if count in SMALL}
    close = [(a, b) for a, b in g.nested if a in counts and b in counts and counts[b] - counts[a] in SMALL]
    shown = _exposed(p, g)
    while True:
        # (a class shown without a count fails as it always did)
        small = next((c for c in shown if counts[c] in SMALL), None) if tiny & shown or shown - counts.keys() else None
        if small is not None:
            shown = _unexpose(p, g, small, LINKED)
            continue
        pair = next(((a, b) for a, b in close if a in shown and b in shown), None)
        if pair is not None:
            victim = min(pair, key=lambda c: (_cost(p, g, c), counts[c], c))
            shown = _unexpose(p, g, victim, LINKED)
            continue
        changed = next((c for c in moved if c in shown), None)
        if changed is not None:
            shown = _unexpose(p, g, changed, EARLIER)
            continue
        p.shown = shown
        return


def protect_parts(counts: dict[str, int]) -> tuple[dict[str, int | None], int | None]:
    """A group of people split into parts (the voices heard about a provider: people using the
    service, family members, staff…) and its total, as a public output may show them, by the
    rule the measures follow: a count of 1-4 is not shown (None), and the total is not shown
    when it is 1-4 or would give the hidden parts back. Less the parts shown, the total is the
    sum S of the k hidden parts, each 1-4: a count of people in itself (hidden when 1-4), and
    it pins every hidden part when only one mix adds up to it (S = k: all 1; S = 4k: all 4)."""
    shown: dict[str, int | None] = {part: (None if n in SMALL else n) for part, n in counts.items()}
    total = sum(counts.values())
    hidden = [n for part, n in counts.items() if shown[part] is None]
    rest = sum(hidden)
    gives_back = bool(hidden) and (rest in SMALL or rest in (len(hidden), 4 * len(hidden)))
    return shown, (None if total in SMALL or gives_back else total)


# --------------------------------------------------------------------------- ratings


# A candidate is (denominator, lowest numerator, highest numerator): every numerator between the
# two is possible with that denominator (None, None for a measure without a numerator).
Candidate = tuple[int, int | None, int | None]


def _bounds(p: _Provider, g: _Groups, c: int | None, shown: set[int]) -> tuple[int, float]:
    """What the shown counts of nested groups say of class c: at least the largest group shown
    inside it, at most the smallest shown around it."""
    if c is None:
        return 0, math.inf
    low = max([p.counts[a] for a, b in g.inside if b == c and a in shown], default=0)
    high = min([p.counts[b] for a, b in g.inside if a == c and b in shown], default=math.inf)
    return low, high


def _intervals(values: list[int]) -> list[tuple[int, int]]:
    """Sorted whole numbers as runs of consecutive numbers."""
    out: list[tuple[int, int]] = []
    for v in sorted(values):
        if out and v == out[-1][1] + 1:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
    return out


def _anchors(p: _Provider, g: _Groups, key, role: str, shown: set[int], earlier) -> list[int] | None:
    """The public counts a hidden count of this role may lie within 1-4 of (why a row is hidden
    for another figure's sake): its shown nested groups and its earlier versions. None when a
    nested group is itself hidden (then any value could be the reason)."""
    c = g.members.get((key, role))
    if c is None:
        return []
    neighbours = g.neighbours(c)
    if any(o not in shown for o in neighbours):
        return None
    return [p.counts[o] for o in neighbours] + list(earlier.get(key, {}).get(role, []))


def _near(anchors: list[int] | None, value: int) -> bool:
    return anchors is None or any(abs(a - value) in SMALL for a in anchors)


def _candidates(
    p: _Provider, g: _Groups, key, i: int, measure: Measure, shown: set[int], narrow=None
) -> list[Candidate]:
    """Every (numerator, denominator) a reader could not rule out from what is public for a row
    with something hidden: the shown denominator, why the row is hidden (a count of 1-4, or
    not), and the counts of nested groups that are shown. `narrow` (earlier counts): a reader
    who also takes a row hidden for another figure's sake to lie within 1-4 of a public count
    it could be subtracted from (may leave out the truth: a stricter check, never the only one)."""
    classes = {role: g.members.get((key, role)) for role in ("denominator", "numerator", "complement")}
    level, reason = p.level[i], p.reason[i]
    d_true = p.counts[classes["denominator"]]
    if level != ALL:
        dens = [d_true]
    else:
        low, high = _bounds(p, g, classes["denominator"], shown)
        if reason == SMALL_REASON:
            dens = [d for d in SMALL if low <= d <= high]
        else:
            # Without an upper bound every value above the minimum count and the truth looks
            # alike to the bands, so a window above them stands for the rest.
            top = high if high < math.inf else max(low, measure.min_count, d_true) + 10
            dens = [d for d in range(int(low), int(top) + 1) if d not in SMALL]
            if narrow is not None:
                anchors = _anchors(p, g, key, "denominator", shown, narrow)
                dens = [d for d in dens if _near(anchors, d)]
    if classes["numerator"] is None:
        return [(d, None, None) for d in dens]
    n_low, n_high = _bounds(p, g, classes["numerator"], shown)
    c_low, c_high = _bounds(p, g, classes["complement"], shown)
    out: list[Candidate] = []
    for d in dens:
        a = int(max(0, n_low, d - c_high))
        b = int(min(d, n_high, d - c_low))
        if a > b:
            continue
        if level == NUMERATOR:
            # the reader knows whether the numerator is hidden for being small (or all but small)
            small = {n for n in range(a, b + 1) if n in SMALL or d - n in SMALL}
            if reason == SMALL_REASON:
                out += [(d, x, y) for x, y in _intervals(list(small))]
            elif narrow is not None:
                n_at = _anchors(p, g, key, "numerator", shown, narrow)
                c_at = _anchors(p, g, key, "complement", shown, narrow)
                near = [n for n in range(a, b + 1) if n not in small and (_near(n_at, n) or _near(c_at, d - n))]
                out += [(d, x, y) for x, y in _intervals(near)]
            else:
                edges = sorted({a, b + 1, *small, *(n + 1 for n in small)})
                out += [(d, x, y - 1) for x, y in zip(edges, edges[1:]) if x not in small and x <= b]
        else:
            out.append((d, a, b))
    return out


def _switch(met, lo: int, hi: int, guess: int | None = None) -> int:
    """The first n in [lo, hi] where a condition that is false then true becomes true (hi + 1
    if it never does). `guess`, where it may be: taken when the condition changes right there
    (for a condition false then true, that is the one place it does), else searched for."""
    if guess is not None:
        guess = min(max(guess, lo), hi + 1)
        if (guess == lo or not met(guess - 1)) and (guess > hi or met(guess)):
            return guess
    while lo <= hi:
        mid = (lo + hi) // 2
        if met(mid):
            hi = mid - 1
        else:
            lo = mid + 1
    return lo


def _outcomes(measure: Measure, d: int, a: int | None, b: int | None, optional_table: bool) -> list[Candidate]:
    """Split the numerators a..b at denominator d by the rating they would get: [(outcome, d, x, y)].

    The rating is always asked of the measure itself (Measure.rate); each threshold is met by
    a run of consecutive numerators (a share rises with its numerator), so finding where each
    threshold starts or stops being met is enough. 'rated' stands for any band when the band
    does not follow from counts (a median's value, a weighted share's weights)."""
    kind = kind_of(measure)
    if kind.value_from_counts is None or measure.weight or a is None:
        rated = d > 0 and measure.rate(1.0, d, optional_table) != "no_data"
        return [("rated" if rated else "no_data", d, a, b)]

    def value(n: int):
        try:
            return kind.value_from_counts(n, d)
        except ZeroDivisionError:
            return None

    # where each bar is crossed, if the value rises in step with the numerator (a share, a rate):
    # a guess _switch checks before it searches
    low, high = value(a), value(b)
    step = (high - low) / (b - a) if low is not None and high is not None and b > a and high > low else None
    cuts = {a, b + 1}
    for threshold in (measure.green, measure.amber):
        if threshold is None:
            continue
        met = lambda n, t=threshold: t.met(value(n))  # noqa: E731
        guess = None if step is None else a + math.ceil((threshold.target - low) / step)
        if threshold.op in (">=", ">"):
            cuts.add(_switch(met, a, b, guess))
        elif threshold.op in ("<=", "<"):
            cuts.add(_switch(lambda n, m=met: not m(n), a, b, guess))
        else:  # "=": met by at most a few numerators next to each other
            hits = [n for n in range(a, b + 1) if met(n)] if b - a < 64 else _equal_hits(met, a, b)
            cuts.update(hits)
            cuts.update(n + 1 for n in hits)
    edges = sorted(c for c in cuts if a <= c <= b + 1)
    return [(measure.rate(value(x), d, optional_table), d, x, y - 1) for x, y in zip(edges, edges[1:])]


def _outcomes_known(measure: Measure, key, d: int, a: int | None, b: int | None, optional_table: bool, known: dict):
    """_outcomes(measure, d, a, b, optional_table), remembered in `known` for the run.

    Where every bar is a ">=", ">", "<=" or "<" on a value rising with the numerator (a share, a
    rate, a count), each bar is crossed at one place, so the split of a..b is the split of every
    numerator 0..d cut down to a..b, each piece keeping its rating: worked out once for each
    denominator (a run asks ~2,000 denominators in ~18,000 ranges)."""
    plain = known.get(key)  # whether the measure's bars are crossed once each (by measure)
    if plain is None:
        kind = kind_of(measure)
        plain = known[key] = (
            kind.value_from_counts is not None
            and not measure.weight
            and all(t is None or t.op != "=" for t in (measure.green, measure.amber))
        )
    if not (plain and a is not None and 0 <= a <= b <= d):
        found = known.get((key, d, a, b, optional_table))
        if found is None:
            found = known[(key, d, a, b, optional_table)] = _outcomes(measure, d, a, b, optional_table)
        return found
    whole = known.get((key, d, optional_table))
    if whole is None:
        whole = known[(key, d, optional_table)] = _outcomes(measure, d, 0, d, optional_table)
    if a == 0 and b == d:
        return whole
    return [(rating, d, max(x, a), min(y, b)) for rating, _, x, y in whole if x <= b and y >= a]


def _equal_hits(met, a: int, b: int) -> list[int]:
    """Numerators meeting an '=' threshold in a long range: where the share crosses it."""
    first = _switch(lambda n: met(n) or n > b, a, b)
    return [n for n in range(first, min(b, first + 3) + 1) if met(n)]


def _pinned(members: list[Candidate], signed: dict[str, list[tuple[int, int]]]) -> bool:
    """Would a reader who knew the truth lies among these candidates know a small count? A count
    is known when it has one possible value; it is small when it, or its difference from a
    shown nested group (signed: (count, +1 if that group is around it, -1 if inside)), is 1-4."""
    ds = {d for d, _, _ in members}
    known: dict[str, int] = {}
    if len(ds) == 1:
        known["denominator"] = next(iter(ds))
    if members[0][1] is not None and all(x == y for _, x, y in members):
        ns = {x for _, x, _ in members}
        cs = {d - x for d, x, _ in members}
        if len(ns) == 1:
            known["numerator"] = next(iter(ns))
        if len(cs) == 1:
            known["complement"] = next(iter(cs))
    for role, v in known.items():
        if v in SMALL or any(sign * (count - v) in SMALL for count, sign in signed.get(role, [])):
            return True
    return False


def _public_rating(
    p: _Provider,
    g: _Groups,
    key,
    i: int,
    measure: Measure,
    shown: set[int],
    rating: str,
    optional_table: bool,
    earlier: dict,
    known: dict | None = None,
) -> str:
    """The rating to publish for a row with a hidden count. Which bands are merged is decided
    from public facts alone (every possible value, not the true one), so that merging or
    withholding a rating says nothing about where the count lies. A row hidden for another
    figure's sake is checked twice: against every value its reason allows, and against only the
    values within 1-4 of a public count (what a reader who knew the rules could narrow it to).
    `known`: the outcomes already worked out in this run, by measure and candidate (a pure
    function of both, asked again and again by providers of the same size)."""
    models = [None] if p.reason[i] == SMALL_REASON else [None, earlier]
    candidates = [_candidates(p, g, key, i, measure, shown, narrow) for narrow in models]
    known = {} if known is None else known  # the readings share most of their candidates
    outcomes = []
    for each in candidates:
        pieces = []
        for d, a, b in each:
            pieces += _outcomes_known(measure, key, d, a, b, optional_table, known)
        outcomes.append(pieces)
    readings = outcomes
    signed: dict[str, list[tuple[int, int]]] = {}
    for role in ("denominator", "numerator", "complement"):
        c = g.members.get((key, role))
        if c is not None:
            signed[role] = [(p.counts[o], +1) for a, o in g.inside if a == c and o in shown] + [
                (p.counts[a], -1) for a, o in g.inside if o == c and a in shown
            ]
    truth = rating if kind_of(measure).value_from_counts and not measure.weight else _rated(rating)
    for merge in _MERGES:
        safe = True
        for pieces in readings:
            groups: dict[str, list[Candidate]] = {}
            for outcome, d, a, b in pieces:
                groups.setdefault(merge.get(outcome, outcome), []).append((d, a, b))
            safe = safe and not any(_pinned(members, signed) for members in groups.values())
        if safe:
            label = merge.get(truth, truth)
            return rating if label == "rated" else label
    return WITHHELD  # pragma: no cover - the last merge is one group holding every possibility


def _rated(rating: str) -> str:
    return "no_data" if rating == "no_data" else "rated"


_MERGES = [
    {},  # every band as it is
    {"green": GREEN_AMBER, "amber": GREEN_AMBER},
    {"amber": AMBER_RED, "red": AMBER_RED},
    {"green": WITHHELD, "amber": WITHHELD, "red": WITHHELD, "rated": WITHHELD},
    {"green": WITHHELD, "amber": WITHHELD, "red": WITHHELD, "rated": WITHHELD, "no_data": WITHHELD},
]


def standard_rating(ratings: Iterable[str]) -> str:
    """A standard's public rating from its measures' public ratings: the worst rated measure
    (standard.combine_ratings) over every band the merged ratings leave possible."""
    options = [COARSE.get(r, {r}) if r != WITHHELD else {"no_data", *RATED} for r in ratings]
    possible = {combine_ratings(list(choice)) for choice in itertools.product(*options)}
    if len(possible) == 1:
        return possible.pop()
    for key, bands in COARSE.items():
        if possible == bands:
            return key
    return WITHHELD


# --------------------------------------------------------------------------- the run


@dataclass
class Protected:
    """A run's public results: one row per provider and measure (PUBLIC_COLUMNS) and one per
    provider and standard (PUBLIC_STANDARD_COLUMNS)."""

    measures: pd.DataFrame
    standards: pd.DataFrame


def _shown_round(value, decimals: int):
    return value if stats.is_missing(value) else round(float(value), decimals)


def _records(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records") (the same Python values), column by column: pandas boxes each
    value on its own, which was a tenth of an audit's time once a quarter has a few runs."""
    names = list(frame.columns)  # an Index of text is iterated slowly, row after row
    columns = [_natives(frame[c]) for c in names]
    return [dict(zip(names, values)) for values in zip(*columns)]


def _natives(column: pd.Series) -> list:
    if isinstance(column.dtype, pd.StringDtype):
        # text read from the store (pandas' str): as to_dict gives it (missing as NaN, or None for
        # pd.NA), without boxing each value on its own
        missing = None if column.dtype.na_value is pd.NA else column.dtype.na_value
        return column.to_numpy(dtype=object, na_value=missing).tolist()
    values = column.tolist()
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):  # to_dict gives None for <NA>
        values = [None if v is pd.NA else v for v in values]
    return values


def _earlier_counts(frames: Iterable[pd.DataFrame]) -> dict[str, dict[tuple[str, str], dict[str, list[int]]]]:
    """provider -> measure key -> role -> the counts earlier runs of the quarter published.

    Read column by column (a quarter audited a few times holds ~100k public breakdown rows, and a
    dict per row cost half a second): the same lists, in the same order, as reading each row's
    _role_counts less what the row hides."""
    out: dict[str, dict[tuple[str, str], dict[str, list[int]]]] = {}
    names = ("provider_id", "standard_id", "measure_id", "hidden")
    for frame in frames:
        ds, ns = frame["denominator_rows"], frame["numerator_rows"]
        # missing as stats.is_missing says (None, NaN, NaT, pandas.NA), and the counts as whole
        # numbers, a column at a time
        columns = [_natives(frame[c]) for c in names]
        columns += [ds.isna().tolist(), _whole_numbers(ds), ns.isna().tolist(), _whole_numbers(ns)]
        for provider_id, standard_id, measure_id, hidden, no_d, d, no_n, n in zip(*columns):
            mine = out.setdefault(provider_id, {}).setdefault((standard_id, measure_id), {})
            if hidden == ALL or no_d:
                continue
            mine.setdefault("denominator", []).append(d)
            if hidden == NUMERATOR or no_n:
                continue
            mine.setdefault("numerator", []).append(n)
            mine.setdefault("complement", []).append(d - n)
    return out


def _whole_numbers(column: pd.Series) -> list[int]:
    """int() of each count (0 where missing), as Python ints."""
    return column.fillna(0).astype("int64").tolist() if len(column) else []


def protect(results: pd.DataFrame, standards: list[Standard], earlier: Iterable[pd.DataFrame] = ()) -> Protected:
    """The public results of a run, from its results (runs.read_results), the standards as
    audited and the public results of every earlier run of the same quarter. Deterministic:
    the same inputs always hide the same cells."""
    measures = {(s.id, m.id): m for s in standards for m in s.measures}
    records = _records(results.reset_index(drop=True))
    missing = {(r["standard_id"], r["measure_id"]) for r in records} - set(measures)
    if missing:
        raise ValueError(f"results of measures not in the standards given: {sorted(missing)[:5]}")
    g = _groups(measures)
    people = {key: bool(populations.groups_of(m)) for key, m in measures.items()}
    level = {i: NONE for i in range(len(records))}
    reason = {i: "" for i in range(len(records))}
    ratings = {i: r["rating"] for i, r in enumerate(records)}
    before = _earlier_counts(earlier)
    optional = {key: not spec.TABLES[m.table].required_file for key, m in measures.items()}
    by_provider: dict[str, list[int]] = {}
    for i, row in enumerate(records):
        by_provider.setdefault(row["provider_id"], []).append(i)
    known: dict = {}  # _public_rating's outcomes of each measure's candidates
    for provider_id in sorted(by_provider):
        p = _Provider({}, {}, level, reason)
        for i in by_provider[provider_id]:
            row = records[i]
            key = (row["standard_id"], row["measure_id"])
            if not people[key]:
                continue  # a measure of things (KPIs, sites, documents): never hidden
            p.rows[key] = i
            for role, count in _role_counts(row).items():
                p.counts.setdefault(g.members[(key, role)], count)
        _protect_provider(p, g, before.get(provider_id, {}))
        shown = _exposed(p, g)
        for key, i in p.rows.items():
            if level[i] != NONE:
                ratings[i] = _public_rating(
                    p,
                    g,
                    key,
                    i,
                    measures[key],
                    shown,
                    records[i]["rating"],
                    optional[key],
                    before.get(provider_id, {}),
                    known,
                )
    for i, row in enumerate(records):
        row.update(hidden=level[i], reason=reason[i], rating=ratings[i])
        if level[i] != NONE:
            # nothing is said of a hidden figure: not its interval, nor whether it reaches a bar
            row.update(numerator=None, numerator_rows=None, value=None, ci_lower=None, ci_upper=None, uncertain=False)
        if level[i] == ALL:
            row.update(denominator=None, denominator_rows=None)
    return _assemble(records, measures)


def _public_benchmark(rows: list[dict], measure: Measure):
    """The benchmark of the providers whose figures are shown, pooled; a median keeps the
    engine's (the middle value of everyone's rows, which gives no count back)."""
    kind = kind_of(measure)
    if not kind.compared or kind.value_from_counts is None:
        engine = rows[0].get("benchmark") if rows else None
        return None if stats.is_missing(engine) else engine
    shown = [r for r in rows if r["hidden"] == NONE and not stats.is_missing(r["denominator"]) and r["denominator"] > 0]
    if not shown:
        return None
    return kind.value_from_counts(
        float(sum(r["numerator"] for r in shown)), float(sum(r["denominator"] for r in shown))
    )


def _public_spread(rows: list[dict], measure: Measure, benchmark) -> float | None:
    """The variance between providers (engine.between_variance) of the figures shown, as shown
    (rounded), around the public benchmark: like the benchmark, worked out from what is public
    alone, so anyone can work it out again from the public figures and it gives no hidden figure
    back. None for a measure that is not compared."""
    kind = kind_of(measure)
    if not kind.compared:
        return None
    decimals = kind.shown_decimals
    shown = [
        (_shown_round(r["value"], decimals), r["denominator_rows"], benchmark)
        for r in rows
        if r["hidden"] == NONE and r["rating"] != "no_data" and measure.green.higher_is_better is not None
    ]
    return engine.between_variance(shown, kind.scale).tau2


def _comparison(row: dict, measure: Measure, benchmark, tau2=None) -> str:
    """The comparison of a row's figure with a (public) benchmark, by the engine's one rule
    (stats.compare), allowing for the (public) spread between providers tau2, so the funnel and
    the table agree with the benchmark shown."""
    kind = kind_of(measure)
    if not kind.compared or row["rating"] == "no_data":
        return "not_compared"
    return stats.compare(
        row["value"], row["denominator_rows"], benchmark, measure.green.higher_is_better, kind.scale, tau2
    )


def with_benchmark(results: pd.DataFrame, standards: list[Standard], public: pd.DataFrame) -> pd.DataFrame:
    """Exact results (a restricted view that is not the auditor's) beside the public benchmark,
    compared with it: the engine's benchmark pools every provider, hidden counts included, so
    next to other providers' public figures it would give their hidden counts back."""
    measures = {(s.id, m.id): m for s in standards for m in s.measures}
    keys = list(zip(public["standard_id"], public["measure_id"]))
    benchmarks = dict(zip(keys, public["benchmark"]))
    spreads = dict(zip(keys, public["between_variance"]))
    out = results.copy()
    rows = out.to_dict("records")
    out["benchmark"] = [benchmarks.get((r["standard_id"], r["measure_id"])) for r in rows]
    out["between_variance"] = [spreads.get((r["standard_id"], r["measure_id"])) for r in rows]
    out["comparison"] = [
        _comparison(r, measures[(r["standard_id"], r["measure_id"])], b, t)
        for r, b, t in zip(rows, out["benchmark"], out["between_variance"])
    ]
    out["benchmark"] = out["benchmark"].astype("float64")
    out["between_variance"] = out["between_variance"].astype("float64")
    return out


def _assemble(records: list[dict], measures: dict) -> Protected:
    by_measure: dict[tuple[str, str], list[dict]] = {}
    for row in records:
        by_measure.setdefault((row["standard_id"], row["measure_id"]), []).append(row)
    for key, rows in by_measure.items():
        measure = measures[key]
        decimals = kind_of(measure).shown_decimals
        # rounded as shown before anything is compared with it, so that the funnel drawn around the
        # benchmark shown and the table's comparison agree
        benchmark = _shown_round(_public_benchmark(rows, measure), decimals)
        # the spread between the providers shown, around the benchmark shown (_public_spread)
        tau2 = _public_spread(rows, measure, benchmark)
        for row in rows:
            row["benchmark"] = benchmark
            row["between_variance"] = tau2
            row["comparison"] = "not_compared" if row["hidden"] != NONE else _comparison(row, measure, benchmark, tau2)
            for column in ("value", "ci_lower", "ci_upper", "benchmark"):
                row[column] = _shown_round(row[column], decimals)
    out = pd.DataFrame(records)
    if "run_id" not in out:
        out.insert(0, "run_id", None)
    out = out.reindex(columns=PUBLIC_COLUMNS)
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper", "benchmark", "between_variance"):
        out[column] = out[column].astype("float64")
    out = stats.row_counts(out)
    out["uncertain"] = out["uncertain"].astype("boolean").fillna(False).astype(bool)
    std_rows: dict[tuple[str, str], dict] = {}
    for row in records:
        key = (row["provider_id"], row["standard_id"])
        entry = std_rows.setdefault(
            key,
            {
                "run_id": row.get("run_id"),
                "provider_id": row["provider_id"],
                "period": row["period"],
                "standard_id": row["standard_id"],
                "standard_version": int(row["standard_version"]),
                "ratings": [],
            },
        )
        entry["ratings"].append(row["rating"])
    standards = pd.DataFrame(
        [
            {**{k: v for k, v in e.items() if k != "ratings"}, "rating": standard_rating(e["ratings"])}
            for _, e in sorted(std_rows.items())
        ],
        columns=PUBLIC_STANDARD_COLUMNS,
    )
    return Protected(out, standards)


# --------------------------------------------------------------------------- the store


def _stored(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    return con.execute("SELECT count(*) FROM public_results WHERE run_id = ?", [run_id]).fetchone()[0] > 0


def earlier_runs(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """The runs of the same quarter that started before this one, oldest first."""
    rows = con.execute(
        """
        SELECT e.run_id FROM runs r JOIN runs e ON e.period = r.period
        WHERE r.run_id = ? AND (e.started_at, e.run_id) < (r.started_at, r.run_id)
        ORDER BY e.started_at, e.run_id
        """,
        [run_id],
    ).fetchall()
    return [r[0] for r in rows]


@tiers.output(tiers.PUBLIC, "a run's public results, worked out from its exact ones (the protector)")
def _computed(con: duckdb.DuckDBPyConnection, run_id: str, memo: dict[str, Protected]) -> Protected:
    """A run's public results: as kept, or worked out the same way (for a run recorded before
    public results were kept, or still being recorded)."""
    from audits import runs

    if run_id in memo:
        return memo[run_id]
    if _stored(con, run_id):
        measures = con.execute(
            f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM public_results WHERE run_id = ? "
            "ORDER BY provider_id, standard_id, measure_id",
            [run_id],
        ).df()
        measures = stats.row_counts(measures)
        standards = con.execute(
            f"SELECT {', '.join(PUBLIC_STANDARD_COLUMNS)} FROM public_standard_results WHERE run_id = ? "
            "ORDER BY provider_id, standard_id",
            [run_id],
        ).df()
        memo[run_id] = Protected(measures, standards)
    else:
        earlier = [_computed(con, e, memo).measures for e in earlier_runs(con, run_id)]
        results = runs.read_results(con, run_id).drop(columns=["provider_name"])
        memo[run_id] = protect(results, runs.run_standards(con, run_id), earlier)
    return memo[run_id]


def protect_new_run(con: duckdb.DuckDBPyConnection, results: pd.DataFrame, standards: list[Standard]) -> Protected:
    """The public results of a run about to be recorded (results carry its run_id and period):
    protected against every run of the quarter already recorded."""
    period = results["period"].iloc[0] if not results.empty else None
    return protect(results, standards, _earlier_public(con, period))


def _earlier_public(con: duckdb.DuckDBPyConnection, period) -> list[pd.DataFrame]:
    """The public results of every run of the quarter, oldest first, for `protect`: when every
    one was kept (as every run recorded since they are), all read in one query, one run after
    another, each in _computed's order, so `protect` meets the same rows in the same order as
    in _computed's frames of each run (which are 3 queries a run: ~4 runs on a quarter audited
    again, for 1 here; issue 15). Otherwise, each run's as _computed gives it."""
    runs_of = "SELECT run_id, row_number() OVER (ORDER BY started_at, run_id) AS place FROM runs WHERE period = ?"
    unkept = con.execute(
        f"SELECT count(*) FROM ({runs_of}) r WHERE NOT EXISTS (SELECT 1 FROM public_results p WHERE p.run_id = r.run_id)",
        [period],
    ).fetchone()[0]
    if unkept:
        rows = con.execute("SELECT run_id FROM runs WHERE period = ? ORDER BY started_at, run_id", [period]).fetchall()
        memo: dict[str, Protected] = {}
        return [_computed(con, r[0], memo).measures for r in rows]
    measures = con.execute(
        f"SELECT {', '.join('p.' + c for c in PUBLIC_COLUMNS)} FROM public_results p JOIN ({runs_of}) r USING (run_id) "
        "ORDER BY r.place, p.provider_id, p.standard_id, p.measure_id",
        [period],
    ).df()
    measures = stats.row_counts(measures)
    return [measures] if not measures.empty else []


def keep(con: duckdb.DuckDBPyConnection, protected: Protected) -> None:
    """Record a run's public results (inside the caller's transaction)."""
    con.register("new_public_results", protected.measures)
    con.execute(
        f"INSERT INTO public_results ({', '.join(PUBLIC_COLUMNS)}) SELECT {', '.join(PUBLIC_COLUMNS)} FROM new_public_results"
    )
    con.unregister("new_public_results")
    con.register("new_public_standards", protected.standards)
    con.execute(
        f"INSERT INTO public_standard_results ({', '.join(PUBLIC_STANDARD_COLUMNS)}) "
        f"SELECT {', '.join(PUBLIC_STANDARD_COLUMNS)} FROM new_public_standards"
    )
    con.unregister("new_public_standards")


def _names(con: duckdb.DuckDBPyConnection, df: pd.DataFrame) -> pd.DataFrame:
    names = con.execute("SELECT provider_id, provider_name FROM providers").df()
    return df.merge(names, on="provider_id", how="left")


@tiers.output(tiers.PUBLIC, "a run's measure results as they may be published")
def public_results(con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None) -> pd.DataFrame:
    """The run's measure results as they may be published (PUBLIC_COLUMNS and provider_name).
    Every public output reads these and nothing else: they hide the same cells everywhere."""
    df = _computed(con, run_id, {}).measures
    if provider_id is not None:
        df = df[df["provider_id"] == provider_id]
    return _names(con, df.reset_index(drop=True))


@tiers.output(tiers.PUBLIC, "a run's standard ratings as they may be published")
def public_standard_ratings(
    con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None, told: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The run's standard ratings as they may be published, with the rating people are shown in
    `shown` (audits.verdicts: a public rating of one band is shown as every rating is; a merged
    or withheld one as it is). `told`: the period's story table (audits.stories.story_table of
    the same period and provider), when the caller has read it already (a batch of PDFs)."""
    from audits import runs, settings, stories, verdicts

    protected = _computed(con, run_id, {})
    df = protected.standards
    if provider_id is not None:
        df = df[df["provider_id"] == provider_id]
    df = _names(con, df.reset_index(drop=True))
    if df.empty:
        return df.assign(shown=pd.Series(dtype="object"), uncertain=pd.Series(dtype="bool"))
    # whether the data can tell a rating, from the public figures alone (a hidden one counts as
    # certain); never said of a rating that is not one band
    df = verdicts.uncertain_as_published(df, protected.measures, runs.run_standards(con, run_id))
    df["uncertain"] = df["uncertain"] & ~df["rating"].isin(NOT_ONE_BAND)
    told = stories.story_table(con, df["period"].iloc[0], provider_id) if told is None else told
    voices = stories.voices_of(told)
    needed = settings.get(con, "voices_needed")
    shown = [
        r if r in NOT_ONE_BAND else verdicts.shown_rating(r, voices.get((p, s), verdicts.NO_VOICES), needed)
        for r, p, s in zip(df["rating"], df["provider_id"], df["standard_id"])
    ]
    return df.assign(shown=shown)


def public_changes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    shown: pd.DataFrame,
    shown_before: pd.DataFrame,
    previous_run: str | None,
) -> pd.DataFrame:
    """What changed since the previous quarter (audits.changes), as the public may read it: from
    the public ratings and the public figures of both quarters, so that whether a move is
    "clear" never rests on a hidden figure."""
    from audits import changes, runs

    now = _computed(con, run_id, {}).measures
    before = _computed(con, previous_run, {}).measures if previous_run else pd.DataFrame(columns=PUBLIC_COLUMNS)
    return changes.between(runs.run_standards(con, run_id), shown, shown_before, now, before)


@tiers.output(tiers.RESTRICTED, "exact figures beside the public benchmark")
def restricted_results(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Exact results of a run for a restricted view that is not the auditor's (a commissioner's
    own area, a provider's own figures): every figure exact, beside the public benchmark."""
    from audits import runs

    return with_benchmark(
        runs.read_results(con, run_id), runs.run_standards(con, run_id), _computed(con, run_id, {}).measures
    )


# --------------------------------------------------------------------------- releases


def current_release(con: duckdb.DuckDBPyConnection, period: str) -> dict | None:
    """The quarter's release in force (the latest), or None if nothing of it has been released."""
    row = con.execute(
        "SELECT release_id, period, run_id, released_at, released_by, how, supersedes FROM releases "
        "WHERE period = ? ORDER BY released_at DESC, release_id DESC LIMIT 1",
        [period],
    ).fetchone()
    keys = ("release_id", "period", "run_id", "released_at", "released_by", "how", "supersedes")
    return None if row is None else dict(zip(keys, row))


def public_run_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """period -> the run whose public results the quarter shows: its release, or, before
    anything is released, its latest run."""
    from audits import runs

    out = runs.latest_run_ids(con)
    released = con.execute(
        "SELECT period, arg_max(run_id, (released_at, release_id)) FROM releases GROUP BY period"
    ).fetchall()
    out.update(dict(released))
    return out


def public_run_id(con: duckdb.DuckDBPyConnection, period: str) -> str | None:
    return public_run_ids(con).get(period)


def release(
    con: duckdb.DuckDBPyConnection,
    period: str,
    run_id: str | None = None,
    released_by: str | None = None,
    how: str = "release",
    supersede: bool = False,
) -> dict:
    """Release a run's public results as the quarter's one public version (a writing connection).

    Releasing the run already released is a no-op. Another run is refused unless `supersede`:
    then the new release replaces the old in every public output from now on. Every run's public
    results are protected against every earlier run of the quarter, so the two cannot be
    subtracted to give a small count."""
    from audits import runs

    try:
        spec.parse_period(period)
    except ValueError as error:
        raise ReleaseError(f"{error}.") from None
    run_id = run_id or runs.latest_run_id(con, period)
    if run_id is None:
        raise ReleaseError(f"No audit has been run for {period} yet: run python -m audits run --period {period} first.")
    row = con.execute("SELECT period FROM runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise ReleaseError(f"There is no audit run '{run_id}'.")
    if row[0] != period:
        raise ReleaseError(f"Run '{run_id}' is an audit of {row[0]}, not {period}.")
    current = current_release(con, period)
    if current and current["run_id"] == run_id:
        return current
    if current and not supersede:
        raise ReleaseError(
            f"The public figures of {period} were released on {current['released_at']:%d %B %Y} from run "
            f"{current['run_id']}; every public output of {period} shows that release, so that only one version "
            f"is ever public. To publish run {run_id} instead, supersede the release: python -m audits release "
            f"--period {period} --run {run_id} --supersede"
        )
    protected = None if _stored(con, run_id) else _computed(con, run_id, {})
    release_id = f"release-{period}-{uuid.uuid4().hex[:8]}"
    con.execute("BEGIN TRANSACTION")
    try:
        if protected is not None:
            keep(con, protected)
        con.execute(
            "INSERT INTO releases VALUES (?, ?, ?, ?, ?, ?, ?)",
            [release_id, period, run_id, store.now(), released_by, how, current["release_id"] if current else None],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return current_release(con, period)


@tiers.output(tiers.PUBLIC, "what differs between two public versions of a quarter, in words")
def public_differences(con: duckdb.DuckDBPyConnection, old_run: str, new_run: str, most: int = 8) -> list[str]:
    """What a reader of the public figures would see change if new_run's public version replaced
    old_run's: a sentence for how many measure results and standard ratings differ, then each
    one ('Provider: Standard, Met → Partly met'; 'Provider: measure, 100 of 120 → not shown'),
    at most `most` of them. Empty when the two public versions say the same. Both sides are
    public figures, so the words give nothing hidden away."""
    from audits import runs, words

    keys = ["provider_id", "standard_id", "measure_id"]
    old, new = public_results(con, old_run), public_results(con, new_run)
    both = old.merge(new.drop(columns=["provider_name"]), on=keys, how="outer", suffixes=("_old", "_new"))

    def same(row, column) -> bool:
        a, b = row[f"{column}_old"], row[f"{column}_new"]
        return (stats.is_missing(a) and stats.is_missing(b)) or a == b

    figures = ["numerator", "denominator", "value", "rating", "hidden"]
    moved = [row for row in both.to_dict("records") if not all(same(row, c) for c in figures)]
    a, b = public_standard_ratings(con, old_run), public_standard_ratings(con, new_run)
    pairs = a.merge(b.drop(columns=["provider_name"]), on=["provider_id", "standard_id"], how="outer")
    pairs = [row for row in pairs.to_dict("records") if row["shown_x"] != row["shown_y"]]
    if not moved and not pairs:
        return []
    standards = {s.id: s for s in [*runs.run_standards(con, old_run), *runs.run_standards(con, new_run)]}
    measures = {(s.id, m.id): m for s in standards.values() for m in s.measures}
    names = dict(con.execute("SELECT provider_id, provider_name FROM providers").fetchall())

    def rating(value) -> str:
        return words.rating_word(value) if isinstance(value, str) else "not rated"

    def figure(key, row, side) -> str:
        if stats.is_missing(row[f"hidden_{side}"]):
            return "not rated"
        return words.figure(measures[key], {c.removesuffix(f"_{side}"): v for c, v in row.items()})

    lines = [
        f"{names.get(r['provider_id']) or r['provider_id']}: {standards[r['standard_id']].title}, "
        f"{rating(r['shown_x'])} → {rating(r['shown_y'])}."
        for r in pairs
    ]
    for r in moved:
        key = (r["standard_id"], r["measure_id"])
        lines.append(
            f"{names.get(r['provider_id']) or r['provider_id']}: {measures[key].label}, "
            f"{figure(key, r, 'old')} → {figure(key, r, 'new')}."
        )
    out = [
        f"{len(moved)} measure result{'s' if len(moved) != 1 else ''} and {len(pairs)} standard rating"
        f"{'s' if len(pairs) != 1 else ''} would read differently in public.",
        *lines[:most],
    ]
    if len(lines) > most:
        out.append(f"… and {len(lines) - most} more.")
    return out


@dataclass
class PublicPeriod:
    """Everything a quarter publishes, for the published site and open data: the run shown
    (its release, or the latest run before any release), the release, the measure results and
    the standard ratings as they may be published."""

    period: str
    run_id: str
    release: dict | None
    measures: pd.DataFrame
    standards: pd.DataFrame


@tiers.output(tiers.PUBLIC, "a quarter's public results, for the published site and open data")
def period_public(con: duckdb.DuckDBPyConnection, period: str) -> PublicPeriod | None:
    """The one call for a quarter's public results (None when the quarter was never audited).
    The published site calls `release(con, period, how="publish")` first, so that what it
    publishes is the quarter's one public version."""
    run_id = public_run_id(con, period)
    if run_id is None:
        return None
    return PublicPeriod(
        period, run_id, current_release(con, period), public_results(con, run_id), public_standard_ratings(con, run_id)
    )


@tiers.output(tiers.PUBLIC, "the note beside public figures: version, footnote, what is hidden")
def notes(public: pd.DataFrame, released: dict | None) -> str:
    """The note that goes beside public figures outside the dashboard and the PDF (the public
    CSV, open data): which version they are, the footnote, and how much is hidden and why."""
    from audits import words

    lines = ["Lived Standards: public results (disclosure-controlled)", ""]
    if released:
        lines.append(
            f"{released['period']}, release {released['release_id']} of audit run {released['run_id']}, "
            f"released {words.long_datetime(released['released_at'])}"
            + (f" by {released['released_by']}" if released.get("released_by") else "")
            + ". This is the one public version of the quarter's figures."
        )
        lines.append("")
    lines += [words.HIDDEN_FOOTNOTE, ""]
    counts = public.groupby(["hidden", "reason"]).size()
    total = len(public)
    lines.append(f"Rows: {total}.")
    for (level, reason), n in counts.items():
        if not level:
            continue
        what = "every figure but the rating" if level == ALL else "the numerator, value and interval"
        lines.append(f"Rows with {what} not shown ({words.HIDDEN_WHY[reason]}): {n}.")
    merged = int(public["rating"].isin(NOT_ONE_BAND).sum()) if "rating" in public else 0
    if merged:
        lines.append(
            f"Rows whose rating is empty in the CSV: {merged}. Their exact band would give a small count "
            "away; the published pages show them as a range (such as 'Met or partly met') or not at all."
        )
    lines += [
        "",
        "The benchmark of a measure (on the published pages) pools only the providers whose figures "
        "are shown, so it gives no hidden count back.",
    ]
    return "\n".join(lines) + "\n"
