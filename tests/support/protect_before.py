"""audits.disclosure_breakdowns' search for pinned groups as it was before it kept what each pass
had already found (main at bb7824f), and audits.disclosure's column reader before its fast path
for text, and the breakdowns' protection and earlier runs' counts as they were at 8a895e4 (before
the worker processes and the reading by column), and the earlier runs' public breakdowns read
a frame per run and the public rows assembled a dict per row as they were at 23869ab: kept only
to show that the faster code hides the very same cells (tests/test_breakdowns_same.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from audits import breakdowns, disclosure
from audits import disclosure_breakdowns as db
from audits.disclosure import ALL, NONE
from audits.disclosure_breakdowns import (  # noqa: F401 - the helpers the old code used
    _BIG,
    LINKED,
    PUBLIC_COLUMNS,
    ROLES,
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
from audits.kinds import kind_of
from audits.standard_model import Measure, Standard


def exposed(p: disclosure._Provider, g: disclosure._Groups) -> set[int]:
    """Classes whose count anyone can read or add up from what is shown of this provider."""
    out: set[int] = set()
    for key, i in p.rows.items():
        level = p.level[i]
        for role in ("denominator", "numerator", "complement"):
            c = g.members.get((key, role))
            if c is None:
                continue
            if (role == "denominator" and level != disclosure.ALL) or level == disclosure.NONE:
                out.add(c)
    changed = True
    while changed:  # two of numerator, complement and denominator give the third
        changed = False
        for key in p.rows:
            trio = [g.members.get((key, role)) for role in ("denominator", "numerator", "complement")]
            if None in trio:
                continue
            if sum(c in out for c in trio) == 2:
                out.update(trio)
                changed = True
    return out


def natives(column: pd.Series) -> list:
    values = column.tolist()
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):  # to_dict gives None for <NA>
        values = [None if v is pd.NA else v for v in values]
    return values


def pinned(cells: dict[str, int], shown: set[str], ranges: dict[str, Ranges], total_range: Ranges | None) -> bool:
    """Would a reader pin a hidden group's count, or a hidden whole, from the groups' sum?
    cells: group -> true count; shown: the groups whose count is public; ranges: what each
    hidden group's own rows say of it; total_range: what is public of a hidden whole (None: shown)."""
    total = sum(cells.values())
    hidden = [v for v in cells if v not in shown]
    left = total - sum(cells[v] for v in shown)
    for v in hidden:
        others: Ranges = [(0, 0)]
        for u in hidden:
            if u != v:
                others = _add(others, _clip(ranges[u], 0, total))
        back = _merge([(left - b, left - a) for a, b in others if left - a >= 0])
        if _size(_cut(_clip(ranges[v], 0, total), back)) <= 1:
            return True
    if total_range is not None:
        sums: Ranges = [(0, 0)]
        for v in hidden:
            sums = _add(sums, _clip(ranges[v], 0, _BIG))
        known = total - left
        if _size(_cut(total_range, [(known + a, min(_BIG, known + b)) for a, b in sums])) <= 1:
            return True
    return False


def protect_dimension(
    total: disclosure._Provider, parts: dict[str, disclosure._Provider], g: disclosure._Groups
) -> None:
    """Hide groups of one provider's dimension until none, and no hidden whole, can be worked
    out from the groups adding up to the whole."""
    classes = sorted({c for c in g.by_class if any(g.members.get((k, r)) == c for k in total.rows for r in ROLES)})
    shown_total = disclosure._exposed(total, g)
    # What a group shows and what its rows say of a count depend only on how its own rows are
    # hidden: kept from pass to pass and worked out again only for a group whose rows changed
    # (each pass hides at most a few groups' rows, then looks at every group again).
    known: dict[str, tuple[tuple, set[int]]] = {}
    said: dict[tuple[str, int], tuple[tuple, Ranges]] = {}

    def possible(v: str, p: disclosure._Provider, c: int) -> Ranges:
        hit = said.get((v, c))
        if hit is None or hit[0] != states[v]:
            hit = said[(v, c)] = (states[v], possible_of(p, g, c))
        return hit[1]

    while True:
        states = {v: tuple((p.level[i], p.reason[i]) for i in p.rows.values()) for v, p in parts.items()}
        for v, p in parts.items():
            if v not in known or known[v][0] != states[v]:
                known[v] = (states[v], disclosure._exposed(p, g))
        exposed = {v: known[v][1] for v in parts}
        for c in classes:
            if c not in total.counts:
                continue
            # the groups with a row that counts c (a group only some measures have, such as
            # contacts whose person is not in the return, is no part of the others' sums)
            counting = {v: p for v, p in parts.items() if c in p.counts}
            shown = {v for v in counting if c in exposed[v]}
            if len(shown) == len(counting) and c in shown_total:
                continue
            cells = {v: p.counts[c] for v, p in counting.items()}
            ranges = {v: possible(v, p, c) for v, p in counting.items()}
            whole = None if c in shown_total else possible_of(total, g, c)
            if not pinned(cells, shown, ranges, whole):
                continue
            nonzero = [v for v in shown if cells[v] > 0]
            if nonzero:  # hide the smallest group shown
                disclosure._unexpose(parts[min(nonzero, key=lambda v: (cells[v], v))], g, c, LINKED)
                break  # what is shown has changed: look again from the start
            if _escalate(counting, g, c, set(counting) - shown):
                break
        else:
            return


