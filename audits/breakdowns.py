"""Breakdowns: each people measure's figure for every group of people, by sex, age and ethnic
group, worked out when an audit runs and kept with it.

People with lived experience say that Black and Asian communities are under-represented in
treatment and that services are not safe or accessible for women (NECG, 2020). A provider's
whole figure can meet a standard while one group is left behind, so the engine also works out
each measure for each group of the people it counts: does the standard hold for women as it
does for men?

Each figure comes from the measure's own kind (audits.kinds): the same one query, read over the
table's rows with `provider_id` standing for the provider and the group of the person each row
is about (a contact is about the person of its treatment journey), so a group's figure is worked
out exactly as the whole's is. A share's rows are counted once a table for every share of it, by
each person's three groups (the kind says what it counts: `Kind.counts`), and the kind's query adds
those counts up into each group (`Over.counted`): the same whole numbers, from one pass over the
period's rows instead of one join and regrouping of every row per measure. Only measures that count people and have a 95% interval are
broken down (a share, a rate, a middle value): a group's figure is then compared with the
provider's whole figure by their intervals, "similar" whenever they overlap, so that no group is
ranked on noise. Every group of a dimension gets a row, 0 people included, and rows whose person
is not in the return make a group "not recorded", so the groups of one dimension always add up to
the whole (what audits.disclosure_breakdowns relies on to protect them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from audits import spec, stats, tiers
from audits.kinds import kind_of
from audits.kinds.base import Over, condition
from audits.standard_model import Measure, Standard

if TYPE_CHECKING:  # imported where used: `python -m audits run` imports it on a thread of its own
    import pandas as pd

# The dimensions, as columns of the people's table (the return's episodes: one row a person's
# treatment journey). Their groups are the specification's codes, in its order.
PEOPLE = "episodes"
DIMENSIONS = ("sex", "age_band", "ethnicity")
# A row whose person is not in the return (a contact of a journey held back by validation): a
# group of its own, shown only where there is one, so that the groups still add up to the whole.
NOT_RECORDED = "not_recorded"
_SEP = "|"  # never in a provider's id (letters, digits, - and _): joins a provider's id and a group's code into `over`'s key

COLUMNS = [
    "run_id", "provider_id", "period", "standard_id", "measure_id", "dimension", "grp",
    "numerator", "denominator", "value", "ci_lower", "ci_upper", "numerator_rows", "denominator_rows",
    "comparison",
]  # fmt: skip


def groups_of(dimension: str) -> tuple[str, ...]:
    """The groups of a dimension, as the specification codes them ('female', 'male', ...)."""
    return spec.TABLES[PEOPLE].column(dimension).codes


def _path(table: str) -> str | None:
    """How a row of the table reaches the person it is about: '' (it is the person's row), the
    column of its parent row in the people's table, or None (not about a person we can group)."""
    if table == PEOPLE:
        return ""
    parent = spec.TABLES[table].parent
    return parent[0] if parent and parent[1] == PEOPLE else None


def broken_down(measure: Measure) -> bool:
    """Whether a measure is broken down: it counts people (rows about a person whose groups the
    return records), unweighted, and its kind has an interval to compare a group with the whole.
    A count is left out: a count of a group is only a part of the whole, not a figure to compare."""
    return (
        spec.TABLES[measure.table].counts_people
        and not measure.weight
        and kind_of(measure).has_interval
        and _path(measure.table) is not None
    )


def over(table: str, dimension: str) -> str:
    """The table's rows with `provider_id` standing for the provider and the person's group: what
    the measure's kind reads instead of cur_<table> (audits.kinds.base.source).

    Only the period's rows ($period, the kind's own parameter): the kind keeps only those anyway,
    and a submission's people are of its period, so filtering both sides first gives the same
    rows while the join no longer reads every person of every quarter in the store."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"no breakdown by {dimension!r}: only by {', '.join(DIMENSIONS)}")
    path = _path(table)
    if path == "":
        key = f"provider_id || '{_SEP}' || coalesce(\"{dimension}\", '{NOT_RECORDED}')"
        return f"SELECT * REPLACE ({key} AS provider_id) FROM cur_{PEOPLE} WHERE period = $period"
    key = f"t.provider_id || '{_SEP}' || coalesce(p.\"{dimension}\", '{NOT_RECORDED}')"
    return (
        f"SELECT t.* REPLACE ({key} AS provider_id) FROM cur_{table} t "
        f"LEFT JOIN (SELECT * FROM cur_{PEOPLE} WHERE period = $period) p "
        f'ON p.submission_id = t.submission_id AND p."{path}" = t."{path}" WHERE t.period = $period'
    )


def compare(group: dict, whole: dict, measure: Measure) -> str:
    """How a group's figure stands beside the provider's whole figure (stats.compare_intervals):
    'similar' when their 95% intervals overlap, else better or worse by the measure's direction
    (higher or lower when the standard names no better direction); 'not_compared' when the group
    has too few people to rate (the measure's minimum count) or either figure has no interval."""
    if group["denominator_rows"] < measure.min_count:
        return "not_compared"
    return stats.compare_intervals(
        group["ci_lower"], group["ci_upper"], whole.get("ci_lower"), whole.get("ci_upper"),
        measure.green.higher_is_better,
    )  # fmt: skip


def _people(table: str, where: str = "true") -> str:
    """FROM of the period's rows of the table meeting `where` (SQL over the table's own columns)
    beside their person's groups: alias t for the row, and p for its person, or t when the row is
    the person's own."""
    path = _path(table)
    rows = f"(SELECT * FROM cur_{table} WHERE period = $period AND {where}) t"
    if path == "":
        return rows
    groups = ", ".join(f'"{d}"' for d in DIMENSIONS)
    return (
        f'{rows} LEFT JOIN (SELECT submission_id, "{path}", {groups} FROM cur_{PEOPLE} '
        f'WHERE period = $period) p ON p.submission_id = t.submission_id AND p."{path}" = t."{path}"'
    )


# The key each row of a breakdown query is grouped by: a whole number, the provider's place in the
# run's sorted providers (from 1) x _PROVIDER + the dimension's place x _DIMENSION + the group's
# place among the dimension's codes (from 1; 0 for NOT_RECORDED). DuckDB groups and joins whole
# numbers at a fraction of the cost of building and grouping a text key for every row and
# dimension (issue 15: the audit of one period under 2 s).
_PROVIDER, _DIMENSION = 4096, 256


def _code(person: str, dimension: str) -> str:
    """SQL: the place of the person's group among the dimension's codes, 0 when not recorded (a
    code the specification does not know gives NULL: a key no query asks for, as before)."""
    codes = ", ".join("'" + code.replace("'", "''") + "'" for code in groups_of(dimension))
    column = f'{person}."{dimension}"'
    return f"coalesce(list_position([{codes}], {column}), CASE WHEN {column} IS NULL THEN 0 END)"


def over_all(table: str, where: str = "true") -> str:
    """The period's rows of the table, each once for every dimension, with `provider_id` standing
    for the provider, the dimension and the person's group (a whole number, _PROVIDER), so that
    the measure kind's one query gives every group of every dimension. The same rows, and so the
    same figures, as `over` gives each dimension (only the key says which dimension). Parameter
    $provider_ids: the providers, sorted, whose rows are read.

    `where`, the measure's own condition (audits.kinds.base.condition), is met first, so that only
    the rows the kind keeps are joined to their people and repeated; the kind tests it again on
    the same columns (a condition cannot name provider_id, the one column changed)."""
    person = "t" if _path(table) == "" else "p"
    keys = ", ".join(f"{i * _DIMENSION} + {_code(person, d)}" for i, d in enumerate(DIMENSIONS))
    places = "SELECT $provider_ids[i] AS pid, i FROM range(1, len($provider_ids) + 1) r(i)"
    return (
        f"SELECT t.* REPLACE (k.i * {_PROVIDER} + unnest([{keys}]) AS provider_id) "
        f"FROM {_people(table, where)} JOIN ({places}) k ON k.pid = t.provider_id"
    )


# A finer key (Over.counted): the provider's place x _FINE, and the person's group in each
# dimension as a byte of its own (_UNKNOWN for a code the specification does not know), so that
# one key says all three groups and _rollup turns it into the three keys of over_all.
_FINE, _UNKNOWN = 1 << 24, 255
assert all(len(groups_of(d)) < _UNKNOWN for d in DIMENSIONS)
_COUNTED = "breakdown_counts_"  # + the table: a temporary table of its rows counted by finer key
_KEYS = "breakdown_keys_"  # + the table: a temporary table of the keys its queries give a row


def _groups(person: str) -> str:
    """SQL: the person's group in every dimension, a byte each (_code's place, _UNKNOWN for a code
    the specification does not know): the part of a finer key after the provider's place."""
    return " + ".join(f"(coalesce({_code(person, d)}, {_UNKNOWN}) << {8 * i})" for i, d in enumerate(DIMENSIONS))


def _rollup() -> str:
    """SQL over a finer key (provider_id): the list of the keys of over_all its rows stand for,
    one a dimension, NULL where its group is a code the specification does not know (as over_all)."""
    keys = []
    for i in range(len(DIMENSIONS)):
        group = f"((provider_id >> {8 * i}) & 255)"
        keys.append(
            f"CASE WHEN {group} <> {_UNKNOWN} THEN (provider_id // {_FINE}) * {_PROVIDER} + {i * _DIMENSION} + {group} END"
        )
    return f"[{', '.join(keys)}]"


def _count(
    con: duckdb.DuckDBPyConnection, table: str, counted: list[Measure], period: str, providers: list[str]
) -> dict[int, tuple[str, str, str]]:
    """Count the period's rows of the table once for every measure in `counted` (each kind's
    `counts`), by finer key, into a temporary table (_COUNTED + table: provider_id, the finer
    key; n<i> and d<i> of the i-th measure); and give the keys of over_all(table), as `_keys`.

    A row about a person (a contact) is counted first by its person (submission and journey), and
    only those counts are joined to the people: one pass over the rows instead of one join of
    every row per measure and another for the keys."""
    path = _path(table)
    aggregates = "".join(
        f", {n} AS n{i}, {d} AS d{i}" for i, (n, d) in enumerate(kind_of(m).counts(m) for m in counted)
    )
    sums = "".join(f", sum(c.n{i})::BIGINT AS n{i}, sum(c.d{i})::BIGINT AS d{i}" for i in range(len(counted)))
    places = "SELECT $provider_ids[i] AS pid, i FROM range(1, len($provider_ids) + 1) r(i)"
    if path == "":
        # the person's own row: its groups are counted with it
        inner = (
            f"SELECT provider_id, {_groups(f'cur_{table}')} AS groups, count(*) AS n_rows{aggregates} "
            f"FROM cur_{table} WHERE period = $period GROUP BY provider_id, groups"
        )
        fine, people = "c.groups", ""
    else:
        inner = (
            f'SELECT provider_id, submission_id, "{path}", count(*) AS n_rows{aggregates} FROM cur_{table} '
            f'WHERE period = $period GROUP BY provider_id, submission_id, "{path}"'
        )
        # a row whose person is not in the return: not recorded (0) in every dimension
        fine = "coalesce(p.groups, 0)"
        people = (
            f'LEFT JOIN (SELECT submission_id, "{path}", {_groups("e")} AS groups FROM cur_{PEOPLE} e '
            f'WHERE period = $period) p ON p.submission_id = c.submission_id AND p."{path}" = c."{path}"'
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_COUNTED}{table} AS "
        f"SELECT k.i * {_FINE} + {fine} AS provider_id, sum(c.n_rows)::BIGINT AS n_rows{sums} "
        f"FROM ({inner}) c {people} JOIN ({places}) k ON k.pid = c.provider_id GROUP BY ALL",
        {"period": period, "provider_ids": providers},
    )
    # NOT_RECORDED where a row of the provider has no group (0) in the dimension
    flags = ", ".join(f"bool_or(((provider_id >> {8 * i}) & 255) = 0)" for i in range(len(DIMENSIONS)))
    unrecorded = {
        providers[place - 1]: tuple(found)
        for place, *found in con.execute(
            f"SELECT provider_id // {_FINE}, {flags} FROM {_COUNTED}{table} GROUP BY 1"
        ).fetchall()
    }
    keys = _keys_of(providers, unrecorded)
    # the keys every query of the table gives a row, once into the store's memory (not once a query)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_KEYS}{table} AS SELECT unnest($keys::BIGINT[]) AS provider_id",
        {"keys": list(keys)},
    )
    return keys


