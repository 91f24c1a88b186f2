"""docs/design.md is where the next person finds a module's one job: every module is named there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_is_named_in_the_design_doc():
    doc = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`]+)`", doc))
    # a row may name siblings after the first one's folder: `dashboard/a.py`, `b.py`
    names = {n.rsplit("/", 1)[-1] for cell in named for n in re.split(r",\s*", cell)}
    missing = [
        str(f.relative_to(ROOT))
        for folder in ("audits", "audits/commands", "audits/kinds", "dashboard")
        for f in sorted((ROOT / folder).glob("*.py"))
        if f.name != "__init__.py"
        and f.name not in names
        and str(f.relative_to(ROOT)) not in named
        and not any(n.endswith("/*.py") and f.parent == ROOT / n[:-5] for n in named)
    ]
    assert missing == [], f"add a row for each to docs/design.md's table of modules: {missing}"
