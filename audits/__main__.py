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

No command does linear algebra, so OpenBLAS (loaded with numpy, under pandas) is left one thread:
by default it starts a worker thread per core as numpy is imported, which spin waiting for work
that never comes (~0.07 CPU-s of a 2-core machine's audit, while DuckDB needs both cores). A
value set by whoever runs the command is kept.

Once the command has ended (click ends every command with SystemExit and its exit code), the
process ends as the interpreter would end it, less the freeing of every module's objects one by
one (~0.04 s after an audit, whose process holds ~400 MB of them), which the operating system
does at once: see `_end`.
"""

import atexit
import gc
import os
import sys
import threading

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported: see above
gc.disable()
try:
    from audits.cli import app_for

    command = app_for(sys.argv[1:])  # imports the command modules this command line needs
finally:
    gc.freeze()
    gc.enable()


def _end(code: object) -> None:
    """End the process with `code` as SystemExit(code) would, without tearing down the modules:
    the functions registered to run at exit run (atexit: multiprocessing's, tempfile's, ...), the
    output is flushed, and the status is the same. Only when nothing else could still be running
    (no other thread: the interpreter would wait for it) and the code is a status (an int or
    None); otherwise nothing is done here and the interpreter ends the process as usual."""
    if not (code is None or isinstance(code, int)) or threading.active_count() > 1:
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # said by the interpreter's own end (a closed pipe, a closed file)
    os._exit(code or 0)


try:
    command()
except SystemExit as done:
    gc.freeze()
    _end(done.code)
    raise
finally:
    gc.freeze()
