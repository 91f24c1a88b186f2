"""The house's one-way flow, checked: audits never imports the dashboard, and no dashboard page
imports another page (what two pages show lives in a module of its own: pdfs, comments,
over_time, stories_view, data...), so a page can be changed or removed alone."""

from __future__ import annotations

import ast
from pathlib import Path

from dashboard import auth

ROOT = Path(__file__).resolve().parents[1]
PAGES = {Path(p).stem for p in auth.PAGES}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, as dotted names ('dashboard.data', 'audits.report')."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_no_page_imports_another_page():
    crossing = {
        path.name: sorted(m for m in _imports(path) if m.startswith("dashboard.") and m.split(".")[1] in PAGES)
        for path in (ROOT / "dashboard").glob("*.py")
    }
    assert {k: v for k, v in crossing.items() if v} == {}


def test_the_engine_never_imports_the_dashboard():
    upward = {
        str(path.relative_to(ROOT)): sorted(m for m in _imports(path) if m.split(".")[0] in ("dashboard", "app"))
        for path in (ROOT / "audits").rglob("*.py")
    }
    assert {k: v for k, v in upward.items() if v} == {}
