"""Load the standards files written by expert citizens groups, and say plainly what is wrong.

Every file in `standards/` is read with ruamel.yaml (YAML 1.2, so `NO` and `on` stay
words) and checked against the model in audits.standard_model. The people who edit these
files are not programmers, so every mistake in every file is reported at once, each
with the file, the line and the fix, and a folder with any mistake is not half-loaded:
`StandardsLoad.ok` is False and the audit refuses to run.

Three YAML features are refused outright because they let a file mean something other
than what it shows: anchors and aliases (`&name`, `*name`, which also make a "billion
laughs" file possible), tags (`!!python/...`) and `%YAML` directives (`%YAML 1.1`
would turn `NO` into false). Duplicate keys are refused too: the second would
silently win.

A store at hand (an audit's) keeps the standards it has checked (`standard_cache`, migration
0009), keyed by each file's sha256 and a key of the code that checked it: a fresh process that
finds a file there validates the stored standard with the model again instead of reading the
file afresh (see `load_standards`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pydantic
import pydantic_core
import ruamel.yaml
import sqlglot
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode

from audits import limits, safe_yaml, store, trial
from audits.problems import yaml_mistake
from audits.standard_model import FieldProblem, Interview, Measure, Standard, Voice

SCHEMA_FILE = "standard.schema.json"
SCHEMA_LINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
SUFFIX = ".yaml"


@dataclass(frozen=True)
class StandardProblem:
    """One mistake in one standards file. `line` is None for a mistake of the whole file."""

    file: str
    line: int | None
    message: str

    def __post_init__(self) -> None:
        message = self.message.strip()
        if not message.endswith((".", "?", "!")):
            object.__setattr__(self, "message", message + ".")

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class StandardsLoad:
    """Everything read from one folder of standards files."""

    standards: list[Standard] = field(default_factory=list)  # every status, by id
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)  # id -> (path, sha256)
    problems: list[StandardProblem] = field(default_factory=list)
    # standards that passed but are not yet in the store's cache (sha256 of the file -> the
    # standard's JSON), and the code key they were checked under: `keep_checked` writes them
    to_keep: dict[str, str] = field(default_factory=dict)
    code_key: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def audited(self) -> list[Standard]:
        """The approved standards: drafts and retired standards are never audited."""
        return [s for s in self.standards if s.audited]

    def report(self) -> str:
        """Every problem on its own line, in file and line order."""
        return "\n".join(str(p) for p in self.problems)


# --------------------------------------------------------------------------- loading


def load_standards(folder: Path, con: duckdb.DuckDBPyConnection | None = None) -> StandardsLoad:
    """Read every `*.yaml` standards file of a folder (sorted by name).

    With `con` (a connection to a store, read-only is enough) a file the store's cache holds
    under this code's key is not read afresh: the stored standard is validated by the model
    again, which gives the same standard as reading the file (tests/test_standard_cache.py).
    Only the standards that passed are ever kept, so a file with problems is always read and
    its problems found afresh. Nothing is written here: `keep_checked` writes, in a writer's
    transaction."""
    folder = Path(folder)
    result = StandardsLoad()
    stored: dict[str, str] | None = None
    if con is not None:
        result.code_key = code_key()
        stored = _stored(con, result.code_key)
    if not folder.is_dir():
        result.problems.append(
            StandardProblem(
                str(folder),
                None,
                "there is no such folder of standards. Give the folder that holds "
                "the .yaml files, for example standards",
            )
        )
        return result
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".yml",) or (path.suffix.lower() == SUFFIX and path.suffix != SUFFIX):
            result.problems.append(
                StandardProblem(
                    str(path),
                    None,
                    f"standards files end in {SUFFIX} (lower case): rename it to "
                    f"{path.stem}{SUFFIX}, or it is not read",
                )
            )
    parsed: list[tuple[Path, str, Standard | None]] = []  # path, sha256 of its bytes, standard
    ids: dict[str, list[tuple[Path, str]]] = {}  # every id read, even from a misnamed file
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        name = str(path)
        if path.stat().st_size > limits.MAX_STANDARD_FILE_BYTES:
            result.problems.append(_too_long(name, path.stat().st_size))
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            result.problems.append(
                StandardProblem(
                    name,
                    line,
                    "this file is not saved as UTF-8 text. Save it again as UTF-8 "
                    "(most editors offer this under 'Save as' or 'Encoding')",
                )
            )
            continue
        sha256 = hashlib.sha256(raw).hexdigest()
        standard, problems = _parse(text, name, stored.get(sha256) if stored else None)
        if standard is not None:
            problems += _name_problems(standard, text, name)
        result.problems.extend(problems)
        parsed.append((path, sha256, None if problems else standard))
        if standard is not None:
            ids.setdefault(standard.id, []).append((path, text))
    for standard_id, places in ids.items():
        if len(places) > 1:
            first = next((p for p, _ in places if p.stem == standard_id), places[0][0])
            for path, text in places:
                if path != first:
                    result.problems.append(
                        StandardProblem(
                            str(path),
                            _top_line(text, "id"),
                            f"the id '{standard_id}' is already used by "
                            f"{first}. Each standard needs its own id and its own file",
                        )
                    )
    for path, sha256, standard in parsed:  # only files without problems; their names are their ids
        if standard is not None:
            result.standards.append(standard)
            result.files[standard.id] = (path, sha256)
            if stored is not None and sha256 not in stored:
                result.to_keep[sha256] = standard.model_dump_json(exclude_unset=True)
    result.problems.sort(key=lambda p: (p.file, p.line or 0))
    result.standards.sort(key=lambda s: s.id)
    return result


def parse_standard_text(text: str, file_name: str) -> tuple[Standard | None, list[StandardProblem]]:
    """One standards file from its text: the standard, or None and every problem found.

    When `file_name` ends in .yaml its name must be the standard's id.
    """
    standard, problems = _parse(text, file_name)
    if standard is not None:
        problems = _name_problems(standard, text, file_name)
    return (None if problems else standard), problems


# Standards that passed, by the sha256 of their text: an audit reads the same dozen files every
# run, and reading one (two YAML passes, the model, a trial run of every measure) costs far more
# than the audit's own queries. Only a pass is kept: a file with problems is read again each time,
# so its problems are always found afresh. The result depends on nothing but the text and this
# code, so an unchanged file gives the same standard; each caller gets its own copy.
_PASSED: dict[str, Standard] = {}
_PASSED_MOST = 256


def _parse(text: str, file_name: str, stored: str | None = None) -> tuple[Standard | None, list[StandardProblem]]:
    """The model from the text, before the file name is compared with the id. `stored`: the
    standard's JSON as the store's cache holds it for this text and this code, if it does."""
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if key in _PASSED:
        return _PASSED[key].model_copy(deep=True), []
    standard = _from_store(stored) if stored is not None else None
    problems: list[StandardProblem] = []
    if standard is None:
        standard, problems = _parse_afresh(text, file_name)
    if standard is not None and not problems:
        if len(_PASSED) >= _PASSED_MOST:
            _PASSED.clear()
        _PASSED[key] = standard.model_copy(deep=True)
    return standard, problems


def _from_store(body: str) -> Standard | None:
    """A standard the store's cache kept, validated by the model again (its field rules and the
    expression whitelist); None if the model refuses it, so the file is read afresh."""
    try:
        return Standard.model_validate_json(body)
    except ValidationError:
        return None


# --------------------------------------------------------------------------- the store's cache

# The libraries whose behaviour decides what a file means and whether it passes: the YAML
# reader, the model, the expression parser and the database of the trial run.
_LIBRARIES = (
    ("python", sys.version),
    ("pydantic", pydantic.VERSION),
    ("pydantic-core", pydantic_core.__version__),
    ("ruamel.yaml", ruamel.yaml.__version__),
    ("duckdb", duckdb.__version__),
    ("sqlglot", sqlglot.__version__),
)
_CODE_KEY: list[str] = []  # worked out once a process: the code that runs is the code imported


def code_key_of(root: Path, libraries: tuple[tuple[str, str], ...] = _LIBRARIES) -> str:
    """The sha256 of every `*.py` under `root` and every migration, by their paths, and of the
    libraries' versions: a change to any of them gives another key, so no standard checked by
    other code is ever taken as checked."""
    digest = hashlib.sha256()
    for name, version in libraries:
        digest.update(f"{name}={version}\n".encode())
    files = sorted(root.rglob("*.py")) + sorted((root / "migrations").glob("*.sql"))
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def code_key() -> str:
    """This process's code key (audits/ as imported, and its libraries' versions)."""
    if not _CODE_KEY:
        _CODE_KEY.append(code_key_of(Path(__file__).resolve().parent))
    return _CODE_KEY[0]


def _stored(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, str]:
    """sha256 -> JSON of every standard the store's cache holds under this code key (none from
    a store without the table: a read-only connection to a store not yet migrated)."""
    try:
        return dict(con.execute("SELECT sha256, body_json FROM standard_cache WHERE code_key = ?", [key]).fetchall())
    except duckdb.CatalogException:
        return {}


def keep_checked(con: duckdb.DuckDBPyConnection, load: StandardsLoad) -> None:
    """Write the standards a load checked afresh into the store's cache, inside the caller's
    write transaction (an audit's, so they are kept only if the audit is). Rows kept under
    another code key are dropped: no code of this version can find them again."""
    if not load.to_keep or load.code_key is None:
        return
    con.execute("DELETE FROM standard_cache WHERE code_key <> ?", [load.code_key])
    rows = sorted(load.to_keep.items())
    con.execute(
        "INSERT OR IGNORE INTO standard_cache VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(rows)),
        [value for sha256, body in rows for value in (sha256, load.code_key, body, store.now())],
    )


def _parse_afresh(text: str, file_name: str) -> tuple[Standard | None, list[StandardProblem]]:
    """_parse without the cache: the YAML, the model and the trial run of every measure."""
    data, problems = _read_yaml(text, file_name)
    if problems:
        return None, problems
    if data is None:
        return None, [
            StandardProblem(
                file_name, None, "the file is empty. Start from an existing standard, or see docs/standards-guide.md"
            )
        ]
    if not isinstance(data, CommentedMap):
        return None, [
            StandardProblem(
                file_name,
                1,
                "a standards file is a list of fields such as "
                "'id: peer-workforce', one on each line, not a single value or a list",
            )
        ]
    try:
        standard = Standard.model_validate(_plain(data))
    except ValidationError as error:
        problems = [_explain(e, data, file_name) for e in _without_echoes(error.errors())]
        problems.sort(key=lambda p: p.line or 0)
        return None, _unique(problems)
    problems = []
    for i, measure in enumerate(standard.measures):  # a trial run: can every measure be worked out?
        why = trial.measure_problem(measure)
        if why:
            problems.append(StandardProblem(file_name, _key_line(data["measures"][i], "id"), why))
    return (None, problems) if problems else (standard, [])


def _without_echoes(errors: list[dict]) -> list[dict]:
    """Drop "'statement' is missing" when the same place has 'statment', whose message
    already says "Did you mean 'statement'?": one mistake, one message."""
    misspelt = {
        (
            tuple(e["loc"][:-1]),
            difflib.get_close_matches(
                str(e["loc"][-1]), [str(m["loc"][-1]) for m in errors if m["type"] == "missing"], n=1, cutoff=0.6
            )[0],
        )
        for e in errors
        if e["type"] == "extra_forbidden"
        and difflib.get_close_matches(
            str(e["loc"][-1]), [str(m["loc"][-1]) for m in errors if m["type"] == "missing"], n=1, cutoff=0.6
        )
    }
    return [e for e in errors if not (e["type"] == "missing" and (tuple(e["loc"][:-1]), str(e["loc"][-1])) in misspelt)]


def _name_problems(standard: Standard, text: str, file_name: str) -> list[StandardProblem]:
    name = Path(file_name).name
    if not name.endswith(SUFFIX) or name[: -len(SUFFIX)] == standard.id:
        return []
    stem = name[: -len(SUFFIX)]
    return [
        StandardProblem(
            file_name,
            _top_line(text, "id"),
            f"the id '{standard.id}' does not match the file name "
            f"'{name}'. Rename the file to {standard.id}{SUFFIX}, or change the id to {stem}",
        )
    ]


def _unique(problems: list[StandardProblem]) -> list[StandardProblem]:
    seen, out = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            out.append(problem)
    return out


# --------------------------------------------------------------------------- YAML


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves dates as text, so pydantic judges them.

    ruamel would build `2026-02-30` into a date itself and fail with a bare
    ValueError and no line; as text it reaches the model, which says plainly that it
    is not a date and where. A subclass, so ruamel's own class is left as it was for
    the rest of the program.
    """


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


_HAZARDS = {
    safe_yaml.DIRECTIVE: "'%YAML' and '%TAG' lines are not used in standards files (they can change what "
    "words mean). Remove the line",
    safe_yaml.DOCUMENTS: "a standards file holds one standard: remove the second '---' and put the other "
    "standard in its own file",
    safe_yaml.ALIAS: "anchors and aliases (&name, *name) are not allowed in standards files: write the text "
    "out in full where it is needed",
    safe_yaml.TAG: "tags (words starting with !, such as !!str) are not used in standards files: remove the "
    "tag, and put text in quotes if it needs them",
    safe_yaml.DEPTH: f"lists and groups are nested more than {limits.MAX_YAML_DEPTH} deep here, far deeper "
    "than a standard needs (3: the standard, its measures, a measure). Check the brackets and the indentation",
}


def _too_long(file_name: str, size: int) -> StandardProblem:
    return StandardProblem(
        file_name,
        None,
        f"the file is {limits.size_words(size)}, far longer than a standard (the most is "
        f"{limits.size_words(limits.MAX_STANDARD_FILE_BYTES)}). Check it is the right file: a standard "
        "is a page or two of text",
    )


def _read_yaml(text: str, file_name: str) -> tuple[Any, list[StandardProblem]]:
    """The YAML as a CommentedMap (with line numbers), or the problems that stop it.

    Two passes over a small file: events (syntax, anchors, tags, directives, nesting:
    audits.safe_yaml, which stops at the first alias, so a "billion laughs" file is never
    expanded), then nodes (every duplicate key) from which the data is built.
    """
    if len(text) > limits.MAX_STANDARD_FILE_BYTES:
        return None, [_too_long(file_name, len(text.encode("utf-8", "replace")))]
    yaml = _yaml()
    problems: list[StandardProblem] = []
    try:
        hazard = safe_yaml.first_hazard(text, limits.MAX_YAML_DEPTH)
    except MarkedYAMLError as error:
        return None, [_syntax_problem(error, text, file_name)]
    except YAMLError as error:
        return None, [StandardProblem(file_name, None, f"the file could not be read as YAML: {error}")]
    if hazard is not None:
        return None, [StandardProblem(file_name, hazard.line, _HAZARDS[hazard.kind])]

    try:
        # Compose the nodes once, look for duplicate keys in them, then build the data
        # from the same nodes (what YAML.load does, with the check in between).
        constructor, _parser = yaml.get_constructor_parser(text)
        node = constructor.composer.get_single_node()
        problems.extend(_duplicate_keys(node, file_name))
        if problems or node is None:
            return None, problems
        return constructor.construct_document(node), []
    except MarkedYAMLError as error:
        return None, [_syntax_problem(error, text, file_name)]
    except (ValueError, TypeError) as error:  # a constructor refusing a value
        return None, [StandardProblem(file_name, None, f"the file could not be read: {error}")]


def _syntax_problem(error: MarkedYAMLError, text: str, file_name: str) -> StandardProblem:
    line, message = yaml_mistake(error, text)
    source = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    if ":" in source and source.split(":", 1)[1].strip().startswith((">", "<", "=", "%")):
        key = source.split(":", 1)[0].strip()
        message = (
            f'this line could not be read. Put a threshold in double quotes: {key}: "{source.split(":", 1)[1].strip()}"'
        )
    return StandardProblem(file_name, line, message)


def _duplicate_keys(node, file_name: str) -> list[StandardProblem]:
    problems = []
    if isinstance(node, MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in first:
                problems.append(
                    StandardProblem(
                        file_name,
                        line,
                        f"'{name}' is written twice (first on line {first[name]}). "
                        "Keep one of them: the file must say one thing",
                    )
                )
            else:
                first[name] = line
            problems.extend(_duplicate_keys(value, file_name))
    elif isinstance(node, SequenceNode):
        for item in node.value:
            problems.extend(_duplicate_keys(item, file_name))
    return problems


def _plain(value: Any) -> Any:
    """ruamel's round-trip types as plain Python: dicts, lists, stripped text, numbers."""
    if isinstance(value, dict):
        return {(str(k) if not isinstance(k, (bool, int, float)) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value).strip()
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


# --------------------------------------------------------------------------- messages


def _top_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None


def _key_line(mapping: Any, key: Any) -> int | None:
    if isinstance(mapping, CommentedMap) and key in mapping:
        return mapping.lc.key(key)[0] + 1
    if isinstance(mapping, CommentedSeq) and isinstance(key, int) and 0 <= key < len(mapping):
        return mapping.lc.item(key)[0] + 1  # an item of a list, such as one question of a guide
    return _node_line(mapping)


def _node_line(node: Any) -> int | None:
    if isinstance(node, (CommentedMap, CommentedSeq)):
        return node.lc.line + 1
    return None


def _locate(data: CommentedMap, loc: tuple) -> tuple[Any, Any, type[BaseModel]]:
    """Follow a pydantic location: (the mapping holding the last key, the key, its model)."""
    holder: Any = data
    model: type[BaseModel] = Standard
    for position, part in enumerate(loc[:-1]):
        if isinstance(holder, CommentedMap) and part in holder:
            child = holder[part]
        elif isinstance(holder, CommentedSeq) and isinstance(part, int) and part < len(holder):
            child = holder[part]
        else:
            return holder, loc[-1] if loc else None, model
        if part == "measures" and position == 0:
            model = Measure
        elif part == "voices" and position == 0:
            model = Voice
        elif part == "interview" and position == 0:
            model = Interview
        holder = child
    return holder, (loc[-1] if loc else None), model


def _child(holder: Any, key: Any) -> Any:
    """holder[key] for a mapping key or a list index; the holder itself when there is none."""
    if isinstance(holder, CommentedMap) and key in holder:
        return holder[key]
    if isinstance(holder, CommentedSeq) and isinstance(key, int) and 0 <= key < len(holder):
        return holder[key]
    return holder


def _fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


_PLACE = {Standard: "a standard", Measure: "a measure", Voice: "a voice", Interview: "the interview guide"}
_MISSING = {
    (Standard, "id"): "the short name of the standard, the same as the file name, like peer-workforce",
    (Standard, "title"): "the standard in a few plain words",
    (Standard, "version"): "a whole number: 1 for a new standard, one more each time it changes",
    (Standard, "status"): "draft, approved or retired (only approved standards are audited)",
    (Standard, "theme"): "a word that groups standards, such as access or workforce",
    (Standard, "statement"): "what good looks like, in the group's own words",
    (Standard, "why"): "why it matters, in the group's own words",
    (Standard, "measures"): "at least one measure: how the standard is checked against the returns",
    (Measure, "id"): "a short name for the measure, like peer-support-offered",
    (Measure, "label"): "what is measured, in plain words",
    (Measure, "table"): "the table of the return it counts: "
    + ", ".join(Measure.model_fields["table"].annotation.__args__),
    (Measure, "kind"): "proportion, count or median",
    (Measure, "green"): 'what counts as green, in double quotes, like ">= 90%"',
    (Voice, "quote"): "the words exactly as said or written",
    (Voice, "source"): 'the group and the year, like "Expert Link National Advisory Panel, 2020"',
    (Interview, "people_using_services"): "up to four questions for people using the service, each on a line "
    "starting with '- '",
    (Interview, "families"): "up to four questions for family members, each on a line starting with '- '",
    (Interview, "staff"): "up to four questions for people who work in the service, each on a line starting with '- '",
}


def _explain(error: dict, data: CommentedMap, file_name: str) -> StandardProblem:
    """One pydantic error as a plain-English problem on the right line."""
    loc = tuple(error["loc"])
    kind = error["type"]
    holder, key, model = _locate(data, loc)
    context_error = (error.get("ctx") or {}).get("error")
    if isinstance(context_error, FieldProblem):
        return StandardProblem(file_name, _key_line(_child(holder, key), context_error.field), str(context_error))
    if kind == "extra_forbidden":
        allowed = _fields(model)
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else f" The fields of {_PLACE[model]} are: {', '.join(allowed)}."
        return StandardProblem(file_name, _key_line(holder, key), f"'{key}' is not a field of {_PLACE[model]}.{hint}")
    if kind == "missing":
        where = {Measure: "this measure", Voice: "this voice", Interview: "the interview guide"}.get(
            model, "the standard"
        )
        line = _node_line(holder) if model is not Standard else None
        return StandardProblem(
            file_name,
            line,
            f"'{key}' is missing from {where}. Add a line '{key}:' with {_MISSING.get((model, key), 'a value')}",
        )
    line = (
        _key_line(holder, key)
        if isinstance(key, str) or isinstance(_child(holder, key), str)
        else _node_line(_child(holder, key))
    )
    value = error.get("input")
    shown = f"'{value}'" if not isinstance(value, (dict, list)) else "this"
    field_name = key if isinstance(key, str) else (loc[-2] if len(loc) > 1 else "this field")
    ctx = error.get("ctx") or {}
    messages = {
        "value_error": lambda: error["msg"].removeprefix("Value error, "),
        "literal_error": lambda: (
            f"{shown} is not allowed for {field_name}: use one of {ctx.get('expected', '').replace(chr(39), '')}"
        ),
        "string_pattern_mismatch": lambda: (
            f"{shown} is not a good id: use lower-case letters, numbers and dashes, such as peer-workforce"
        ),
        "string_too_short": lambda: f"{field_name} is empty: write it in",
        "string_too_long": lambda: (
            f"{field_name}: a question is at most {ctx.get('max_length')} characters, so that it can be read out "
            "and the guide fits on one page: say it more shortly"
        ),
        "string_type": lambda: (
            f"{field_name} should be text, but it is {shown}. Put it in quotes if you mean the words"
        ),
        "int_parsing": lambda: f"{field_name} should be a whole number, like 2, not {shown}",
        "int_type": lambda: f"{field_name} should be a whole number, like 2, not {shown}",
        "int_from_float": lambda: f"{field_name} should be a whole number, like 2, not {shown}",
        "greater_than_equal": lambda: f"{field_name} must be at least {ctx.get('ge')}, not {shown}",
        "date_from_datetime_parsing": lambda: f"{shown} is not a date: write it as year-month-day, like 2026-09-10",
        "date_parsing": lambda: f"{shown} is not a date: write it as year-month-day, like 2026-09-10",
        "date_type": lambda: f"{shown} is not a date: write it as year-month-day, like 2026-09-10",
        "list_type": lambda: f"{field_name} should be a list, each item on its own line starting with '- '",
        "too_short": lambda: f"{field_name} needs at least {ctx.get('min_length', 1)}: add one",
        "too_long": lambda: f"{field_name} can have at most {ctx.get('max_length')}: keep the strongest ones",
        "model_type": lambda: f"{field_name} should be a set of fields (such as id:, label:), not {shown}",
        "model_attributes_type": lambda: f"{field_name} should be a set of fields (such as id:, label:), not {shown}",
        "dict_type": lambda: f"{field_name} should be a set of fields, not {shown}",
    }
    if kind == "literal_error" and isinstance(value, str):
        allowed = [a.strip(" '") for a in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        if value.strip().lower() in allowed:
            messages[kind] = lambda: (
                f"{shown} is not allowed for {field_name}: write it in lower case, {value.strip().lower()}"
            )
    message = messages.get(kind, lambda: f"{field_name}: {error['msg']}")()
    if kind not in ("value_error",) and key is not None and str(field_name) not in message:
        message = f"{field_name}: {message}"
    return StandardProblem(file_name, line, message)


# --------------------------------------------------------------------------- schema


def schema_text() -> str:
    """The JSON Schema of a standards file, from the model, as written to standards/."""
    schema = Standard.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "A Lived Standards standard (format version 1)",
        "description": "One standard written by an expert citizens group. See docs/standards-guide.md.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schema(folder: Path) -> Path:
    path = Path(folder) / SCHEMA_FILE
    path.write_text(schema_text(), encoding="utf-8")
    return path
