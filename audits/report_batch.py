"""Every provider's audit PDF of a period, drawn on several processes.

Each worker reads the store on its own and gathers what the run's reports share
(audits.findings.run_shared) once per process, then gathers and draws its providers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from audits import findings, store, tiers
from audits.report import render, report_file_name

_SHARED: dict[tuple[str, str], findings.RunShared] = {}


def _report_job(
    db, provider_id: str, period: str, run_id: str, out: Path, auditor: str | None, organisation: str | None
) -> str:
    """Gather and draw one report (in a worker process)."""
    with store.reading(db) as con:
        key = (str(db), run_id)
        if key not in _SHARED:
            _SHARED.clear()
            _SHARED[key] = findings.run_shared(con, run_id)
        data = findings.gather(
            con, provider_id, period, shared=_SHARED[key], auditor=auditor, organisation=organisation
        )
    render(data, out)
    return provider_id


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
    if workers > 1 and len(providers) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done in pool.map(_report_job, *zip(*args), chunksize=2):
                if progress:
                    progress(done)
    else:
        for job in args:
            done = _report_job(*job)
            if progress:
                progress(done)
    return [paths[p] for p in providers]
