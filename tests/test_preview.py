"""Impact preview of an edited standard against the latest audit."""

from __future__ import annotations

import pytest

from audits import preview, runs, store

from support.stores import ENGINE, PERIOD, build_store, fixture_standard, load_fixture, people_met


@pytest.fixture(scope="module")
def audited_db(tmp_path_factory):
    """The base fixture audited once: the tests given it only read it."""
    db = load_fixture(tmp_path_factory.mktemp("preview") / "audit.duckdb")
    runs.run_audit(db, PERIOD, ENGINE / "standards")
    return db


def _ratings(df):
    return {r["provider_id"]: (r["current_rating"], r["new_rating"], r["changed"]) for r in df.to_dict("records")}


@pytest.mark.slow
def test_lowering_a_threshold_shows_who_would_change(audited_db):
    edited = fixture_standard("warm-welcome")
    edited.measures[0] = edited.measures[0].model_copy(update={"green": edited.measures[0].green.parse(">= 80%")})
    with store.reading(audited_db) as con:
        df = preview.impact_preview(con, edited)
    assert list(df.columns) == ["provider_id", "provider_name", "current_rating", "new_rating", "changed", "why"]
    # the ratings people are shown: a green no story confirms is provisional, now and with the change
    assert _ratings(df) == {
        "P001": ("amber", "provisional", True),  # 10 of 12 now meets ">= 80%"
        "P002": ("provisional", "provisional", False),
        "P003": ("no_data", "no_data", False),
    }
    why = df.set_index("provider_id")["why"]
    assert why["P002"] == "" and why["P003"] == ""
    assert "83.3% (10 of 12 people), now met under “Met at 80% or more" in why["P001"]
    assert "(it was partly met under “Met at 90% or more, partly met at 75% or more”)" in why["P001"]
    assert (
        "Met on its figures, shown as Met (provisional): not yet confirmed by enough stories from people using the service."
        in why["P001"]
    )
    assert df.loc[0, "provider_name"] == "Northgate Recovery Partnership"
    assert df.attrs["period"] == PERIOD and df.attrs["run_id"] is not None
    with store.reading(audited_db) as con:  # the workshop keeps the baseline between edits: the same answer
        kept = preview.impact_preview(con, edited, base=preview.baseline(con, edited.id))
    assert kept.equals(df)
    assert set(df.attrs["measures"]["measure_id"]) == {"contact-within-2-days", "days-to-first-contact"}


@pytest.mark.slow
def test_unchanged_standard_changes_nothing_and_a_new_draft_has_no_current_rating(audited_db):
    with store.reading(audited_db) as con:
        same = preview.impact_preview(con, fixture_standard("peer-workforce"))
        draft = preview.impact_preview(con, fixture_standard("housing-draft"), period=PERIOD)
    assert not same["changed"].any()
    assert draft["current_rating"].isna().all() and draft["changed"].all()
    assert all(w.startswith("People with an urgent housing need") for w in draft["why"])
    assert set(draft["new_rating"]) == {"no_data"}  # no urgent housing need in the fixture


@pytest.mark.slow
def test_preview_before_any_audit_uses_the_latest_returns(tmp_path):
    db = build_store(tmp_path / "a.duckdb", {"P1": {"episodes": people_met(95, 100)}}, period="2026-Q1")
    build_store(db, {"P1": {"episodes": people_met(50, 100)}}, period="2026-Q2")
    with store.reading(db) as con:
        df = preview.impact_preview(con, fixture_standard("peer-workforce"))
        earlier = preview.impact_preview(con, fixture_standard("peer-workforce"), period="2026-Q1")
    assert df.attrs["period"] == "2026-Q2" and df.attrs["run_id"] is None
    assert _ratings(df)["P1"] == (None, "red", True)
    assert _ratings(earlier)["P1"] == (None, "provisional", True)  # green on its figures, no story yet


@pytest.mark.slow
def test_preview_of_an_empty_store_says_so(tmp_path):
    with store.writing(tmp_path / "empty.duckdb"):
        pass
    with store.reading(tmp_path / "empty.duckdb") as con, pytest.raises(preview.PreviewError, match="no returns"):
        preview.impact_preview(con, fixture_standard("warm-welcome"))
