"""The small chart beside each standard's figures, drawn with reportlab.graphics.

Native drawing builds in milliseconds and needs no browser. Each proportion is a
bar on a 0–100% track in the rating's colour, with its 95% interval as a line,
the Met threshold as a dashed mark, the Partly met threshold as a dotted one, the Met and
Partly met bands as a tinted strip under the track (as the dashboard draws them), and the
benchmark as a diamond, with above it the limits the figure was compared with the benchmark
by at the provider's size (the funnel plot's, allowing for the usual spread between providers
where the comparison did). A measure whose
figure is not shown (audits.disclosure) keeps its row: a grey hatched track marked with
an asterisk, never a missing row. The same figures are in the table above the chart,
so nothing is said by the chart alone, and never by colour alone.
"""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from audits import ratings, tiers, words
from audits.report_styles import FONT, MUTED, RULE, register_fonts
from audits.stats import is_missing

ROW = 24
LABEL_WIDTH = 150
TRACK_WIDTH = 270


class Chart(Flowable):
    """A chart's marks (lines, rectangles, diamonds and words), drawn straight onto the page.

    reportlab.graphics would build a checked shape object for every mark and draw each through its
    renderer's state stack: for the ~18 charts and keys of a national report that was a seventh of
    drawing it. The marks are the same, drawn in the same order with the same strokes, fills, dashes
    and fonts, each in its own saved graphics state as the renderer draws them."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.width, self.height = width, height
        self.marks: list[tuple] = []  # (kind, geometry, stroke colour, stroke width, dash, fill colour)

    def line(self, x1, y1, x2, y2, stroke=colors.black, width: float = 1, dash=None) -> None:
        self.marks.append(("line", (x1, y1, x2, y2), stroke, width, dash, None))

    def rect(self, x, y, w, h, fill=None, stroke=None, width: float = 1) -> None:
        self.marks.append(("rect", (x, y, w, h), stroke, width, None, fill))

    def polygon(self, points: list[float], fill=None, stroke=None, width: float = 1) -> None:
        self.marks.append(("polygon", tuple(points), stroke, width, None, fill))

    def string(self, x, y, text: str, size: float, fill=colors.black, anchor: str = "start") -> None:
        """Words at (x, y): their start, middle or end there, as reportlab's String's textAnchor."""
        if anchor != "start":
            shift = stringWidth(text, FONT, size)
            x -= shift if anchor == "end" else shift * 0.5
        self.marks.append(("string", (x, y, text, size), None, 1, None, fill))

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        for kind, geometry, stroke, width, dash, fill in self.marks:
            canv.saveState()
            if stroke is not None:
                canv.setStrokeColor(stroke)
                canv.setLineWidth(width)
                if dash:
                    canv.setDash(dash, 0)
            if fill is not None:
                canv.setFillColor(fill)
            if kind == "line":
                canv.line(*geometry)
            elif kind == "rect":
                canv.rect(*geometry, stroke=int(stroke is not None), fill=int(fill is not None))
            elif kind == "polygon":
                path = canv.beginPath()
                path.moveTo(geometry[0], geometry[1])
                for i in range(2, len(geometry), 2):
                    path.lineTo(geometry[i], geometry[i + 1])
                path.close()
                canv.drawPath(path, stroke=int(stroke is not None), fill=int(fill is not None))
            else:
                x, y, text, size = geometry
                canv.setFont(FONT, size)
                canv.drawString(x, y, text)
            canv.restoreState()


@tiers.output(tiers.PUBLIC, "the PDF's chart of a standard's shares")
def proportion_chart(rows: list[dict], width: float = LABEL_WIDTH + TRACK_WIDTH + 40) -> Chart | None:
    """rows: dicts with label, value, ci_lower, ci_upper, benchmark, green and amber (fractions
    or None), limits (((95% low, high), (99.8% low, high)) of the comparison, or None), higher (True when higher is better, False lower, None neither), rating and hidden (True when disclosure control hid the figure). None when there
    is nothing to draw."""
    rows = [r for r in rows if not is_missing(r.get("value")) or r.get("hidden")]
    if not rows:
        return None
    register_fonts()
    height = ROW * len(rows) + 30
    d = Chart(width, height)
    x0 = LABEL_WIDTH
    axis_y = 16

    def x(fraction: float) -> float:
        return x0 + TRACK_WIDTH * max(0.0, min(1.0, fraction))

    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        d.line(x(tick), axis_y, x(tick), height - 4, stroke=RULE, width=0.4)
        d.string(x(tick), 5, f"{tick:.0%}", size=6.5, fill=MUTED, anchor="middle")
    for i, row in enumerate(rows):
        y = height - 8 - ROW * (i + 1) + 6
        look = ratings.look(row["rating"])
        lines = simpleSplit(row["label"], FONT, 7, LABEL_WIDTH - 10)
        if len(lines) > 2:
            lines = [lines[0], lines[1].rstrip(" ,") + "…"]
        for j, line in enumerate(lines):
            d.string(x0 - 6, y + 4 + (len(lines) - 1) * 4 - j * 8, line, size=7, anchor="end")
        d.rect(x0, y, TRACK_WIDTH, 11, fill=colors.HexColor("#f2f2f2"), stroke=None)
        _bands(d, row, x, y)
        if row.get("hidden"):
            _hidden_track(d, x0, y)
            continue
        d.rect(
            x0,
            y,
            x(row["value"]) - x0,
            11,
            fill=colors.HexColor(look.background),
            stroke=colors.HexColor(look.colour),
            width=0.8,
        )
        if not is_missing(row.get("ci_lower")) and not is_missing(row.get("ci_upper")):
            d.line(x(row["ci_lower"]), y + 5.5, x(row["ci_upper"]), y + 5.5, stroke=colors.black, width=1)
            for end in (row["ci_lower"], row["ci_upper"]):
                d.line(x(end), y + 2.5, x(end), y + 8.5, stroke=colors.black, width=1)
        for threshold, dash in (("green", [2, 1.5]), ("amber", [0.8, 1.2])):  # Met dashed, Partly met dotted
            if not is_missing(row.get(threshold)):
                d.line(x(row[threshold]), y - 2, x(row[threshold]), y + 13, stroke=colors.black, width=1, dash=dash)
        _limits(d, row, x, y)
        if not is_missing(row.get("benchmark")):
            bx, by = x(row["benchmark"]), y + 5.5
            d.polygon(
                [bx, by + 4, bx + 4, by, bx, by - 4, bx - 4, by],
                fill=colors.white,
                stroke=colors.black,
                width=0.8,
            )
        d.string(x0 + TRACK_WIDTH + 4, y + 3, f"{words.percent(row['value'])} {look.symbol}", size=7)
    return d


LIMITS = colors.HexColor("#555555")


def _limits(d: Chart, row: dict, x, y: float) -> None:
    """The limits the figure was compared with the benchmark by, at this provider's size (the
    funnel plot's at that size: stats.funnel_limits, with the spread between providers the
    comparison allowed for), above the track: the 95% limits a solid line with ends, the 99.8%
    ones dotted beyond them. A figure outside the solid line is better or worse, outside the
    dotted one much better or much worse, exactly as the table beside it says."""
    limits = row.get("limits")
    if not limits or row.get("hidden"):
        return
    (low95, high95), (low998, high998) = limits
    level = y + 16
    d.line(x(low998), level, x(high998), level, stroke=LIMITS, width=0.6, dash=[0.8, 1.2])
    d.line(x(low95), level, x(high95), level, stroke=LIMITS, width=1)
    for end in (low95, high95):
        d.line(x(end), level - 2, x(end), level + 2, stroke=LIMITS, width=1)


def _bands(d: Chart, row: dict, x, y: float) -> None:
    """The Met and Partly met bands as a strip in their tint under the track: where on the
    scale each rating starts (the dashed and dotted marks say it without colour)."""
    green, amber, higher = row.get("green"), row.get("amber"), row.get("higher")
    if is_missing(green) or higher is None:
        return
    spans = [("green", (green, 1.0) if higher else (0.0, green))]
    if not is_missing(amber):
        spans.append(("amber", (amber, green) if higher else (green, amber)))
    for rating, (low, high) in spans:
        if high > low:
            look = ratings.look(rating)
            d.rect(
                x(low),
                y - 3.5,
                x(high) - x(low),
                2.5,
                fill=colors.HexColor(look.colour),
                stroke=None,
            )


def _hidden_track(d: Chart, x0: float, y: float) -> None:
    """A figure not shown: the track hatched in grey, and the asterisk of a hidden figure."""
    grey = colors.HexColor("#8a8a8a")
    for k in range(0, TRACK_WIDTH, 8):
        d.line(x0 + k, y, x0 + min(k + 11, TRACK_WIDTH), y + 11, stroke=grey, width=0.5)
    d.rect(x0, y, TRACK_WIDTH, 11, fill=None, stroke=grey, width=0.6)
    d.string(x0 + TRACK_WIDTH + 4, y + 3, words.NOT_SHOWN.lower(), size=7)


@tiers.output(tiers.PUBLIC, "the key to the PDF's charts")
@cache
def legend(spread: bool | None = None) -> Chart:
    """Key to the marks, beside each chart: drawn once per process for each key (it never
    changes) and placed again in every report. `spread`: the chart draws the limits of the
    comparison with the benchmark (None: it does not), and whether they allow for the usual
    spread between providers, said on a second line."""
    register_fonts()
    d = Chart(LABEL_WIDTH + TRACK_WIDTH + 40, 16 if spread is None else 30)
    if spread is not None:
        d.line(2, 22, 20, 22, stroke=LIMITS, width=1)
        for end in (2, 20):
            d.line(end, 20, end, 24, stroke=LIMITS, width=1)
        d.line(20, 22, 32, 22, stroke=LIMITS, width=0.6, dash=[0.8, 1.2])
        said = f", {words.SPREAD}" if spread else ""
        d.string(36, 19, f"the benchmark's 95% (and, dotted, 99.8%) limits at this provider's size{said}", size=7)
    x = 0
    d.line(x, 8, x + 18, 8, stroke=colors.black, width=1)
    d.string(x + 22, 5, "95% interval", size=7)
    x += 80
    d.line(x + 6, 2, x + 6, 14, stroke=colors.black, width=1, dash=[2, 1.5])
    d.rect(x + 6, 0, 14, 2.5, fill=colors.HexColor(ratings.look("green").colour), stroke=None)
    d.string(x + 24, 5, f"{ratings.look('green').label} from here", size=7)
    x += 85
    d.line(x + 6, 2, x + 6, 14, stroke=colors.black, width=1, dash=[0.8, 1.2])
    d.rect(x + 6, 0, 14, 2.5, fill=colors.HexColor(ratings.look("amber").colour), stroke=None)
    d.string(x + 24, 5, f"{ratings.look('amber').label} from here", size=7)
    x += 118
    d.polygon(
        [x + 6, 12, x + 10, 8, x + 6, 4, x + 2, 8],
        fill=colors.white,
        stroke=colors.black,
        width=0.8,
    )
    d.string(x + 14, 5, "benchmark", size=7)
    x += 70
    grey = colors.HexColor("#8a8a8a")
    for k in (0, 6, 12):
        d.line(x + k, 3, x + k + 6, 13, stroke=grey, width=0.5)
    d.rect(x, 3, 18, 10, fill=None, stroke=grey, width=0.6)
    d.string(x + 22, 5, f"figure {words.NOT_SHOWN.lower()}", size=7)
    return d
