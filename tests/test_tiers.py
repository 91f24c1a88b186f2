"""Every output declares its tier (audits.tiers), so that a new one cannot forget.

The code is read as source (ast): every function that writes a file of results, reads results
to show them, or draws them must carry `@tiers.output(...)` (a private helper may instead be
called only by declared functions of its module). A function declared public must not read exact
figures itself. And the dashboard's choice of tier per viewer is checked for every role.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pandas as pd
import pytest

import audits
import dashboard
from audits import accounts, tiers

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.joinpath("audits").rglob("*.py"), *ROOT.joinpath("dashboard").glob("*.py"), ROOT / "app.py"])

# Calls that make a function an output: (object name or None for any, attribute or function name).
WRITERS = {
    ("csv", "writer"),
    (None, "to_csv"),
    (None, "to_excel"),
    ("openpyxl", "Workbook"),
    ("doc", "build"),
    (None, "multiBuild"),
}
READERS = {
    (None, name)
    for name in (
        "read_results",
        "read_standard_results",
        "public_results",
        "public_standard_ratings",
        "restricted_results",
        "shown_ratings",
        "period_public",
        "published_results",
        "measure_results",
        "standard_results",
        "impact_preview",
    )
} | {("data", "history"), ("data", "standard_history"), ("breakdowns", "read"), ("disclosure_breakdowns", "public")}
DRAWERS = {("go", "Figure"), (None, "Drawing"), ("st", "plotly_chart")}
SINKS = WRITERS | READERS | DRAWERS
# Exact figures: a function declared public never reads them itself, except the protector, which
# reads a run's exact results to work out its public ones.
EXACT = {"read_results", "read_standard_results", "restricted_results", "shown_ratings", "impact_preview"}
EXACT_CALLS = {("breakdowns", "read")}  # exact breakdowns (audits.breakdowns.read)
PROTECTOR = {("disclosure.py", "_computed")}


def _called(node: ast.Call) -> tuple[str | None, str] | None:
    func = node.func
    if isinstance(func, ast.Name):
        return (None, func.id)
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return (owner, func.attr)
    return None


def _is_sink(call: tuple[str | None, str]) -> bool:
    return call in SINKS or (None, call[1]) in SINKS


def _declared(function: ast.FunctionDef) -> str | None:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
            if isinstance(decorator.func.value, ast.Name) and (decorator.func.value.id, decorator.func.attr) == (
                "tiers",
                "output",
            ):
                tier = decorator.args[0]
                return tier.attr if isinstance(tier, ast.Attribute) else "?"
    return None


def _functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            calls = [c for c in (_called(n) for n in ast.walk(node) if isinstance(n, ast.Call)) if c]
            yield node, calls


def _undeclared(paths: list[Path]) -> list[str]:
    missing = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = list(_functions(tree))
        declared = {f.name for f, _ in functions if _declared(f)}
        callers: dict[str, set[str]] = {}
        for f, calls in functions:
            for _, name in calls:
                callers.setdefault(name, set()).add(f.name)
        for f, calls in functions:
            if _declared(f) or not any(_is_sink(c) for c in calls) or f.name == "output":
                continue
            by = callers.get(f.name, set())
            if f.name.startswith("_") and by and by <= declared:
                continue  # a private helper of declared outputs only
            missing.append(f"{path.name}:{f.lineno} {f.name}")
    return missing


@pytest.mark.slow
def test_every_output_declares_its_tier():
    assert _undeclared(SOURCES) == [], "outputs without @tiers.output(...): declare RESTRICTED, PUBLIC or BY_CALLER"


@pytest.mark.slow
def test_a_public_output_never_reads_exact_figures_itself():
    wrong = []
    for path in SOURCES:
        for f, calls in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            if _declared(f) == "PUBLIC" and (path.name, f.name) not in PROTECTOR:
                wrong += [
                    f"{path.relative_to(ROOT)}:{f.lineno} {f.name} calls {name}"
                    for owner, name in calls
                    if name in EXACT or (owner, name) in EXACT_CALLS
                ]
    assert wrong == []


def test_the_finder_finds_an_undeclared_output(tmp_path):
    """The scan is not empty-handed: a new writer of results without a tier is caught, and so
    is a chart builder; a private helper of a declared output is not."""
    bad = tmp_path / "new_output.py"
    bad.write_text(
        "import csv\n"
        "import plotly.graph_objects as go\n"
        "from audits import tiers\n\n"
        "def write_it(path, rows):\n    csv.writer(open(path, 'w')).writerows(rows)\n\n"
        "def chart(df):\n    return go.Figure()\n\n"
        "def _rows(con):\n    return con.read_results()\n\n"
        "@tiers.output(tiers.RESTRICTED, 'x')\ndef declared(con):\n    return _rows(con)\n"
    )
    assert [m.split(" ")[-1] for m in _undeclared([bad])] == ["write_it", "chart"]


@pytest.mark.slow
def test_every_declaration_is_registered_with_a_real_tier():
    for package in (audits, dashboard):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    assert tiers.OUTPUTS, "nothing registered"
    assert {o.tier for o in tiers.OUTPUTS.values()} <= set(tiers.TIERS)
    names = set(tiers.OUTPUTS)
    for expected in (
        "audits.disclosure.public_results",
        "audits.disclosure.period_public",
        "audits.runs.read_results",
        "audits.runs.export_csv",
        "audits.report.build_report",
        "dashboard.data.measure_results",
        "dashboard.charts.funnel",
    ):
        assert expected in names
    assert tiers.OUTPUTS["audits.report.build_report"].tier == tiers.PUBLIC
    assert tiers.OUTPUTS["audits.runs.read_results"].tier == tiers.RESTRICTED
    with pytest.raises(ValueError, match="not a tier"):
        tiers.output("secret", "x")


PROVIDERS = pd.DataFrame(
    {
        "provider_id": ["P001", "P002", "P005"],
        "provider_name": ["A", "B", "C"],
        "area": ["Northshire", "Northshire", "Southvale"],
    }
)


@pytest.mark.parametrize(
    ("account", "restricted", "public"),
    [
        (accounts.Account("a", "A", "auditor", None), None, []),
        (accounts.Account("c", "C", "commissioner", None, ("Northshire",)), ("P001", "P002"), ["P005"]),
        (accounts.Account("c", "C", "commissioner", None, ()), (), ["P001", "P002", "P005"]),
        (accounts.Account("e", "E", "expert_citizen", None), (), ["P001", "P002", "P005"]),
        (accounts.Account("p", "P", "provider", "P002"), ("P002",), ["P001", "P005"]),
    ],
)
def test_each_viewer_sees_exact_figures_only_of_their_own(account, restricted, public):
    from dashboard import viewer

    assert viewer.restricted_providers(account, PROVIDERS) == restricted
    view = viewer.Viewer(account, None, restricted, "db", None)
    assert [p for p in PROVIDERS["provider_id"] if view.tier(p) == tiers.PUBLIC] == public
