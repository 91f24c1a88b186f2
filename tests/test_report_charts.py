"""The PDF's charts (audits.report_charts.Chart) draw their marks straight onto the page: the
same picture and the same words as reportlab.graphics draws from the same marks as shapes. Both
drawn into PDFs, rendered with pdftoppm and compared pixel by pixel, and read back with pypdf."""

from __future__ import annotations

import io
import shutil
import subprocess

import pypdf
import pytest
from PIL import Image, ImageChops
from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.platypus import SimpleDocTemplate

from audits import report_charts
from audits.report_styles import FONT

ROWS = [
    {"label": "People offered a choice of how to take part", "value": 0.734, "ci_lower": 0.706, "ci_upper": 0.76,
     "benchmark": 0.785, "green": 0.9, "amber": 0.75, "higher": True, "rating": "red", "hidden": False},
    {"label": "People waiting more than three weeks, a label long enough to be cut over two lines and more",
     "value": 0.12, "ci_lower": 0.08, "ci_upper": 0.17, "benchmark": None, "green": 0.1, "amber": 0.25,
     "higher": False, "rating": "amber", "hidden": False},
    {"label": "A hidden share", "value": None, "hidden": True, "rating": "withheld", "green": 0.5, "higher": None},
]  # fmt: skip


def _as_shapes(chart: report_charts.Chart) -> Drawing:
    """The same marks as reportlab.graphics shapes, as the charts were drawn before."""
    d = Drawing(chart.width, chart.height, initialFontName=FONT)
    for kind, geometry, stroke, width, dash, fill in chart.marks:
        if kind == "line":
            d.add(Line(*geometry, strokeColor=stroke, strokeWidth=width, strokeDashArray=dash))
        elif kind == "rect":
            d.add(Rect(*geometry, fillColor=fill, strokeColor=stroke, strokeWidth=width))
        elif kind == "polygon":
            d.add(Polygon(list(geometry), fillColor=fill, strokeColor=stroke, strokeWidth=width))
        else:
            x, y, text, size = geometry
            d.add(String(x, y, text, fontName=FONT, fontSize=size, fillColor=fill))
    return d


def _pdf(flowables) -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, invariant=1).build(flowables)
    return out.getvalue()


def _pixels(pdf: bytes, tmp_path, name: str) -> Image.Image:
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", tmp_path / f"{name}.pdf", tmp_path / name], check=True
    )
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_a_chart_and_its_key_draw_as_reportlab_graphics_draws_their_marks(tmp_path):
    chart, key = report_charts.proportion_chart(ROWS), report_charts.legend()
    kinds = {kind for kind, *_ in chart.marks + key.marks}
    assert kinds == {"line", "rect", "polygon", "string"}
    assert any(dash for _, _, _, _, dash, _ in chart.marks)  # the thresholds' dashed and dotted marks
    direct, shapes = _pdf([chart, key]), _pdf([_as_shapes(chart), _as_shapes(key)])
    assert (
        ImageChops.difference(_pixels(direct, tmp_path, "direct"), _pixels(shapes, tmp_path, "shapes")).getbbox()
        is None
    )
    said = [pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text() for pdf in (direct, shapes)]
    assert said[0] == said[1]
    assert "73.4%" in said[0] and "not shown" in said[0] and "benchmark" in said[0] and "50%" in said[0]