def _forget(con: duckdb.DuckDBPyConnection, tables) -> None:
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS temp.{_COUNTED}{table}")
        con.execute(f"DROP TABLE IF EXISTS temp.{_KEYS}{table}")


def _keys_of(providers: list[str], unrecorded: dict[str, tuple]) -> dict[int, tuple[str, str, str]]:
    """Every key of over_all a query gives a row, with what it stands for (provider, dimension,
    group): every group of every dimension of every provider, and NOT_RECORDED where `unrecorded`
    (provider -> a flag a dimension) says one of the provider's rows has no group recorded.

    A group without rows gets the kind's figure of no rows, which is `_nothing`'s."""
    out = {}
    for i, provider_id in enumerate(providers, 1):
        flags = unrecorded.get(provider_id, (False,) * len(DIMENSIONS))
        for j, dimension in enumerate(DIMENSIONS):
            base = i * _PROVIDER + j * _DIMENSION
            if flags[j]:
                out[base] = (provider_id, dimension, NOT_RECORDED)
            for k, grp in enumerate(groups_of(dimension), 1):
                out[base + k] = (provider_id, dimension, grp)
    return out


def _measure(
    con: duckdb.DuckDBPyConnection,
    measure: Measure,
    period: str,
    keys: dict[int, tuple[str, str, str]],
    providers: list[str],
    counted: int | None = None,
) -> dict:
    """(provider, dimension, group) -> the figures of one measure: the kind's one query over
    every dimension at once; over the counts `_count` made (its `counted`-th measure) when given."""
    where = condition(measure.where, measure.table)
    keyed = f"SELECT provider_id FROM {_KEYS}{measure.table}"
    if counted is None:
        over = Over(over_all(measure.table, where), keyed)
        params = {"period": period, "provider_ids": providers}
    else:
        counts = f"SELECT provider_id, n{counted} AS n, d{counted} AS d FROM {_COUNTED}{measure.table}"
        over = Over(over_all(measure.table, where), keyed, counts, _rollup())
        params = None  # the counts are of the period already
    sql = kind_of(measure).sql(measure, over)
    out = {}
    for key, numerator, denominator, value, num_rows, den_rows, lo95, hi95, _ in con.execute(sql, params).fetchall():
        out[keys[key]] = {
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "ci_lower": lo95,
            "ci_upper": hi95,
            "numerator_rows": num_rows,
            "denominator_rows": den_rows,
        }
    return out


