"""Two tiers of output, as NDTMS has, and the declaration every output makes of its own.

RESTRICTED: exact figures, counts of 1-4 people included, for those entitled to them: the
independent auditor; a commissioner, for the providers of their own area(s); a provider, for its
own figures. Always labelled as not for publication.

PUBLIC: disclosure-controlled figures (audits.disclosure), from which no count of 1-4 people can
be read or worked out: the public CSV, the published site and its open data, every PDF (it is
written to be published), and whatever an expert citizen, or a commissioner or provider, sees of
providers that are not theirs.

BY_CALLER: an output that shows whichever tier it is handed and says which (the dashboard's
readers, charts and pages, told by dashboard.viewer who is looking; the CSV export, told by
--public).

Every function that writes a file of results, reads results for showing, or draws them declares
its tier with `@output(tier, what)`. tests/test_tiers.py finds every such function in the code and
fails when one has no declaration, and when a public one reads exact results, so that a new output
cannot forget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

RESTRICTED, PUBLIC, BY_CALLER = "restricted", "public", "by caller"
TIERS = (RESTRICTED, PUBLIC, BY_CALLER)


@dataclass(frozen=True)
class Output:
    name: str  # module.function
    tier: str
    what: str  # what it outputs, in a few words


OUTPUTS: dict[str, Output] = {}


def output(tier: str, what: str) -> Callable:
    """Declare the tier of the decorated output function (and register it in OUTPUTS)."""
    if tier not in TIERS:
        raise ValueError(f"'{tier}' is not a tier: use one of {', '.join(TIERS)}")

    def declare(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"
        OUTPUTS[name] = Output(name, tier, what)
        function.tier = tier  # type: ignore[attr-defined]
        return function

    return declare


def tier_of(function: Callable) -> str | None:
    return getattr(function, "tier", None)
