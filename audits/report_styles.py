"""Fonts, paragraph styles and small text helpers of the audit PDF.

Built-in PDF fonts are not embedded and have no glyphs for curly quotes, Welsh
ŵ and ŷ or the rating symbols, and a missing glyph prints blank without an error.
So the four DejaVu Sans faces shipped in audits/fonts are registered as one family
and used for every piece of text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

from reportlab import platypus, rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from audits.stats import is_missing

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"
FACES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#c8c8c8")
ACCENT = colors.HexColor("#2b4c7e")
QUOTE_BG = colors.HexColor("#f4f4f0")


class _Face(TTFont):
    """A TrueType face that remembers how each string it drew in a document was coded.

    reportlab embeds a subset of the face in each PDF and codes every string drawn against it,
    character by character, in Python: with ~5,000 strings a report (table cells, words of
    paragraphs, chart labels) that was a tenth of drawing one, and most strings ("Met", a group's
    name, a column heading) recur. A character keeps the code it was first given in a document,
    so a string is coded the same way every time in that document: the first answer is kept (by
    document, forgotten with it) and given again."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._coded: WeakKeyDictionary = WeakKeyDictionary()
        self._codes: WeakKeyDictionary = WeakKeyDictionary()

    def splitString(self, text, doc, encoding="utf-8"):
        coded = self._coded.get(doc)
        if coded is None:
            coded = self._coded[doc] = {}
        pieces = coded.get(text)
        if pieces is None:
            pieces = coded[text] = self._code(text, doc, encoding)
        return pieces

    def _code(self, text, doc, encoding):
        """reportlab's splitString, answered at C speed (str.translate) when every character of
        `text` already has its code in the document's first subset, as most do once a report's
        first pages are drawn: the same one piece, (0, the codes as bytes). A character not yet
        coded, or coded in a later subset, goes through reportlab's own loop, which gives it its
        code in the order reportlab always would."""
        state = self.state.get(doc)
        if state is None or not isinstance(text, str) or not text:
            return super().splitString(text, doc, encoding)
        codes = self._codes.get(doc)
        if codes is None or codes.assignments is not state.assignments:
            codes = self._codes[doc] = _Codes(state.assignments)
        try:
            return [(0, text.translate(codes).encode("latin-1"))]
        except _NotCoded:
            return super().splitString(text, doc, encoding)


class _NotCoded(Exception):
    """A character without a code in a document's first subset (yet)."""


class _Codes(dict):
    """A str.translate table: a character -> the one-byte character of its code in the first
    subset of a face in one document, read from reportlab's assignments (which only ever grow,
    and never change a code once given), or _NotCoded. A no-break space is coded as a space, as
    reportlab's splitString codes it."""

    def __init__(self, assignments: dict):
        super().__init__()
        self.assignments = assignments

    def __missing__(self, char: int) -> str:
        code = self.assignments.get(32 if char == 0xA0 else char)
        if code is None or code > 0xFF:
            raise _NotCoded
        self[char] = coded = chr(code)
        return coded


@cache
def register_fonts() -> str:
    """Register the DejaVu family once per process; returns the family name."""
    for name, file in FACES.items():
        pdfmetrics.registerFont(_Face(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Oblique", boldItalic=f"{FONT}-BoldOblique"
    )
    return FONT


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK, alignment=TA_LEFT, spaceAfter=5
    )
    s = {"body": base}
    s["small"] = ParagraphStyle("small", parent=base, fontSize=8, leading=10.5, textColor=MUTED)
    s["cell"] = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0)
    s["cell_bold"] = ParagraphStyle("cell_bold", parent=s["cell"], fontName=f"{FONT}-Bold")
    s["cell_head"] = ParagraphStyle("cell_head", parent=s["cell"], fontName=f"{FONT}-Bold", textColor=colors.white)
    s["title"] = ParagraphStyle(
        "title", parent=base, fontName=f"{FONT}-Bold", fontSize=24, leading=30, textColor=ACCENT, spaceAfter=10
    )
    s["subtitle"] = ParagraphStyle("subtitle", parent=base, fontSize=14, leading=19, spaceAfter=18)
    s["h1"] = ParagraphStyle(
        "h1",
        parent=base,
        fontName=f"{FONT}-Bold",
        fontSize=16,
        leading=21,
        textColor=ACCENT,
        spaceBefore=10,
        spaceAfter=8,
    )
    s["h2"] = ParagraphStyle(
        "h2",
        parent=base,
        fontName=f"{FONT}-Bold",
        fontSize=13,
        leading=17,
        textColor=ACCENT,
        spaceBefore=4,
        spaceAfter=6,
    )
    s["h3"] = ParagraphStyle(
        "h3", parent=base, fontName=f"{FONT}-Bold", fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=4
    )
    s["quote"] = ParagraphStyle(
        "quote", parent=base, fontName=f"{FONT}-Oblique", leftIndent=12, rightIndent=12, spaceAfter=2
    )
    s["source"] = ParagraphStyle("source", parent=s["small"], leftIndent=12, spaceAfter=8)
    s["story"] = ParagraphStyle("story", parent=base, fontSize=9.5, leading=13.5, spaceAfter=2)
    s["mono"] = ParagraphStyle("mono", parent=s["small"], fontSize=6.3, leading=8, textColor=INK, spaceAfter=0)
    return s


