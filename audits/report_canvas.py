"""The canvas the audit PDF is drawn on: reportlab's, with a shorter way to draw a plain string.

A national report draws ~1,500 strings a report with Canvas.drawString (the table cells of plain
text, the running header and footer, the charts' labels). reportlab makes a text object for each,
measures the string's width only to throw it away, and builds the same few PDF operators through
half a dozen calls: about a tenth of drawing a report. `Canvas.drawString` writes the same
operators, byte for byte, for the strings the report draws (left to right, in an embedded
TrueType face, no rendering mode, no extra spacing); anything else goes to reportlab as before.
"""

from __future__ import annotations

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas


class Canvas(canvas.Canvas):
    def drawString(self, x, y, text, mode=None, charSpace=0, direction=None, wordSpace=None, shaping=False):
        font = pdfmetrics.getFont(self._fontname)
        if (
            mode is not None
            or charSpace
            or direction is not None
            or wordSpace
            or shaping
            or not self.bottomup
            or type(text) is not str
            or not font._dynamicFont
        ):
            return super().drawString(x, y, text, mode, charSpace, direction, wordSpace, shaping)
        # as reportlab's text object writes them: BT, the origin, the face's subset (again when it
        # changes), each piece of text, the move to the next line, ET
        doc = self._doc
        size = f"{fp_str(self._fontsize)} Tf {fp_str(self._leading)} TL"
        code, subset_now = [], -1
        for subset, piece in font.splitString(text, doc):
            if subset != subset_now:
                code.append(f"{font.getSubsetInternalName(subset, doc)} {size}")
                subset_now = subset
            code.append(f"({self._escape(piece)}) Tj")
        self._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm {' '.join(code)} T* ET")
