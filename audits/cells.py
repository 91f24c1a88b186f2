"""Cells the tool writes into CSV and Excel files, made safe to open in a spreadsheet.

A value that starts with =, +, -, @, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets when the file is opened ("CSV injection": a provider
name written =HYPERLINK(…) becomes a link that sends the reader anywhere). Every CSV and
workbook the tool writes passes its text cells through `safe_cell`, which puts a single
quote in front of such a value (the OWASP rule), so it is shown as the text it is. Numbers
such as -3.5 or +2 are left as they are: a spreadsheet reads them as numbers, never as
formulas.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number as a spreadsheet reads one (also used to type the cells of a return).
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NUMBER = re.compile(NUMBER_PATTERN, re.ASCII)


def safe_cell(value: object) -> str:
    """The text of one cell, never a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text
