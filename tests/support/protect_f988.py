"""audits.disclosure_breakdowns' and audits.disclosure's protection kernel as it was at f988e34,
before what hidden rows say of a count was remembered for the run, each row's classes read from
g.plan, and the quick proof of _pinned read in one pass over each range (issue 15): kept verbatim (their
names as they were) to show that the faster code hides the very same cells
(tests/test_breakdowns_same.py). `the_kernel_before` swaps them in."""

# ruff: noqa

from __future__ import annotations

from audits import disclosure
from audits.disclosure import (
    ALL,
    EARLIER,
    LINKED,
    NONE,
    NUMERATOR,
    SMALL,
    SMALL_REASON,
    _cost,
    _hide,
    _Groups,
    _Provider,
)
from audits.disclosure_breakdowns import (
    _BIG,
    ROLES,
    WHOLE,
    Ranges,
    _add,
    _clip,
    _cut,
    _escalate,
    _merge,
    _minus,
    _not_small,
    _size,
)


def the_kernel_before(monkeypatch) -> None:
    """Protect by f988e34's kernel from here on (everything else as it was on main at dd1092f,
    tests/support/protect_main.py, whose breakdowns' protection calls this kernel)."""
    from audits import disclosure_breakdowns

    from support import protect_main

    monkeypatch.setattr(disclosure, "_exposed", _exposed)
    monkeypatch.setattr(disclosure, "_unexpose", _unexpose)
    monkeypatch.setattr(disclosure, "_protect_provider", _protect_provider)
    monkeypatch.setattr(disclosure_breakdowns, "_protect_dimension", _protect_dimension)
    monkeypatch.setattr(disclosure_breakdowns, "protect", protect_main.protect)
    monkeypatch.setattr(protect_main, "_protect_dimension", _protect_dimension)


def _possible(p: disclosure._Provider, g: disclosure._Groups, c: int) -> Ranges:
    """What the rows of one group (or provider) say of its hidden count of class c, to a reader who
    knows the rules: every row that counts c, hidden, narrows it by why it is hidden."""
    out: Ranges = [(0, _BIG)]
    for key, role in g.by_class.get(c, []):
        i = p.rows.get(key)
        if i is None or p.level[i] == NONE:
            continue
        small = p.reason[i] == SMALL_REASON
        if p.reason[i] == WHOLE:  # a part of a count of 1-4 people
            d = p.counts.get(g.members.get((key, "denominator")))
            near = [(0, 4)] if p.level[i] == ALL or d is None else _merge([(0, min(4, d)), (max(0, d - 4), d)])
            out = _cut(out, near)
            continue
        if p.level[i] == ALL:
            if role == "denominator":
                out = _cut(out, [(1, 4)] if small else _not_small())
            elif small:  # a part of 1-4 people
                out = _cut(out, [(0, 4)])
            continue
        if role == "denominator":  # shown
            continue
        d = p.counts.get(g.members.get((key, "denominator")))
        if d is None:
            continue
        either = _merge([(1, min(4, d)), (max(0, d - 4), d - 1)]) if d > 0 else []
        if small:
            out = _cut(out, either)
        else:
            out = _cut(out, _minus((0, d), either))
    return out


def _pinned(cells: dict[str, int], shown: set[str], ranges: dict[str, Ranges], total_range: Ranges | None) -> bool:
    """Would a reader pin a hidden group's count, or a hidden whole, from the groups' sum?
    cells: group -> true count; shown: the groups whose count is public; ranges: what each
    hidden group's own rows say of it; total_range: what is public of a hidden whole (None: shown)."""
    hidden = [v for v in cells if v not in shown]
    if len(hidden) < 2:
        # one hidden group is the whole less the groups shown (its range holds its count, so
        # nothing else is left); none hidden gives a hidden whole back as their sum
        return bool(hidden) or total_range is not None
    total = sum(cells.values())
    left = total - sum(cells[v] for v in shown)
    mine = [_clip(ranges[v], 0, total) for v in hidden]
    if _loose([cells[v] for v in hidden], mine, total, total_range):
        return False
    # what the other hidden groups can add up to, for each: the sums of those before it and of
    # those after it (a sum of sets of whole numbers is the same set in any order)
    before: list[Ranges] = [[(0, 0)]]
    for r in mine[:-1]:
        before.append(_add(before[-1], r))
    after: list[Ranges] = [[(0, 0)]]
    for r in reversed(mine[1:]):
        after.append(_add(after[-1], r))
    after.reverse()
    for i in range(len(hidden)):
        others = _add(before[i], after[i])
        back = _merge([(left - b, left - a) for a, b in others if left - a >= 0])
        if _size(_cut(mine[i], back)) <= 1:
            return True
    if total_range is not None:
        sums: Ranges = [(0, 0)]
        for v in hidden:
            sums = _add(sums, _clip(ranges[v], 0, _BIG))
        known = total - left
        if _size(_cut(total_range, [(known + a, min(_BIG, known + b)) for a, b in sums])) <= 1:
            return True
    return False


def _within(ranges: Ranges, value: int) -> bool:
    return any(a <= value <= b for a, b in ranges)


