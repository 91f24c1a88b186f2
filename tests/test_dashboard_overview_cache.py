"""The overview's finished pieces are cached per viewer key (dashboard.overview_pieces): a cached
overview must never serve one tier's or one area's matrix, summary, watch list or changes to
another viewer. Each viewer's cached pieces are compared with the pieces built afresh for that
viewer, after other viewers have filled the cache; and the viewers compared really do see
different pieces (or the test could not fail)."""

from __future__ import annotations

from dataclasses import fields

import pandas as pd
import pytest
import streamlit as st

from audits import accounts
from dashboard import data, overview_pieces, viewer

pytestmark = pytest.mark.slow  # the dashboard's small store, several overviews built

NORTHSHIRE = accounts.Account("c-north", "North", "commissioner", None, ("Northshire",))
SOUTHVALE = accounts.Account("c-south", "South", "commissioner", None, ("Southvale",))


def _same(a: overview_pieces.Pieces | None, b: overview_pieces.Pieces | None) -> bool:
    if a is None or b is None:
        return a is b
    for field in fields(overview_pieces.Pieces):
        if field.name == "key":
            continue  # minted at each build (what names the drawn tables): compared apart
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, pd.DataFrame):
            if not x.reset_index(drop=True).equals(y.reset_index(drop=True)):
                return False
        elif x != y:
            return False
    return True


def _viewers(cat: data.Catalogue) -> dict[str, tuple[str, ...] | None]:
    return {
        "auditor": viewer.EVERY,
        "public": (),
        "Northshire commissioner": viewer.restricted_providers(NORTHSHIRE, cat.providers),
        "Southvale commissioner": viewer.restricted_providers(SOUTHVALE, cat.providers),
    }


@pytest.mark.parametrize("first", [overview_pieces.FIRST, 1])
def test_every_viewer_and_area_gets_its_own_finished_overview(shared_env, monkeypatch, first):
    # first=1: the store's 3 providers drawn as a national view is (the worst first, the rest in
    # the fold's own matrix, which must be each viewer's own too)
    monkeypatch.setattr(overview_pieces, "FIRST", first)
    st.cache_data.clear()
    db = data.db()
    cat = data.catalogue(db)
    period = cat.periods[-1]
    areas = [overview_pieces.ALL_AREAS, *cat.areas]
    keys = [(who, restricted, area) for who, restricted in _viewers(cat).items() for area in areas]
    # fill the cache with every viewer and area first, then read each back: a key that left out
    # the restricted set or the area would hand a later viewer an earlier viewer's pieces
    cached = {(who, area): overview_pieces.finished(db, cat, period, area, r) for who, r, area in keys}
    for who, restricted, area in reversed(keys):
        again = overview_pieces.finished(db, cat, period, area, restricted)
        fresh = overview_pieces.build(db, cat, period, area, restricted, data.overdue_actions(db, restricted))
        assert _same(again, fresh), f"the cached overview of {who}, {area} is not theirs"
        assert _same(cached[(who, area)], fresh), f"the first overview of {who}, {area} is not theirs"

    # the test can fail: tiers and areas do see different matrices
    every = cached[("auditor", overview_pieces.ALL_AREAS)]
    public = cached[("public", overview_pieces.ALL_AREAS)]
    north = cached[("Northshire commissioner", overview_pieces.ALL_AREAS)]
    if first == 1:
        # the worst first (P003) is public-tier for the Northshire commissioner too, and the rest
        # (P001, P002) exact as the auditor's are: each viewer's two matrices together differ
        assert every.matrix != public.matrix == north.matrix and (every.more, north.more) == (2, 2)
        assert every.matrix_more == north.matrix_more != public.matrix_more
        assert len({(p.matrix, p.matrix_more) for p in (every, public, north)}) == 3
    else:
        assert every.matrix != public.matrix and north.matrix not in (every.matrix, public.matrix)
        assert every.more == 0 and every.matrix_more == ""
    assert set(north.sr.loc[north.sr["tier"] == "restricted", "provider_id"]) == {"P001", "P002"}
    assert set(public.sr["tier"]) == {"public"}
    only_north = cached[("public", "Northshire")]
    assert set(only_north.sr["provider_id"]) == {"P001", "P002"} and "P003" not in only_north.matrix
    assert cached[("public", "Southvale")].matrix != only_north.matrix
    # the drawn tables are cached under the key of the pieces they were drawn from: one per viewer and area
    assert len({pieces.key for pieces in cached.values()}) == len(cached)
    assert all(
        overview_pieces.finished(db, cat, period, area, r).key == cached[(who, area)].key for who, r, area in keys
    )
    st.cache_data.clear()  # pieces built with another FIRST are not left for later tests


def test_the_key_holds_what_the_pieces_depend_on():
    # every argument of the cached function but the catalogue (whose runs and providers are
    # passed apart) is part of its key: Streamlit leaves out only names starting with "_"
    import inspect

    keyed = [p for p in inspect.signature(overview_pieces._finished.__wrapped__).parameters if not p.startswith("_")]
    assert keyed == ["db", "period", "area", "restricted", "runs", "stamp", "providers", "late"]
