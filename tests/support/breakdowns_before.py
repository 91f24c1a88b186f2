"""The breakdowns as audits.breakdowns worked them out before one query gave every dimension
(main at bb7824f): one kind query per measure and dimension over `breakdowns.over`. Kept only to
show that the faster path records the very same rows (tests/test_breakdowns_same.py)."""

from __future__ import annotations

import duckdb
import pandas as pd

from audits import breakdowns as b
from audits.kinds import kind_of


def _measure(con: duckdb.DuckDBPyConnection, measure, dimension: str, period: str) -> dict:
    sql = kind_of(measure).sql(measure, b.over(measure.table, dimension))
    out = {}
    for key, numerator, denominator, value, num_rows, den_rows, lo95, hi95, _ in con.execute(
        sql, {"period": period}
    ).fetchall():
        provider_id, grp = key.split(b._SEP)
        out[(provider_id, grp)] = {
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "ci_lower": lo95,
            "ci_upper": hi95,
            "numerator_rows": num_rows,
            "denominator_rows": den_rows,
        }
    return out


def evaluate(con: duckdb.DuckDBPyConnection, standards: list, period: str, whole: pd.DataFrame) -> pd.DataFrame:
    wholes = {(r["provider_id"], r["standard_id"], r["measure_id"]): r for r in whole.to_dict("records")}
    providers = sorted(whole["provider_id"].unique()) if not whole.empty else []
    rows = []
    for standard in standards:
        for measure in standard.measures:
            if not b.broken_down(measure) or not any((p, standard.id, measure.id) in wholes for p in providers):
                continue
            for dimension in b.DIMENSIONS:
                figures = _measure(con, measure, dimension, period)
                for provider_id in providers:
                    mine = wholes.get((provider_id, standard.id, measure.id))
                    if mine is None:
                        continue
                    extra = (b.NOT_RECORDED,) if (provider_id, b.NOT_RECORDED) in figures else ()
                    for grp in b.groups_of(dimension) + extra:
                        figure = figures.get((provider_id, grp)) or b._nothing(measure)
                        rows.append(
                            {
                                "provider_id": provider_id,
                                "period": period,
                                "standard_id": standard.id,
                                "measure_id": measure.id,
                                "dimension": dimension,
                                "grp": grp,
                                **figure,
                                "comparison": b.compare(figure, mine, measure),
                            }
                        )
    out = pd.DataFrame(rows, columns=b.COLUMNS[1:])
    for column in ("numerator_rows", "denominator_rows"):
        out[column] = out[column].astype("Int64")
    return out
