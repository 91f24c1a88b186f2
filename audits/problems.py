"""Problems found in a submission, and the report a data officer can act on.

A data officer fixes a return in a spreadsheet, so every problem names the file,
the line as the spreadsheet shows it (header = line 1), the column and the value.
One mistake made a thousand times is one thing to fix, so repeats are grouped and
counted instead of filling the screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ruamel.yaml.error import MarkedYAMLError

SHOW_LINES = 5  # line numbers shown for a repeated problem before "and N more"
SHOW_VALUES = 3  # distinct values shown for a repeated problem


@dataclass
class Problem:
    """One problem in one cell, row or file."""

    file: str  # "episodes.csv" (or "return.yaml", "workbook.xlsx sheet episodes")
    line: int | None  # spreadsheet line, header = 1; None for a whole-file problem
    column: str | None
    value: str | None
    message: str  # plain English: what is wrong and what was expected / the fix
    blocking: bool  # True: the whole submission is refused

    def text(self) -> str:
        """One line, e.g. "episodes.csv line 9, substance_group: 'heroin' is not one of …"."""
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", {self.column}"
        value = f"{quote(self.value)} " if self.value is not None else ""
        return f"{where}: {value}{self.message}"


@dataclass
class ProblemGroup:
    """The same mistake (same file, column and message) on one or more lines."""

    file: str
    column: str | None
    message: str
    blocking: bool
    lines: list[int]
    values: list[str]  # distinct values, in the order first seen
    count: int

    def text(self) -> str:
        if self.count == 1:
            line = self.lines[0] if self.lines else None
            return Problem(
                self.file, line, self.column, self.values[0] if self.values else None, self.message, self.blocking
            ).text()
        where = self.file + (f", {self.column}" if self.column else "")
        shown = ", ".join(quote(v) for v in self.values[:SHOW_VALUES])
        if len(self.values) > SHOW_VALUES:
            shown += f" and {len(self.values) - SHOW_VALUES:,} other values"
        value = f"{shown} " if self.values else ""
        lines = ""
        if self.lines:
            lines = f" (on {len(self.lines):,} lines: " + ", ".join(f"{n}" for n in self.lines[:SHOW_LINES])
            if len(self.lines) > SHOW_LINES:
                lines += f" … and {len(self.lines) - SHOW_LINES:,} more"
            lines += ")"
        return f"{where}: {value}{self.message}{lines}"


# Put in place of a value that must not be echoed (people's words in stories.csv).
HIDDEN_VALUE = "(a value not shown: it may hold people's words)"


def quote(value: str) -> str:
    """A value as the person typed it; an empty cell is named as such."""
    if value == "":
        return "(empty)"
    if value == HIDDEN_VALUE:
        return value
    text = value if len(value) <= 60 else value[:57] + "…"
    return f"'{text}'"


def group(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """Group problems by (blocking, file, column, message), keeping first-seen order."""
    groups: dict[tuple, ProblemGroup] = {}
    for p in problems:
        key = (p.blocking, p.file, p.column, p.message)
        g = groups.get(key)
        if g is None:
            g = groups[key] = ProblemGroup(p.file, p.column, p.message, p.blocking, [], [], 0)
        g.count += 1
        if p.line is not None:
            g.lines.append(p.line)
        if p.value is not None and p.value not in g.values:
            g.values.append(p.value)
    files: dict[str, int] = {}
    for g in groups.values():
        g.lines.sort()
        files.setdefault(g.file, len(files))
    # Blocking first (those stop the submission loading), then file by file, top to bottom.
    return sorted(groups.values(), key=lambda g: (not g.blocking, files[g.file], g.lines[0] if g.lines else 0))


def report(title: str, problems: list[Problem], verdict: str) -> str:
    """The whole plain-English report for one submission."""
    out = [title, verdict]
    groups = group(problems)
    blocking = [g for g in groups if g.blocking]
    other = [g for g in groups if not g.blocking]
    if blocking:
        out.append(f"Problems that stop it loading ({sum(g.count for g in blocking):,}):")
        out += [f"  ✖ {g.text()}" for g in blocking]
    if other:
        out.append(f"Rows held back or worth a look ({sum(g.count for g in other):,}):")
        out += [f"  ◐ {g.text()}" for g in other]
    return "\n".join(out)


def as_json_ready(problems: list[Problem]) -> list[dict]:
    """Grouped problems as plain dicts, for the store's report_json."""
    return [
        {
            **{k: v for k, v in asdict(g).items() if k not in ("lines", "values")},
            "lines": g.lines[:100],
            "values": g.values[:20],
            "text": g.text(),
        }
        for g in group(problems)
    ]


def yaml_mistake(error: MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """A YAML syntax error as (line, plain words and the fix), for return.yaml, pack.yaml and
    standards files alike. The parser's own words ("mapping values are not allowed here")
    mean nothing to the people who edit these files, so the common slips are named."""
    lines = text.splitlines()
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    source = lines[line - 1] if line and line <= len(lines) else ""
    problem, context = (error.problem or "").strip(), (error.context or "").strip()
    key, _, value = source.strip().removeprefix("- ").partition(":")
    value = value.strip()
    if "'\\t'" in problem or "\t" in source:
        column = source.index("\t") + 1 if "\t" in source else (mark.column + 1 if mark else None)
        return line, (
            f"there is a tab character (at position {column} of the line): these files use "
            "spaces, never tabs. Replace the tab with spaces"
        )
    if "quoted scalar" in context and error.context_mark is not None:
        return error.context_mark.line + 1, (
            "a quote opened on this line is never closed: add the closing quote at the end of the value"
        )
    if "flow sequence" in context and error.context_mark is not None:
        return error.context_mark.line + 1, "a '[' opened on this line is never closed: add ']' at the end of the list"
    if "mapping values are not allowed" in problem:
        if ": " in value or value.endswith(":"):
            shown = value.replace('"', "'")
            return line, (
                f"the value of {key.strip()} has a ': ' in it, so put the whole value in double "
                f'quotes: {key.strip()}: "{shown}"'
            )
        return line, (
            "this line is indented more than the line above: line it up with the other fields "
            "(two spaces for each level, spaces only)"
        )
    if value[:1] in ("'", '"') and "found '<scalar>'" in problem:
        inner = value.strip("'\"").replace('"', "'")
        return line, (
            f"the value of {key.strip()} starts with a quote but goes on after the closing quote. "
            f'Put the whole value in double quotes, with single quotes inside: {key.strip()}: "{inner}"'
        )
    what = problem or context or "it is not valid YAML"
    return line, (
        f"this line could not be read ({what}). Check the indentation (two spaces for each level, "
        "spaces only), that each field is written 'name: value', and that quotes are closed"
    )
