"""A trial run of every measure, when a standard is checked, so that a standard that passes
`standards check` cannot fail when the audit runs.

The whitelist of expressions (audits.expressions) knows which columns and functions may be
used, but not whether a formula can be worked out: `referral_date + 2147483647` is well formed
and still overflows a date. So each measure's query (its kind's SQL, exactly as the engine runs
it) is run once over a tiny store of the right types: one provider's return with one row in
every table, the values typical of a real return. Whatever DuckDB refuses there is a mistake in
the standard, said plainly with the measure's line.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import cache

import duckdb

from audits import spec, store
from audits.expressions import ExpressionError
from audits.kinds import kind_of

PERIOD = "2026-Q2"
_LOCK = threading.Lock()  # one in-memory connection, used by one thread at a time


def _typical(column: spec.Column, start: dt.date):
    if column.codes:
        return column.codes[0]
    return {
        spec.DATE: start + dt.timedelta(days=10),
        spec.BOOLEAN: True,
        spec.INTEGER: 1,
        spec.NUMBER: 1.0,
    }.get(column.type, "x")


@cache
def _tiny_store() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    store.migrate(con)
    start, _ = spec.parse_period(PERIOD)
    store.ensure_period(con, PERIOD)
    con.execute("INSERT INTO providers VALUES ('P001', 'Trial', 'Trial')")
    con.execute(
        "INSERT INTO submissions (submission_id, kind, provider_id, period, loaded_at, is_current) "
        "VALUES ('trial', 'return', 'P001', ?, now(), true)",
        [PERIOD],
    )
    for table in spec.RETURN_TABLES:
        target, key = store.rows_key(con, table.name, "trial", "P001", PERIOD)
        names = ", ".join([*key, "line", *(f'"{c.name}"' for c in table.columns)])
        marks = ", ".join("?" for _ in range(len(key) + 1 + len(table.columns)))
        con.execute(
            f"INSERT INTO {target} ({names}) VALUES ({marks})",
            [*key.values(), 2, *[_typical(c, start) for c in table.columns]],
        )
    con.execute("SET enable_external_access = false")
    return con


def measure_problem(measure) -> str | None:
    """Why the measure cannot be worked out on a return, in plain words, or None."""
    try:
        sql = kind_of(measure).sql(measure)
    except ExpressionError:
        return None  # the whitelist has said why already
    with _LOCK:
        try:
            _tiny_store().execute(sql, {"period": PERIOD}).fetchall()
        except duckdb.Error as error:
            said = str(error).splitlines()[0]
            return (
                "this measure cannot be worked out on a return: the database said "
                f"“{said}”. Check its conditions for a number too large for a date or a count, "
                "or a value that does not fit its column"
            )
    return None
