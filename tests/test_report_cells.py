"""Table cells drawn as plain strings (report_styles.cell_lines, string_cells) land where the
Paragraphs they replace land, line by line, in the same face and size, in rows of the same height:
two PDFs drawn with reportlab, one with each, read back with pypdf."""

from __future__ import annotations

import io

import pypdf
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from audits import report_breakdowns, report_styles
from audits.report_styles import FONT, Paragraph, cell_lines, one_line, string_cells, styles, text

ROWS = [  # (cells, style, spanned)
    (["Group", "Figure", "95% interval", "Compared with everyone"], "cell_head", False),
    (["Sex"], "cell_bold", True),
    (["Female", "86.8% (250 of 288 people)", "82.4% to 90.2%", "Similar to everyone's"], "cell", False),
    (["Not stated", "Not shown*: it would reveal fewer than 5 people", "", "Not compared"], "cell", False),
    (
        ["Other", "Not shown*: hidden so that a small count cannot be worked out from other figures", "–", "x"],
        "cell",
        False,
    ),
    (["Male", "Ŵ & <b>not bold</b> “quoted”", "", "Lower than everyone's"], "cell", False),
    (["No people: Other"], "cell", True),
    (["Mixed", "a" * 90, "–", "x"], "cell", False),
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


def test_a_cell_that_wraps_is_drawn_as_its_paragraphs_lines_and_odd_spaces_stay_a_paragraph():
    cell = styles()["cell"]
    wide = report_breakdowns.WIDTHS[1]
    assert one_line("86.8% (250 of 288 people)", cell, wide)
    assert cell_lines("86.8% (250 of 288 people)", cell, wide) == "86.8% (250 of 288 people)"
    long = "Not shown*: hidden so that a small count cannot be worked out from other figures"
    assert not one_line(long, cell, wide)
    for value in (long, "a" * 200):  # a word wider than the cell is cut where reportlab cuts it
        paragraph = Paragraph(text(value), cell)
        paragraph.wrap(wide - 12, 1000)
        assert cell_lines(value, cell, wide).split("\n") == [" ".join(w) for _, w in paragraph.blPara.lines]
    assert cell_lines(long, cell, wide).count("\n") == 2 and cell_lines(long, cell, wide / 2).count("\n") >= 4
    for odd in ("two  spaces", " leading", "line\nbreak", "non\xa0breaking"):
        assert not one_line(odd, cell, wide) and cell_lines(odd, cell, wide) is None
    indented = styles()["quote"]
    assert cell_lines(long, indented, wide) is None and cell_lines("short", indented, wide) == "short"
    row, columns = report_breakdowns._row(["Female", "Not shown*: it would reveal fewer than 5 people", "", "x"], cell)
    assert row[1] == "Not shown*: it would reveal fewer\nthan 5 people" and columns is None
    row, columns = report_breakdowns._row(["Female", "two  spaces", "", "x"], cell)
    assert isinstance(row[1], Paragraph) and row[0] == "Female" and columns == [0, 2, 3]
    assert report_breakdowns._row(["Female", "1", "2", "3"], cell)[1] is None
    assert report_breakdowns._row(["Sex"], cell, spans=True) == (["Sex", "", "", ""], [0])


def test_a_measure_tables_plain_cells_are_placed_as_their_paragraphs():
    from audits import report

    s = styles()
    cells = ["86.8% (250 of 288 people who were asked)", "82% to 90%"]

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

    assert report._plain(cells[0], s["cell"], report.MEASURE_WIDTHS[1]).count("\n") >= 1  # its lines
    assert isinstance(report._plain("line\nbreak", s["cell"], report.MEASURE_WIDTHS[1]), Paragraph)
    before, after = _placed(pdf(False)), _placed(pdf(True))
    assert before == after and cells[1] in {t for t, *_ in after}


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


def test_a_face_codes_strings_as_reportlabs_own_loop_does():
    """_Face answers a string whose characters are all coded already with str.translate: the same
    pieces as reportlab's loop, in a document where characters beyond the first subset (256
    codes), a no-break space and a character the face lacks come and go."""
    import random

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    report_styles.register_fonts()
    face = pdfmetrics.getFont(report_styles.FONT)
    plain = TTFont("plain-dejavu", str(report_styles.FONT_DIR / report_styles.FACES[report_styles.FONT]))
    letters = [
        chr(c) for c in [*range(32, 127), 0xA0, 0x2019, 0x201C, 0x2713, 0x0175, 0xE9, 0x10FFFF, *range(0x400, 0x600)]
    ]
    rng = random.Random(15)

    class Doc:  # a document: the codes given are per document
        pass

    ours, theirs = Doc(), Doc()
    pieces = []
    for _ in range(3000):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 30)))
        pieces.append(face.splitString(text, ours))
        assert pieces[-1] == plain.splitString(text, theirs), text
    assert any(len(p) > 1 for p in pieces) and any(p and p[0][0] > 0 for p in pieces)  # later subsets were met
