"""How big a submission, a cell, a YAML file and an expression may be, and why.

Every file the tool reads comes from outside: a provider's return, an auditor's upload, a
standards file. Without limits one small file can take the server down for everyone (a
3.6 MB zip that inflates to gigabytes, a 436-byte YAML file of aliases that expands to 5 GB).
So each limit below is checked while reading, before anything is inflated or built, and a
submission over a limit is refused whole, with a message naming the file, the limit and what
to do.

The numbers are set from the largest legitimate return: the biggest provider quarter of the
national demo (`python -m audits demo --scale national`, calibrated to England 2024-25) is
9.1 MiB of CSV in 7 files, contacts.csv 7.7 MiB (119,194 contacts), 60 MiB of sheet XML as
an .xlsx. Each limit is at least ten times what that return needs (see bench/validate.py,
which prints the headroom), so a real provider never meets one.
"""

from __future__ import annotations

MIB = 2**20

# --------------------------------------------------------------------------- a submission's files

# One CSV file (or one file of any kind in a return's folder or .zip), uncompressed. The
# largest real one is 7.7 MiB; 100 MiB is about 1.5 million contacts in one quarter, more
# than any single treatment contract in England.
MAX_FILE_BYTES = 100 * MIB

# All the files of one return or evidence pack together, uncompressed (also the most a .zip
# or .xlsx file may be before it is opened). The largest real return is 9.1 MiB.
MAX_SUBMISSION_BYTES = 200 * MIB

# return.yaml and pack.yaml hold five short lines (about 150 bytes).
MAX_META_BYTES = 64 * 1024

# Files in a folder or entries in a .zip or .xlsx. A return has at most 7 files; a zip made
# on a Mac doubles them (__MACOSX); a workbook from Excel holds 15 to 40 parts. Python reads
# a zip's whole directory when it opens one, so the directory's size is checked first.
MAX_ENTRIES = 1000
MAX_DIRECTORY_BYTES = MAX_ENTRIES * 1024

# An .xlsx is a zip of XML parts; XML takes about six times the bytes of the same cells as
# CSV (the largest real return's contacts sheet is 46 MiB of XML).
MAX_WORKBOOK_PART_BYTES = 512 * MIB
MAX_WORKBOOK_BYTES = 1024 * MIB

# How many times an entry of a .zip or .xlsx may grow when inflated. Real CSV and sheet XML
# compress 5 to 15 times; a zip bomb grows a thousand times or more. Entries under
# RATIO_FLOOR_BYTES are not held to it (a tiny file can compress very well and do no harm).
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1 * MIB

# Compression methods read: stored (0) and Deflate (8), what Windows, macOS, Excel and
# LibreOffice write. Others (Deflate64, BZIP2, LZMA, PPMd from 7-Zip) are refused: Python
# cannot read some of them, and the others cannot be inflated a piece at a time.
ZIP_METHODS = {0: "stored", 8: "Deflate"}
ZIP_METHOD_NAMES = {9: "Deflate64", 12: "BZIP2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES"}

# Bytes of a .zip entry read at a time: the whole entry is never inflated in one go.
CHUNK_BYTES = 1 * MIB

# --------------------------------------------------------------------------- cells and columns

# Characters in one cell. The longest real cells are documents.csv's full texts of leaflets
# and policies (a 100-page policy is about 300,000 characters); Excel itself stops at 32,767.
MAX_CELL_CHARS = 1_000_000

# Lines of one CSV file, rows of one sheet. The largest real table has 119,195; Excel holds
# 1,048,576. (A file of nothing but line breaks would otherwise become millions of rows.)
MAX_LINES = 2_000_000

# Fields of return.yaml or pack.yaml (or rows of the sheet 'return' or 'pack'): there are five.
MAX_META_LINES = 100

# Columns in one table: Excel's own most (16,384). A table of the specification has 21 at most.
MAX_COLUMNS = 16_384

# --------------------------------------------------------------------------- standards files

# A standards file is a page or two of YAML (the longest today is under 6 KB).
MAX_STANDARD_FILE_BYTES = 1 * MIB

# Lists and groups inside each other in a standards file: a standard needs 3 (the standard,
# its list of measures, a measure); deeper nesting only ever comes from a mistake or an
# attack, and thousands of levels would exhaust Python's stack when the file is read.
MAX_YAML_DEPTH = 20

# An expression (where, count_if, value) of a measure: real ones are under 120 characters.
MAX_EXPRESSION_CHARS = 2000

# Conditions and sums inside each other in one expression ("a or b or c" is 3 deep). Real
# ones are under 10; at about 400 Python runs out of stack while checking one.
MAX_EXPRESSION_DEPTH = 100

# --------------------------------------------------------------------------- the dashboard

# The upload page's own limit, in megabytes (Streamlit's server.maxUploadSize, set to the
# same number in .streamlit/config.toml; a test keeps the two equal).
MAX_UPLOAD_MB = MAX_SUBMISSION_BYTES // MIB


def size_words(size: int) -> str:
    """Bytes as a person reads them: 1.5 MB, 200 MB, 64 KB."""
    for unit, factor in (("GB", 2**30), ("MB", MIB), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:,.0f} {unit}" if value >= 10 or value.is_integer() else f"{value:.1f} {unit}"
    return f"{size:,} bytes"


def headroom(files: dict[str, int], workbook_parts: dict[str, int]) -> list[str]:
    """How far a return is from each limit (for bench/validate.py and the notes)."""
    largest = max(files, key=files.get)
    part = max(workbook_parts, key=workbook_parts.get)
    rows = [
        ("largest file", largest, files[largest], MAX_FILE_BYTES),
        ("all files", f"{len(files)} files", sum(files.values()), MAX_SUBMISSION_BYTES),
        ("largest workbook part", part, workbook_parts[part], MAX_WORKBOOK_PART_BYTES),
        ("whole workbook", f"{len(workbook_parts)} parts", sum(workbook_parts.values()), MAX_WORKBOOK_BYTES),
    ]
    return [
        f"{what:22} {name:24} {size_words(size):>8} of {size_words(limit):>8} ({limit / size:,.0f}x headroom)"
        for what, name, size, limit in rows
    ]
