"""Downloads beside the dashboard's tables and charts: CSV, an Excel workbook and the data
dictionary, in the viewer's tier.

A page calls `offer` once beside each table (and the chart drawn from the same rows) with the
rows in the columns of the data dictionary (audits.dictionary: the one the published site's open
data uses), usually built by `results_frame` or `ratings_frame` from the very rows the table
shows, so a file never holds more than the screen: exact figures where the viewer is entitled to
them, and otherwise the public figures (audits.disclosure) with hidden cells left empty, marked
in `suppressed`, `suppressed_why` and the `figure` words ('Not shown*: …').

How a file says its tier, as analysts expect to read it:
- CSV: one header line and one row per record, so that pandas, R and Power Query read it
  without options; every row carries a `tier` column ("Restricted: not for publication" or
  "Public"), so a row filtered, sorted or pasted elsewhere keeps its label, and the file name
  ends in `-restricted` when any row is exact. No comment or title line above the header.
- Excel: the first sheet, 'About', says what the table is, its tier in bold ("Restricted: not for
  publication") and the footnote on hidden figures; 'Data' holds the same rows as the CSV
  (with the `tier` column); 'Dictionary' explains each column.
- Hidden figures are empty cells (numbers stay numbers, for analysis) with the `*` and the
  reason in the text columns, as the screen says them.
Files are built only when their button is pressed (data as a callable), so a page of many
tables stays quick.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import openpyxl
import pandas as pd
import streamlit as st
from openpyxl.styles import Alignment, Font

from audits import dictionary, runs, stats, store, tiers, voices, words
from audits.cells import safe_cell
from audits.kinds import kind_of
from audits.standard_model import Measure
from dashboard import ui

STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,119}", re.ASCII)  # a file name people and systems can keep
TIER_WORDS = {tiers.RESTRICTED: dictionary.RESTRICTED_TIER, tiers.PUBLIC: dictionary.PUBLIC_TIER}
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DownloadError(ValueError):
    """A download that cannot be offered as asked (a bad file name, a column nobody explained)."""


@dataclass(frozen=True)
class Download:
    frame: pd.DataFrame  # the rows, in dictionary columns, `tier` in words
    name: str  # the file name without its extension
    title: str  # what the table is, for the workbook's About sheet

    @property
    def restricted(self) -> bool:
        return bool((self.frame["tier"] == dictionary.RESTRICTED_TIER).any())

    @property
    def hidden(self) -> bool:
        return "suppressed" in self.frame and bool((self.frame["suppressed"] == "yes").any())

    @property
    def columns(self) -> list[dictionary.Column]:
        return dictionary.of(self.frame.columns)


def prepare(frame: pd.DataFrame, stem: str, tier: str | None = None, title: str = "") -> Download:
    """The file to offer: every row with its tier (the `tier` column the rows carry, or `tier`
    for them all), every column explained by the dictionary, a file name of the stem, the quarter
    when the rows are of one, and '-restricted' when any row is exact."""
    if not isinstance(stem, str) or not STEM.fullmatch(stem):
        raise DownloadError(f"'{stem}' cannot name a file: use letters, digits, - or _ (at most 120).")
    out = frame.copy()
    if tier is not None:
        if tier not in TIER_WORDS:
            raise DownloadError(f"'{tier}' is not a tier of figures: use {tiers.RESTRICTED} or {tiers.PUBLIC}.")
        if "tier" in out and tier == tiers.PUBLIC and (out["tier"] == tiers.RESTRICTED).any():
            raise DownloadError("exact rows cannot be offered as public figures.")
        out["tier"] = tier
    if "tier" not in out:
        raise DownloadError("say the tier of the rows: a `tier` column or tier=.")
    unknown = set(out["tier"]) - set(TIER_WORDS)
    if unknown:
        raise DownloadError(f"rows of unknown tier {sorted(map(str, unknown))}.")
    out["tier"] = out["tier"].map(TIER_WORDS)
    dictionary.of(out.columns)  # refuses a column the dictionary does not explain
    periods = sorted(set(out["period"].dropna())) if "period" in out else []
    name = stem + (f"-{periods[0]}" if len(periods) == 1 and periods[0] not in stem else "")
    if (out["tier"] == dictionary.RESTRICTED_TIER).any():
        name += "-restricted"
    return Download(out.reset_index(drop=True), name, title or stem)


# --------------------------------------------------------------------------- rows in dictionary columns


def _first(row, *names):
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value:
            return value
    return None


@tiers.output(tiers.BY_CALLER, "measure results for a download, each row in the tier it is shown in")
def results_frame(rows: pd.DataFrame, measures: Measure | list[Measure]) -> pd.DataFrame:
    """Measure result rows (as a page's table shows them, with their `tier`) in dictionary
    columns, each worded by its measure. Public rows are the public figures as they are
    (audits.disclosure: hidden cells empty, values rounded as shown) and keep an interval only
    where the public CSV does (runs.contract_intervals); an exact row keeps what the screen shows."""
    by_id = {m.id: m for m in (measures if isinstance(measures, list) else [measures])}
    out = []
    for _, r in rows[rows["measure_id"].isin(list(by_id))].iterrows():
        measure = by_id[r["measure_id"]]
        kind = kind_of(measure)
        public = r.get("tier") != tiers.RESTRICTED
        interval = kind.has_interval and (kind.interval_exported or not public)
        out.append(
            {
                "period": r["period"],
                "provider_id": r["provider_id"],
                "provider_name": _first(r, "provider_name", "name"),
                "area": _first(r, "area"),
                "standard_id": r["standard_id"],
                "standard_version": r.get("standard_version"),
                "measure_id": measure.id,
                "measure_label": measure.label,
                "measure_kind": measure.kind,
                "figure": words.figure(measure, r),
                "numerator": r.get("numerator"),
                "denominator": r.get("denominator"),
                "value": r.get("value"),
                "ci_lower": r.get("ci_lower") if interval else None,
                "ci_upper": r.get("ci_upper") if interval else None,
                "benchmark": r.get("benchmark"),
                "between_variance": r.get("between_variance"),
                "comparison": r.get("comparison"),
                "measure_rating": r.get("rating"),
                "uncertain": _yes(r.get("uncertain")) if interval else "no",
                "suppressed": "yes" if words.hidden(r) else "no",
                "suppressed_why": words.hidden_why(r),
                "tier": r.get("tier", tiers.PUBLIC),
            }
        )
    frame = pd.DataFrame(out, columns=list(out[0]) if out else ["period", "tier"])
    kept = _kept(frame)  # once: per column it re-read every column (3 s a provider page at national scale)
    return frame[[c for c in frame.columns if c in kept]]


@tiers.output(tiers.BY_CALLER, "a provider's breakdowns by sex, age and ethnic group for a download, in its tier")
def breakdowns_frame(rows: pd.DataFrame, measures: list[Measure], tier: str) -> pd.DataFrame:
    """Breakdown rows (audits.breakdowns, or their public form) in dictionary columns: each group's
    figure worded as the table beside it says it, with the group and how it compares with everyone's
    (the rows' `comparison` is that, not a comparison with the benchmark)."""
    rows = rows[rows["measure_id"].isin([m.id for m in measures])].reset_index(drop=True)
    if rows.empty:
        return results_frame(rows.assign(tier=tier), measures)
    frame = results_frame(rows.assign(tier=tier).drop(columns=["comparison"]), measures)
    frame.insert(frame.columns.get_loc("measure_kind") + 1, "dimension", rows["dimension"])
    frame.insert(frame.columns.get_loc("dimension") + 1, "group", rows["grp"])
    hidden = frame["suppressed"] == "yes"
    frame["compared_with_whole"] = rows["comparison"].where(~hidden, None)
    return frame


def _kept(frame: pd.DataFrame) -> set[str]:
    """Columns worth a place in the file: any with a value, and the figures' own columns always
    (an empty numerator column says the numerators are hidden, not that there are none)."""
    always = {"numerator", "denominator", "value", "ci_lower", "ci_upper", "benchmark", "suppressed", "tier"}
    return {c for c in frame.columns if c in always or frame[c].notna().any()}


def _yes(value) -> str:
    return "no" if stats.is_missing(value) or isinstance(value, str) or not bool(value) else "yes"


@tiers.output(tiers.BY_CALLER, "standard ratings for a download, each row in the tier it is shown in")
def ratings_frame(sr: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """Standard ratings as shown (audits.verdicts' `shown`; in public rows merged or withheld where
    a band would give a small count away) in dictionary columns, one row a provider's standard."""
    frame = pd.DataFrame(
        {
            "period": sr["period"],
            "provider_id": sr["provider_id"],
            "provider_name": sr["provider_name"] if "provider_name" in sr else None,
            "area": sr["area"] if "area" in sr else None,
            "standard_id": sr["standard_id"],
            "standard_version": sr["standard_version"] if "standard_version" in sr else None,
            "standard_title": sr["standard_id"].map(titles),
            "standard_rating": sr["shown"],
            "standard_rating_words": [words.rating_word(k) for k in sr["shown"]],
            "uncertain": [_yes(u) for u in sr["uncertain"]],
            "tier": sr["tier"] if "tier" in sr else tiers.PUBLIC,
        }
    )
    return frame.dropna(axis=1, how="all").sort_values(["provider_id", "standard_id", "period"], kind="stable")


@tiers.output(tiers.BY_CALLER, "voices heard on a standard for a download: exact for the auditor, else protected")
def voices_frame(
    providers: pd.DataFrame, heard: dict, standard_id: str, period: str, needed: int, public: bool
) -> pd.DataFrame:
    """Voices heard on a standard, one row a provider, in the words the page shows them (a group of
    1 to 4 people is not counted in a public row: audits.voices.protect)."""

    counts = [heard.get((p, standard_id), {}) for p in providers["provider_id"]]
    return pd.DataFrame(
        {
            "period": period,
            "provider_id": providers["provider_id"],
            "provider_name": providers["provider_name"],
            "standard_id": standard_id,
            "voices_heard": [words.voices_heard(c, public) for c in counts],
            "enough_voices": ["no" if voices.too_few(c, needed) else "yes" for c in counts],
            "tier": tiers.PUBLIC if public else tiers.RESTRICTED,
        }
    )


# --------------------------------------------------------------------------- the files


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[runs._cell(v) for v in record] for record in frame.itertuples(index=False)]


@tiers.output(tiers.BY_CALLER, "a table's CSV: its rows in the tier each says")
def csv_bytes(download: Download) -> bytes:
    """UTF-8, one header line, text cells never run as formulas (audits.cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(download.frame.columns)
    writer.writerows(_cells(download.frame))
    return buffer.getvalue().encode("utf-8")


@tiers.output(tiers.PUBLIC, "the data dictionary of a download's columns (no figures)")
def dictionary_bytes(download: Download) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(dictionary.Column._fields)
    writer.writerows([safe_cell(cell) for cell in column] for column in download.columns)
    return buffer.getvalue().encode("utf-8")


def tier_sentence(download: Download) -> str:
    """What the file is, said first in the workbook and beside the buttons."""
    if download.restricted:
        public = (download.frame["tier"] == dictionary.PUBLIC_TIER).sum()
        return (
            f"{dictionary.RESTRICTED_TIER}. Exact figures, including counts of fewer than 5 people"
            + (f" (the {public} row(s) marked Public are the public figures)" if public else "")
            + ": for your own use; do not publish them or pass them on."
        )
    return (
        f"{dictionary.PUBLIC_TIER} figures: a count of fewer than 5 people, and any figure that would let one be "
        "worked out, is not shown (*). They may be published."
    )


@tiers.output(tiers.BY_CALLER, "a table's Excel workbook: About, Data and Dictionary, in the tier each row says")
def xlsx_bytes(download: Download) -> bytes:
    """About first (what it is, its tier in bold, the footnote), then Data, then Dictionary."""

    book = openpyxl.Workbook()
    book.properties.title = download.title
    book.properties.category = dictionary.RESTRICTED_TIER if download.restricted else dictionary.PUBLIC_TIER
    about = book.active
    about.title = "About"
    lines = [
        (f"Lived Standards: {download.title}", Font(bold=True, size=14)),
        (tier_sentence(download), Font(bold=True, color="9B1C1C" if download.restricted else "1E2230")),
        (f"Downloaded on {words.long_datetime(store.now())} (UK time).", None),
        ("The sheet Data holds the rows; the sheet Dictionary says what each column means.", None),
    ]
    if download.hidden:
        lines.append((words.HIDDEN_FOOTNOTE, None))
    for number, (text, font) in enumerate(lines, start=1):
        cell = about.cell(row=number, column=1, value=safe_cell(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font:
            cell.font = font
    about.column_dimensions["A"].width = 110

    data = book.create_sheet("Data")
    data.append(list(download.frame.columns))
    for record in download.frame.itertuples(index=False):
        data.append([_xlsx_value(v) for v in record])
    for cell in data[1]:
        cell.font = Font(bold=True)
        data.column_dimensions[cell.column_letter].width = max(10, min(48, len(str(cell.value)) + 4))
    data.freeze_panes = "A2"
    data.auto_filter.ref = data.dimensions

    sheet = book.create_sheet("Dictionary")
    sheet.append(list(dictionary.Column._fields))
    for column in download.columns:
        sheet.append([safe_cell(v) for v in column])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (22, 12, 30, 70, 70)):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value):
    """Numbers as numbers, whole ones as whole; empty for a missing figure; text never a formula."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        number = value.item() if hasattr(value, "item") else value
        return int(number) if isinstance(number, float) and number.is_integer() else number
    return safe_cell(value)


# --------------------------------------------------------------------------- the widget


@tiers.output(tiers.BY_CALLER, "the download buttons beside a table: the rows in the tier each carries")
def offer(frame: pd.DataFrame, stem: str, tier: str | None = None, title: str = "") -> None:
    """Beside a table or chart: a 'Download: <title>' menu with the CSV, the Excel workbook and the
    data dictionary of these rows. Each file is built only when its button is pressed. The title
    names the table, distinct from every other table's on the page."""
    if frame.empty:
        return
    try:
        download = prepare(frame, stem, tier, title)
    except DownloadError as error:
        st.error(f"No download for this table: {error}", icon=":material/block:")
        return
    # the table's title in the label: a screen reader's list of buttons tells each table's apart
    # (Streamlit cannot give a button an aria-label; the tooltip is not its name)
    with st.popover(
        f"Download: {ui.md(download.title)}",
        icon=":material/download:",
        help=f"Download the figures of {download.title}",
    ):
        st.caption(tier_sentence(download))
        buttons = (
            ("CSV, for analysis tools", csv_bytes, ".csv", CSV_MIME),
            ("Excel workbook, with notes and the dictionary", xlsx_bytes, ".xlsx", XLSX_MIME),
            ("Data dictionary (CSV)", dictionary_bytes, "-dictionary.csv", CSV_MIME),
        )
        for label, build, ending, mime in buttons:
            st.download_button(
                label,
                data=lambda build=build: build(download),
                file_name=download.name + ending,
                mime=mime,
                on_click="ignore",
                icon=":material/download:",
                key=f"download_{stem}{ending}",
            )
