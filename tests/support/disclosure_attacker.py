"""An attacker against everything Lived Standards publishes, written apart from the protector.

It knows what anyone can know: the public outputs (the public CSV, the PDFs' text, the chart data
and tables the dashboard sends a public-tier viewer, every public version of a quarter), the
standards files (who each measure counts, thresholds, minimum counts), the specification's codes,
and the documented rules (a share is numerator / denominator; Wilson intervals; a count of 1-4
people is hidden "because it would reveal fewer than 5 people", other figures "so that a small
count cannot be worked out"). It never imports audits.disclosure or audits.populations.

For each provider's quarter it gives every count it cannot see a set of possible values, narrows
the sets by every public constraint until nothing changes (a figure rounded as printed, an
interval, a rating band, a minimum count, one group of people inside another, numerator +
complement = denominator), and reports every count of 1-4 people, and every difference between
nested groups of 1-4, that is left with one possible value. Which groups lie inside which it
finds by brute force: conditions tried on every combination of codes, yes/no values and dates
around the quarter, in DuckDB (a different method from the protector's).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import duckdb

from audits import spec, stats
from audits.expressions import compile_expression
from audits.kinds import kind_of
from audits.standard_model import Measure, Standard

SMALL = range(1, 5)
RATINGS = {"green", "amber", "red", "no_data"}
# public rating words -> the engine ratings they leave possible
RATING_WORDS = {
    "Met (provisional)": {"green"},
    "Met or partly met *": {"green", "amber"},
    "Partly met or not met *": {"amber", "red"},
    "Rating not shown *": set(RATINGS),
    "Partly met": {"amber"},
    "Not met": {"red"},
    "Too few to tell": {"no_data"},
    "Met": {"green"},
}
RATING_KEYS = {
    "green": {"green"},
    "amber": {"amber"},
    "red": {"red"},
    "no_data": {"no_data"},
    "provisional": {"green"},
    "green_amber": {"green", "amber"},
    "amber_red": {"amber", "red"},
    "withheld": set(RATINGS),
    "": set(RATINGS),
}


# --------------------------------------------------------------------------- what is public


def around(text_or_value) -> tuple[float, float] | None:
    """The interval a printed number stands for: '72.5' is 72.45 to 72.55. A float from JSON
    stands for itself to the digits of its shortest form."""
    if text_or_value is None:
        return None
    if isinstance(text_or_value, float) and math.isnan(text_or_value):
        return None
    text = text_or_value if isinstance(text_or_value, str) else repr(float(text_or_value))
    text = text.replace(",", "").strip()
    if not text:
        return None
    if "e" in text.lower():
        v = float(text)
        return (v - abs(v) * 1e-12, v + abs(v) * 1e-12)
    v = float(text)
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10**-decimals
    return (v - half - 1e-12, v + half + 1e-12)


@dataclass
class Cell:
    """What the public outputs say of one provider's measure in one version."""

    n: int | None = None  # the numerator, a count of people, when shown
    d: int | None = None
    values: list[tuple[float, float]] = field(default_factory=list)  # the share lies in each
    lows: list[tuple[float, float]] = field(default_factory=list)  # the 95% interval's lower end
    highs: list[tuple[float, float]] = field(default_factory=list)
    ratings: set[str] = field(default_factory=lambda: set(RATINGS))
    hidden: str | None = None  # '', 'numerator', 'all' when an output says so
    reason: str | None = None  # 'small' (1-4 people) or 'secondary'
    comparison: str | None = None  # with the public benchmark, if said of a hidden figure
    sources: set[str] = field(default_factory=set)


@dataclass
class Knowledge:
    standards: dict[str, list[Standard]]  # version -> standards as audited
    names: dict[str, str]  # provider name -> id
    cells: dict[tuple[str, str, str, str], Cell] = field(default_factory=dict)  # (version, provider, std, measure)
    benchmarks: dict[tuple[str, str, str], list[tuple[tuple[float, float], str]]] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)  # what the outputs give away outright

    def cell(self, version: str, provider: str, standard: str, measure: str, source: str) -> Cell:
        c = self.cells.setdefault((version, provider, standard, measure), Cell())
        c.sources.add(source)
        return c

    def measure(self, version: str, standard: str, measure: str) -> Measure:
        for s in self.standards[version]:
            if s.id == standard:
                return next(m for m in s.measures if m.id == measure)
        raise KeyError((standard, measure))