def _nothing(measure: Measure) -> dict:
    """A group with no rows: 0 of 0 (a median has no numerator)."""
    numerator = None if kind_of(measure).value_from_counts is None else 0.0
    return {
        "numerator": numerator,
        "denominator": 0.0,
        "value": None,
        "ci_lower": None,
        "ci_upper": None,
        "numerator_rows": None if numerator is None else 0,
        "denominator_rows": 0,
    }


@dataclass(frozen=True)
class Figures:
    """What `figures` read from the store: (standard id, measure id) -> (provider, dimension,
    group) -> that group's figures, for these providers (sorted)."""

    providers: tuple[str, ...]
    found: dict[tuple[str, str], dict]


def _read(
    con: duckdb.DuckDBPyConnection, wanted: list[tuple[Standard, Measure]], period: str, providers: list[str]
) -> dict[tuple[str, str], dict]:
    """The figures of every (standard, measure) of `wanted`, by every group, from the store."""
    # each table's rows counted once for every measure of it whose kind counts rows
    tables = {m.table: [] for _, m in wanted}
    place: dict[tuple[str, str], int] = {}  # (standard, measure) -> its counts' place in _COUNTED
    for standard, measure in wanted:
        if kind_of(measure).counts(measure) is not None:
            place[standard.id, measure.id] = len(tables[measure.table])
            tables[measure.table].append(measure)
    found = {}
    try:
        keys = {table: _count(con, table, counted, period, providers) for table, counted in tables.items()}
        for standard, measure in wanted:
            at = place.get((standard.id, measure.id))
            found[standard.id, measure.id] = _measure(con, measure, period, keys[measure.table], providers, at)
    finally:
        _forget(con, tables)
    return found


