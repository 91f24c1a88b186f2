"""Every provider's audit PDF of a period, drawn on several processes.

What the run's reports share (audits.findings.run_shared) is read once, before the workers
start: a forked worker inherits it, with the fonts and the modules already loaded (a worker
started another way reads it once itself). Each worker then reads the store on its own, a few
reports per connection, and gathers and draws its providers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reportlab.platypus.doctemplate import LayoutError

from audits import collector, findings, manifest, store, tiers
from audits.report import render, report_file_name
from audits.report_styles import styles

_SHARED: dict[tuple[str, str], findings.RunShared] = {}


# Reports drawn on one connection to the store: opening it costs about as much as gathering a
# report, and a small batch still lets a writer in between batches.
BATCH = 5


def _report_jobs(
    db, jobs: list[tuple[str, Path]], period: str, run_id: str, auditor: str | None, organisation: str | None
) -> list[tuple[str, str | None]]:
    """Gather and draw a few reports (in a worker process) on one read-only connection: for each,
    (provider id, None) or, when that report cannot be drawn, (provider id, why) so that the
    others are still drawn."""
    results: list[tuple[str, str | None]] = []
    try:
        with store.reading(db) as con:
            for provider_id, out in jobs:
                results.append(_report_job(con, db, provider_id, period, run_id, out, auditor, organisation))
    except store.StoreBusy as error:  # the store could not be opened: none of the rest is drawn
        done = {provider_id for provider_id, _ in results}
        results += [(provider_id, _why(error)) for provider_id, _ in jobs if provider_id not in done]
    return results


def _report_job(
    con, db, provider_id: str, period: str, run_id: str, out: Path, auditor: str | None, organisation: str | None
) -> tuple[str, str | None]:
    try:
        key = (str(db), run_id)
        if key not in _SHARED:
            _SHARED.clear()
            _SHARED[key] = findings.run_shared(con, run_id).per_provider(con)
        data = findings.gather(
            con, provider_id, period, shared=_SHARED[key], auditor=auditor, organisation=organisation
        )
        render(data, out)
    except (findings.FindingsError, OSError, LayoutError) as error:
        out.unlink(missing_ok=True)  # never leave half a report behind
        return provider_id, _why(error)
    return provider_id, None


def _batches(jobs: list, workers: int) -> list[list]:
    """The jobs in batches of BATCH, smaller towards the end (each a share of what is left, as
    guided scheduling does), so that the workers finish together: with whole batches to the end,
    one worker often sat idle while the other drew its last few reports."""
    if workers <= 1:
        return [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
    batches, start = [], 0
    while start < len(jobs):
        size = max(1, min(BATCH, -(-(len(jobs) - start) // (2 * workers))))
        batches.append(jobs[start : start + size])
        start += size
    return batches


def _why(error: Exception) -> str:
    return str(error).splitlines()[0][:300]


class BatchError(RuntimeError):
    """Some reports of a period could not be drawn; the others were written (`written`)."""

    def __init__(self, failed: dict[str, str], written: list[Path]):
        self.failed, self.written = failed, written
        lines = "\n".join(f"  {provider_id}: {why}" for provider_id, why in failed.items())
        super().__init__(
            f"{len(written)} reports were written, but {len(failed)} could not be drawn:\n{lines}\n"
            "Fix what each says and run the command again (the written reports are fine)."
        )


@tiers.output(tiers.PUBLIC, "every provider's audit PDF of a quarter")
def build_reports(
    db,
    period: str,
    out_dir: Path,
    auditor: str | None = None,
    organisation: str | None = None,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> list[Path]:
    """Every provider's PDF for a period from its latest run, on `workers` processes, and beside
    them the run's input manifest (audits.manifest), whose checksum each PDF prints."""
    out_dir = Path(out_dir)
    db = store.db_path(db)
    with store.reading(db) as con:
        run_id = findings.latest_run(con, period)
        providers = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT provider_id FROM results WHERE run_id = ? ORDER BY provider_id", [run_id]
            ).fetchall()
        ]
        out_dir.mkdir(parents=True, exist_ok=True)
        manifest.write(con, run_id, period, out_dir)
        shared = findings.run_shared(con, run_id).per_provider(con).split_all()
    _SHARED.clear()
    _SHARED[(str(db), run_id)] = shared
    styles()  # the fonts registered here, once, rather than in each worker
    if on_start:
        on_start(len(providers))
    paths = {p: out_dir / report_file_name(p, period) for p in providers}
    jobs = [(p, paths[p]) for p in providers]
    batches = _batches(jobs, workers)
    failed: dict[str, str] = {}

    def finished(results: list[tuple[str, str | None]]) -> None:
        for provider_id, why in results:
            if why:
                failed[provider_id] = why
            if progress:
                progress(provider_id)

    common = (period, run_id, auditor, organisation)
    # Everything alive now (the shared reads, the modules, the fonts) is set aside from the garbage
    # collector while the reports are drawn: its full collections walked those ~250,000 objects
    # again and again (about 5% of drawing a report), and in a forked worker touching them copies
    # the pages they live on (audits.collector).
    try:
        with collector.set_aside():
            if workers > 1 and len(batches) > 1:
                with ProcessPoolExecutor(max_workers=workers) as pool:
                    for results in pool.map(_report_jobs, *zip(*[(db, batch, *common) for batch in batches])):
                        finished(results)
            else:
                for batch in batches:
                    finished(_report_jobs(db, batch, *common))
    finally:
        _SHARED.clear()  # this process goes on: the next batch reads the store as it is then
    written = [paths[p] for p in providers if p not in failed]
    if failed:
        raise BatchError(failed, written)
    return written
