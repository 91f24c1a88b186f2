"""bench/pages.py's options, without a browser (tests/browser/test_bench_pages.py runs it): --read,
the seconds a person spends on each page before the next click, is 0 unless asked, and never
negative; the browser's CPU seconds are split into Chromium's and the rest (Playwright's driver)."""

import sys

import pytest

from support.browser import ROOT

sys.path.insert(0, str(ROOT))
from bench import pages  # noqa: E402


def test_read_is_zero_unless_asked_and_never_negative():
    parser = pages.arguments()
    assert parser.parse_args([]).read == 0.0  # click as soon as a page is idle, as before
    assert parser.parse_args(["--read", "5"]).read == 5.0
    for wrong in ("-1", "nan", "soon"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--read", wrong])


def test_only_chromium_processes_count_as_chromium():
    import os

    assert not pages.is_chromium(os.getpid())  # this Python process: not Chromium
    assert not pages.is_chromium(2**22 + 7)  # no such process
