"""Kinds of measure, each in one module: what it counts, its SQL, its rating and its words.

A standard's measure names its kind (`kind: proportion`). Everything that differs between
kinds lives in that kind's module, registered here, in the way soda-core registers its check
types: which fields a measure of the kind needs and may have, how its thresholds are written,
the one DuckDB query that computes it for every provider of a period, whether it has an
interval and a benchmark comparison, whether it needs a minimum count to be rated, and how
its figures are said. The engine, the standards model, the workshop, the PDF and the
dashboard ask the registry instead of testing the kind's name, so a new kind (for example a
rate per 1,000) is one module here and its test.
"""

from __future__ import annotations

from audits.kinds import count, median, proportion, rate
from audits.kinds.base import Kind

KINDS: dict[str, Kind] = {k.name: k for k in (proportion.KIND, count.KIND, median.KIND, rate.KIND)}


def kind_of(measure) -> Kind:
    """The kind of a measure (a Measure, or anything with a `kind` attribute or a kind's name)."""
    name = measure if isinstance(measure, str) else measure.kind
    return KINDS[name]


__all__ = ["KINDS", "Kind", "kind_of"]
