"""audits.disclosure_breakdowns' protection as it was on main at dd1092f (before issue 15's
protect8: counts and earlier runs' counts read by column into whole numbers, the search for
pinned groups on each dimension's classes at once), with audits.disclosure's kernel functions it
called as they were then: kept verbatim only to show that the faster code hides the very same
cells (tests/test_breakdowns_same.py). `the_kernel_of_main` swaps them all in; `protect` calls
audits.disclosure's kernel through the module (so tests/support/protect_f988.py can swap in
older ones) and `_protect_dimension` of this module."""

# ruff: noqa

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import pandas as pd

from audits import breakdowns, collector, disclosure
from audits.disclosure import ALL, EARLIER, LINKED, NONE, NUMERATOR, SMALL, SMALL_REASON, _RANK, _Groups, _Provider
from audits.disclosure_breakdowns import PUBLIC_COLUMNS, WHOLE, ROLES, _BIG, Ranges, _SEP


from audits.kinds import kind_of
from audits.standard_model import Measure, Standard


def _key(provider_id: str, dimension: str, grp: str) -> str:
    return f"{provider_id}{_SEP}{dimension}{_SEP}{grp}"


def the_kernel_of_main(monkeypatch) -> None:
    """Protect the whole results and the breakdowns by main's kernel (dd1092f) from here on."""
    from audits import disclosure_breakdowns

    monkeypatch.setattr(disclosure, "_exposed", _exposed)
    monkeypatch.setattr(disclosure, "_unexpose", _unexpose)
    monkeypatch.setattr(disclosure, "_protect_provider", _protect_provider)
    monkeypatch.setattr(disclosure, "_earlier_counts", _earlier_counts)
    monkeypatch.setattr(disclosure_breakdowns, "protect", protect)


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
    exposed = {v: disclosure._exposed(p, g) for v, p in parts.items()}
    said: dict[tuple[str, int], Ranges] = {}
    answers: dict[tuple, bool] = {}  # by what the groups show and say of the count
    wholes = {c: None if c in shown_total else _possible(total, g, c) for c in classes}

    totals: dict[int, int] = {}  # the sum of each class's groups (the whole, as a reader takes it)

    def pinned(c: int) -> bool:
        counting = counting_by_class[c]
        hidden = [v for v in counting if c not in exposed[v]]
        if not hidden and c in shown_total:
            return False
        # _pinned reads what the hidden groups' rows say, never the shown ones': only those are
        # worked out (most groups are shown), and they with what is shown settle the answer
        ranges = []
        for v in hidden:
            hit = said.get((v, c))
            if hit is None:
                hit = said[(v, c)] = _said(counting[v], g, c)
            ranges.append(hit)
        said_of = (c, tuple(hidden), tuple(ranges))
        found = answers.get(said_of)
        if found is None:
            if len(hidden) < 2:  # as _pinned answers
                found = bool(hidden) or wholes[c] is not None
            else:
                total = totals.get(c)
                if total is None:
                    total = totals[c] = sum(p.counts[c] for p in counting.values())
                found = _pinned_hidden([counting[v].counts[c] for v in hidden], ranges, total, wholes[c])
            answers[said_of] = found
        return found

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
                disclosure._unexpose(parts[smallest], g, c, LINKED)
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
            now = disclosure._exposed(p, g)
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


def _counted(keys: list[tuple[str, str]], ds: pd.Series, ns: pd.Series, g: disclosure._Groups) -> list[tuple]:
    """Each exact row as (its measure, the (class, count) of each role it counts), the roles in
    disclosure._role_counts' order: what _part reads of it."""
    d_gone, n_gone = ds.isna().tolist(), ns.isna().tolist()
    d_all, n_all = disclosure._whole_numbers(ds), disclosure._whole_numbers(ns)
    members = g.members
    out = []
    for key, no_d, d, no_n, n in zip(keys, d_gone, d_all, n_gone, n_all):
        if no_d:
            out.append((key, ()))
        elif no_n:
            out.append((key, ((members[(key, "denominator")], d),)))
        else:
            trio = (members[(key, "denominator")], members[(key, "numerator")], members[(key, "complement")])
            out.append((key, ((trio[0], d), (trio[1], n), (trio[2], d - n))))
    return out