def earlier_counts(frames: Iterable[pd.DataFrame]) -> dict[str, dict[tuple[str, str], dict[str, list[int]]]]:
    """(main at 8a895e4: a dict per row.) provider -> measure key -> role -> the counts earlier runs of the quarter published."""
    out: dict[str, dict[tuple[str, str], dict[str, list[int]]]] = {}
    for frame in frames:
        for row in disclosure._records(frame):
            counts = disclosure._role_counts(row)
            if row["hidden"] == disclosure.NUMERATOR:
                counts = {"denominator": counts["denominator"]} if "denominator" in counts else {}
            elif row["hidden"] == disclosure.ALL:
                counts = {}
            mine = out.setdefault(row["provider_id"], {}).setdefault((row["standard_id"], row["measure_id"]), {})
            for role, count in counts.items():
                mine.setdefault(role, []).append(count)
    return out


def protect_breakdowns(
    exact: pd.DataFrame,
    whole: pd.DataFrame,
    public_whole: pd.DataFrame,
    standards: list[Standard],
    earlier: Iterable[pd.DataFrame] = (),
) -> pd.DataFrame:
    """(main at 8a895e4: one provider after another in this process, the earlier runs' rows keyed
    a row at a time.) A run's breakdowns as they may be published (PUBLIC_COLUMNS), from its exact
    breakdowns, its exact whole results (runs.read_results), their public version (audits.disclosure) and the
    public breakdowns of every earlier run of the quarter. Deterministic."""
    measures = {(s.id, m.id): m for s in standards for m in s.measures if breakdowns.broken_down(m)}
    records = disclosure._records(exact.reset_index(drop=True))
    if not records:
        return pd.DataFrame(columns=PUBLIC_COLUMNS)
    keys = {(r["standard_id"], r["measure_id"]) for r in records}
    measures = {k: m for k, m in measures.items() if k in keys}
    g = disclosure._groups(measures)
    level = {i: NONE for i in range(len(records))}
    reason = {i: "" for i in range(len(records))}
    before = disclosure._earlier_counts(
        [f.assign(provider_id=[db._key(*k) for k in zip(f["provider_id"], f["dimension"], f["grp"])]) for f in earlier]
    )
    by_part: dict[tuple[str, str, str], list[int]] = {}
    for i, row in enumerate(records):
        by_part.setdefault((row["provider_id"], row["dimension"], row["grp"]), []).append(i)
    exact_whole = {}
    for row in disclosure._records(whole):
        exact_whole.setdefault(row["provider_id"], {})[(row["standard_id"], row["measure_id"])] = row
    public_by_provider: dict[str, list[dict]] = {}  # each provider's public whole rows, in order
    for row in disclosure._records(public_whole):
        public_by_provider.setdefault(row["provider_id"], []).append(row)
    for provider_id in sorted({p for p, _, _ in by_part}):
        mine = public_by_provider.get(provider_id, [])
        t_records, t_level, t_reason = db._whole(mine, exact_whole.get(provider_id, {}), set(measures))
        total = db._provider(list(range(len(t_records))), t_records, g, t_level, t_reason)
        for dimension in breakdowns.DIMENSIONS:
            parts = {}
            for grp in (*breakdowns.groups_of(dimension), breakdowns.NOT_RECORDED):
                rows = by_part.get((provider_id, dimension, grp), [])
                if not rows:
                    continue
                parts[grp] = db._provider(rows, records, g, level, reason)
                disclosure._protect_provider(parts[grp], g, before.get(db._key(provider_id, dimension, grp), {}))
            db._small_whole(total, parts, g)
            db._protect_dimension(total, parts, g)
    unknown = public_whole[public_whole["hidden"] != NONE]
    whole_hidden = set(zip(unknown["provider_id"], unknown["standard_id"], unknown["measure_id"]))
    return assemble(records, level, reason, measures, whole_hidden)


# audits.disclosure as it was at 8a895e4, before the outcomes were remembered across rows, the
# bars' crossings guessed and the earlier runs' moved counts worked out once per provider.


