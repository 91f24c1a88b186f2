"""The audit PDF's breakdowns: for each people measure of a standard, a small table of its
figure for each group of people by sex, age and ethnic group, as published (the public
breakdowns kept with the run: audits.disclosure_breakdowns). Drawing only; the words are
audits.breakdown_tables' and audits.words'."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table, TableStyle

from audits import breakdown_tables, breakdowns, words
from audits.report_styles import ACCENT, FONT, RULE, Paragraph, styles, text

HEADING = "By sex, age and ethnic group"
WIDTHS = [34 * mm, 62 * mm, 34 * mm, 40 * mm]


def _table(records: dict[tuple[str, str], list[dict]], measure) -> Table:
    s = styles()
    body = [[Paragraph(text(h), s["cell_head"]) for h in breakdown_tables.COLUMNS]]
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for dimension in breakdowns.DIMENSIONS:
        mine = records.get((measure.id, dimension), [])
        worded = breakdown_tables.word_rows(mine, measure, dimension, without_empty=True)
        nobody = breakdown_tables.empty_groups_of(mine, dimension)
        if not worded and not nobody:
            continue
        commands.append(("SPAN", (0, len(body)), (-1, len(body))))
        body.append([Paragraph(text(words.dimension(dimension)), s["cell_bold"]), "", "", ""])
        body += [[Paragraph(text(str(cell)), s["cell"]) for cell in record] for record in worded]
        if nobody:  # the groups with nobody in them, on one line
            commands.append(("SPAN", (0, len(body)), (-1, len(body))))
            said = f"No {words.unit(measure.table)}: {', '.join(nobody)}"
            body.append([Paragraph(text(said), s["cell"]), "", "", ""])
    table = Table(body, colWidths=WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def flowables(standard, rows) -> list:
    """The breakdown tables of one standard's measures for one provider (nothing when none)."""
    if rows is None or rows.empty:
        return []
    s = styles()
    measures = [m for m in standard.measures if m.id in set(rows["measure_id"])]
    if not measures:
        return []
    # the rows read once, by measure and dimension, in the order they are kept in (the
    # specification's: audits.breakdowns.in_order); a frame filtered and sorted for each small
    # table was most of the time it took to draw a report
    records: dict[tuple[str, str], list[dict]] = {}
    for r in rows.to_dict("records"):
        records.setdefault((r["measure_id"], r["dimension"]), []).append(r)
    out = []
    for k, measure in enumerate(measures):
        # the heading and its note stay with the first table
        head = [Paragraph(HEADING, s["h3"]), Paragraph(text(words.BREAKDOWN_NOTE), s["small"])] if k == 0 else []
        out.append(
            KeepTogether([*head, Paragraph(f"<b>{text(measure.label)}</b>", s["small"]), _table(records, measure)])
        )
    if (rows["hidden"] != "").any():
        out.append(Paragraph(text(words.HIDDEN_SHORT), s["small"]))
    return out