def text(value) -> str:
    """Any piece of data made safe for Paragraph markup: `<`, `&` print as written."""
    if is_missing(value):
        return ""
    return escape(str(value)).replace("\n", "<br/>")


# Paragraph markup already parsed, by (markup, style): most of a report's paragraphs (the
# standards' words, the method, headings, rating cells) are the same in every report of a batch.
_PARSED: dict[tuple, tuple] = {}
_PARSED_MAX = 20_000
_SAME_WIDTH = 1e-6  # points: a millionth of a point is no width at all


class Paragraph(platypus.Paragraph):
    """reportlab's Paragraph, its markup parsed once per process and its lines broken once per
    width. A table measures each cell and then wraps it again to draw it, and a frame wraps a
    flowable again before it places or splits it: breaking the same words at the same width two
    or three times, and parsing the same markup in every report, were the largest part of
    drawing one. The lines depend on the width alone (the words and style stay)."""

    def __init__(self, text, style=None, bulletText=None, frags=None, **kwargs):
        if frags is not None or bulletText is not None or style is None or kwargs:
            super().__init__(text, style, bulletText, frags, **kwargs)  # reportlab's own split pieces
            return
        key = (text, style)
        parsed = _PARSED.get(key)
        if parsed is None:
            super().__init__(text, style)
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[key] = (self.text, self.frags, self.style, self.bulletText)
        else:
            cleaned, frags, parsed_style, bullet = parsed
            super().__init__(cleaned, parsed_style, bullet, frags=list(frags))
        if _breaks_alike(text, style):
            self._parsed_as = key

    def wrap(self, availWidth, availHeight):
        # a table measures a cell at one width and draws it at the same width summed another way
        # (163.74803149606302, then 163.748031496063): the same width for breaking lines
        at = self.__dict__.get("_wrapped_at")
        if at is not None and abs(at - availWidth) < _SAME_WIDTH and "blPara" in self.__dict__:  # split() may drop it
            return self.width, self.height
        parsed_as = self.__dict__.get("_parsed_as")
        # reportlab does not break lines narrower than rl_config._FUZZ
        broken = (
            _BROKEN.get((parsed_as, availWidth)) if parsed_as is not None and availWidth >= rl_config._FUZZ else None
        )
        if broken is not None:
            self.__dict__.update(broken)
            self._wrapWidths = list(broken["_wrapWidths"])
            self._wrapped_at = availWidth
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth if self.__dict__.get("width") == availWidth else None
        if parsed_as is not None and self._wrapped_at is not None:
            if len(_BROKEN) >= _PARSED_MAX:
                _BROKEN.clear()
            _BROKEN[(parsed_as, availWidth)] = {name: self.__dict__[name] for name in _WRAPPED if name in self.__dict__}
        return size


# The lines of a paragraph as broken at a width, by (markup, style) and width: the standards'
# words, the method, the headings and most table cells are broken at the same widths in every
# report of a batch, and breaking them again was a sixth of drawing a report. What wrap() and
# breakLines() leave on a paragraph is kept and given to the next one of the same markup, style
# and width. Those lines are never changed after: drawing reads them, and a split copies them
# (reportlab changes a split piece in place only where it hyphenates, which _breaks_alike rules out).
_BROKEN: dict[tuple, dict] = {}
_WRAPPED = ("width", "height", "blPara", "frags", "_wrapWidths", "_width_max", "_splitLongWordCount", "_hyphenations")


def _breaks_alike(text, style: ParagraphStyle) -> bool:
    """Whether a paragraph of this markup and style always breaks into the same lines at the same
    width, and keeps them as they are: no hyphenation (it changes the pieces of a split in place),
    no soft hyphen, no bullet, the western line breaking."""
    return isinstance(text, str) and "\xad" not in text and _style_breaks_alike(style)


@cache
def _style_breaks_alike(style: ParagraphStyle) -> bool:
    return (
        not getattr(style, "hyphenationLang", "")
        and not getattr(style, "embeddedHyphenation", 0)
        and not getattr(style, "uriWasteReduce", 0)
        and not getattr(style, "bulletText", None)
        and getattr(style, "wordWrap", None) != "CJK"
    )


