"""The small chart beside each standard's figures, drawn with reportlab.graphics.

Native drawing builds in milliseconds and needs no browser. Each proportion is a
bar on a 0–100% track in the rating's colour, with its 95% interval as a line,
the Met threshold as a dashed mark, the Partly met threshold as a dotted one, the Met and
Partly met bands as a tinted strip under the track (as the dashboard draws them), and the
benchmark as a diamond. A measure whose
figure is not shown (audits.disclosure) keeps its row: a grey hatched track marked with
an asterisk, never a missing row. The same figures are in the table above the chart,
so nothing is said by the chart alone, and never by colour alone.
"""

from __future__ import annotations

from functools import cache

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit

from audits import ratings, tiers, words
from audits.report_styles import FONT, MUTED, RULE, register_fonts
from audits.stats import is_missing

ROW = 24
LABEL_WIDTH = 150
TRACK_WIDTH = 270


@tiers.output(tiers.PUBLIC, "the PDF's chart of a standard's shares")
def proportion_chart(rows: list[dict], width: float = LABEL_WIDTH + TRACK_WIDTH + 40) -> Drawing | None:
    """rows: dicts with label, value, ci_lower, ci_upper, benchmark, green and amber (fractions
    or None), higher (True when higher is better, False lower, None neither), rating and hidden (True when disclosure control hid the figure). None when there
    is nothing to draw."""
    rows = [r for r in rows if not is_missing(r.get("value")) or r.get("hidden")]
    if not rows:
        return None
    register_fonts()
    height = ROW * len(rows) + 30
    d = Drawing(width, height, initialFontName=FONT)
    x0 = LABEL_WIDTH
    axis_y = 16

    def x(fraction: float) -> float:
        return x0 + TRACK_WIDTH * max(0.0, min(1.0, fraction))

    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        d.add(Line(x(tick), axis_y, x(tick), height - 4, strokeColor=RULE, strokeWidth=0.4))
        d.add(String(x(tick), 5, f"{tick:.0%}", fontName=FONT, fontSize=6.5, fillColor=MUTED, textAnchor="middle"))
    for i, row in enumerate(rows):
        y = height - 8 - ROW * (i + 1) + 6
        look = ratings.look(row["rating"])
        lines = simpleSplit(row["label"], FONT, 7, LABEL_WIDTH - 10)
        if len(lines) > 2:
            lines = [lines[0], lines[1].rstrip(" ,") + "…"]
        for j, line in enumerate(lines):
            d.add(
                String(x0 - 6, y + 4 + (len(lines) - 1) * 4 - j * 8, line, fontName=FONT, fontSize=7, textAnchor="end")
            )
        d.add(Rect(x0, y, TRACK_WIDTH, 11, fillColor=colors.HexColor("#f2f2f2"), strokeColor=None))
        _bands(d, row, x, y)
        if row.get("hidden"):
            _hidden_track(d, x0, y)
            continue
        d.add(
            Rect(
                x0,
                y,
                x(row["value"]) - x0,
                11,
                fillColor=colors.HexColor(look.background),
                strokeColor=colors.HexColor(look.colour),
                strokeWidth=0.8,
            )
        )
        if not is_missing(row.get("ci_lower")) and not is_missing(row.get("ci_upper")):
            d.add(
                Line(x(row["ci_lower"]), y + 5.5, x(row["ci_upper"]), y + 5.5, strokeColor=colors.black, strokeWidth=1)
            )
            for end in (row["ci_lower"], row["ci_upper"]):
                d.add(Line(x(end), y + 2.5, x(end), y + 8.5, strokeColor=colors.black, strokeWidth=1))
        if not is_missing(row.get("green")):
            d.add(
                Line(
                    x(row["green"]),
                    y - 2,
                    x(row["green"]),
                    y + 13,
                    strokeColor=colors.black,
                    strokeWidth=1,
                    strokeDashArray=[2, 1.5],
                )
            )
        if not is_missing(row.get("amber")):
            d.add(
                Line(
                    x(row["amber"]),
                    y - 2,
                    x(row["amber"]),
                    y + 13,
                    strokeColor=colors.black,
                    strokeWidth=1,
                    strokeDashArray=[0.8, 1.2],
                )
            )
        if not is_missing(row.get("benchmark")):
            bx, by = x(row["benchmark"]), y + 5.5
            d.add(
                Polygon(
                    [bx, by + 4, bx + 4, by, bx, by - 4, bx - 4, by],
                    fillColor=colors.white,
                    strokeColor=colors.black,
                    strokeWidth=0.8,
                )
            )
        d.add(
            String(
                x0 + TRACK_WIDTH + 4, y + 3, f"{words.percent(row['value'])} {look.symbol}", fontName=FONT, fontSize=7
            )
        )
    return d


