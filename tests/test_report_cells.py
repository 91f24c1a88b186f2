"""Table cells drawn as plain strings (report_styles.one_line, string_cells) land where the
one-line Paragraphs they replace land, in the same face and size, in rows of the same height:
two PDFs drawn with reportlab, one with each, read back with pypdf."""

from __future__ import annotations

import io

import pypdf
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from audits import report_breakdowns, report_styles
from audits.report_styles import FONT, Paragraph, one_line, string_cells, styles, text

ROWS = [  # (cells, style, spanned)
    (["Group", "Figure", "95% interval", "Compared with everyone"], "cell_head", False),
    (["Sex"], "cell_bold", True),
    (["Female", "86.8% (250 of 288 people)", "82.4% to 90.2%", "Similar to everyone's"], "cell", False),
    (["Not stated", "Not shown*: it would reveal fewer than 5 people", "", "Not compared"], "cell", False),
    (["Male", "Ŵ & <b>not bold</b> “quoted”", "", "Lower than everyone's"], "cell", False),
    (["No people: Other"], "cell", True),
]


def _pdf(plain: bool) -> tuple[bytes, list[float]]:
    s = styles()
    body, strings = [], {}
    commands = [("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    commands += [("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for cells, style, spans in ROWS:
        if spans:
            commands.append(("SPAN", (0, len(body)), (-1, len(body))))
        if plain:
            row, columns = report_breakdowns._row(cells, s[style], spans)
            if columns != []:
                strings[len(body)] = (s[style], columns)
        else:
            row = [Paragraph(text(c), s[style]) for c in cells] + [""] * (4 - len(cells))
        body.append(row)
    table = Table(body, colWidths=report_breakdowns.WIDTHS)
    table.setStyle(TableStyle(commands + (string_cells(strings, 1.5, 2) if plain else [])))
    out = io.BytesIO()
    SimpleDocTemplate(out, invariant=1).build([table])
    return out.getvalue(), list(table._rowHeights)


def _placed(pdf: bytes) -> list[tuple]:
    """Each piece of text with where it starts, in points, and its font and size."""
    found = []

    def visit(t, cm, tm, font, size):
        if t.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(
                (t.strip(), round(x, 2), round(y, 2), font and font.get("/BaseFont")[7:], round(size * tm[0], 2))
            )

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return sorted(found)


def test_plain_cells_are_placed_as_the_paragraphs_they_replace():
    (paragraphs, heights), (strings, plain_heights) = _pdf(plain=False), _pdf(plain=True)
    assert heights == plain_heights
    before, after = _placed(paragraphs), _placed(strings)
    assert before == after
    assert {"Female", "Similar to everyone's", "No people: Other", "Ŵ & <b>not bold</b> “quoted”"} <= {
        t for t, *_ in after
    }


def test_a_cell_that_wraps_or_has_markup_or_odd_spaces_stays_a_paragraph():
    cell = styles()["cell"]
    wide = report_breakdowns.WIDTHS[1]
    assert one_line("86.8% (250 of 288 people)", cell, wide)
    assert not one_line("Not shown*: hidden so that a small count cannot be worked out from other figures", cell, wide)
    assert not one_line("two  spaces", cell, wide)
    assert not one_line(" leading", cell, wide)
    assert not one_line("line\nbreak", cell, wide)
    assert not one_line("non\xa0breaking", cell, wide)
    row, columns = report_breakdowns._row(["Female", "Not shown*: it would reveal fewer than 5 people", "", "x"], cell)
    assert isinstance(row[1], Paragraph) and row[0] == "Female" and columns == [0, 2, 3]
    assert report_breakdowns._row(["Female", "1", "2", "3"], cell)[1] is None
    assert report_breakdowns._row(["Sex"], cell, spans=True) == (["Sex", "", "", ""], [0])


def test_a_measure_tables_plain_cells_are_placed_as_their_paragraphs():
    from audits import report

    s = styles()
    cells = ["86.8% (250 of 288)", "82% to 90%"]

    def pdf(plain: bool) -> bytes:
        make = (lambda v, w: report._plain(v, s["cell"], w)) if plain else (lambda v, w: Paragraph(text(v), s["cell"]))
        head = [Paragraph(h, s["cell_head"]) for h in ("Measure", "Figure", "95% interval", "Compared", "Rating")]
        row = [Paragraph("A label<br/>over two lines", s["cell"])]
        row += [make(c, w) for c, w in zip(cells, report.MEASURE_WIDTHS[1:3])]
        row += [Paragraph("x", s["cell"]), report._rating_cell("green", bold=False)]
        out = io.BytesIO()
        SimpleDocTemplate(out, invariant=1).build(
            [report._table([head, row], report.MEASURE_WIDTHS, rating_col=4, rating_values=["green"])]
        )
        return out.getvalue()

    assert isinstance(report._plain(cells[0], s["cell"], report.MEASURE_WIDTHS[1]), str)
    assert isinstance(report._plain("line\nbreak", s["cell"], report.MEASURE_WIDTHS[1]), Paragraph)
    before, after = _placed(pdf(False)), _placed(pdf(True))
    assert before == after and set(cells) <= {t for t, *_ in after}


def test_a_face_codes_a_string_drawn_again_as_reportlab_codes_it():
    """report_styles._Face keeps each string's subset coding per document: for any order of
    strings, new characters and repeats, in two documents at once, its answers are reportlab's."""
    from reportlab.pdfbase.ttfonts import TTFont

    file = str(report_styles.FONT_DIR / report_styles.FACES[report_styles.FONT])
    plain, kept = TTFont("plain", file), report_styles._Face("kept", file)

    class Doc:  # a document, as far as a face is concerned: a key it can forget
        pass

    one, two = Doc(), Doc()
    strings = ["Met", "Not met", "Met", "ŵ ŷ “quoted”", "Not met", "✓ Met", "ŵ ŷ “quoted”", "\xa0Met", "Met"]
    for doc in (one, two, one):
        for string in strings + [s[::-1] for s in strings]:
            assert kept.splitString(string, doc) == plain.splitString(string, doc)
    assert len(kept._coded[one]) == len(set(strings + [s[::-1] for s in strings]))
    del one, doc  # the loop ended on it
    assert len(kept._coded) == 1  # a document's codings go with it