def figures(
    con: duckdb.DuckDBPyConnection, standards: list[Standard], period: str, providers: list[str]
) -> Figures | None:
    """Every broken-down measure of the standards read for these providers, before the engine's
    whole figures are known (audits.runs reads them on a cursor of its own while the engine
    works: issue 15, an audit under 2 s), for `evaluate` to lay out. A group's figures do not
    depend on the whole's, and each measure's are read by the same queries as `evaluate` reads
    them, so they are the same figures. None when any of them cannot be worked out on these
    returns: `evaluate` then reads those of the standards the engine could work out, as ever."""
    providers = sorted(providers)
    wanted = [(s, m) for s in standards for m in s.measures if broken_down(m)]
    try:
        return Figures(tuple(providers), _read(con, wanted, period, providers))
    except Exception:  # whatever it is, `evaluate` meets it again if it matters
        return None


def evaluate(
    con: duckdb.DuckDBPyConnection,
    standards: list[Standard],
    period: str,
    whole: pd.DataFrame,
    read: Figures | None = None,
) -> pd.DataFrame:
    """Every broken-down measure of the standards, for every provider of `whole` (the engine's
    measure rows of the period), by every dimension and group: COLUMNS without a run id. The
    figures are `read`'s (`figures`) when it has every one wanted for these providers, else they
    are read from the store here.

    Built column by column (~30k rows on a national run: a dict per row, and reading `whole` a
    dict per row, were a third of the breakdowns' time), the same values in the same order."""
    names = ("provider_id", "standard_id", "measure_id", "ci_lower", "ci_upper")
    wholes = {
        (p, s, m): {"ci_lower": lo, "ci_upper": hi}
        for p, s, m, lo, hi in zip(*(whole[c].to_numpy(dtype=object).tolist() for c in names))
    }
    providers = sorted(whole["provider_id"].unique()) if not whole.empty else []
    figures_of = ("numerator", "denominator", "value", "ci_lower", "ci_upper", "numerator_rows", "denominator_rows")
    columns: dict[str, list] = {c: [] for c in COLUMNS[1:]}
    wanted = [
        (standard, measure)
        for standard in standards
        for measure in standard.measures
        if broken_down(measure) and any((p, standard.id, measure.id) in wholes for p in providers)
    ]
    if read is not None and read.providers == tuple(providers) and all((s.id, m.id) in read.found for s, m in wanted):
        found = read.found
    else:
        found = _read(con, wanted, period, providers)
    groups = {dimension: groups_of(dimension) for dimension in DIMENSIONS}
    for standard, measure in wanted:
        figures = found[standard.id, measure.id]
        nothing = _nothing(measure)
        for dimension in DIMENSIONS:
            for provider_id in providers:
                mine = wholes.get((provider_id, standard.id, measure.id))
                if mine is None:
                    continue
                extra = (NOT_RECORDED,) if (provider_id, dimension, NOT_RECORDED) in figures else ()
                grps = groups[dimension] + extra
                shown = [figures.get((provider_id, dimension, grp)) or nothing for grp in grps]
                columns["provider_id"] += [provider_id] * len(grps)
                columns["standard_id"] += [standard.id] * len(grps)
                columns["measure_id"] += [measure.id] * len(grps)
                columns["dimension"] += [dimension] * len(grps)
                columns["grp"] += grps
                for c in figures_of:
                    columns[c] += [figure[c] for figure in shown]
                columns["comparison"] += [compare(figure, mine, measure) for figure in shown]
    columns["period"] = [period] * len(columns["provider_id"])
    import pandas as pd  # here, not at the top: see audits.runs._import_aside

    out = pd.DataFrame(columns, columns=COLUMNS[1:])
    out = stats.row_counts(out)
    return out


