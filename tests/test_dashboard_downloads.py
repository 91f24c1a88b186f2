"""The downloads beside the dashboard's tables (dashboard/downloads.py): what a restricted and a
public viewer take away, read back from the CSV and the Excel workbook, and the attacker
(tests/support/disclosure_attacker.py) reading the public files of the hard store."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from audits import dictionary, runs, store, tiers, words
from dashboard import data, downloads

from support import disclosure_attacker as attacker
from support import hard_store


def _csv(download: downloads.Download) -> list[dict]:
    return list(csv.DictReader(io.StringIO(downloads.csv_bytes(download).decode("utf-8"))))


def _book(download: downloads.Download) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(downloads.xlsx_bytes(download)))


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


FRAME = pd.DataFrame(
    {
        "period": ["2026-Q2", "2026-Q2"],
        "provider_id": ["P001", "P002"],
        "provider_name": ['=HYPERLINK("http://x")', "Riverside"],
        "numerator": [18.0, None],
        "denominator": [40.0, 3.0],
        "suppressed": ["no", "yes"],
        "tier": [tiers.RESTRICTED, tiers.PUBLIC],
    }
)


def test_a_file_says_its_tier_on_every_row_and_in_its_name():
    download = downloads.prepare(FRAME, "warm-welcome", title="A table")
    assert download.name == "warm-welcome-2026-Q2-restricted" and download.restricted
    rows = _csv(download)
    assert [r["tier"] for r in rows] == ["Restricted: not for publication", "Public"]
    assert rows[0]["numerator"] == "18" and rows[1]["numerator"] == ""
    assert rows[0]["provider_name"].startswith("'=")  # never run as a formula
    public = downloads.prepare(FRAME[FRAME["tier"] == tiers.PUBLIC], "warm-welcome")
    assert public.name == "warm-welcome-2026-Q2" and not public.restricted
    assert {r["tier"] for r in _csv(public)} == {"Public"}


def test_the_workbook_opens_on_about_with_the_tier_then_data_then_dictionary():
    download = downloads.prepare(FRAME, "warm-welcome", title="A table")
    book = _book(download)
    assert book.sheetnames == ["About", "Data", "Dictionary"]
    about = [c.value for c in book["About"]["A"] if c.value]
    assert about[0] == "Lived Standards: A table"
    assert about[1].startswith("Restricted: not for publication.") and book["About"]["A2"].font.bold
    assert words.HIDDEN_FOOTNOTE in about  # a figure is hidden: the footnote says what * means
    data_rows = _rows(book["Data"])
    assert data_rows[0]["numerator"] == 18 and data_rows[1]["numerator"] is None  # numbers stay numbers
    assert [r["tier"] for r in data_rows] == [r["tier"] for r in _csv(download)]
    explained = [r["name"] for r in _rows(book["Dictionary"])]
    assert explained == list(FRAME.columns)
    assert book.properties.category == dictionary.RESTRICTED_TIER


def test_the_dictionary_explains_each_column_with_unit_and_protection():
    download = downloads.prepare(FRAME, "x")
    rows = list(csv.DictReader(io.StringIO(downloads.dictionary_bytes(download).decode("utf-8"))))
    assert [r["name"] for r in rows] == list(FRAME.columns)
    assert set(rows[0]) == {"name", "type", "unit", "meaning", "protection"}
    numerator = next(r for r in rows if r["name"] == "numerator")
    assert "1 to 4 people" in numerator["protection"] and numerator["unit"].startswith("people")


@pytest.mark.parametrize("stem", ["../etc", "a b", "", "x" * 121, "é"])
def test_a_file_name_follows_a_strict_pattern(stem):
    with pytest.raises(downloads.DownloadError, match="cannot name a file"):
        downloads.prepare(FRAME, stem)


def test_a_column_nobody_explained_or_an_untiered_row_is_refused():
    with pytest.raises(KeyError, match="no data dictionary entry for column.*secret"):
        downloads.prepare(FRAME.assign(secret=1), "x")
    with pytest.raises(downloads.DownloadError, match="say the tier"):
        downloads.prepare(FRAME.drop(columns="tier"), "x")
    with pytest.raises(downloads.DownloadError, match="exact rows cannot be offered as public"):
        downloads.prepare(FRAME, "x", tier=tiers.PUBLIC)


# --------------------------------------------------------------------------- the hard store


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard-downloads")
    db = folder / "audit.duckdb"
    hard_store.build(db, folder)
    with store.reading(db) as con:
        run_id = runs.latest_run_id(con, hard_store.PERIOD)
        standards = runs.run_standards(con, run_id)
        names = dict(con.execute("SELECT provider_name, provider_id FROM providers").fetchall())
    return str(db), run_id, standards, names


def _files(hard, restricted) -> list[downloads.Download]:
    """Every download the standard page offers beside its measure tables, for a viewer who sees
    exact figures of `restricted` (None: all; (): none)."""
    db, _, standards, _ = hard
    cat = data.catalogue(db)
    results = data.measure_results(db, cat, hard_store.PERIOD, restricted)
    results = results.merge(cat.providers, on="provider_id")
    out = []
    for s in standards:
        for m in s.measures:
            rows = results[(results["standard_id"] == s.id) & (results["measure_id"] == m.id)]
            out.append(downloads.prepare(downloads.results_frame(rows, m), f"{m.id}-providers", title=m.label))
    return out


def _attack(hard, rows: list[dict]) -> list[attacker.Claim]:
    _, run_id, standards, names = hard
    k = attacker.Knowledge({run_id: standards}, names)
    as_published = [
        {**r, "rating": r["measure_rating"] if r["measure_rating"] in attacker.RATING_KEYS else ""} for r in rows
    ]
    attacker.read_csv_rows(as_published, run_id, k)
    return [c for c in attacker.attack(k, hard_store.PERIOD) if c.what in ("count", "difference")]


@pytest.mark.slow
def test_an_expert_citizen_takes_away_only_the_public_figures_and_nothing_can_be_worked_out(hard):
    files = _files(hard, ())
    rows = [r for f in files for r in _csv(f)]
    assert rows and not any(f.restricted for f in files)
    assert {r["tier"] for r in rows} == {"Public"}
    hidden = [r for r in rows if r["suppressed"] == "yes"]
    assert hidden, "the hard store hides figures"
    for r in hidden:  # a hidden figure is empty, marked * with its reason, as on screen
        assert r["numerator"] == r["value"] == r["ci_lower"] == ""
        assert r["figure"].startswith(words.NOT_SHOWN) and r["suppressed_why"] in r["figure"]
    for r in rows:  # no count of 1-4 people shown, nor a complement of 1-4
        n, d = (float(r[c]) if r[c] else None for c in ("numerator", "denominator"))
        assert d is None or d == 0 or d >= 5, r
        assert n is None or (n == 0 or n >= 5) and (d - n == 0 or d - n >= 5), r
    # the workbook holds the very same rows
    for f in files:
        assert _same(_rows(_book(f)["Data"]), _csv(f))
    assert _attack(hard, rows) == []


def _number(text: str):
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _same(book_rows: list[dict], csv_rows: list[dict]) -> bool:
    return [{k: _number(str(v)) if v is not None else None for k, v in r.items()} for r in book_rows] == [
        {k: _number(v) for k, v in r.items()} for r in csv_rows
    ]


@pytest.mark.slow
def test_a_restricted_viewer_takes_away_exact_figures_marked_not_for_publication(hard):
    """The auditor's file is exact: handed to the attacker as if it were public, it gives the
    deaths behind the nested measures away (which is why it says it is not for publication)."""
    files = _files(hard, None)
    rows = [r for f in files for r in _csv(f)]
    assert all(f.restricted and f.name.endswith("-restricted") for f in files)
    assert {r["tier"] for r in rows} == {"Restricted: not for publication"}
    assert not any(r["suppressed"] == "yes" for r in rows)
    tiny = [r for r in rows if r["provider_id"] == "P004" and r["denominator"]]
    assert tiny and {float(r["denominator"]) for r in tiny} & {1.0, 2.0, 3.0}  # 3 people, 2 leavers, 1 died: exact
    about = _book(files[0])["About"]["A2"].value
    assert about.startswith("Restricted: not for publication")
    claims = _attack(hard, rows)
    deaths = [c for c in claims if c.what == "difference" and c.provider == "P001"]
    assert any(c.value == 2 for c in deaths), claims


@pytest.mark.slow
def test_a_provider_takes_away_its_own_exact_figures_and_the_others_public(hard):
    files = _files(hard, ("P001",))
    rows = [r for f in files for r in _csv(f)]
    own = [r for r in rows if r["provider_id"] == "P001"]
    others = [r for r in rows if r["provider_id"] != "P001"]
    assert {r["tier"] for r in own} == {"Restricted: not for publication"}
    assert {r["tier"] for r in others} == {"Public"}
    assert all(f.restricted for f in files)
    assert "the 4 row(s) marked Public are the public figures" in downloads.tier_sentence(files[0])
    assert _attack(hard, others) == []


def test_voices_heard_are_counted_exactly_for_the_auditor_only():
    providers = pd.DataFrame({"provider_id": ["P001"], "provider_name": ["Northgate"]})
    heard = {("P001", "warm-welcome"): {"person_using_services": 12, "family_member": 2}}
    public = downloads.prepare(downloads.voices_frame(providers, heard, "warm-welcome", "2026-Q2", 1, True), "v")
    exact = downloads.prepare(downloads.voices_frame(providers, heard, "warm-welcome", "2026-Q2", 1, False), "v")
    (p,), (e,) = _csv(public), _csv(exact)
    assert "2 family members" in e["voices_heard"] and e["tier"] == dictionary.RESTRICTED_TIER
    assert "2 family" not in p["voices_heard"] and words.HIDDEN_MARK in p["voices_heard"]
    assert p["tier"] == "Public" and public.name == "v-2026-Q2" and exact.name == "v-2026-Q2-restricted"


@pytest.mark.slow
def test_a_breakdown_downloads_as_its_table_shows_it_exact_or_protected(hard):
    """Beside the breakdowns, the file holds each group's figure as the table says it: exact for a
    restricted viewer; in public, no group's count of 1 to 4 and no comparison of a hidden group."""
    from audits import breakdowns, disclosure_breakdowns

    db, run_id, standards, _ = hard
    with store.reading(db) as con:
        exact, public = breakdowns.read(con, run_id), disclosure_breakdowns.public(con, run_id)
    measures = [m for s in standards for m in s.measures if m.id in set(exact["measure_id"])]
    assert measures, "the hard store has people measures to break down"
    restricted = _csv(downloads.prepare(downloads.breakdowns_frame(exact, measures, tiers.RESTRICTED), "b"))
    shown = _csv(downloads.prepare(downloads.breakdowns_frame(public, measures, tiers.PUBLIC), "b"))
    assert len(restricted) == len(shown) == len(exact[exact["measure_id"].isin([m.id for m in measures])])
    assert {"dimension", "group", "compared_with_whole"} <= set(shown[0])
    assert {r["group"] for r in shown} >= {"female", "male"}
    small = [r for r in restricted if r["numerator"] and 1 <= float(r["numerator"]) <= 4]
    assert small, "the exact file keeps the small counts (the fixture has some)"
    assert all(r["tier"] == dictionary.RESTRICTED_TIER for r in restricted)
    for r in shown:
        for count in ("numerator", "denominator"):
            assert not (r[count] and 1 <= float(r[count]) <= 4), r
        if r["suppressed"] == "yes":
            assert r["compared_with_whole"] == "" and r["figure"].startswith(words.NOT_SHOWN)