def _set(cell: Cell, attr: str, value, source: str, knowledge: Knowledge, key) -> None:
    old = getattr(cell, attr)
    if old is not None and value is not None and old != value:
        knowledge.findings.append(
            {"what": f"two public outputs disagree on {attr}", "key": key, "values": (old, value)}
        )
    if value is not None:
        setattr(cell, attr, value)


def read_csv_rows(rows: list[dict], version: str, knowledge: Knowledge, source: str = "csv") -> None:
    """The public CSV (columns of the specification)."""
    for r in rows:
        m = knowledge.measure(version, r["standard_id"], r["measure_id"])
        key = (version, r["provider_id"], r["standard_id"], r["measure_id"])
        c = knowledge.cell(*key, source)
        counts = not m.weight
        if r["numerator"] and counts and kind_of(m).value_from_counts:
            _set(c, "n", round(float(r["numerator"])), source, knowledge, key)
        if r["denominator"] and counts:
            _set(c, "d", round(float(r["denominator"])), source, knowledge, key)
        if r["value"]:
            c.values.append(around(r["value"]))
        if r["ci_lower"]:
            c.lows.append(around(r["ci_lower"]))
            c.highs.append(around(r["ci_upper"]))
        c.ratings &= RATING_KEYS[r["rating"]]
        if not r["denominator"] and spec.TABLES[m.table].counts_people:
            _set(c, "hidden", "all", source, knowledge, key)
        elif not r["numerator"] and kind_of(m).value_from_counts and spec.TABLES[m.table].counts_people:
            _set(c, "hidden", "numerator", source, knowledge, key)


_RATING = re.compile("|".join(re.escape(w) for w in sorted(RATING_WORDS, key=len, reverse=True)))
_UNIT = r"(?:staff \(full-time equivalent\)|[a-z]+)"
_FIGURE = re.compile(rf"(?P<v>[\d.,]+)% \((?P<n>[\d.,]+) of (?P<d>[\d.,]+) {_UNIT}\)")
_RATE = re.compile(rf"(?P<v>[\d.,]+) per 1,000 \((?P<n>[\d.,]+) of (?P<d>[\d.,]+) {_UNIT}\)")
_MEDIAN = re.compile(r"(?P<v>[\d.,]+) \(median over (?P<d>[\d,]+) (?:people|person|contacts|staff)\)")
_HIDDEN = re.compile(
    r"Not shown\*: (?P<why>.*?)(?: \(out of (?P<d>[\d.,]+) (?:staff \(full-time equivalent\)|[a-z ()]+?)\))?(?= \S+%| –|$)"
)
_INTERVAL = re.compile(r"(?P<lo>[\d.]+)% to (?P<hi>[\d.]+)%")
_PER_INTERVAL = re.compile(r"(?P<lo>[\d.,]+) per 1,000 to (?P<hi>[\d.,]+) per 1,000")


def read_figure_words(text: str, cell: Cell, m: Measure, knowledge: Knowledge, key, source: str) -> None:
    """A figure as the PDF and the dashboard word it ('72.5% (29 of 40 people)', 'Not shown*:
    it would reveal fewer than 5 people (out of 99 people)'), its interval and its rating."""
    text = " ".join(text.split())
    if "Not shown*" in text:
        hit = _HIDDEN.search(text)
        why = hit.group("why") if hit else text
        _set(cell, "reason", "small" if "fewer than 5 people" in why else "secondary", source, knowledge, key)
        d = hit.group("d") if hit else None
        _set(cell, "hidden", "numerator" if d else "all", source, knowledge, key)
        if d and not m.weight:
            _set(cell, "d", round(float(d.replace(",", ""))), source, knowledge, key)
    else:
        for pattern in (_FIGURE, _RATE):
            hit = pattern.search(text)
            if hit and not m.weight:
                _set(cell, "n", round(float(hit.group("n").replace(",", ""))), source, knowledge, key)
                _set(cell, "d", round(float(hit.group("d").replace(",", ""))), source, knowledge, key)
                lo, hi = around(hit.group("v"))
                scale = 100 if pattern is _FIGURE else 1
                cell.values.append((lo / scale, hi / scale))
                break
        hit = _MEDIAN.search(text)
        if hit:
            _set(cell, "d", int(hit.group("d").replace(",", "")), source, knowledge, key)
    for pattern, scale in ((_INTERVAL, 100), (_PER_INTERVAL, 1)):
        hit = pattern.search(text)
        if hit and not m.weight:
            lo, hi = around(hit.group("lo")), around(hit.group("hi"))
            cell.lows.append((lo[0] / scale, lo[1] / scale))
            cell.highs.append((hi[0] / scale, hi[1] / scale))
    # the rating is the last rating words of the row (the thresholds before it name ratings too)
    said = list(_RATING.finditer(text))
    if said:
        cell.ratings &= RATING_WORDS[said[-1].group(0)]