def keep(con: duckdb.DuckDBPyConnection, run_id: str, breakdowns: pd.DataFrame) -> None:
    """Record a run's exact breakdowns (inside the caller's transaction)."""
    frame = breakdowns.assign(run_id=run_id)[COLUMNS]
    con.register("new_breakdowns", frame)
    con.execute(f"INSERT INTO breakdowns ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM new_breakdowns")
    con.unregister("new_breakdowns")


@tiers.output(tiers.RESTRICTED, "a run's exact breakdowns by sex, age and ethnic group")
def read(
    con: duckdb.DuckDBPyConnection, run_id: str, provider_id: str | None = None, standard_id: str | None = None
) -> pd.DataFrame:
    """A run's exact breakdowns (restricted: audits.disclosure_breakdowns.public is what may be
    published), in the specification's order of dimensions and groups."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM breakdowns WHERE run_id = ?"
    params: list = [run_id]
    for column, wanted in (("provider_id", provider_id), ("standard_id", standard_id)):
        if wanted is not None:
            sql += f" AND {column} = ?"
            params.append(wanted)
    return in_order(con.execute(sql, params).df())


def in_order(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by provider, standard, measure, then dimension and group as the specification lists them."""
    rank = {(d, g): (i, j) for i, d in enumerate(DIMENSIONS) for j, g in enumerate(groups_of(d) + (NOT_RECORDED,))}
    order = [rank.get((d, g), (99, 99)) for d, g in zip(df["dimension"], df["grp"])]
    out = df.assign(_order=order).sort_values(["provider_id", "standard_id", "measure_id", "_order"])
    out = out.drop(columns="_order").reset_index(drop=True)
    out = stats.row_counts(out)
    return out