def _bands(d: Drawing, row: dict, x, y: float) -> None:
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
            d.add(
                Rect(
                    x(low),
                    y - 3.5,
                    x(high) - x(low),
                    2.5,
                    fillColor=colors.HexColor(look.colour),
                    strokeColor=None,
                )
            )


def _hidden_track(d: Drawing, x0: float, y: float) -> None:
    """A figure not shown: the track hatched in grey, and the asterisk of a hidden figure."""
    grey = colors.HexColor("#8a8a8a")
    for k in range(0, TRACK_WIDTH, 8):
        d.add(Line(x0 + k, y, x0 + min(k + 11, TRACK_WIDTH), y + 11, strokeColor=grey, strokeWidth=0.5))
    d.add(Rect(x0, y, TRACK_WIDTH, 11, fillColor=None, strokeColor=grey, strokeWidth=0.6))
    d.add(String(x0 + TRACK_WIDTH + 4, y + 3, words.NOT_SHOWN.lower(), fontName=FONT, fontSize=7))


@tiers.output(tiers.PUBLIC, "the key to the PDF's charts")
@cache
def legend() -> Drawing:
    """Key to the marks, beside each chart: drawn once per process (it never changes) and
    placed again in every report."""
    register_fonts()
    d = Drawing(LABEL_WIDTH + TRACK_WIDTH + 40, 16, initialFontName=FONT)
    x = 0
    d.add(Line(x, 8, x + 18, 8, strokeColor=colors.black, strokeWidth=1))
    d.add(String(x + 22, 5, "95% interval", fontName=FONT, fontSize=7))
    x += 80
    d.add(Line(x + 6, 2, x + 6, 14, strokeColor=colors.black, strokeWidth=1, strokeDashArray=[2, 1.5]))
    d.add(Rect(x + 6, 0, 14, 2.5, fillColor=colors.HexColor(ratings.look("green").colour), strokeColor=None))
    d.add(String(x + 24, 5, f"{ratings.look('green').label} from here", fontName=FONT, fontSize=7))
    x += 85
    d.add(Line(x + 6, 2, x + 6, 14, strokeColor=colors.black, strokeWidth=1, strokeDashArray=[0.8, 1.2]))
    d.add(Rect(x + 6, 0, 14, 2.5, fillColor=colors.HexColor(ratings.look("amber").colour), strokeColor=None))
    d.add(String(x + 24, 5, f"{ratings.look('amber').label} from here", fontName=FONT, fontSize=7))
    x += 118
    d.add(
        Polygon(
            [x + 6, 12, x + 10, 8, x + 6, 4, x + 2, 8],
            fillColor=colors.white,
            strokeColor=colors.black,
            strokeWidth=0.8,
        )
    )
    d.add(String(x + 14, 5, "benchmark", fontName=FONT, fontSize=7))
    x += 70
    grey = colors.HexColor("#8a8a8a")
    for k in (0, 6, 12):
        d.add(Line(x + k, 3, x + k + 6, 13, strokeColor=grey, strokeWidth=0.5))
    d.add(Rect(x, 3, 18, 10, fillColor=None, strokeColor=grey, strokeWidth=0.6))
    d.add(String(x + 22, 5, f"figure {words.NOT_SHOWN.lower()}", fontName=FONT, fontSize=7))
    return d