def read_pdf_text(text: str, provider: str, version: str, knowledge: Knowledge) -> None:
    """One provider's audit PDF, as pypdf reads it: each standard's table of figures."""
    flat = " ".join(text.split())
    standards = knowledge.standards[version]
    starts = []
    for s in standards:
        at = flat.find(f"Standard {s.id}, version")
        if at >= 0:
            starts.append((at, s))
    starts.sort(key=lambda x: x[0])
    for k, (at, s) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(flat)
        section = flat[at:end]
        table_at = section.find("The figures Measure Figure")
        if table_at < 0:
            continue
        table = section[table_at:]
        # what follows a table: the notes on uncertain ratings ('<label> — Met on the figures, but ...'),
        # the chart's axis, the key, the stories
        ends = (
            "What people told us",
            " 0% 25% 50%",
            "Figures marked * are not shown",
            " — ",
            "By sex, age and ethnic group",
        )
        stop = min(x for x in [*(table.find(e) for e in ends), len(table)] if x >= 0)
        table = table[:stop]
        labels = [(table.find(" ".join(m.label.split())), m) for m in s.measures]
        labels = sorted((a, m) for a, m in labels if a >= 0)
        for j, (a, m) in enumerate(labels):
            b = labels[j + 1][0] if j + 1 < len(labels) else len(table)
            key = (version, provider, s.id, m.id)
            cell = knowledge.cell(*key, "pdf")
            row = table[a + len(" ".join(m.label.split())) : b]
            read_figure_words(row, cell, m, knowledge, key, "pdf")
            read_benchmark_words(row, m, version, s.id, knowledge)


def read_benchmark_words(row: str, m: Measure, version: str, standard: str, knowledge: Knowledge) -> None:
    """The benchmark a PDF row prints: the first share after the figure and the interval."""
    if not kind_of(m).percent:
        return
    from audits import words

    rest = _INTERVAL.sub(" ", _FIGURE.sub(" ", row.replace(" ".join(words.thresholds(m).split()), " ")))
    hit = re.search(r"(?<![\d.])(\d+\.\d)%", rest)
    if hit:
        lo, hi = around(hit.group(1))
        knowledge.benchmarks.setdefault((version, standard, m.id), []).append(((lo / 100, hi / 100), "pdf"))


