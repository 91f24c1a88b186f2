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

from audits import comparison, report_charts
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


def test_the_chart_draws_the_limits_of_the_tables_comparison_at_the_providers_size():
    """Above each bar, the limits the figure was compared with the benchmark by (stats.funnel_limits
    with the row's between_variance): inside the solid line is "similar", outside the dotted one
    "much better" or "much worse", exactly as the table says, on random rows with and without a
    spread between providers."""
    import random

    from audits import stats

    from support.stores import proportion, standard

    measure = standard([proportion("peer_support_offered")]).measures[0]
    rng = random.Random(62)
    for _ in range(5_000):
        n, b, v = rng.randint(1, 2000), rng.uniform(0.02, 0.98), rng.random()
        tau2 = rng.choice([None, 0.0, rng.uniform(0, 0.02)])
        row = {"value": v, "denominator_rows": n, "benchmark": b, "between_variance": tau2, "rating": "red"}
        row["comparison"] = stats.compare(v, n, b, True, tau2=tau2)
        (low95, high95), (low998, high998) = comparison.limits(measure, row)
        assert (row["comparison"] == "similar") == (low95 <= v <= high95)
        assert (row["comparison"] in ("best", "worst")) == (not low998 <= v <= high998)
    # drawn: the 95% limits as a solid line with ends, the 99.8% ones dotted beyond them
    row = {**ROWS[0], "denominator_rows": 75, "between_variance": 0.0089, "comparison": "worse"}
    row["limits"] = comparison.limits(measure, row)
    chart = report_charts.proportion_chart([row])
    x = lambda v: report_charts.LABEL_WIDTH + report_charts.TRACK_WIDTH * max(0.0, min(1.0, v))  # noqa: E731
    (low95, high95), (low998, high998) = row["limits"]
    lines = [g for kind, g, stroke, _, dash, _ in chart.marks if kind == "line" and stroke == report_charts.LIMITS]
    assert (pytest.approx(x(low95)), pytest.approx(x(high95))) in [(g[0], g[2]) for g in lines]
    assert (pytest.approx(x(low998)), pytest.approx(x(high998))) in [(g[0], g[2]) for g in lines]
    # not compared (hidden, not rated, no benchmark): nothing drawn
    for other in ({"comparison": "not_compared"}, {"hidden": "all"}, {"benchmark": None}):
        assert comparison.limits(measure, {**row, **other}) is None
    said = pypdf.PdfReader(io.BytesIO(_pdf([report_charts.legend(True)]))).pages[0].extract_text()
    assert "limits at this provider's size, allowing for the usual spread between providers" in said
