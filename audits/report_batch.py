"""Every provider's audit PDF of a period, drawn on several processes.

Each worker reads the store on its own and gathers what the run's reports share
(audits.findings.run_shared) once per process, then gathers and draws its providers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reportlab.platypus.doctemplate import LayoutError

from audits import findings, store, tiers
from audits.report import render, report_file_name

_SHARED: dict[tuple[str, str], findings.RunShared] = {}


def _report_job(
    db, provider_id: str, period: str, run_id: str, out: Path, auditor: str | None, organisation: str | None
) -> tuple[str, str | None]:
    """Gather and draw one report (in a worker process): (provider id, None) or, when this one
    report cannot be drawn, (provider id, why) so that the others are still drawn."""
    try:
        with store.reading(db) as con:
            key = (str(db), run_id)
            if key not in _SHARED:
                _SHARED.clear()
                _SHARED[key] = findings.run_shared(con, run_id)
            data = findings.gather(
                con, provider_id, period, shared=_SHARED[key], auditor=auditor, organisation=organisation
            )
        render(data, out)
    except (findings.FindingsError, store.StoreBusy, OSError, LayoutError) as error:
        out.unlink(missing_ok=True)  # never leave half a report behind
        return provider_id, str(error).splitlines()[0][:300]
    return provider_id, None


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
    """Every provider's PDF for a period from its latest run, on `workers` processes."""
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
    if on_start:
        on_start(len(providers))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {p: out_dir / report_file_name(p, period) for p in providers}
    args = [(db, p, period, run_id, paths[p], auditor, organisation) for p in providers]
    failed: dict[str, str] = {}

    def finished(result: tuple[str, str | None]) -> None:
        provider_id, why = result
        if why:
            failed[provider_id] = why
        if progress:
            progress(provider_id)

    if workers > 1 and len(providers) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(_report_job, *zip(*args), chunksize=2):
                finished(result)
    else:
        for job in args:
            finished(_report_job(*job))
    written = [paths[p] for p in providers if p not in failed]
    if failed:
        raise BatchError(failed, written)
    return written