def values(array) -> list:
    """A plotly array as the browser gets it: a list, or typed binary ({'dtype', 'bdata'})."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array or [])


def read_chart(spec_json: dict, version: str, standard: str, measure: str, knowledge: Knowledge) -> None:
    """A plotly figure the dashboard sent: every provider's point (size and share) and the
    benchmark (a trace, or the words on its line, drawn at that same rounded value), with the precision the JSON carries. A point's
    provider is named in its hover data (customdata) or its text."""
    m = knowledge.measure(version, standard, measure)
    layout = spec_json.get("layout", {})
    for note in layout.get("annotations", []):
        found = re.search(r"Benchmark ([0-9.]+)(%?)", str(note.get("text", "")))
        if found:
            lo, hi = around(found.group(1))
            scale = 100 if found.group(2) else 1
            knowledge.benchmarks.setdefault((version, standard, measure), []).append(
                ((lo / scale, hi / scale), "chart")
            )
    for trace in spec_json.get("data", []):
        name = trace.get("name") or ""
        xs, ys, texts = values(trace.get("x")), values(trace.get("y")), values(trace.get("text"))
        if name.startswith("Benchmark"):
            for y in ys[:1]:
                knowledge.benchmarks.setdefault((version, standard, measure), []).append((around(float(y)), "chart"))
            continue
        if "markers" not in (trace.get("mode") or ""):
            continue
        hover = values(trace.get("customdata"))
        labels = [h[0] if isinstance(h, (list, tuple)) and h else None for h in hover] or texts
        for x, y, label in zip(xs, ys, labels):
            provider = knowledge.names.get(html.unescape(str(label)).split("<br>")[0].strip()) if label else None
            if provider is None or y is None:
                continue
            key = (version, provider, standard, measure)
            cell = knowledge.cell(*key, "chart")
            if isinstance(x, (int, float)) and not m.weight:
                _set(cell, "d", round(float(x)), "chart", knowledge, key)
            cell.values.append(around(float(y)))


# --------------------------------------------------------------------------- groups of people


_VALUES = {
    spec.BOOLEAN: [True, False, None],
    spec.INTEGER: [None, 0, 1, 2, 3],
    spec.NUMBER: [None, 0.5, 1.0],
    spec.TEXT: [None, "a", "a service user b"],
}


def _dates(period: str) -> list:
    start, end = spec.parse_period(period)
    days = (-800, -731, -730, -200, -1, 0, 1, 2, 3, 4, 30)
    return [None] + [start + dt.timedelta(days=k) for k in days] + [end - dt.timedelta(days=k) for k in (4, 3, 2, 1, 0)]


def conditions(m: Measure) -> dict[str, list[tuple[str, bool]]]:
    """role -> (condition text, negated): who the measure counts, as the standards format says."""
    where = [(m.where, False)] if m.where else []
    if m.count_if:
        return {
            "denominator": where,
            "numerator": where + [(m.count_if, False)],
            "complement": where + [(m.count_if, True)],
        }
    if m.value:
        return {"denominator": where + [(f"({m.value}) is not null", False)]}
    return {"denominator": [], "numerator": where, "complement": [(m.where, True)] if m.where else [("false", False)]}


class Nesting:
    """Which groups lie inside which, found by trying the conditions on synthetic rows."""

    def __init__(self, period: str):
        self.period = period
        self.con = duckdb.connect()
        self.cache: dict = {}

    def _sql(self, table: str, conds: list[tuple[str, bool]]) -> str:
        key = ("sql", table, tuple(conds))
        if key not in self.cache:
            self.cache[key] = self._compile(table, conds)
        return self.cache[key]

    def _compile(self, table: str, conds: list[tuple[str, bool]]) -> str:
        parts = []
        for text, negated in conds:
            sql = "false" if text == "false" else compile_expression(text, table, expect="condition")
            inner = f"coalesce({sql}, false)"
            parts.append(f"NOT {inner}" if negated else inner)
        return " AND ".join(parts) or "true"

    def inside(self, table: str, a: list[tuple[str, bool]], b: list[tuple[str, bool]]) -> bool:
        key = (table, tuple(a), tuple(b))
        if key in self.cache:
            return self.cache[key]
        sql_a, sql_b = self._sql(table, a), self._sql(table, b)
        names = sorted(set(re.findall(r'"([a-z_]+)"', sql_a + sql_b)) - {"period_start", "period_end"})
        columns = [spec.TABLES[table].column(n) for n in names]
        domains = [
            _dates(self.period) if c.type == spec.DATE else ([*c.codes, None] if c.codes else _VALUES[c.type])
            for c in columns
        ]
        size = math.prod(len(d) for d in domains)
        if size > 300_000:
            self.cache[key] = False
            return False
        start, end = spec.parse_period(self.period)
        types = {spec.DATE: "DATE", spec.BOOLEAN: "BOOLEAN", spec.INTEGER: "INTEGER", spec.NUMBER: "DOUBLE"}
        # every combination of the columns' values, as a cross join of one-column lists
        parts = [f"(SELECT DATE '{start}' AS period_start, DATE '{end}' AS period_end)"]
        for c, values in zip(columns, domains):
            kind = types.get(c.type, "VARCHAR")
            literals = ", ".join("NULL" if v is None else f"'{v}'" for v in values)
            parts.append(f'(SELECT unnest([{literals}]::{kind}[]) AS "{c.name}")')
        self.con.execute("CREATE OR REPLACE TEMP VIEW t AS SELECT * FROM " + " CROSS JOIN ".join(parts))
        some, broken = self.con.execute(
            f"SELECT count(*) FILTER (WHERE {sql_a}), count(*) FILTER (WHERE ({sql_a}) AND NOT ({sql_b})) FROM t"
        ).fetchone()
        self.cache[key] = some > 0 and broken == 0
        return self.cache[key]


# --------------------------------------------------------------------------- the search


@dataclass
class Claim:
    """A count the attacker worked out exactly."""

    version: str
    provider: str
    what: str  # 'count' or 'difference'
    groups: tuple  # ((standard, measure, role),) or (inner, outer)
    value: int


def _value_of(m: Measure, n: int, d: int):
    kind = kind_of(m)
    if d == 0 or kind.value_from_counts is None:
        return None
    return kind.value_from_counts(n, d)


def _fits(m: Measure, cell: Cell, n: int | None, d: int, benchmark) -> bool:
    """Can (n, d) be the truth behind what is public of this cell?"""
    kind = kind_of(m)
    optional = not spec.TABLES[m.table].required_file
    if cell.hidden == "all" and cell.reason == "small" and d not in SMALL:
        return False
    if cell.hidden == "all" and cell.reason == "secondary" and d in SMALL:
        return False
    if n is None or m.weight or kind.value_from_counts is None:
        if cell.ratings != RATINGS:
            rated = d > 0 and m.rate(1.0, d, optional) != "no_data"
            if not rated and "no_data" not in cell.ratings:
                return False
            if rated and not (cell.ratings - {"no_data"}):
                return False
        return True
    if cell.hidden == "numerator":
        small = n in SMALL or (d - n) in SMALL
        if cell.reason == "small" and not small:
            return False
        if cell.reason == "secondary" and small:
            return False
    value = _value_of(m, n, d)
    if m.rate(value, d, optional) not in cell.ratings:
        return False
    for lo, hi in cell.values:
        if value is None or not lo <= value <= hi:
            return False
    if cell.lows and kind.has_interval and d > 0:
        scale = kind.value_from_counts(1, 1)
        low, high = (x * scale for x in stats.wilson(n, d))
        if not all(lo <= low <= hi for lo, hi in cell.lows) or not all(lo <= high <= hi for lo, hi in cell.highs):
            return False
    if cell.comparison and cell.comparison != "not_compared" and benchmark is not None and d > 0:
        scale = kind.value_from_counts(1, 1)
        lo95, hi95 = (x * scale for x in stats.wilson(n, d))
        lo998, hi998 = (x * scale for x in stats.wilson(n, d, stats.Z998))
        said = stats.compare(value, lo95, hi95, lo998, hi998, benchmark, m.green.higher_is_better)
        if said != cell.comparison:
            return False
    return True


MAX_PAIRS = 400_000


def attack_provider(knowledge: Knowledge, version: str, provider: str, nesting: Nesting, cap: int) -> list[Claim]:
    """Every count of this provider's quarter (one version) that is public or can be worked out."""
    standards = knowledge.standards[version]
    groups: list[tuple[str, str, str, str, list]] = []  # (table, std, measure, role, conditions)
    for s in standards:
        for m in s.measures:
            if not spec.TABLES[m.table].counts_people:
                continue
            for role, conds in conditions(m).items():
                groups.append((m.table, s.id, m.id, role, conds))
    # one variable per group; equal groups share a variable
    var_of: dict[tuple[str, str, str], int] = {}
    reps: list[tuple[str, list]] = []
    for table, sid, mid, role, conds in groups:
        for k, (t, c) in enumerate(reps):
            if t == table and nesting.inside(table, conds, c) and nesting.inside(table, c, conds):
                var_of[(sid, mid, role)] = k
                break
        else:
            reps.append((table, conds))
            var_of[(sid, mid, role)] = len(reps) - 1
    inside = [
        (a, b)
        for a, b in itertools.permutations(range(len(reps)), 2)
        if reps[a][0] == reps[b][0] and nesting.inside(reps[a][0], reps[a][1], reps[b][1])
    ]
    domains: list[set[int]] = [set(range(cap + 1)) for _ in reps]
    rows = []
    for s in standards:
        for m in s.measures:
            if (s.id, m.id, "denominator") not in var_of:
                continue
            cell = knowledge.cells.get((version, provider, s.id, m.id))
            if cell is None:
                continue
            dv, nv, cv = (var_of.get((s.id, m.id, r)) for r in ("denominator", "numerator", "complement"))
            if cell.d is not None:
                domains[dv] &= {cell.d}
            if cell.n is not None and nv is not None:
                domains[nv] &= {cell.n}
            bench = knowledge.benchmarks.get((version, s.id, m.id))
            rows.append((m, cell, dv, nv, cv, bench[0][0][0] if bench else None))
    changed = True
    while changed:
        changed = False
        for m, cell, dv, nv, cv, bench in rows:
            ds = domains[dv]
            if nv is None:
                keep_d = {d for d in ds if _fits(m, cell, None, d, bench)}
                if keep_d != ds:
                    domains[dv] = keep_d
                    changed = True
                continue
            ns, cs = domains[nv], domains[cv]
            if len(ds) * len(ns) > MAX_PAIRS:
                continue  # too wide to try every pair: left as it is (a weaker attacker here)
            keep_d, keep_n, keep_c = set(), set(), set()
            for d in ds:
                for n in ns:
                    if n > d or (d - n) not in cs:
                        continue
                    if _fits(m, cell, n, d, bench):
                        keep_d.add(d)
                        keep_n.add(n)
                        keep_c.add(d - n)
            for v, keep in ((dv, keep_d), (nv, keep_n), (cv, keep_c)):
                if keep != domains[v]:
                    domains[v] = keep
                    changed = True
        for a, b in inside:
            if not domains[a] or not domains[b]:
                continue
            top, bottom = max(domains[b]), min(domains[a])
            keep_a = {x for x in domains[a] if x <= top}
            keep_b = {y for y in domains[b] if y >= bottom}
            if keep_a != domains[a] or keep_b != domains[b]:
                domains[a], domains[b] = keep_a, keep_b
                changed = True
    claims = []
    names = {v: k for k, v in var_of.items()}
    for v, dom in enumerate(domains):
        if len(dom) == 1 and next(iter(dom)) in SMALL:
            claims.append(Claim(version, provider, "count", (names[v],), next(iter(dom))))
    for a, b in inside:
        diffs = (
            {y - x for x in domains[a] for y in domains[b] if y >= x}
            if len(domains[a]) * len(domains[b]) < 10**6
            else {0, 1}
        )
        if len(diffs) == 1 and next(iter(diffs)) in SMALL:
            claims.append(Claim(version, provider, "difference", (names[a], names[b]), next(iter(diffs))))
    for v, dom in enumerate(domains):
        if not dom:
            claims.append(Claim(version, provider, "contradiction", (names[v],), -1))
    return claims


