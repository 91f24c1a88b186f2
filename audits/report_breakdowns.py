"""The audit PDF's breakdowns: for each people measure of a standard, a small table of its
figure for each group of people by sex, age and ethnic group, as published (the public
breakdowns kept with the run: audits.disclosure_breakdowns). Drawing only; the words are
audits.breakdown_tables' and audits.words'."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table, TableStyle

from audits import breakdown_tables, breakdowns, report_styles, words
from audits.report_styles import ACCENT, FONT, RULE, Paragraph, styles, text

HEADING = "By sex, age and ethnic group"
WIDTHS = [34 * mm, 62 * mm, 34 * mm, 40 * mm]
PADDING = (1.5, 2)  # points above and below a cell's text


def _row(cells: list[str], style, spans: bool = False) -> tuple[list, list[int] | None]:
    """One row's cells: a plain string where a string draws it as its Paragraph would, on one line
    or on the lines the Paragraph breaks it into (report_styles.cell_lines), else a Paragraph; and
    the columns of its strings (None: every cell is one). A spanned row's one cell has the whole
    width, and its other cells keep the table's font (their size is the row's height)."""
    widths = [sum(WIDTHS)] if spans else WIDTHS
    row: list = []
    for c, w in zip(cells, widths):
        lines = report_styles.cell_lines(c, style, w) if c else c
        row.append(Paragraph(text(c), style) if lines is None else lines)
    columns = [j for j, c in enumerate(row) if isinstance(c, str)]
    row += [""] * (len(WIDTHS) - len(row))
    return row, None if len(columns) == len(WIDTHS) else columns


def _table(records: dict[tuple[str, str], list[dict]], measure) -> Table:
    s = styles()
    strings: dict[int, tuple] = {}  # row index: (its style, the columns of its strings; None: all)

    def add(cells: list[str], style, spans: bool = False) -> None:
        row, columns = _row(cells, style, spans)
        if columns != []:
            strings[len(body)] = (style, columns)
        body.append(row)

    body: list[list] = []
    add(list(breakdown_tables.COLUMNS), s["cell_head"])
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING[0]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING[1]),
    ]
    for dimension in breakdowns.DIMENSIONS:
        mine = records.get((measure.id, dimension), [])
        worded = breakdown_tables.word_rows(mine, measure, dimension, without_empty=True)
        nobody = breakdown_tables.empty_groups_of(mine, dimension)
        if not worded and not nobody:
            continue
        commands.append(("SPAN", (0, len(body)), (-1, len(body))))
        add([words.dimension(dimension)], s["cell_bold"], spans=True)
        for record in worded:
            add([str(cell) for cell in record], s["cell"])
        if nobody:  # the groups with nobody in them, on one line
            commands.append(("SPAN", (0, len(body)), (-1, len(body))))
            add([f"No {words.unit(measure.table)}: {', '.join(nobody)}"], s["cell"], spans=True)
    table = Table(body, colWidths=WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(commands + report_styles.string_cells(strings, *PADDING)))
    return table


def flowables(standard, rows: list[dict]) -> list:
    """The breakdown tables of one standard's measures for one provider (nothing when none), from
    its public breakdown rows read as records (audits.report reads a report's rows at once)."""
    if not rows:
        return []
    s = styles()
    ids = {r["measure_id"] for r in rows}
    measures = [m for m in standard.measures if m.id in ids]
    if not measures:
        return []
    # the rows by measure and dimension, in the order they are kept in (the specification's:
    # audits.breakdowns.in_order); a frame filtered and sorted for each small table was most of
    # the time it took to draw a report
    records: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        records.setdefault((r["measure_id"], r["dimension"]), []).append(r)
    out = []
    for k, measure in enumerate(measures):
        # the heading and its note stay with the first table
        head = [Paragraph(HEADING, s["h3"]), Paragraph(text(words.BREAKDOWN_NOTE), s["small"])] if k == 0 else []
        mine = [r for d in breakdowns.DIMENSIONS for r in records.get((measure.id, d), [])]
        broken = breakdown_tables.not_broken_down(mine)
        # a measure not broken down says so once; its table only when a group's size can be shown
        body = [Paragraph(text(words.NOT_BROKEN_DOWN), s["small"])] if broken else []
        if broken != breakdown_tables.NO_TABLE:
            body.append(_table(records, measure))
        out.append(KeepTogether([*head, Paragraph(f"<b>{text(measure.label)}</b>", s["small"]), *body]))
    if any(r["hidden"] != "" for r in rows):
        out.append(Paragraph(text(words.HIDDEN_SHORT), s["small"]))
    return out