def protect_provider(
    p: disclosure._Provider, g: disclosure._Groups, earlier: dict[tuple[str, str], dict[str, list[int]]]
) -> None:
    """Hide, for one provider, until no count of 1-4 can be read or subtracted."""
    for key, i in p.rows.items():
        counts = {
            role: p.counts[g.members[(key, role)]]
            for role in ("denominator", "numerator", "complement")
            if (key, role) in g.members
        }
        if counts.get("denominator") in disclosure.SMALL:
            p.level[i], p.reason[i] = disclosure.ALL, disclosure.SMALL_REASON
        elif counts.get("numerator") in disclosure.SMALL or counts.get("complement") in disclosure.SMALL:
            p.level[i], p.reason[i] = disclosure.NUMERATOR, disclosure.SMALL_REASON
    while True:
        shown = disclosure._exposed(p, g)
        small = [c for c in shown if p.counts[c] in disclosure.SMALL]
        if small:
            disclosure._unexpose(p, g, small[0], disclosure.LINKED)
            continue
        pairs = [
            (a, b)
            for a, b in sorted(g.inside)
            if a in shown and b in shown and p.counts[b] - p.counts[a] in disclosure.SMALL
        ]
        if pairs:
            a, b = pairs[0]
            victim = min((a, b), key=lambda c: (disclosure._cost(p, g, c), p.counts[c], c))
            disclosure._unexpose(p, g, victim, disclosure.LINKED)
            continue
        changed = [
            g.members[(key, role)]
            for key, before in earlier.items()
            if key in p.rows
            for role, counts in before.items()
            if (key, role) in g.members
            and g.members[(key, role)] in shown
            and any(abs(p.counts[g.members[(key, role)]] - count) in disclosure.SMALL for count in counts)
        ]
        if changed:
            disclosure._unexpose(p, g, changed[0], disclosure.EARLIER)
            continue
        return


def switch(met, lo: int, hi: int) -> int:
    """The first n in [lo, hi] where a condition that is false then true becomes true (hi + 1
    if it never does)."""
    while lo <= hi:
        mid = (lo + hi) // 2
        if met(mid):
            hi = mid - 1
        else:
            lo = mid + 1
    return lo


def outcomes_of(
    measure: disclosure.Measure, d: int, a: int | None, b: int | None, optional_table: bool
) -> list[disclosure.Candidate]:
    """Split the numerators a..b at denominator d by the rating they would get: [(outcome, d, x, y)].

    The rating is always asked of the measure itself (disclosure.Measure.rate); each threshold is met by
    a run of consecutive numerators (a share rises with its numerator), so finding where each
    threshold starts or stops being met is enough. 'rated' stands for any band when the band
    does not follow from counts (a median's value, a weighted share's weights)."""
    kind = disclosure.kind_of(measure)
    if kind.value_from_counts is None or measure.weight or a is None:
        rated = d > 0 and measure.rate(1.0, d, optional_table) != "no_data"
        return [("rated" if rated else "no_data", d, a, b)]

    def value(n: int):
        try:
            return kind.value_from_counts(n, d)
        except ZeroDivisionError:
            return None

    cuts = {a, b + 1}
    for threshold in (measure.green, measure.amber):
        if threshold is None:
            continue
        met = lambda n, t=threshold: t.met(value(n))  # noqa: E731
        if threshold.op in (">=", ">"):
            cuts.add(switch(met, a, b))
        elif threshold.op in ("<=", "<"):
            cuts.add(switch(lambda n, m=met: not m(n), a, b))
        else:  # "=": met by at most a few numerators next to each other
            hits = [n for n in range(a, b + 1) if met(n)] if b - a < 64 else disclosure._equal_hits(met, a, b)
            cuts.update(hits)
            cuts.update(n + 1 for n in hits)
    edges = sorted(c for c in cuts if a <= c <= b + 1)
    return [(measure.rate(value(x), d, optional_table), d, x, y - 1) for x, y in zip(edges, edges[1:])]