def attack(knowledge: Knowledge, period: str) -> list[Claim]:
    """Every count of 1-4 people the public outputs give away, in every version and provider."""
    nesting = Nesting(period)
    claims: list[Claim] = []
    for version in knowledge.standards:
        providers = sorted({p for (v, p, _, _) in knowledge.cells if v == version})
        shown = [c.d for (v, *_), c in knowledge.cells.items() if v == version and c.d is not None]
        cap = 10 * max(shown + [10]) + 100
        for provider in providers:
            claims += attack_provider(knowledge, version, provider, nesting, cap)
    claims += _revisions(knowledge)
    claims += _benchmarks(knowledge)
    return claims


def _revisions(knowledge: Knowledge) -> list[Claim]:
    """The same count shown in two versions of a quarter, changed by 1-4 people."""
    out = []
    versions = list(knowledge.standards)
    for a, b in itertools.combinations(versions, 2):
        for (v, p, s, m), cell in knowledge.cells.items():
            if v != a:
                continue
            other = knowledge.cells.get((b, p, s, m))
            if other is None:
                continue
            for role, x, y in (("denominator", cell.d, other.d), ("numerator", cell.n, other.n)):
                if x is not None and y is not None and abs(x - y) in SMALL:
                    out.append(Claim(f"{a}~{b}", p, "revision", ((s, m, role),), abs(x - y)))
            if None not in (cell.n, cell.d, other.n, other.d):
                change = abs((cell.d - cell.n) - (other.d - other.n))
                if change in SMALL:
                    out.append(Claim(f"{a}~{b}", p, "revision", ((s, m, "complement"),), change))
    return out


