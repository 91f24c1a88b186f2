"""The report's canvas writes a plain string as exactly the operators reportlab's drawString writes."""

from __future__ import annotations

import io

from reportlab.pdfgen import canvas as reportlab_canvas

from audits import report_canvas, report_styles


def _drawn(cls, strings) -> list[str]:
    canvas = cls(io.BytesIO())
    for i, (face, size, leading, value) in enumerate(strings):
        canvas.setFont(face, size, leading)
        canvas.drawString(20 + i * 0.37, 800 - i * 1.1, value)
    canvas.drawString(5, 5, "outlined", mode=1)  # a rendering mode: reportlab's own way
    canvas.drawString(5, 5, "spaced", charSpace=0.5)
    return list(canvas._code)


def test_strings_are_drawn_with_reportlabs_own_operators():
    report_styles.register_fonts()
    bold = f"{report_styles.FONT}-Bold"
    strings = [
        (report_styles.FONT, 8.5, 11, "Met"),
        (bold, 8.5, 11, "Not met ✗"),
        (report_styles.FONT, 9.5, 13.5, "(a bracket) and a back\\slash"),
        (report_styles.FONT, 7, 8, ""),
        (report_styles.FONT, 8, 10.5, "Page 3 of 31 — “quoted” ŵ ŷ\xa0café"),
        *[(report_styles.FONT, 8.5, 11, "".join(chr(c) for c in range(0x400 + k, 0x600, 7))) for k in range(7)],
        (report_styles.FONT, 8.5, 11, "after the first subset: Met ✓"),
    ]
    ours = _drawn(report_canvas.Canvas, strings)
    theirs = _drawn(reportlab_canvas.Canvas, strings)
    assert ours == theirs
    assert any(" Tj " in line and line.count(" Tf ") > 1 for line in ours)  # a string over two subsets
