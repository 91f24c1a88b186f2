"""audits.disclosure_breakdowns' search for pinned groups as it was before it kept what each pass
had already found (main at bb7824f), and audits.disclosure's column reader before its fast path
for text, and the breakdowns' protection and earlier runs' counts as they were at 8a895e4 (before
the worker processes and the reading by column): kept only to show that the faster code hides
the very same cells (tests/test_breakdowns_same.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from audits import breakdowns, disclosure
from audits import disclosure_breakdowns as db
from audits.disclosure import NONE
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
    _possible,
    _size,
)
from audits.standard_model import Standard


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
            hit = said[(v, c)] = (states[v], _possible(p, g, c))
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
            whole = None if c in shown_total else _possible(total, g, c)
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
    return db._assemble(records, level, reason, measures, whole_hidden)