def _loose(counts: list[int], mine: list[Ranges], total: int, total_range: Ranges | None) -> bool:
    """A quick proof that _pinned's sums would pin nothing (False: not proved, work them out).
    When every hidden count lies in its range, and for each hidden group one unit can move between
    it and another hidden group (both staying in their ranges), a reader has at least two values
    for each; and when one unit more or less for some group also fits a hidden whole's range, the
    whole has two values too."""
    if not all(_within(r, x) for r, x in zip(mine, counts)):
        return False
    # whether each group can take one more (up) or one less (down) and stay in its range
    up = [_within(r, x + 1) for r, x in zip(mine, counts)]
    down = [_within(r, x - 1) for r, x in zip(mine, counts)]
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


def _protect_dimension(
    total: disclosure._Provider, parts: dict[str, disclosure._Provider], g: disclosure._Groups
) -> None:
    """Hide groups of one provider's dimension until none, and no hidden whole, can be worked
    out from the groups adding up to the whole."""
    counted = {g.members.get((k, r)) for k in total.rows for r in ROLES}
    classes = sorted(c for c in g.by_class if c in counted and c in total.counts)
    shown_total = _exposed(total, g)
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
    exposed = {v: _exposed(p, g) for v, p in parts.items()}
    said: dict[tuple[str, int], Ranges] = {}
    answers: dict[tuple, bool] = {}  # by what the groups show and say of the count
    wholes = {c: None if c in shown_total else _possible(total, g, c) for c in classes}

    def possible(v: str, p: disclosure._Provider, c: int) -> Ranges:
        hit = said.get((v, c))
        if hit is None:
            hit = said[(v, c)] = _possible(p, g, c)
        return hit

    def pinned(c: int) -> bool:
        counting = counting_by_class[c]
        shown = {v for v in counting if c in exposed[v]}
        if len(shown) == len(counting) and c in shown_total:
            return False
        # _pinned reads what the hidden groups' rows say, never the shown ones': only those are
        # worked out (most groups are shown), and they with what is shown settle the answer
        ranges = {v: possible(v, p, c) for v, p in counting.items() if v not in shown}
        said_of = (c, frozenset(shown), tuple(tuple(r) for r in ranges.values()))
        if said_of not in answers:
            answers[said_of] = _pinned({v: p.counts[c] for v, p in counting.items()}, shown, ranges, wholes[c])
        return answers[said_of]

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
                _unexpose(parts[smallest], g, c, LINKED)
                changed = [smallest]
                break  # what is shown has changed: look again from the start
            before = {v: state(p) for v, p in counting.items()}
            if _escalate(counting, g, c, set(counting) - shown):
                changed = list(counting)
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
            now = _exposed(p, g)
            dirty |= now ^ exposed[v]
            exposed[v] = now
        for c in dirty:
            if c in status:
                status[c] = None


def _exposed(p: _Provider, g: _Groups) -> set[int]:
    """Classes whose count anyone can read or add up from what is shown of this provider."""
    out: set[int] = set()
    whole: list[tuple] = []  # the rows counting all three
    for key, i in p.rows.items():
        level = p.level[i]
        trio = g.trio(key)
        if level != ALL and trio[0] is not None:  # the denominator
            out.add(trio[0])
        if level == NONE:
            out.update(c for c in trio[1:] if c is not None)
        if None not in trio:
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


def _unexpose(p: _Provider, g: _Groups, c: int, reason: str) -> None:
    """Hide class c, and when it can still be added up from two others, hide those too."""
    _hide(p, g, c, reason)
    while c in _exposed(p, g):
        for key in p.rows:
            trio = {role: g.members.get((key, role)) for role in ("denominator", "numerator", "complement")}
            if c in trio.values() and None not in trio.values():
                for role in ("numerator", "complement"):
                    if trio[role] != c and _hide(p, g, trio[role], reason):
                        break
                else:
                    continue
                break
        else:
            raise AssertionError(f"class {c} stays exposed")  # pragma: no cover - a bug, never data


def _protect_provider(p: _Provider, g: _Groups, earlier: dict[tuple[str, str], dict[str, list[int]]]) -> None:
    """Hide, for one provider, until no count of 1-4 can be read or subtracted."""
    for key, i in p.rows.items():
        counts = {
            role: p.counts[g.members[(key, role)]]
            for role in ("denominator", "numerator", "complement")
            if (key, role) in g.members
        }
        if counts.get("denominator") in SMALL:
            p.level[i], p.reason[i] = ALL, SMALL_REASON
        elif counts.get("numerator") in SMALL or counts.get("complement") in SMALL:
            p.level[i], p.reason[i] = NUMERATOR, SMALL_REASON
    nested = sorted(g.inside)
    # the classes whose count is 1-4 away from an earlier run's, in the order they are looked at
    # (the counts do not change here; only whether each is shown does)
    moved = [
        g.members[(key, role)]
        for key, before in earlier.items()
        if key in p.rows
        for role, counts in before.items()
        if (key, role) in g.members
        and g.members[(key, role)] in p.counts
        and any(abs(p.counts[g.members[(key, role)]] - count) in SMALL for count in counts)
    ]
    while True:
        shown = _exposed(p, g)
        small = [c for c in shown if p.counts[c] in SMALL]
        if small:
            _unexpose(p, g, small[0], LINKED)
            continue
        pairs = [(a, b) for a, b in nested if a in shown and b in shown and p.counts[b] - p.counts[a] in SMALL]
        if pairs:
            a, b = pairs[0]
            victim = min((a, b), key=lambda c: (_cost(p, g, c), p.counts[c], c))
            _unexpose(p, g, victim, LINKED)
            continue
        changed = [c for c in moved if c in shown]
        if changed:
            _unexpose(p, g, changed[0], EARLIER)
            continue
        return
