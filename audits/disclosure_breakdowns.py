"""Disclosure control of the breakdowns (audits.breakdowns): what of each group's figures may be
published, worked out once per run, as audits.disclosure does for the whole figures.

A group of people (the women of one provider, its people aged 18 to 24) is protected as a
provider is, by audits.disclosure's own rules, run with the group standing for the provider:
counts of 1-4 people hidden (numerator, complement and denominator), groups one inside another
(leavers, and leavers who did not die) never published 1-4 apart, nor 1-4 apart from an earlier
version of the quarter. Then what only breakdowns add: the groups of one dimension add up to
the provider's whole, which is published. So for every count of every dimension, the hidden
groups are checked as a reader would work them out, from the whole (taken as known, even where
it is hidden: the stricter case), the groups shown, and what each hidden group's own row says
of it (1-4 people; or not 1-4 people; or 1-4 short of the number shown): while any hidden group
is left with one possible value, or a hidden whole would be given back by its groups, one more
group is hidden (the smallest shown), "so that a small count cannot be worked out".

Nothing is said of a hidden figure: not its interval, nor how it compares with the whole.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from audits import breakdowns, collector, disclosure, stats, tiers
from audits.disclosure import ALL, LINKED, NONE, NUMERATOR, SMALL, SMALL_REASON
from audits.kinds import kind_of
from audits.standard_model import Measure, Standard

PUBLIC_COLUMNS = [*breakdowns.COLUMNS, "hidden", "reason"]
# Why a group is hidden when the provider's own count is 1-4: no group of it is shown, zeros
# included, as "hidden: 1-4 people" would tell a reader each such group holds at least one.
WHOLE = "whole"
ROLES = ("denominator", "numerator", "complement")
_BIG = 10**9  # no upper bound

Ranges = list[tuple[int, int]]  # a set of whole numbers as runs [low, high]


_SEP = "|"


def _key(provider_id: str, dimension: str, grp: str) -> str:
    """A group of a provider, standing for a provider while audits.disclosure protects it (the
    earlier runs' rows are keyed the same way, a column at a time, in `protect`)."""
    return f"{provider_id}{_SEP}{dimension}{_SEP}{grp}"


# --------------------------------------------------------------------------- what a reader knows


def _clip(ranges: Ranges, low: int, high: int) -> Ranges:
    return [(max(a, low), min(b, high)) for a, b in ranges if max(a, low) <= min(b, high)]


def _size(ranges: Ranges) -> int:
    return sum(b - a + 1 for a, b in ranges)


def _merge(ranges: Ranges) -> Ranges:
    if len(ranges) < 2:
        return list(ranges)
    out: Ranges = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _add(x: Ranges, y: Ranges) -> Ranges:
    return _merge([(a + c, min(_BIG, b + d)) for a, b in x for c, d in y])


def _cut(x: Ranges, y: Ranges) -> Ranges:
    return _merge([(max(a, c), min(b, d)) for a, b in x for c, d in y if max(a, c) <= min(b, d)])


def _not_small(high: int = _BIG) -> Ranges:
    return _clip([(0, 0), (5, _BIG)], 0, high)


def _possible(p: disclosure._Provider, g: disclosure._Groups, c: int) -> Ranges:
    """What the rows of one group (or provider) say of its hidden count of class c, to a reader who
    knows the rules: every row that counts c, hidden, narrows it by why it is hidden."""
    return list(_said(p, g, c))


def _said(p: disclosure._Provider, g: disclosure._Groups, c: int) -> tuple[tuple[int, int], ...]:
    """_possible, as a tuple, remembered for the run: it follows from what each hidden row of the
    class is (which role, how much hidden, why, its denominator), and groups of one dimension,
    of other providers, are hidden alike again and again."""
    plan = g.memo.get(c)  # the rows counting c: (measure, role, its denominator's class)
    if plan is None:
        plan = g.memo[c] = [(key, role, g.members.get((key, "denominator"))) for key, role in g.by_class.get(c, [])]
    rows, level, reason, counts = p.rows, p.level, p.reason, p.counts
    what = [c]
    for key, role, denominator in plan:
        i = rows.get(key)
        if i is None or level[i] == NONE:
            continue
        what.append((role, level[i], reason[i], counts.get(denominator)))
    what = tuple(what)
    found = g.memo.get(what)
    if found is None:
        found = g.memo[what] = tuple(_narrowed(what[1:]))
    return found


def _narrowed(rows) -> Ranges:
    """What hidden rows (role, level, reason, denominator) say of the count they share."""
    out: Ranges = [(0, _BIG)]
    for role, level, reason, d in rows:
        small = reason == SMALL_REASON
        if reason == WHOLE:  # a part of a count of 1-4 people
            near = [(0, 4)] if level == ALL or d is None else _merge([(0, min(4, d)), (max(0, d - 4), d)])
            out = _cut(out, near)
            continue
        if level == ALL:
            if role == "denominator":
                out = _cut(out, [(1, 4)] if small else _not_small())
            elif small:  # a part of 1-4 people
                out = _cut(out, [(0, 4)])
            continue
        if role == "denominator":  # shown
            continue
        if d is None:
            continue
        either = _merge([(1, min(4, d)), (max(0, d - 4), d - 1)]) if d > 0 else []
        if small:
            out = _cut(out, either)
        else:
            out = _cut(out, _minus((0, d), either))
    return out


def _minus(r: tuple[int, int], away: Ranges) -> Ranges:
    pieces = [r]
    for a, b in away:
        pieces = [
            piece for x, y in pieces for piece in ((x, min(y, a - 1)), (max(x, b + 1), y)) if piece[0] <= piece[1]
        ]
    return pieces


# --------------------------------------------------------------------------- the check


def _pinned(cells: dict[str, int], shown: set[str], ranges: dict[str, Ranges], total_range: Ranges | None) -> bool:
    """Would a reader pin a hidden group's count, or a hidden whole, from the groups' sum?
    cells: group -> true count; shown: the groups whose count is public; ranges: what each
    hidden group's own rows say of it; total_range: what is public of a hidden whole (None: shown)."""
    hidden = [v for v in cells if v not in shown]
    if len(hidden) < 2:
        # one hidden group is the whole less the groups shown (its range holds its count, so
        # nothing else is left); none hidden gives a hidden whole back as their sum
        return bool(hidden) or total_range is not None
    return _pinned_hidden([cells[v] for v in hidden], [ranges[v] for v in hidden], sum(cells.values()), total_range)


def _pinned_hidden(counts: list[int], ranges: list[Ranges], total: int, total_range: Ranges | None) -> bool:
    """_pinned of two hidden groups or more: their counts and ranges, in order, and the sum of
    every group's count (the whole)."""
    left = sum(counts)  # the whole less the groups shown
    if _loose(counts, ranges, total, total_range):
        return False
    mine = [_clip(r, 0, total) for r in ranges]
    # what the other hidden groups can add up to, for each: the sums of those before it and of
    # those after it (a sum of sets of whole numbers is the same set in any order)
    before: list[Ranges] = [[(0, 0)]]
    for r in mine[:-1]:
        before.append(_add(before[-1], r))
    after: list[Ranges] = [[(0, 0)]]
    for r in reversed(mine[1:]):
        after.append(_add(after[-1], r))
    after.reverse()
    for i in range(len(mine)):
        others = _add(before[i], after[i])
        back = _merge([(left - b, left - a) for a, b in others if left - a >= 0])
        if _size(_cut(mine[i], back)) <= 1:
            return True
    if total_range is not None:
        sums: Ranges = [(0, 0)]
        for r in ranges:
            sums = _add(sums, _clip(r, 0, _BIG))
        known = total - left
        if _size(_cut(total_range, [(known + a, min(_BIG, known + b)) for a, b in sums])) <= 1:
            return True
    return False


def _within(ranges: Ranges, value: int) -> bool:
    for a, b in ranges:
        if a <= value <= b:
            return True
    return False


def _loose(counts: list[int], ranges: list[Ranges], total: int, total_range: Ranges | None) -> bool:
    """A quick proof that _pinned's sums would pin nothing (False: not proved, work them out).
    When every hidden count lies in its range, and for each hidden group one unit can move between
    it and another hidden group (both staying in their ranges), a reader has at least two values
    for each; and when one unit more or less for some group also fits a hidden whole's range, the
    whole has two values too. The ranges are each group's own, read within 0..total (as _pinned
    clips them), all three places of each group looked up in one pass over its range."""
    up: list[bool] = []  # whether each group can take one more and stay in its range
    down: list[bool] = []  # or one less
    for r, x in zip(ranges, counts):
        if not 0 <= x <= total:
            return False
        here = more = less = False
        for a, b in r:
            if a <= x + 1 and x - 1 <= b:  # the run reaches x - 1, x or x + 1
                here = here or a <= x <= b
                more = more or a <= x + 1 <= b
                less = less or a <= x - 1 <= b
        if not here:
            return False
        up.append(more and x < total)
        down.append(less and x > 0)
    ups, downs = sum(up), sum(down)
    for u, w in zip(up, down):
        # one unit up for this group and down for another, or down for this and up for another
        if not ((u and downs - w > 0) or (w and ups - u > 0)):
            return False
    if total_range is None:
        return True
    return _within(total_range, total) and any(
        n and _within(total_range, total + s) for s, n in ((1, ups), (-1, downs))
    )


def _small_whole(total: disclosure._Provider, parts: dict[str, disclosure._Provider], g: disclosure._Groups) -> None:
    """A measure whose provider counts 1-4 people (or 1-4 counted, or not counted) is not broken
    down: every group's figure is hidden, zeros too, for that reason (reason WHOLE)."""
    for key in total.rows:
        counts = {role: total.counts.get(g.members.get((key, role))) for role in ROLES}
        want = ALL if counts["denominator"] in SMALL else NONE
        if want == NONE and (counts["numerator"] in SMALL or counts["complement"] in SMALL):
            want = NUMERATOR
        if want == NONE:
            continue
        for p in parts.values():
            j = p.rows.get(key)
            if j is not None and disclosure._RANK[want] >= disclosure._RANK[p.level[j]]:
                p.level[j], p.reason[j] = want, WHOLE
                p.shown = None


def _escalate(parts: dict[str, disclosure._Provider], g: disclosure._Groups, c: int, hidden: set[str]) -> bool:
    """Hide the whole row of every hidden group counting c whose denominator is still shown (its
    reason then no longer narrows what it counts); True if anything more is hidden."""
    changed = False
    for v in hidden:
        p = parts[v]
        for key, _ in g.by_class.get(c, []):
            i = p.rows.get(key)
            if i is not None and p.level[i] == NUMERATOR and p.reason[i] != WHOLE:
                p.level[i], p.reason[i] = ALL, LINKED
                changed = True
    return changed


def _protect_dimension(
    total: disclosure._Provider, parts: dict[str, disclosure._Provider], g: disclosure._Groups
) -> None:
    """Hide groups of one provider's dimension until none, and no hidden whole, can be worked
    out from the groups adding up to the whole."""
    counted = {g.members.get((k, r)) for k in total.rows for r in ROLES}
    classes = sorted(c for c in g.by_class if c in counted and c in total.counts)
    shown_total = disclosure._exposed(total, g)
    # the groups with a row that counts c (a group only some measures have, such as contacts
    # whose person is not in the return, is no part of the others' sums)
    counting_by_class = {c: {v: p for v, p in parts.items() if c in p.counts} for c in classes}
    # the classes each measure's row counts: a change to that row can change only what its
    # group says of those classes
    of_key: dict[tuple[str, str], set[int]] = {}
    for c, members in g.by_class.items():
        for key, _ in members:
            of_key.setdefault(key, set()).add(c)

    # Whether a class is pinned depends only on which of its groups show its count and what each
    # hidden group's rows say of it (the counts and the whole do not change here). So after each
    # hide only the classes whose groups changed in one of those two ways are looked at again;
    # the others keep their answer. The class acted on is still the first pinned one in order.
    # (what disclosure._protect_moved last found of a group, unless _small_whole hid more of it)
    exposed = {v: disclosure._exposed(p, g) if p.shown is None else p.shown for v, p in parts.items()}
    # (no answer is remembered: a class is looked at again only when a row of one of its groups
    # changed, and the same question came back for 271 of 12,360 answers on the 3-year store,
    # fewer than the keys to remember them by cost to make)
    said: dict[tuple[str, int], Ranges] = {}
    wholes = {c: None if c in shown_total else _possible(total, g, c) for c in classes}

    totals: dict[int, int] = {}  # the sum of each class's groups (the whole, as a reader takes it)

    def pinned(c: int) -> bool:
        counting = counting_by_class[c]
        hidden = [v for v in counting if c not in exposed[v]]
        if not hidden and c in shown_total:
            return False
        if len(hidden) < 2:  # as _pinned answers, whatever the hidden group's rows say
            return bool(hidden) or wholes[c] is not None
        # _pinned reads what the hidden groups' rows say, never the shown ones': only those are
        # worked out (most groups are shown), and they with what is shown settle the answer
        ranges = []
        for v in hidden:
            hit = said.get((v, c))
            if hit is None:
                hit = said[(v, c)] = _said(counting[v], g, c)
            ranges.append(hit)
        total = totals.get(c)
        if total is None:
            total = totals[c] = sum(p.counts[c] for p in counting.values())
        return _pinned_hidden([counting[v].counts[c] for v in hidden], ranges, total, wholes[c])

    def state(p: disclosure._Provider) -> list[tuple[str, str]]:
        return [(p.level[i], p.reason[i]) for i in p.rows.values()]

    status: dict[int, bool | None] = dict.fromkeys(classes)  # None: to look at
    while True:
        for c in classes:
            if status[c] is None:
                status[c] = pinned(c)
            if not status[c]:
                continue
            counting = counting_by_class[c]
            shown = {v for v in counting if c in exposed[v]}
            cells = {v: p.counts[c] for v, p in counting.items()}
            nonzero = [v for v in shown if cells[v] > 0]
            if nonzero:  # hide the smallest group shown
                smallest = min(nonzero, key=lambda v: (cells[v], v))
                before = {smallest: state(parts[smallest])}
                known = {smallest: disclosure._unexpose(parts[smallest], g, c, LINKED)}
                changed = [smallest]
                break  # what is shown has changed: look again from the start
            before = {v: state(p) for v, p in counting.items()}
            if _escalate(counting, g, c, set(counting) - shown):
                changed = list(counting)
                known = {}
                break
        else:
            return
        dirty: set[int] = set()
        for v in changed:
            p = parts[v]
            for key, i, was in zip(p.rows, p.rows.values(), before[v]):
                if (p.level[i], p.reason[i]) != was:
                    for c in of_key.get(key, ()):
                        said.pop((v, c), None)
                        dirty.add(c)
            now = known[v] if v in known else disclosure._exposed(p, g)
            dirty |= now ^ exposed[v]
            exposed[v] = now
        for c in dirty:
            if c in status:
                status[c] = None


# --------------------------------------------------------------------------- the run


def _provider(rows: list[dict], records: list[dict], g: disclosure._Groups, level, reason) -> disclosure._Provider:
    p = disclosure._Provider({}, {}, level, reason)
    for i in rows:
        row = records[i]
        key = (row["standard_id"], row["measure_id"])
        p.rows[key] = i
        for role, count in disclosure._role_counts(row).items():
            p.counts.setdefault(g.members[(key, role)], count)
    return p


def _codes(*columns: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """Each row's code for its tuple of values of the columns (0, 1, … in order of first
    appearance) and the tuples, as Python values: a column at a time, not a tuple per row."""
    code = np.zeros(len(columns[0]), dtype=np.int64)
    names: list[list] = []
    for column in columns:
        found, uniques = pd.factorize(column, use_na_sentinel=False)
        code = code * len(uniques) + found
        names.append(uniques.tolist())
    code, combined = pd.factorize(code)
    out = []
    for c in combined.tolist():
        values = []
        for uniques in reversed(names):
            c, j = divmod(c, len(uniques))
            values.append(uniques[j])
        out.append(tuple(reversed(values)))
    return code, out


def _parts(
    exact: pd.DataFrame, measure: np.ndarray, keys: list[tuple[str, str]], g: disclosure._Groups, earlier: list
) -> dict[tuple[str, str, str], tuple[list[int], dict, dict, list[int]]]:
    """Each group of a provider (provider, dimension, grp) -> its rows (in order), its rows by
    measure, its counts by class (the first row counting a class gives its count, the roles in
    disclosure._role_counts' order) and the classes whose count is 1-4 away from an earlier
    run's (disclosure._moved's, in its order): what disclosure._protect_provider reads of a group
    (a `_Provider` of its rows, with the earlier runs' counts of `disclosure._earlier_counts`),
    worked out a column at a time for every group at once."""
    part, names = _codes(*(exact[c] for c in ("provider_id", "dimension", "grp")))
    trios = np.array([[-1 if c is None else c for c in g.trio(key)] for key in keys], dtype=np.int64).reshape(-1, 3)
    d_gone, n_gone = exact["denominator_rows"].isna().to_numpy(), exact["numerator_rows"].isna().to_numpy()
    d = exact["denominator_rows"].fillna(0).to_numpy(dtype=np.int64)
    n = exact["numerator_rows"].fillna(0).to_numpy(dtype=np.int64)
    # every (row, role) counted, in order: its class and count
    counted = np.stack([~d_gone, ~d_gone & ~n_gone, ~d_gone & ~n_gone], axis=1).ravel()
    classes = trios[measure].ravel()[counted]
    if (classes < 0).any():  # a count of a role the measure has not: as _role_counts' rows fail
        i = int(np.flatnonzero(classes < 0)[0])
        raise KeyError((keys[measure[np.flatnonzero(counted)[i] // 3]], ROLES[np.flatnonzero(counted)[i] % 3]))
    values = np.stack([d, n, d - n], axis=1).ravel()[counted]
    owner = np.repeat(part, 3)[counted]
    width = max(g.members.values(), default=0) + 1
    _, first = np.unique(owner * width + classes, return_index=True)
    first = np.sort(first)
    first = first[np.argsort(owner[first], kind="stable")]  # by group, each in order
    has = np.zeros((len(names), width), dtype=bool)
    has[owner[first], classes[first]] = True
    now = np.zeros((len(names), width), dtype=np.int64)
    now[owner[first], classes[first]] = values[first]

    moved = _moved_by_part(earlier, names, keys, trios, part, measure, has, now)
    rows_of = np.argsort(part, kind="stable")
    rows_cut = np.searchsorted(part[rows_of], np.arange(len(names) + 1))
    counts_cut = np.searchsorted(owner[first], np.arange(len(names) + 1))
    rows_all, measure_all = rows_of.tolist(), measure[rows_of].tolist()
    classes_all, values_all = classes[first].tolist(), values[first].tolist()
    out = {}
    for j, name in enumerate(names):
        a, b = rows_cut[j], rows_cut[j + 1]
        rows = rows_all[a:b]
        x, y = counts_cut[j], counts_cut[j + 1]
        out[name] = (
            rows,
            dict(zip(map(keys.__getitem__, measure_all[a:b]), rows)),
            dict(zip(classes_all[x:y], values_all[x:y])),
            moved.get(j, []),
        )
    return out


def _moved_by_part(
    earlier: list,
    names: list[tuple[str, str, str]],
    keys: list[tuple[str, str]],
    trios: np.ndarray,
    part: np.ndarray,
    measure: np.ndarray,
    has: np.ndarray,
    now: np.ndarray,
) -> dict[int, list[int]]:
    """disclosure._moved of every group at once (by its code), from the earlier runs' public
    breakdowns: for each group, each measure in order of its first row in them, each role in
    order, its class when the group has a row of the measure, counts the class, and an earlier
    count shown of it lies 1-4 from the group's."""
    frames = [f for f in earlier if len(f)]
    if not frames:
        return {}
    before = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    key_code = {key: m for m, key in enumerate(keys)}
    part_code = {_key(*name): j for j, name in enumerate(names)}
    who, who_names = pd.factorize(before["provider_id"], use_na_sentinel=False)
    who = np.array([part_code.get(v, -1) for v in who_names.tolist()], dtype=np.int64)[who]
    what, what_names = _codes(before["standard_id"], before["measure_id"])
    what = np.array([key_code.get(v, -1) for v in what_names], dtype=np.int64)[what]
    # the group has a row of the measure
    mine = np.zeros((len(names), len(keys)), dtype=bool)
    mine[part, measure] = True
    known = (who >= 0) & (what >= 0)
    known[known] = mine[who[known], what[known]]
    if not known.any():
        return {}
    # where each (group, measure) first comes, hidden or not: the order they are looked at
    pair = who * len(keys) + what
    uniques, first = np.unique(pair[known], return_index=True)
    order = np.empty(len(names) * len(keys), dtype=np.int64)
    order[uniques] = np.flatnonzero(known)[first]

    hidden = before["hidden"].to_numpy(dtype=object, na_value=None)
    d_gone, n_gone = before["denominator_rows"].isna().to_numpy(), before["numerator_rows"].isna().to_numpy()
    d = before["denominator_rows"].fillna(0).to_numpy(dtype=np.int64)
    n = before["numerator_rows"].fillna(0).to_numpy(dtype=np.int64)
    shows_d = known & (hidden != ALL) & ~d_gone
    shows_n = shows_d & (hidden != NUMERATOR) & ~n_gone
    found = []
    for role, shows, was in ((0, shows_d, d), (1, shows_n, n), (2, shows_n, d - n)):
        rows = np.flatnonzero(shows)
        c = trios[what[rows], role]
        ok = c >= 0
        rows, c = rows[ok], c[ok]
        j = who[rows]
        counts = has[j, c]
        rows, c, j = rows[counts], c[counts], j[counts]
        gap = np.abs(now[j, c] - was[rows])
        near = (gap > 0) & (gap < 5)
        rows, c, j = rows[near], c[near], j[near]
        found.append(np.stack([j, order[pair[rows]], np.full(len(rows), role), c], axis=1))
    found = np.concatenate(found)
    if not len(found):
        return {}
    # once each (group, measure, role): by group, in the order looked at
    found = np.unique(found, axis=0)
    out: dict[int, list[int]] = {}
    for j, c in zip(found[:, 0].tolist(), found[:, 3].tolist()):
        out.setdefault(j, []).append(c)
    return out


def _whole(public: list[dict], exact: dict, keys: set) -> tuple[list[dict], dict, dict]:
    """A provider's whole figures as published: exact counts, with what is hidden of them."""
    records, level, reason = [], {}, {}
    for row in public:
        key = (row["standard_id"], row["measure_id"])
        if key not in keys or key not in exact:
            continue
        level[len(records)], reason[len(records)] = row["hidden"], row["reason"]
        records.append({**exact[key], "standard_id": key[0], "measure_id": key[1]})
    return records, level, reason


@dataclass
class _Job:
    """What protecting the breakdowns of one provider reads (and, in level and reason, writes)."""

    g: disclosure._Groups
    level: list[str]  # by row
    reason: list[str]
    parts: dict[tuple[str, str, str], tuple[list[int], dict, dict, list[int]]]  # _parts'
    exact_whole: dict[str, dict]
    public_by_provider: dict[str, list[dict]]
    measures: set[tuple[str, str]]


def _protect_one(job: _Job, provider_id: str) -> None:
    """Protect every dimension of one provider's breakdowns: only that provider's rows change."""
    g = job.g
    mine = job.public_by_provider.get(provider_id, [])
    t_records, t_level, t_reason = _whole(mine, job.exact_whole.get(provider_id, {}), job.measures)
    total = _provider(list(range(len(t_records))), t_records, g, t_level, t_reason)
    for dimension in breakdowns.DIMENSIONS:
        parts = {}
        for grp in (*breakdowns.groups_of(dimension), breakdowns.NOT_RECORDED):
            found = job.parts.get((provider_id, dimension, grp))
            if found is None:
                continue
            _, rows, counts, moved = found
            parts[grp] = disclosure._Provider(rows, counts, job.level, job.reason)
            disclosure._protect_moved(parts[grp], g, moved)
        _small_whole(total, parts, g)
        _protect_dimension(total, parts, g)


# Each provider's breakdowns are protected on their own (only its rows change), so a run of this
# many providers or more per process shares them among processes: on 2 cores the national
# audit's protection takes half as long. Forked, each process inherits the inputs ready-made.
POOL_FROM = 40
_JOBS: dict[int, _Job] = {}  # the job of the pool being run, for the forked processes


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _protect_some(token: int, providers: list[str]) -> dict[int, tuple[str, str]]:
    """In a forked process: protect these providers; what each of their rows now hides, and why."""
    job = _JOBS[token]
    for provider_id in providers:
        _protect_one(job, provider_id)
    mine = set(providers)
    rows = [i for (p, _, _), found in job.parts.items() if p in mine for i in found[0]]
    return {i: (job.level[i], job.reason[i]) for i in rows}


def _in_processes(job: _Job, providers: list[str], workers: int) -> list[str]:
    """Protect the providers in `workers` shares, taking turns (neighbours in order are of a size):
    this process protects the first share while forked processes protect the others (one fork
    fewer, and no result of its own to send back). The providers left to protect: none, or the
    forked processes' shares, with nothing of theirs changed, when processes cannot be had here."""
    shares = [providers[w::workers] for w in range(workers)]
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return providers
    token = id(job)
    _JOBS[token] = job
    # the inherited objects stay out of the children's collections: fewer pages copied; a process
    # that froze its objects before (the command line) keeps them frozen (audits.collector)
    try:
        with collector.set_aside():
            try:
                pool = ProcessPoolExecutor(max_workers=workers - 1, mp_context=context)
            except OSError:
                return providers
            with pool:
                try:  # a fork context forks every process here, before this one changes anything
                    forked = [pool.submit(_protect_some, token, share) for share in shares[1:]]
                except OSError:
                    return providers
                for provider_id in shares[0]:
                    _protect_one(job, provider_id)
                try:
                    done = [f.result() for f in forked]
                except (OSError, BrokenProcessPool):
                    return [p for share in shares[1:] for p in share]
    finally:
        _JOBS.pop(token, None)
    for hidden in done:
        for i, (level, reason) in hidden.items():
            job.level[i], job.reason[i] = level, reason
    return []


def protect(
    exact: pd.DataFrame,
    whole: pd.DataFrame,
    public_whole: pd.DataFrame,
    standards: list[Standard],
    earlier: Iterable[pd.DataFrame] = (),
) -> pd.DataFrame:
    """A run's breakdowns as they may be published (PUBLIC_COLUMNS), from its exact breakdowns,
    its exact whole results (runs.read_results), their public version (audits.disclosure) and the
    public breakdowns of every earlier run of the quarter. Deterministic."""
    measures = {(s.id, m.id): m for s in standards for m in s.measures if breakdowns.broken_down(m)}
    exact = exact.reset_index(drop=True)
    if exact.empty:
        return pd.DataFrame(columns=PUBLIC_COLUMNS)
    # only what the protection reads of each row, a column at a time: the public rows are made
    # from `exact` itself
    measure, keys = _codes(exact["standard_id"], exact["measure_id"])
    measures = {k: m for k, m in measures.items() if k in set(keys)}
    g = disclosure._groups(measures)
    level = [NONE] * len(exact)
    reason = [""] * len(exact)
    parts = _parts(exact, measure, keys, g, list(earlier))
    exact_whole = {}
    for row in disclosure._records(whole):
        exact_whole.setdefault(row["provider_id"], {})[(row["standard_id"], row["measure_id"])] = row
    public_by_provider: dict[str, list[dict]] = {}  # each provider's public whole rows, in order
    for row in disclosure._records(public_whole):
        public_by_provider.setdefault(row["provider_id"], []).append(row)
    job = _Job(g, level, reason, parts, exact_whole, public_by_provider, set(measures))
    providers = sorted({p for p, _, _ in parts})
    workers = min(_workers(), len(providers) // POOL_FROM)
    # what is left after sharing among processes (level and reason hold what those hid)
    for provider_id in _in_processes(job, providers, workers) if workers >= 2 else providers:
        _protect_one(job, provider_id)
    unknown = public_whole[public_whole["hidden"] != NONE]
    whole_hidden = set(zip(unknown["provider_id"], unknown["standard_id"], unknown["measure_id"]))
    return _assemble(exact, level, reason, measures, whole_hidden)


def _assemble(
    exact: pd.DataFrame,
    level: list[str],
    reason: list[str],
    measures: dict[tuple[str, str], Measure],
    whole_hidden: set,
) -> pd.DataFrame:
    """The public rows: hidden figures taken out, values rounded as shown, and no group compared
    with a whole whose figure is hidden (its interval is not public). Column by column (a
    national run has ~30k rows: a dict per row was a tenth of the protection's time), each value
    rounded by Python's own round as before (for the values of each number of places at once)."""
    out = exact.reset_index(drop=True)
    natives = disclosure._natives  # an arrow-backed text column is slow to iterate value by value
    hides = pd.Series([x != NONE for x in level], dtype=bool)
    hides_all = pd.Series([x == ALL for x in level], dtype=bool)
    rows = list(zip(*(natives(out[c]) for c in ("provider_id", "standard_id", "measure_id"))))
    comparison = [
        "not_compared" if h else "whole_hidden" if row in whole_hidden else c
        for row, h, c in zip(rows, hides.tolist(), natives(out["comparison"]))
    ]
    decimals = {key: kind_of(m).shown_decimals for key, m in measures.items()}
    places = [decimals[(s, m)] for _, s, m in rows]
    # the rows rounded to each number of places (a measure's values are all rounded alike)
    by_places = {d: np.array([x == d for x in places], dtype=bool) for d in set(places)}
    text = out["comparison"].dtype
    columns = {
        c: pd.array(v, dtype=text) for c, v in (("hidden", level), ("reason", reason), ("comparison", comparison))
    }
    for column in ("numerator", "numerator_rows", "value", "ci_lower", "ci_upper"):
        columns[column] = out[column].mask(hides)
    for column in ("denominator", "denominator_rows"):
        columns[column] = out[column].mask(hides_all)
    for column in ("value", "ci_lower", "ci_upper"):
        values = columns[column].to_numpy(dtype="float64", copy=True)
        shown = ~np.isnan(values)
        for d, where in by_places.items():
            at = np.flatnonzero(where & shown)
            values[at] = list(map(round, values[at].tolist(), itertools.repeat(d, len(at))))
        columns[column] = values
    out = out.assign(**columns)
    if "run_id" not in out:
        out.insert(0, "run_id", None)
    out = out.reindex(columns=PUBLIC_COLUMNS)
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        out[column] = out[column].astype("float64")
    out = stats.row_counts(out)
    for column in (
        "provider_id",
        "period",
        "standard_id",
        "measure_id",
        "dimension",
        "grp",
        "comparison",
        "hidden",
        "reason",
    ):
        out[column] = out[column].astype("str")
    return out


# --------------------------------------------------------------------------- the store


def earlier(con: duckdb.DuckDBPyConnection, period: str) -> list[pd.DataFrame]:
    """What every run of the quarter already recorded published of each group's counts, for
    `protect` (audits.disclosure._earlier_counts): the group keyed as `_key` keys it (in
    provider_id), the measure, and its counts with what of them is hidden.

    Each distinct row once, in the order it was first recorded (runs by id, then rows as
    kept): the counts are only ever asked whether any lies 1-4 from this run's, so a row
    repeated by a later run (a quarter audited again on the same returns repeats nearly all)
    adds nothing, and the groups and measures are met in the same order as in every row."""
    df = con.execute(
        f"""
        SELECT provider_id || '{_SEP}' || dimension || '{_SEP}' || grp AS provider_id, standard_id, measure_id,
               denominator_rows, numerator_rows, hidden
        FROM public_breakdowns WHERE period = ?
        GROUP BY ALL ORDER BY min((run_id, rowid))
        """,
        [period],
    ).df()
    return [df] if not df.empty else []


def keep(con: duckdb.DuckDBPyConnection, run_id: str, public: pd.DataFrame) -> None:
    """Record a run's public breakdowns (inside the caller's transaction)."""
    frame = public.assign(run_id=run_id)[PUBLIC_COLUMNS]
    con.register("new_public_breakdowns", frame)
    con.execute(
        f"INSERT INTO public_breakdowns ({', '.join(PUBLIC_COLUMNS)}) "
        f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM new_public_breakdowns"
    )
    con.unregister("new_public_breakdowns")


@tiers.output(tiers.PUBLIC, "a run's breakdowns by sex, age and ethnic group as they may be published")
def public(
    con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None, standard_id: str | None = None
) -> pd.DataFrame:
    """A run's breakdowns as they may be published, kept with the run (empty for a run recorded
    before breakdowns were kept): every public output reads these."""
    sql = f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM public_breakdowns WHERE run_id = ?"
    params: list = [run_id]
    for column, wanted in (("provider_id", provider_id), ("standard_id", standard_id)):
        if wanted is not None:
            sql += f" AND {column} = ?"
            params.append(wanted)
    return breakdowns.in_order(con.execute(sql, params).df())
