"""audits/__main__.py ends the process once its command is done without tearing down the modules
(`_end`): the exit status, the output and the functions registered to run at exit are those of
the interpreter's own end, and a thread still running is waited for as the interpreter would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def as_main(*args: str, before: str = "") -> subprocess.CompletedProcess:
    """`python -m audits ARGS` (audits/__main__.py run as the process's main module), with `before`
    run first in the same process."""
    code = f"import runpy, sys\nsys.argv = ['audits', *sys.argv[1:]]\n{before}\nrunpy.run_module('audits', run_name='__main__')\n"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_a_command_that_ends_well_exits_0_with_all_it_printed():
    done = as_main("run", "--help")
    assert done.returncode == 0, done.stderr
    assert "--period" in done.stdout and done.stdout.rstrip().endswith("╯")


def test_a_mistake_keeps_its_exit_code_and_its_message(tmp_path):
    done = as_main("run", "--period", "2026-Q2", "--db", str(tmp_path / "none.duckdb"))
    assert done.returncode == 1
    assert "There is no store" in done.stdout + done.stderr
    assert as_main("run", "--bogus").returncode == 2


def test_what_is_registered_to_run_at_exit_still_runs():
    done = as_main("run", "--help", before="import atexit; atexit.register(lambda: print('at exit', flush=True))")
    assert done.returncode == 0
    assert done.stdout.rstrip().endswith("at exit")


def test_a_thread_still_running_is_waited_for():
    before = "import threading, time; threading.Thread(target=lambda: (time.sleep(0.5), print('thread done'))).start()"
    done = as_main("run", "--help", before=before)
    assert done.returncode == 0
    assert "thread done" in done.stdout


def test_openblas_is_left_one_thread_unless_told_otherwise():
    said = "import atexit, os; atexit.register(lambda: print('threads', os.environ.get('OPENBLAS_NUM_THREADS')))"
    untold = "os.environ.pop('OPENBLAS_NUM_THREADS', None)"
    assert as_main("run", "--help", before=f"{said}; {untold}").stdout.rstrip().endswith("threads 1")
    told = "os.environ['OPENBLAS_NUM_THREADS'] = '3'"
    assert as_main("run", "--help", before=f"{said}; {told}").stdout.rstrip().endswith("threads 3")
