"""The YAML features a file of ours may not use, found before anything is built from it.

Standards files and the return.yaml / pack.yaml of a submission are read the same cautious
way: one pass over the parser's events (flat, no recursion, nothing expanded) looks for what
would make a file mean something other than what it shows, or cost far more to read than
its size: `%YAML` / `%TAG` directives (`%YAML 1.1` turns `NO` into false), more than one
document, anchors and aliases (`&a`, `*a`: a "billion laughs" file of a few hundred bytes
expands to gigabytes), tags (`!!python/…`), and lists or groups nested deeper than the file
needs (thousands of `[` exhaust Python's stack when the nodes are built). Only a file with
none of these is composed and loaded. Each caller words the refusal for its own readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml import events as yaml_events

DIRECTIVE, DOCUMENTS, ALIAS, TAG, DEPTH = "directive", "documents", "alias", "tag", "depth"


@dataclass(frozen=True)
class Hazard:
    kind: str  # one of DIRECTIVE, DOCUMENTS, ALIAS, TAG, DEPTH
    line: int  # where it is, counting from 1
    key: str | None  # the top-level key it is under, when there is one


# Events read on after a hazard, in case a syntax mistake explains it better ("area:
# [Northshire" is an unclosed bracket, not a list). Not to the end of the file: ruamel's
# scanner slows down with every level of '[' it is inside.
LOOK_AHEAD = 50


def first_hazard(text: str, max_depth: int) -> Hazard | None:
    """The first thing in `text` that is refused, or None; ruamel's YAMLError for a syntax
    mistake before it or just after it. The events are only read, never built into
    anything. `max_depth` counts lists and groups: 1 allows only the top-level
    'key: value' lines, a standard needs 3."""
    found: Hazard | None = None
    documents = depth = 0
    key: str | None = None
    # One entry per open list or group: True/False for a group (is the next item a key?),
    # None for a list.
    expecting: list[bool | None] = []
    after = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        if found is None:
            found = _hazard(event, text, documents, depth, key, max_depth)
        elif after == LOOK_AHEAD:
            break
        else:
            after += 1
        if isinstance(event, yaml_events.DocumentStartEvent):
            documents += 1
        elif isinstance(event, yaml_events.CollectionEndEvent):
            depth -= 1
            expecting.pop()
        elif isinstance(event, yaml_events.NodeEvent):
            if expecting and expecting[-1] is not None:
                if expecting[-1] and len(expecting) == 1 and isinstance(event, yaml_events.ScalarEvent):
                    key = event.value
                expecting[-1] = not expecting[-1]
            if isinstance(event, yaml_events.CollectionStartEvent):
                depth += 1
                expecting.append(True if isinstance(event, yaml_events.MappingStartEvent) else None)
    return found


def _hazard(event, text: str, documents: int, depth: int, key: str | None, max_depth: int) -> Hazard | None:
    """What is refused about this one event, given what came before it."""
    line = event.start_mark.line + 1
    if isinstance(event, yaml_events.DocumentStartEvent):
        if event.version or event.tags:
            first = next((n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("%")), line)
            return Hazard(DIRECTIVE, first, None)
        if documents >= 1:
            return Hazard(DOCUMENTS, line, None)
    if isinstance(event, yaml_events.AliasEvent) or getattr(event, "anchor", None):
        return Hazard(ALIAS, line, key)
    if getattr(event, "tag", None) and isinstance(event, (yaml_events.ScalarEvent, yaml_events.CollectionStartEvent)):
        return Hazard(TAG, line, key)
    if isinstance(event, yaml_events.CollectionStartEvent) and depth + 1 > max_depth:
        # The key of a value that is itself a list or group is the last key read.
        return Hazard(DEPTH, line, key)
    return None
