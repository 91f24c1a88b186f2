"""Objects set aside from Python's cyclic garbage collector while a long piece of work runs.

A full collection walks every tracked object; during an audit's protection or a batch of
reports the ~200,000 objects alive at the start (modules, shared reads, fonts) live to the end,
so walking them again and again is work for nothing, and in a forked worker touching them copies
the memory pages they live on. `set_aside()` freezes them for the work, and afterwards hands them
back to the collector, unless this process had already frozen its objects itself (the command
line does, audits/__main__.py): then they stay frozen, as that process wanted. Every object is
still freed as usual when its last reference goes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def set_aside() -> Iterator[None]:
    """Freeze what is alive now for the length of the block; unfreeze afterwards only if nothing
    was frozen before (so a process's own freeze is never undone)."""
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not was_frozen:
            gc.unfreeze()
