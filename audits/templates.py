"""Blank templates and the providers' specification, written from audits.spec.

Providers fill in these files; the tool validates against the same definitions,
so a template and the rules cannot disagree. `docs/provider-returns.md` and the
blank templates under `docs/templates/` are generated here (tests check that the
committed copies are current: regenerate with `python -m audits template --docs`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from audits import limits, schemas, spec, tiers
from audits.cells import safe_cell

DOC_PATH = Path("docs/provider-returns.md")
DOC_TEMPLATES = Path("docs/templates")
RETURN_FOLDER, PACK_FOLDER = "return-template", "pack-template"
RETURN_XLSX, PACK_XLSX = "return-template.xlsx", "pack-template.xlsx"


@tiers.output(tiers.PUBLIC, "a blank template's header line")
def csv_header(table: spec.Table) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([safe_cell(c) for c in table.column_names])
    return out.getvalue()


def meta_yaml(kind: str) -> str:
    """A blank return.yaml or pack.yaml: every key, with its meaning and an example as a comment."""
    fields = spec.PACK_META if kind == "pack" else spec.RETURN_META
    name = spec.PACK_META_FILE if kind == "pack" else spec.RETURN_META_FILE
    what = "evidence pack" if kind == "pack" else "return"
    lines = [
        f"# {name}: who and when, for this {what} (Lived Standards data specification version {spec.SPEC_VERSION})."
    ]
    for f in fields:
        lines.append(f"# {f.meaning}; for example {f.example}")
        lines.append(f"{f.name}: ")
    return "\n".join(lines) + "\n"


@tiers.output(tiers.PUBLIC, "blank return templates (no figures)")
def write_templates(out: Path) -> list[Path]:
    """Blank return and pack templates as folders of CSV files and as .xlsx workbooks."""
    out = Path(out)
    written = []
    for kind, folder, tables in (
        ("return", RETURN_FOLDER, spec.RETURN_TABLES),
        ("pack", PACK_FOLDER, spec.PACK_TABLES),
    ):
        target = out / folder
        target.mkdir(parents=True, exist_ok=True)
        meta_name = spec.PACK_META_FILE if kind == "pack" else spec.RETURN_META_FILE
        (target / meta_name).write_text(meta_yaml(kind), encoding="utf-8")
        for table in tables:
            (target / table.file).write_text(csv_header(table), encoding="utf-8")
        written.append(target)
    written.append(write_workbook(out / RETURN_XLSX, "return"))
    written.append(write_workbook(out / PACK_XLSX, "pack"))
    return written


BLANK_ROWS = 1000  # rows of a blank sheet given dropdowns and date formats


@tiers.output(tiers.PUBLIC, "a blank return workbook (no figures)")
def write_workbook(path: Path, kind: str, values: dict[str, str] | None = None, notes: list[str] = ()) -> Path:
    """One sheet of key/value rows ('return' or 'pack') and one sheet per table, header only.

    Coded and yes/no columns offer their allowed values in a dropdown, so a sheet typed on a
    visit without a connection holds what validation accepts. `values` fills in metadata (a
    visit's provider and quarter); `notes` are lines of help written below the metadata, in
    column C, which reading ignores (a row with nothing in column A is not a field)."""
    import openpyxl
    from openpyxl.styles import Font

    fields = spec.PACK_META if kind == "pack" else spec.RETURN_META
    tables = spec.PACK_TABLES if kind == "pack" else spec.RETURN_TABLES
    book = openpyxl.Workbook()
    meta = book.active
    meta.title = kind
    meta.append(["key", "value", "meaning (for example)"])
    for f in fields:
        meta.append(
            [safe_cell(f.name), (values or {}).get(f.name), safe_cell(f"{f.meaning} (for example {f.example})")]
        )
    if notes:
        meta.append([])
        for line in notes:
            meta.append([None, None, safe_cell(line)])
    for cell in meta[1]:
        cell.font = Font(bold=True)
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 34
    meta.column_dimensions["C"].width = 70
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append([safe_cell(c) for c in table.column_names])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell, column in zip(sheet[1], table.columns):
            sheet.column_dimensions[cell.column_letter].width = max(12, len(column.name) + 2)
            if column.type == spec.DATE:
                # So dates typed into the column stay real dates, shown as the specification writes them.
                for row in range(2, BLANK_ROWS + 1):
                    sheet.cell(row=row, column=cell.column).number_format = "yyyy-mm-dd"
            allowed = column.codes or (("yes", "no") if column.type == spec.BOOLEAN else ())
            if allowed:
                _dropdown(sheet, cell.column_letter, allowed, column.name)
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _dropdown(sheet, letter: str, allowed: tuple[str, ...], name: str) -> None:
    """A list of the allowed values on every blank row of a column; anything else is refused
    by the spreadsheet with the same words validation would use."""
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(allowed) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=f"Not one of the {name} values",
        error=f"Use one of {', '.join(allowed)}.",
    )
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{BLANK_ROWS}")


# --------------------------------------------------------------------------- the providers' document


def required_words(column: spec.Column) -> str:
    if column.required is True:
        return "yes"
    condition = schemas.required_when(column)
    words = condition[1].removeprefix("is required ") if condition is not None else "no"
    if column.header_optional:
        words += " (the whole column may be left out)"
    return words


def _allowed(column: spec.Column) -> str:
    parts = []
    if column.meaning:
        parts.append(column.meaning)
    if column.codes:
        parts.append(", ".join(f"`{c}`" for c in column.codes))
    return "; ".join(parts)


def provider_doc() -> str:
    """The specification for providers, in Markdown."""
    out = [
        f"# Provider returns and evidence packs: the data specification (version {spec.SPEC_VERSION})",
        "",
        "<!-- Generated from audits/spec.py by audits/templates.py: do not edit by hand. "
        "Regenerate with `python -m audits template --docs`. -->",
        "",
        "Each quarter a treatment provider submits one **return**: what happened to the people using "
        "its services, its workforce, its performance indicators, its sites and the documents it gives "
        "people. An independent auditor or expert citizens group adds one **evidence pack** of stories "
        "for the same provider and quarter; stories never come from the provider. Lived Standards "
        "checks both against this specification, loads them, and runs the standards written by expert "
        "citizens over them.",
        "",
        "## Blank templates",
        "",
        f"* A return as a folder of CSV files: [`{RETURN_FOLDER}/`](templates/{RETURN_FOLDER}/), "
        f"or as one workbook: [`{RETURN_XLSX}`](templates/{RETURN_XLSX}).",
        f"* An evidence pack: [`{PACK_FOLDER}/`](templates/{PACK_FOLDER}/), or [`{PACK_XLSX}`](templates/{PACK_XLSX}).",
        "* The same files, written anywhere: `python -m audits template --out DIR`.",
        "* Check a return before sending it: `python -m audits validate PATH` lists every problem.",
        "",
        "## Three ways to send a return",
        "",
        f"1. A **folder** holding `{spec.RETURN_META_FILE}` and one CSV file per table (an evidence "
        f"pack: `{spec.PACK_META_FILE}` and `{spec.STORIES.file}`).",
        "2. A **.zip** of that folder.",
        "3. One **.xlsx workbook** with one sheet per table, named as the table (`episodes`, "
        "`contacts`, …), and a sheet `return` (or `pack`) of key/value rows in columns A and B.",
        "",
        "All three load exactly the same data. Names are exact: files, sheets, columns and coded "
        "values are lower case `snake_case`, written as below.",
        "",
        "## Cells",
        "",
        "* CSV files are UTF-8 (a byte-order mark is fine), comma-separated, with a header row. In Excel "
        "choose *Save As → CSV UTF-8 (Comma delimited)*. A file in another encoding is refused, naming "
        "the file and the first line that cannot be read.",
        "* Dates are written `YYYY-MM-DD`; in a workbook, real Excel dates are accepted too.",
        "* Yes/no columns take `yes` or `no`; `true`/`false`, `y`/`n` and `1`/`0` are accepted, in any case.",
        "* An empty cell means *not recorded*. A value holding a comma goes in double quotes.",
        "* Lines are counted as a spreadsheet shows them: the header is line 1.",
        "",
    ]
    for kind, meta_file, fields in (
        ("return", spec.RETURN_META_FILE, spec.RETURN_META),
        ("pack", spec.PACK_META_FILE, spec.PACK_META),
    ):
        out += [
            f"## {meta_file}{' (evidence pack)' if kind == 'pack' else ''}",
            "",
            "| key | meaning | written as | example |",
            "| --- | --- | --- | --- |",
        ]
        out += [f"| {f.name} | {f.meaning} | {f.rule} | `{f.example}` |" for f in fields]
        out.append("")
    out += [
        "The provider id and the period name the audit's files and the dashboard's links, so they are "
        "written exactly as above: an id holding anything else (a space, `/`, `=`, an accented or "
        "invisible character, a letter from another alphabet that looks like a Latin one) is refused, "
        "naming the character. Each value is one value on its line: a list or a group of values, an "
        "anchor or alias (`&name`, `*name`) or a tag (`!!str`) is refused.",
        "",
    ]
    for table in spec.RETURN_TABLES + spec.PACK_TABLES:
        optional = "" if table.required_file else " (optional)"
        out += [
            f"## {table.file}{optional}: {table.meaning}",
            "",
            f"Each `{table.key}` is unique within the "
            f"{'pack' if table in spec.PACK_TABLES else 'return'}."
            + (
                f" Each `{table.parent[0]}` must be an `{spec.TABLES[table.parent[1]].key}` of "
                f"{spec.TABLES[table.parent[1]].file}."
                if table.parent
                else ""
            ),
            "",
            "| column | type | required | meaning and allowed values |",
            "| --- | --- | --- | --- |",
        ]
        out += [f"| {c.name} | {c.type} | {required_words(c)} | {_allowed(c)} |" for c in table.columns]
        out.append("")
    out += _limits_section()
    out += [
        "## What happens to a return with problems",
        "",
        "Every problem is reported at once, in plain English, with the file, the line, the column, the "
        "value and what was expected, for example:",
        "",
        "    episodes.csv line 9, substance_group: 'heroin' is not one of opiate, non_opiate, alcohol, "
        "non_opiate_and_alcohol",
        "",
        "A mistake repeated on many lines is listed once, with how many lines and which.",
        "",
        "* **Refused whole** (nothing of it is loaded): a missing file or column, a file that cannot be "
        "read (not UTF-8, not a workbook, a row with more cells than the header), a missing or wrong "
        f"`{spec.RETURN_META_FILE}` value (such as a period not written like `2026-Q2`), or an id that "
        "appears twice.",
        "* **Rows held back** (the rest is loaded): a value of the wrong type or not one of the allowed "
        "codes, an empty required cell, a date in the wrong order or outside the quarter, or a contact "
        "whose episode is not in the return. Held-back rows are kept in quarantine with their reasons, "
        "never silently dropped; a contact of a held-back episode is held back with it.",
        "* Sending the same provider's quarter again replaces the earlier submission in one step; the "
        "earlier one stays in the history with the checksum (SHA-256) of every file, when it was loaded "
        "and by whom.",
        "",
    ]
    return "\n".join(out)


def _limits_section() -> list[str]:
    """The reading limits of audits.limits, as providers meet them."""
    size = limits.size_words
    return [
        "## Limits",
        "",
        "A return or evidence pack over one of these limits is refused whole, before it is unpacked or "
        "read, with a message naming the file and the limit. Each is at least ten times what the "
        "largest provider's quarter needs (about 9 MB of CSV, 120,000 contacts).",
        "",
        "| what | the most |",
        "| --- | --- |",
        f"| one CSV file (unpacked) | {size(limits.MAX_FILE_BYTES)} |",
        f"| all the files of one return or pack (unpacked), and the .zip or .xlsx itself | "
        f"{size(limits.MAX_SUBMISSION_BYTES)} |",
        f"| `{spec.RETURN_META_FILE}` or `{spec.PACK_META_FILE}` | {size(limits.MAX_META_BYTES)} |",
        f"| files in the folder or .zip | {limits.MAX_ENTRIES:,} |",
        f"| lines of one CSV file, rows of one sheet | {limits.MAX_LINES:,} |",
        f"| columns of one table | {limits.MAX_COLUMNS:,} |",
        f"| characters in one cell | {limits.MAX_CELL_CHARS:,} |",
        f"| one part of an .xlsx workbook (unpacked XML) | {size(limits.MAX_WORKBOOK_PART_BYTES)} |",
        f"| all the parts of an .xlsx workbook (unpacked XML) | {size(limits.MAX_WORKBOOK_BYTES)} |",
        f"| how many times a file of a .zip grows when unpacked (files over {size(limits.RATIO_FLOOR_BYTES)}) | "
        f"{limits.MAX_RATIO} |",
        f"| uploads on the dashboard | {limits.MAX_UPLOAD_MB} MB |",
        "",
        "A .zip is read only when it is compressed the ordinary way (Deflate, as Windows' *Compressed "
        "folder*, macOS's *Compress* and Excel write it) and has no password; it must hold each file once. "
        "A folder must hold the files themselves, not links (symlinks) to files elsewhere. A workbook must "
        "be saved by a spreadsheet program: one with a document type declaration (`<!DOCTYPE`) is refused. "
        "CSV files may end their lines the Windows way, the Unix way or the old Mac way.",
        "",
    ]


def write_docs(root: Path = Path(".")) -> list[Path]:
    """Regenerate docs/provider-returns.md and docs/templates/."""
    doc = root / DOC_PATH
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(provider_doc(), encoding="utf-8")
    return [doc, *write_templates(root / DOC_TEMPLATES)]
