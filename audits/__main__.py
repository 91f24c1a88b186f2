"""`python -m audits`: the command line (audits.cli) in a process of its own.

Python's cyclic garbage collector walks every object it tracks each time it collects in full.
The modules imported here (pandas, duckdb, pydantic, sqlglot, ruamel, typer: ~180,000 tracked
objects) live until the process ends, so collecting while they are imported, walking them again
during the command and once more on the way out is work for nothing: ~0.4-0.5 CPU-s of the ~2 a
bare `python -m audits --help` cost on a loaded 2-core machine (notes: start5.md). So: no
collection while importing, then those objects are frozen (never walked again); and when the
command is done everything is frozen again, so the interpreter's last collection has nothing to
walk. Every object is still freed as before when its last reference goes, and the cycles a
command makes while it works are still collected while it works. Only this process entry does
this: a program importing audits.cli (the tests, the dashboard) keeps Python's usual collector.
The app is built (audits.cli.app_for: the command modules are imported) while collection is off.
"""

import gc
import sys

gc.disable()
try:
    from audits.cli import app_for

    command = app_for(sys.argv[1:])  # imports the command modules this command line needs
finally:
    gc.freeze()
    gc.enable()

try:
    command()
finally:
    gc.freeze()
