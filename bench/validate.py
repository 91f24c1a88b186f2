"""Benchmark: validate the largest legitimate return, as a folder, a .zip and an .xlsx.

    .venv/bin/python bench/validate.py                  # the largest return of the national demo
    .venv/bin/python bench/validate.py --repeat 5

The reading limits of audits/limits.py must cost real providers nothing: this measures the
time and peak memory of `audits.returns.validate` on the biggest return of the national demo
(bench/common.py writes it once into bench/out/national), in each of the three forms. Each
form runs in a fresh process, so its peak resident memory is its own; the time is the best of
--repeat runs after the imports. It also prints how far the return is from each limit.
Run it by hand (timings depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

CHILD = """
import json, sys, time
from pathlib import Path
from audits import returns

def peak():  # this process's own high-water mark (ru_maxrss would include the parent's at fork)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

path, repeat = Path(sys.argv[1]), int(sys.argv[2])
imported = peak()
times, cpu = [], []
for _ in range(repeat):
    started, started_cpu = time.perf_counter(), time.process_time()
    v = returns.validate(path)
    times.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
print(json.dumps({
    "best": min(times), "median": sorted(times)[len(times) // 2], "cpu": min(cpu), "imported_mib": imported,
    "peak_mib": peak(),
    "rows": sum(v.rows.values()), "blocking": v.blocking,
}))
"""


def largest_return(work: Path) -> Path:
    return max((work / "returns").iterdir(), key=lambda p: sum(f.stat().st_size for f in p.iterdir()))


def as_zip(folder: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, f"{folder.name}/{f.name}")
    return path


def as_xlsx(folder: Path, path: Path) -> Path:
    """The return as one workbook, one sheet per table, its text in a shared-strings part as
    Excel saves it (openpyxl writes every cell as an inline string, which it then reads back
    several times slower than Excel's own files)."""
    import openpyxl
    from ruamel.yaml import YAML

    book = openpyxl.Workbook(write_only=True)
    meta = book.create_sheet("return")
    meta.append(["key", "value"])
    for key, value in YAML(typ="base").load((folder / "return.yaml").read_text(encoding="utf-8")).items():
        meta.append([key, value])
    for f in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(f.stem)
        with f.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    inline = path.with_suffix(".inline.xlsx")
    book.save(inline)
    _share_strings(inline, path)
    inline.unlink()
    return path


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>'
)


def _share_strings(source: Path, target: Path) -> None:
    """Rewrite a workbook's inline strings as Excel writes text: one shared-strings part."""
    strings: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2) or b"", index)

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = _INLINE.sub(shared, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            new.writestr(info.filename, data)
        items = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        new.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>' % (len(strings), len(strings), items),
        )


def measure(path: Path, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(repeat)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3, help="validations per form (the best is reported)")
    parser.add_argument(
        "--forms", nargs="+", default=["folder", "zip", "xlsx"], choices=["folder", "zip", "xlsx"], help="which forms"
    )
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    common.write_demo(args.work, providers=args.providers, fresh=args.fresh)
    folder = largest_return(args.work)
    forms = args.work.parent / "validate"
    shutil.rmtree(forms, ignore_errors=True)
    forms.mkdir(parents=True)
    paths = {"folder": folder, "zip": as_zip(folder, forms / f"{folder.name}.zip")}
    if "xlsx" in args.forms:  # writing the workbook takes a while
        paths["xlsx"] = as_xlsx(folder, forms / f"{folder.name}.xlsx")
    sizes = {f.name: f.stat().st_size for f in folder.iterdir()}
    print(
        f"largest return {folder.name}: {sum(sizes.values()) / 2**20:.1f} MiB in {len(sizes)} files, the largest "
        f"{max(sizes, key=sizes.get)} {max(sizes.values()) / 2**20:.1f} MiB; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for form, path in paths.items():
        if form not in args.forms:
            continue
        result = measure(path, args.repeat)
        print(
            f"{form:6} {path.stat().st_size / 2**20:7.1f} MiB  best {result['best']:6.2f} s  "
            f"median {result['median']:6.2f} s  CPU {result['cpu']:6.2f} s  peak {result['peak_mib']:6,.0f} MiB "
            f"(after imports {result['imported_mib']:,.0f} MiB)  {result['rows']:,} rows"
            + ("  REFUSED" if result["blocking"] else ""),
            flush=True,
        )
    try:
        from audits import limits
    except ImportError:  # before the limits existed
        return
    if "xlsx" not in paths:
        return
    with zipfile.ZipFile(paths["xlsx"]) as book:
        parts = {i.filename: i.file_size for i in book.infolist()}
    for line in limits.headroom(sizes, parts):
        print(line)
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
