"""The dashboard's server settings (.streamlit/config.toml, read as Streamlit reads it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def options(*names: str) -> dict:
    """The options as Streamlit takes them from the project's config file (in a fresh process,
    from the repository's root, as `streamlit run serve.py` does): a misspelt key is ignored by
    Streamlit without a word, and would read as the default here."""
    code = (
        "import json, sys\n"
        "from streamlit import config\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(json.dumps({n: config.get_option(n) for n in sys.argv[1:]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *names], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_server_does_not_collect_all_its_garbage_after_every_page():
    # Streamlit's default runs a full collection after each script run: ~60 ms a page with a
    # national store's cached reads held, half the server's CPU when many open pages at once
    assert options("runner.postScriptGC") == {"runner.postScriptGC": False}
