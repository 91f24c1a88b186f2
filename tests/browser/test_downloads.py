"""Downloads in Chromium: a commissioner of Northshire and an expert citizen each press a download
beside the first measure's table on a standard's page, and the file that arrives is read back.
The commissioner's CSV holds its own area's exact figures marked "Restricted: not for
publication" and Hill Lane Project (Southvale, 4 people) only as the public figures, hidden; the
expert citizen's workbook opens on its About sheet as public figures, with nothing exact in it."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from audits import accounts, store, words

from support import dashboard_store
from support.browser import serve, settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

STANDARD = "/standard?standard=warm-welcome&period=2026-Q2"
# every percentage in the page's tables: a figure with its numerator and denominator, or an interval
PERCENT = re.compile(r"\d%")
FIGURE = re.compile(r"\d+\.\d% \([\d,.]+ of [\d,.]+ [a-z ()-]+\)")
INTERVAL = re.compile(r"\d+\.\d% to \d+\.\d%")
MENU = re.compile(r"^Download: ")  # each table's menu, named by its table
SLOW_MS = 90_000  # a first visit to a standard's page can take tens of seconds on a loaded shared machine


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    db = folder / "audit.duckdb"
    dashboard_store.build_store(db)
    with store.writing(db) as con:
        accounts.create_account(
            con, "northshire", dashboard_store.PASSWORD, "commissioner", display_name="Northshire", areas=["Northshire"]
        )
    with serve(folder, db=db) as url:
        yield url


def _download(page, label: str) -> tuple[str, bytes]:
    """Open the first table's Download menu and press one of its buttons: the file's bytes."""
    menu = page.get_by_role("button", name=MENU).first
    expect(menu).to_be_visible()
    menu.click()
    button = page.get_by_role("button", name=label)
    expect(button).to_be_visible()
    with page.expect_download() as arrived:
        button.click()
    download = arrived.value
    return download.suggested_filename, open(download.path(), "rb").read()


def test_a_commissioner_downloads_its_areas_exact_figures_marked_restricted(page, app):
    page.set_default_timeout(SLOW_MS)
    sign_in(page, app + STANDARD, "northshire")
    settle(page)
    expect(page.get_by_role("heading", name="A warm welcome within days", exact=True)).to_be_visible()
    body = page.inner_text("body")
    shares = [t for t in page.locator("[data-testid=stTable] td").all_inner_texts() if PERCENT.search(t)]
    assert shares and all(FIGURE.fullmatch(t.strip()) or INTERVAL.fullmatch(t.strip()) for t in shares), shares
    name, content = _download(page, "CSV, for analysis tools")
    shoot(page, "downloads-commissioner-menu")
    assert name == "contact-within-2-days-providers-2026-Q2-restricted.csv"
    rows = {r["provider_id"]: r for r in csv.DictReader(io.StringIO(content.decode("utf-8")))}
    assert set(rows) == {"P001", "P002", "P003"}
    for own in ("P001", "P002"):  # Northshire's: exact, and what the screen says of them
        assert rows[own]["tier"] == "Restricted: not for publication"
        assert rows[own]["numerator"] and rows[own]["denominator"]
        assert rows[own]["figure"] in body
        n, d = float(rows[own]["numerator"]), float(rows[own]["denominator"])
        assert f"({n:,.0f} of {d:,.0f} people)" in rows[own]["figure"]  # numerator and denominator beside the %
    other = rows["P003"]  # Southvale's 4 people: the public figures, hidden
    assert other["tier"] == "Public" and other["suppressed"] == "yes"
    assert other["numerator"] == other["denominator"] == other["value"] == ""
    assert other["figure"].startswith(words.NOT_SHOWN)


def test_an_expert_citizen_downloads_the_public_figures_it_sees_as_a_workbook(page, app):
    page.set_default_timeout(SLOW_MS)
    sign_in(page, app + STANDARD, "expert")
    settle(page)
    expect(page.get_by_role("heading", name="A warm welcome within days", exact=True)).to_be_visible()
    name, content = _download(page, "Excel workbook, with notes and the dictionary")
    assert name == "contact-within-2-days-providers-2026-Q2.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["About", "Data", "Dictionary"]
    about = "\n".join(str(c.value) for c in book["About"]["A"] if c.value)
    assert about.splitlines()[1].startswith("Public figures")
    assert "Restricted" not in about and words.HIDDEN_FOOTNOTE in about
    values = list(book["Data"].iter_rows(values_only=True))
    rows = {r["provider_id"]: r for r in (dict(zip(values[0], v)) for v in values[1:])}
    assert {r["tier"] for r in rows.values()} == {"Public"}
    assert rows["P003"]["suppressed"] == "yes" and rows["P003"]["denominator"] is None
    assert rows["P003"]["numerator"] is None and rows["P003"]["value"] is None
    assert isinstance(rows["P001"]["numerator"], int) and rows["P001"]["denominator"] >= 5
    explained = [r[0] for r in book["Dictionary"].iter_rows(min_row=2, values_only=True)]
    assert explained == list(values[0])


def test_each_download_menu_has_a_name_of_its_own(page, app):
    """A screen reader lists a page's buttons by name: every Download menu on a standard's page
    (each measure across providers, voices heard, each measure's trend, the breakdowns) says which
    table it downloads, and no two say the same."""
    page.set_default_timeout(SLOW_MS)
    sign_in(page, app + STANDARD, "northshire")
    settle(page)
    menus = page.get_by_role("button", name=MENU)
    expect(menus.first).to_be_visible()
    # the visible text holds the icons' ligatures too ("download", "expand_more"), hidden from
    # the accessibility tree: the label is the line that names the table
    names = [next(line for line in t.splitlines() if line.startswith("Download: ")) for t in menus.all_inner_texts()]
    assert len(names) >= 5, names
    assert len(set(names)) == len(names), names
    assert "Download: Voices heard on A warm welcome within days, 2026-Q2" in names, names
    for name in names:  # the name the accessibility tree gives is the label, one button each
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    assert page.get_by_role("button", name="Download", exact=True).count() == 0