def public_rating(
    p: disclosure._Provider,
    g: disclosure._Groups,
    key,
    i: int,
    measure: disclosure.Measure,
    shown: set[int],
    rating: str,
    optional_table: bool,
    earlier: dict,
    known: dict | None = None,  # the new code's memo, not used here
) -> str:
    """The rating to publish for a row with a hidden count. Which bands are merged is decided
    from public facts alone (every possible value, not the true one), so that merging or
    withholding a rating says nothing about where the count lies. A row hidden for another
    figure's sake is checked twice: against every value its reason allows, and against only the
    values within 1-4 of a public count (what a reader who knew the rules could narrow it to)."""
    models = [None] if p.reason[i] == disclosure.SMALL_REASON else [None, earlier]
    candidates = [disclosure._candidates(p, g, key, i, measure, shown, narrow) for narrow in models]
    outcomes: dict[tuple, list[disclosure.Candidate]] = {}  # the readings share most of their candidates
    for d, a, b in (c for each in candidates for c in each):
        if (d, a, b) not in outcomes:
            outcomes[(d, a, b)] = outcomes_of(measure, d, a, b, optional_table)
    readings = [[piece for d, a, b in each for piece in outcomes[(d, a, b)]] for each in candidates]
    signed: dict[str, list[tuple[int, int]]] = {}
    for role in ("denominator", "numerator", "complement"):
        c = g.members.get((key, role))
        if c is not None:
            signed[role] = [(p.counts[o], +1) for a, o in g.inside if a == c and o in shown] + [
                (p.counts[a], -1) for a, o in g.inside if o == c and a in shown
            ]
    truth = (
        rating if disclosure.kind_of(measure).value_from_counts and not measure.weight else disclosure._rated(rating)
    )
    for merge in disclosure._MERGES:
        safe = True
        for pieces in readings:
            groups: dict[str, list[disclosure.Candidate]] = {}
            for outcome, d, a, b in pieces:
                groups.setdefault(merge.get(outcome, outcome), []).append((d, a, b))
            safe = safe and not any(disclosure._pinned(members, signed) for members in groups.values())
        if safe:
            label = merge.get(truth, truth)
            return rating if label == "rated" else label
    return disclosure.WITHHELD  # pragma: no cover - the last merge is one group holding every possibility


# audits.disclosure_breakdowns at 23869ab: the earlier runs' public breakdowns a frame per run,
# every row; the public rows assembled a dict per row.


def earlier(con, period: str) -> list[pd.DataFrame]:
    """The public breakdowns of every run of the quarter already recorded."""
    df = con.execute(
        f"SELECT {', '.join('b.' + c for c in PUBLIC_COLUMNS)} FROM public_breakdowns b WHERE b.period = ?", [period]
    ).df()
    return [frame for _, frame in df.groupby("run_id")] if not df.empty else []


def assemble(
    records: list[dict], level: dict, reason: dict, measures: dict[tuple[str, str], Measure], whole_hidden: set
) -> pd.DataFrame:
    """The public rows: hidden figures taken out, values rounded as shown, and no group compared
    with a whole whose figure is hidden (its interval is not public)."""
    for i, row in enumerate(records):
        row.update(hidden=level[i], reason=reason[i])
        if (row["provider_id"], row["standard_id"], row["measure_id"]) in whole_hidden:
            row["comparison"] = "whole_hidden"
        if level[i] != NONE:
            row.update(numerator=None, numerator_rows=None, value=None, ci_lower=None, ci_upper=None)
            row["comparison"] = "not_compared"
        if level[i] == ALL:
            row.update(denominator=None, denominator_rows=None)
        decimals = kind_of(measures[(row["standard_id"], row["measure_id"])]).shown_decimals
        for column in ("value", "ci_lower", "ci_upper"):
            row[column] = disclosure._shown_round(row[column], decimals)
    out = pd.DataFrame(records)
    if "run_id" not in out:
        out.insert(0, "run_id", None)
    out = out.reindex(columns=PUBLIC_COLUMNS)
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        out[column] = out[column].astype("float64")
    for column in ("numerator_rows", "denominator_rows"):
        out[column] = out[column].astype("Int64")
    return out


# audits.disclosure_breakdowns._possible and audits.disclosure._unexpose as they were at f988e34,
# before what hidden rows say of a count was remembered for the run and the trios read from
# g.plan.


def possible_of(p: disclosure._Provider, g: disclosure._Groups, c: int) -> Ranges:
    """What the rows of one group (or provider) say of its hidden count of class c, to a reader who
    knows the rules: every row that counts c, hidden, narrows it by why it is hidden."""
    out: Ranges = [(0, _BIG)]
    for key, role in g.by_class.get(c, []):
        i = p.rows.get(key)
        if i is None or p.level[i] == NONE:
            continue
        small = p.reason[i] == disclosure.SMALL_REASON
        if p.reason[i] == db.WHOLE:  # a part of a count of 1-4 people
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


def unexpose(p: disclosure._Provider, g: disclosure._Groups, c: int, reason: str) -> None:
    """Hide class c, and when it can still be added up from two others, hide those too."""
    disclosure._hide(p, g, c, reason)
    while c in disclosure._exposed(p, g):
        for key in p.rows:
            trio = {role: g.members.get((key, role)) for role in ("denominator", "numerator", "complement")}
            if c in trio.values() and None not in trio.values():
                for role in ("numerator", "complement"):
                    if trio[role] != c and disclosure._hide(p, g, trio[role], reason):
                        break
                else:
                    continue
                break
        else:
            raise AssertionError(f"class {c} stays exposed")
