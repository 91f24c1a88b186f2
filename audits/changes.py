"""What changed since the previous period: one rule, for the overview, the PDF and the CLI.

A standard's rating that moved between two quarters is called better or worse only when the
figures behind the move changed by more than chance. Most quarter-on-quarter moves of small
services are the usual ups and downs: a share of 8 of 11 people one quarter and 10 of 12 the
next can cross a bar without anything having changed. Such a move reads "No clear change".

For each measure the test is the one its figure allows (`figure_changed`): Newcombe's hybrid
score interval of the difference for a share or a rate (stats.newcombe, from the two Wilson
intervals the run recorded); two medians whose 95% intervals do not overlap (conservative);
any difference at all for an exact count, or a count of a provider's own sites or documents.
The standard's move is clear when the measures that changed by more than chance would, on
their own, move the standard's rating the same way (`standard_clear`): the others keep their
earlier rating. The results read are the run's own, before disclosure control: the outcome
is a word, never a figure.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from audits import ratings, runs, spec, stats, tiers, verdicts, words
from audits.kinds import kind_of
from audits.standard_model import Measure, Standard, combine_ratings

COLUMNS = ["provider_id", "standard_id", "shown", "shown_before", "uncertain", "clear", "change", "change_short"]


def figure_changed(measure: Measure, before, now) -> bool:
    """Did the measure's figure change by more than chance between two periods (rows with
    value, ci_lower and ci_upper)? False when either figure is missing."""
    v0, v1 = before.get("value"), now.get("value")
    if stats.is_missing(v0) or stats.is_missing(v1):
        return False
    kind = kind_of(measure)
    if not kind.has_interval or not spec.TABLES[measure.table].counts_people:
        return v0 != v1  # a complete count: every change is real
    l0, u0, l1, u1 = before.get("ci_lower"), before.get("ci_upper"), now.get("ci_lower"), now.get("ci_upper")
    if any(stats.is_missing(f) for f in (l0, u0, l1, u1)):
        return False
    if kind.compared:  # a share: Newcombe's interval of the difference excludes no change
        lower, upper = stats.newcombe(v1, l1, u1, v0, l0, u0)
        return lower > 0 or upper < 0
    return l1 > u0 or u1 < l0  # a median: the two intervals do not overlap


def standard_clear(
    standard: Standard, rating_before: str, rating_now: str, before: dict[str, dict], now: dict[str, dict]
) -> bool | None:
    """Is the move of a standard's figures-rating (the engine's, before shown) from
    rating_before to rating_now more than chance? before/now: the standard's measure rows by
    measure id. None when the figures-rating did not move between two ratings (unchanged, or
    to or from too few to tell): there is no move of the figures to test."""
    if rating_before == rating_now or rating_before not in ratings.RANK or rating_now not in ratings.RANK:
        return None
    kept = []
    for m in standard.measures:
        if m.id not in before:
            continue  # new this period: nothing to compare it with
        if m.id in now and figure_changed(m, before[m.id], now[m.id]):
            kept.append(now[m.id]["rating"])
        else:
            kept.append(before[m.id]["rating"])
    alone = combine_ratings(kept)
    if alone not in ratings.RANK:
        return False
    step = ratings.RANK[rating_now] - ratings.RANK[rating_before]
    moved = ratings.RANK[alone] - ratings.RANK[rating_before]
    return moved != 0 and (moved > 0) == (step > 0)


def _by_measure(results: pd.DataFrame) -> dict[tuple[str, str], dict[str, dict]]:
    out: dict[tuple[str, str], dict[str, dict]] = {}
    for row in results.to_dict("records"):
        out.setdefault((row["provider_id"], row["standard_id"]), {})[row["measure_id"]] = row
    return out


def between(
    standards: list[Standard],
    shown: pd.DataFrame,
    shown_before: pd.DataFrame,
    results: pd.DataFrame,
    results_before: pd.DataFrame,
) -> pd.DataFrame:
    """Every standard of every provider of a run with its change since the previous run:
    shown ratings (audits.verdicts) and measure results (unsuppressed) of both runs."""
    by_id = {s.id: s for s in standards}
    now_rows, before_rows = _by_measure(results), _by_measure(results_before)
    earlier = {}
    if not shown_before.empty:
        earlier = {
            (r["provider_id"], r["standard_id"]): r
            for r in shown_before[["provider_id", "standard_id", "shown", "rating"]].to_dict("records")
        }
    rows = []
    for r in shown.to_dict("records"):
        key = (r["provider_id"], r["standard_id"])
        was = earlier.get(key)
        clear = None
        if was is not None and r["standard_id"] in by_id:
            clear = standard_clear(
                by_id[r["standard_id"]], was["rating"], r["rating"], before_rows.get(key, {}), now_rows.get(key, {})
            )
        before = None if was is None else was["shown"]
        rows.append(
            {
                "provider_id": r["provider_id"],
                "standard_id": r["standard_id"],
                "shown": r["shown"],
                "shown_before": before,
                "uncertain": bool(r.get("uncertain", False)),
                "clear": clear,
                "change": words.change(r["shown"], before, clear),
                "change_short": words.change(r["shown"], before, clear, short=True),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def previous_run_id(con: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    """The latest run of the period before this run's period (what 'last period' means)."""
    period = con.execute("SELECT period FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]
    return runs.latest_run_id(con, spec.previous_period(period))


@tiers.output(tiers.RESTRICTED, "a run's changes since the previous quarter, from exact figures")
def of_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    shown: pd.DataFrame | None = None,
    shown_before: pd.DataFrame | None = None,
    previous: str | None = None,
) -> pd.DataFrame:
    """The changes of a run since the previous period's latest run (`between`; `previous`, when
    the caller knows it already), read from the store; pass the shown ratings when they were
    read already."""
    previous = previous or previous_run_id(con, run_id)
    if shown is None:
        shown = verdicts.shown_ratings(con, run_id)
    if shown_before is None:
        shown_before = verdicts.shown_ratings(con, previous) if previous else pd.DataFrame()
    results_before = runs.read_results(con, previous) if previous else pd.DataFrame(columns=runs.RESULT_COLUMNS)
    return between(runs.run_standards(con, run_id), shown, shown_before, runs.read_results(con, run_id), results_before)
