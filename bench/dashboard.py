"""Page render times of the dashboard, per role and page, cold and warm cache.

    .venv/bin/python bench/dashboard.py              # the shared national store (bench/common.py)
    .venv/bin/python bench/dashboard.py --db FILE    # another loaded and audited store

Each page is run in Streamlit's AppTest (the same script run the server does, with
no browser): "cold" after clearing every cache, "warm" on the next visit. Use a
copy of a store that nobody is writing to. Target: every page under 2 s at
national scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
import sys  # noqa: E402

sys.path[0] = str(ROOT)  # this file is named dashboard.py too: import the package, not itself

from bench import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store to read (default: the shared one in --work)")
    common.add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3, help="warm visits per page")
    args = parser.parse_args()
    if args.db is None:
        args.db = common.national_store(args.work, args.standards, args.providers, args.fresh)[0]
    os.environ["LIVED_STANDARDS_DB"] = str(Path(args.db).resolve())
    os.environ["LIVED_STANDARDS_DIR"] = str(Path(args.standards).resolve())

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from audits import accounts, store
    from dashboard import auth

    with store.reading(args.db) as con:
        first = con.execute("SELECT min(provider_id) FROM providers").fetchone()[0]
        size = con.execute("SELECT count(*) FROM providers").fetchone()[0]
        periods = con.execute("SELECT count(DISTINCT period) FROM runs").fetchone()[0]
    print(f"store {args.db}: {size} providers, {periods} audited period(s)")
    people = {
        "commissioner": accounts.Account("b", "Bench", "commissioner", None),
        "auditor": accounts.Account("b", "Bench", "auditor", None),
        "expert_citizen": accounts.Account("b", "Bench", "expert_citizen", None),
        "provider": accounts.Account("b", "Bench", "provider", first),
    }
    print(f"{'role':16} {'page':28} {'cold s':>7} {'warm s':>7}")
    worst = 0.0
    for role, account in people.items():
        for page in auth.pages_for(account):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.session_state["account"] = account
            at.run()
            at.switch_page(page)
            st.cache_data.clear()
            started = time.perf_counter()
            at.run()
            cold = time.perf_counter() - started
            warm_times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                at.run()
                warm_times.append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"{page} failed for {role}: {at.exception[0].value}")
            warm = statistics.median(warm_times)
            worst = max(worst, cold)
            print(f"{role:16} {page:28} {cold:7.2f} {warm:7.2f}")
    print(f"slowest cold render: {worst:.2f} s (target < 2 s)")


if __name__ == "__main__":
    main()