def _benchmarks(knowledge: Knowledge) -> list[Claim]:
    """A benchmark that is not the pooled figure of the providers shown carries hidden counts."""
    out = []
    for (version, sid, mid), seen in knowledge.benchmarks.items():
        m = knowledge.measure(version, sid, mid)
        if m.weight or kind_of(m).value_from_counts is None:
            continue
        cells = [c for (v, p, s, mm), c in knowledge.cells.items() if (v, s, mm) == (version, sid, mid)]
        shown = [c for c in cells if c.n is not None and c.d]
        if not shown or len(shown) == len(cells):
            continue
        pooled = kind_of(m).value_from_counts(sum(c.n for c in shown), sum(c.d for c in shown))
        for (lo, hi), source in seen:
            if not lo - 1e-9 <= pooled <= hi + 1e-9:
                out.append(Claim(version, "*", "benchmark", ((sid, mid, source),), -1))
    return out


# --------------------------------------------------------------------------- the published site


class _SitePage(HTMLParser):
    """A published provider page: each standard's table of figures, row by row, as cell texts."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []  # (standard id, cell texts)
        self._standard, self._row, self._cell = "", None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h3" and attrs.get("id"):
            self._standard = attrs["id"]
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and self._standard:
                self.rows.append((self._standard, self._row))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_site(folder, version: str, knowledge: Knowledge) -> None:
    """A published site (audits.publish): its open data (results.csv and results.json, with the
    measure's rating as published) and every provider's page (the figures, intervals, benchmarks
    and ratings as worded)."""
    import csv
    import json
    from pathlib import Path

    folder = Path(folder)
    with open(folder / "data" / "results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    read_csv_rows([{**r, "rating": r["measure_rating"]} for r in rows], version, knowledge, "site-csv")
    data = json.loads((folder / "data" / "results.json").read_text(encoding="utf-8"))
    as_text = [
        {k: "" if v is None else (repr(v) if isinstance(v, float) else str(v)) for k, v in r.items()}
        for r in data["rows"]
    ]
    read_csv_rows([{**r, "rating": r["measure_rating"]} for r in as_text], version, knowledge, "site-json")
    for page_path in sorted((folder / "providers").glob("*.html")):
        if page_path.stem.endswith("-easy-read"):
            continue
        provider = page_path.stem
        page = _SitePage()
        page.feed(page_path.read_text(encoding="utf-8"))
        standards = {s.id: s for s in knowledge.standards[version]}
        for standard_id, cells in page.rows:
            s = standards.get(standard_id)
            if s is None or len(cells) != 5:
                continue
            label = cells[0]
            m = next((m for m in s.measures if label.startswith(" ".join(m.label.split()))), None)
            if m is None:
                continue
            key = (version, provider, s.id, m.id)
            cell = knowledge.cell(*key, "site")
            read_figure_words(" ".join([cells[1], cells[2], cells[4]]), cell, m, knowledge, key, "site")
            if kind_of(m).percent:
                hit = re.match(r"(\d+\.\d)%", cells[3])
                if hit:
                    lo, hi = around(hit.group(1))
                    knowledge.benchmarks.setdefault((version, s.id, m.id), []).append(((lo / 100, hi / 100), "site"))


# --------------------------------------------------------------------------- breakdowns


def _range_without_small(top: int) -> set[int]:
    return {0} | set(range(5, top + 1))


def _group_domains(row: dict, top: int) -> tuple[set[int], set[int] | None]:
    """What one published group row says of its denominator and numerator, to a reader who knows
    the rules: shown, or hidden with its reason (1-4 people, or not)."""
    hidden, small = row.get("hidden") or "", row.get("reason") == "small"
    d_shown = not stats.is_missing(row.get("denominator")) and hidden != "all"
    if row.get("reason") == "whole":  # a part of the provider's count of 1-4
        ds = {round(row["denominator"])} if d_shown else set(range(5))
        near = {n for d in ds for n in range(d + 1) if n <= 4 or d - n <= 4}
        return ds, (None if "numerator" not in row else near)
    ds = {round(row["denominator"])} if d_shown else (set(SMALL) if small else _range_without_small(top))
    if "numerator" not in row or (stats.is_missing(row.get("numerator")) and not hidden):
        return ds, None  # a median: no numerator
    if not hidden:
        return ds, {round(row["numerator"])}
    ns = set()
    for d in ds:
        for n in range(d + 1):
            if hidden == "numerator":
                either = n in SMALL or (d - n) in SMALL
                if either != small:
                    continue
            ns.add(n)
    return ds, ns


def _bits(values) -> int:
    """A set of whole numbers as the bits of an int (bit k: k is possible)."""
    out = 0
    for v in values:
        out |= 1 << v
    return out


def _plus(bits: int, values, mask: int) -> int:
    """Every a + b for a in bits and b in values (bit sets), up to mask."""
    out = 0
    for v in values:
        out |= bits << v
    return out & mask


def _sums(domains: list[set[int]], top: int) -> set[int]:
    mask = (1 << (top + 1)) - 1
    out = 1
    for dom in domains:
        out = _plus(out, dom, mask)
    return {k for k in range(top + 1) if out >> k & 1}


def _sum_feasible(domains: list[set[int]], totals: set[int]) -> list[set[int]]:
    """Each variable's values that some choice of the others completes to one of the totals."""
    top = max(totals)
    mask = (1 << (top + 1)) - 1
    forward = [1]
    for dom in domains:
        forward.append(_plus(forward[-1], dom, mask))
    backward = [1]
    for dom in reversed(domains):
        backward.append(_plus(backward[-1], dom, mask))
    backward.reverse()
    wanted = _bits(totals)
    out = []
    for i, dom in enumerate(domains):
        others = 0  # every sum of the other variables
        rest = backward[i + 1]
        f = forward[i]
        k = 0
        while f >> k:
            if f >> k & 1:
                others |= rest << k
            k += 1
        others &= mask
        out.append({x for x in dom if x <= top and (others << x) & wanted})
    return out


def attack_breakdowns(public_rows, public_whole) -> list[tuple]:
    """Every group count of 1-4 people (denominator, numerator or complement) that the published
    breakdowns give away with the provider's published whole: the groups of a dimension add up to
    it. A reader who knows why each hidden figure is hidden; each count worked out on its own
    (the groups' denominators, numerators and complements each add up to the whole's). Returns
    (provider, standard, measure, dimension, group or '(whole)', role, value) for each one pinned."""
    claims = []
    wholes = {(r["provider_id"], r["standard_id"], r["measure_id"]): r for r in public_whole.to_dict("records")}
    for (p, s, m, dim), rows in public_rows.groupby(["provider_id", "standard_id", "measure_id", "dimension"]):
        rows = rows.to_dict("records")
        whole = wholes.get((p, s, m), {})
        shown_d = [round(r["denominator"]) for r in rows if not stats.is_missing(r.get("denominator"))]
        whole_d = whole.get("denominator")
        top = round(whole_d) if not stats.is_missing(whole_d) else sum(shown_d) + 200
        domains = [_group_domains(r, top) for r in rows]
        whole_row = {"denominator": whole_d, "numerator": whole.get("numerator"), "hidden": whole.get("hidden") or "",
                     "reason": whole.get("reason")}  # fmt: skip
        total_d, total_n = _group_domains(whole_row, top + 200)
        roles = [("denominator", [d for d, _ in domains], total_d)]
        if all(n is not None for _, n in domains) and total_n is not None:
            roles.append(("numerator", [n for _, n in domains], total_n))
            complements = [{d - n for d in ds for n in ns if n <= d} for ds, ns in domains]
            totals_c = {d - n for d in total_d for n in total_n if n <= d}
            roles.append(("complement", complements, totals_c))
        for role, doms, totals in roles:
            feasible = _sum_feasible(doms, totals)
            for r, dom in zip(rows, feasible):
                if len(dom) == 1 and next(iter(dom)) in SMALL:
                    claims.append((p, s, m, dim, r["grp"], role, next(iter(dom))))
            # a hidden whole the groups add up to one value gives that value back
            reachable = _sums(doms, max(totals)) & totals
            if len(totals) > 1 and len(reachable) == 1:
                claims.append((p, s, m, dim, "(whole)", role, next(iter(reachable))))
    return claims