def _part(rows: list[int], records: list[tuple], level, reason) -> disclosure._Provider:
    """A provider's group of people (its rows of the breakdowns), to protect as a provider is."""
    p = disclosure._Provider({}, {}, level, reason)
    counts = p.counts
    for i in rows:
        key, cells = records[i]
        p.rows[key] = i
        for c, count in cells:
            counts.setdefault(c, count)
    return p


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

    records: list[tuple]  # _counted's
    g: disclosure._Groups
    level: dict[int, str]
    reason: dict[int, str]
    before: dict
    by_part: dict[tuple[str, str, str], list[int]]
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
            rows = job.by_part.get((provider_id, dimension, grp), [])
            if not rows:
                continue
            parts[grp] = _part(rows, job.records, job.level, job.reason)
            disclosure._protect_provider(parts[grp], g, job.before.get(_key(provider_id, dimension, grp), {}))
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
    rows = [i for (p, _, _), found in job.by_part.items() if p in mine for i in found]
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
    natives = disclosure._natives
    keys = list(zip(natives(exact["standard_id"]), natives(exact["measure_id"])))
    measures = {k: m for k, m in measures.items() if k in set(keys)}
    g = disclosure._groups(measures)
    records = _counted(keys, exact["denominator_rows"], exact["numerator_rows"], g)
    level = {i: NONE for i in range(len(records))}
    reason = {i: "" for i in range(len(records))}
    before = disclosure._earlier_counts(earlier)
    by_part: dict[tuple[str, str, str], list[int]] = {}
    for i, part in enumerate(zip(*(natives(exact[c]) for c in ("provider_id", "dimension", "grp")))):
        by_part.setdefault(part, []).append(i)
    exact_whole = {}
    for row in disclosure._records(whole):
        exact_whole.setdefault(row["provider_id"], {})[(row["standard_id"], row["measure_id"])] = row
    public_by_provider: dict[str, list[dict]] = {}  # each provider's public whole rows, in order
    for row in disclosure._records(public_whole):
        public_by_provider.setdefault(row["provider_id"], []).append(row)
    job = _Job(records, g, level, reason, before, by_part, exact_whole, public_by_provider, set(measures))
    providers = sorted({p for p, _, _ in by_part})
    workers = min(_workers(), len(providers) // POOL_FROM)
    # what is left after sharing among processes (level and reason hold what those hid)
    for provider_id in _in_processes(job, providers, workers) if workers >= 2 else providers:
        _protect_one(job, provider_id)
    unknown = public_whole[public_whole["hidden"] != NONE]
    whole_hidden = set(zip(unknown["provider_id"], unknown["standard_id"], unknown["measure_id"]))
    return _assemble(
        exact, [level[i] for i in range(len(records))], [reason[i] for i in range(len(records))], measures, whole_hidden
    )


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
    rounded by Python's own round as before."""
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
    text = out["comparison"].dtype
    columns = {
        c: pd.array(v, dtype=text) for c, v in (("hidden", level), ("reason", reason), ("comparison", comparison))
    }
    for column in ("numerator", "numerator_rows", "value", "ci_lower", "ci_upper"):
        columns[column] = out[column].mask(hides)
    for column in ("denominator", "denominator_rows"):
        columns[column] = out[column].mask(hides_all)
    for column in ("value", "ci_lower", "ci_upper"):
        columns[column] = [v if v != v else round(v, d) for v, d in zip(columns[column].tolist(), places)]
    out = out.assign(**columns)
    if "run_id" not in out:
        out.insert(0, "run_id", None)
    out = out.reindex(columns=PUBLIC_COLUMNS)
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        out[column] = out[column].astype("float64")
    for column in ("numerator_rows", "denominator_rows"):
        out[column] = out[column].astype("Int64")
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


# ------------------------------------------------ audits.disclosure's kernel at dd1092f


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


def _unexpose(p: _Provider, g: _Groups, c: int, reason: str) -> None:
    """Hide class c, and when it can still be added up from two others, hide those too."""
    _hide(p, g, c, reason)
    while c in _exposed(p, g):
        for key in p.rows:
            trio = g.trio(key)
            if c in trio and None not in trio:
                if (trio[1] != c and _hide(p, g, trio[1], reason)) or (trio[2] != c and _hide(p, g, trio[2], reason)):
                    break
        else:
            raise AssertionError(f"class {c} stays exposed")  # pragma: no cover - a bug, never data


def _protect_provider(p: _Provider, g: _Groups, earlier: dict[tuple[str, str], dict[str, list[int]]]) -> None:
    """Hide, for one provider, until no count of 1-4 can be read or subtracted."""
    counts, level, reason = p.counts, p.level, p.reason
    for key, i in p.rows.items():
        d, n, k = g.trio(key)
        if d is not None and counts[d] in SMALL:
            level[i], reason[i] = ALL, SMALL_REASON
        elif (n is not None and counts[n] in SMALL) or (k is not None and counts[k] in SMALL):
            level[i], reason[i] = NUMERATOR, SMALL_REASON
    nested = g.nested
    # the classes whose count is 1-4 away from an earlier run's, in the order they are looked at
    # (the counts do not change here; only whether each is shown does)
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
    while True:
        shown = _exposed(p, g)
        small = next((c for c in shown if counts[c] in SMALL), None)
        if small is not None:
            _unexpose(p, g, small, LINKED)
            continue
        pair = next(((a, b) for a, b in nested if a in shown and b in shown and counts[b] - counts[a] in SMALL), None)
        if pair is not None:
            victim = min(pair, key=lambda c: (_cost(p, g, c), counts[c], c))
            _unexpose(p, g, victim, LINKED)
            continue
        changed = next((c for c in moved if c in shown), None)
        if changed is not None:
            _unexpose(p, g, changed, EARLIER)
            continue
        return


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