# Table cells of plain text are drawn as plain strings (reportlab's drawString), not Paragraphs:
# laying out a cell's words and drawing them through a paragraph's text object was most of the
# cost of the ~12 breakdown tables of a national report. A string is drawn at the same place, in
# the same face, size and colour, as the Paragraph it replaces; a cell that wraps is drawn as the
# lines the Paragraph breaks it into (reportlab draws a string cell's lines a leading apart, as a
# Paragraph draws its lines).
CELL_PADDING = 6  # points: reportlab's left and right padding of a table cell


def one_line(value: str, style: ParagraphStyle, width: float, padding: float = CELL_PADDING) -> bool:
    """Whether `value` is drawn exactly as a Paragraph of `style` would draw it in a cell of
    `width` points (`padding` left and right): printable plain text, spaced as a Paragraph spaces
    it, one line wide."""
    return (
        _plain_spaced(value)
        and pdfmetrics.stringWidth(value, style.fontName, style.fontSize) < width - 2 * padding - 1e-3
    )


def _plain_spaced(value: str) -> bool:
    # no line break, no non-breaking or other odd space; and a Paragraph drops leading, trailing
    # and doubled spaces
    return value.isprintable() and value == " ".join(value.split())


# A cell's lines by (value, style, width, padding): the breakdowns' words recur in every report.
_LINES: dict[tuple, str | None] = {}


def cell_lines(value: str, style: ParagraphStyle, width: float, padding: float = CELL_PADDING) -> str | None:
    """`value` as a plain string cell of `width` points (`padding` left and right) draws it: its
    lines as a Paragraph of `style` breaks them, joined by newlines (one line: the value itself);
    or None when a string would not draw as that Paragraph (odd spaces, a line wider than the cell,
    a style that indents or does not align left)."""
    key = (value, style, width, padding)
    if key in _LINES:
        return _LINES[key]
    if one_line(value, style, width, padding):
        lines: str | None = value
    elif not _plain_spaced(value) or not _draws_as_lines(style):
        lines = None
    else:
        paragraph = Paragraph(escape(value), style)
        paragraph.wrap(width - padding - padding, 1e9)  # as a table measures its cell
        broken = paragraph.blPara
        drawn_alike = broken.kind == 0 and len(paragraph.frags) == 1 and all(extra > -1e-8 for extra, _ in broken.lines)
        lines = "\n".join(" ".join(words) for _, words in broken.lines) if drawn_alike else None
    if len(_LINES) >= _PARSED_MAX:
        _LINES.clear()
    _LINES[key] = lines
    return lines


@cache
def _draws_as_lines(style: ParagraphStyle) -> bool:
    """Whether a Paragraph of this style draws its lines at the cell's left edge, a leading apart,
    as a table draws a string's lines (string_cells places the first line)."""
    return (
        style.alignment == TA_LEFT
        and not style.leftIndent
        and not style.firstLineIndent
        and not style.rightIndent
        and not getattr(style, "autoLeading", "")
        and not getattr(style, "endDots", None)
        and not getattr(style, "backColor", None)
        and _style_breaks_alike(style)
    )


def string_cells(rows: dict[int, tuple[ParagraphStyle, list[int] | None]], top: float, bottom: float) -> list[tuple]:
    """TableStyle commands drawing the plain-string cells of a table as a one-line Paragraph of
    their style with paddings `top` and `bottom` would be drawn. `rows`: row index -> (style,
    the columns holding strings, or None when the whole row does). A Paragraph's first line sits
    as a string is, at its font size below the padding (reportlab's default); were it not, the
    string's padding would move the difference from above to below it (same row height)."""
    runs: list[list] = []  # [first row, last row, style, columns]: whole rows of one style merged
    for i in sorted(rows):
        style, columns = rows[i]
        if columns is None and runs and runs[-1][1] == i - 1 and runs[-1][2] is style and runs[-1][3] is None:
            runs[-1][1] = i
        else:
            runs.append([i, i, style, columns])
    commands = []
    for first, last, style, columns in runs:
        lift = _lift(style)
        for a, b in [((0, first), (-1, last))] if columns is None else [((j, first), (j, last)) for j in columns]:
            commands += [
                ("FONTNAME", a, b, style.fontName),
                ("FONTSIZE", a, b, style.fontSize),
                ("LEADING", a, b, style.leading),
                ("TEXTCOLOR", a, b, style.textColor),
            ]
            if lift:
                commands += [("TOPPADDING", a, b, top - lift), ("BOTTOMPADDING", a, b, bottom + lift)]
    return commands


def _lift(style: ParagraphStyle) -> float:
    """How much higher a Paragraph's first line sits than a string drawn in a table cell: none
    with reportlab's default (rl_config.paraFontSizeHeightOffset: a Paragraph's first baseline is
    its font size below its top, as a cell's string is); else the face's ascent is used."""
    if rl_config.paraFontSizeHeightOffset:
        return 0.0
    return style.fontSize - pdfmetrics.getAscentDescent(style.fontName, style.fontSize)[0]
