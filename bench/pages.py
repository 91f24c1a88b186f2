"""Page times where people wait: in Debian's Chromium, every page for every role, click → app idle,
cold and warm; then many browser sessions opening the overview at once (p95).

    .venv/bin/python bench/pages.py                  # the shared national store (bench/common.py)
    .venv/bin/python bench/pages.py --db FILE        # another loaded and audited store
    .venv/bin/python bench/pages.py --roles commissioner --sessions 5 --repeat 1

"Idle" is measured in the page: the app's script has finished, nothing on screen is stale, every
element's code has arrived (Streamlit loads the code of a kind of element, Plotly's 4.7 MB above
all, the first time a page shows one, with a placeholder, stSkeleton, in its place meanwhile),
every Plotly chart has drawn and no spinner shows, and it stays so for IDLE_QUIET_MS (a page that
reruns itself is not idle between its runs). The time is from the click (or the start of the
navigation) to the moment that quiet stretch began. "Cold" is the first visit of each page after
a fresh server start (one per role, so no role warms another's caches), once the warming the
server starts with is over (dashboard.warm; its time is printed; --no-wait-warm signs in at once,
while it runs); "warm" the median of later visits. By default the next click comes as soon as a
page is idle; --read SECONDS waits that long on each page first (the sign-in page included, as a
person reading it and typing their name and password), as a person reading it does (what
the browser does meanwhile, such as dashboard.chart_code's preloading of Plotly's code once the
page is idle, is then not charged to the next page; it is not timed at all). Beside each time, the CPU seconds the server
and the browser (Playwright's driver and Chromium) spent on that visit. The concurrent sessions share one signed session cookie (dashboard.sessions), each
in its own browser context: all already open on the Guide (and settled there: the Guide's idle-time
work, dashboard.chart_code's, is over before a round starts), they click Overview in the menu at the
same moment (click → idle, the issue's page time), three rounds (--spread SECONDS: each session
clicks at its own moment, drawn at random over that many seconds, as people working at once do
rather than on one signal; 0, the default, is the worst case of every click together); then, for comparison, they load
/overview afresh in their tabs (the whole front end as well, 20 Chromium renderers starting on the
same cores as the server). The CPU seconds of the server and of the browser are printed beside
each (--no-goto: the clicks only), and for the clicks, per click: the server's, Chromium's,
Playwright's driver's (the browser's two parts) and the bench's own process's (counted in neither:
it too runs on the same cores), so that what the server alone costs a click can be read apart.
Last, the same clicks from people each on their own computer (--no-own: not): on this machine the
20 browsers run on the server's own two cores, which no person using the dashboard does, so the
server's part is timed by as many clients without a browser (bench/crowd.py, Streamlit's own
protocol, the same cookie and messages) and one Chromium's part alone; their sum is the most a
person waits.

The script adds one account per role to the store (bench-<role>, a fresh random password each
run), so give it a store nobody else is writing to. Targets (issue 15): every page ≤ 2 s, p95 of
20 concurrent overviews ≤ 3 s. Numbers depend on the machine and its load: the load average is
printed before and after, and saved with the numbers in bench/out/pages.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE_QUIET_MS = 250
TIMEOUT_MS = int(os.environ.get("BENCH_PAGE_TIMEOUT_MS", "120000"))
ROLES = ("commissioner", "auditor", "expert_citizen", "provider", "peer_interviewer")
# a page whose idle-time work is over: dashboard.chart_code's script has rehearsed Plotly's drawing
SETTLED = "() => window.lsChartCode === 'rehearsed'"
SETTLE_MS = 30000

# The page is idle when this holds (and Streamlit has sent nothing for IDLE_QUIET_MS)
DRAWN = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale=true]')
    && !document.querySelector('[data-testid=stSpinner]')
    && !document.querySelector('[data-testid=stSkeleton]')
    && !!document.querySelector('[data-testid=stMainBlockContainer] *')
    && [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'));
}"""


DIAGNOSE = """() => ({
  state: document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state'),
  stale: document.querySelectorAll('[data-stale=true]').length,
  spinners: document.querySelectorAll('[data-testid=stSpinner]').length,
  loading: document.querySelectorAll('[data-testid=stSkeleton]').length,
  charts: document.querySelectorAll('[data-testid=stPlotlyChart]').length,
  drawn: document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length,
})"""


class Watch:
    """What Streamlit's server told one page over its websocket: script runs begun (a
    new_session message starts every run) and finished, and when the last message came. The
    page's own script-state attribute is not enough: under load a run's start and end can
    reach the browser together and the attribute never shows "running"."""

    def __init__(self, page) -> None:
        self.begun = self.finished = 0
        self.last = time.perf_counter()
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: not ours to count
            return
        kind = message.WhichOneof("type")
        self.begun += kind == "new_session"
        self.finished += kind == "script_finished"
        self.last = time.perf_counter()

    def mark(self) -> tuple[float, int]:
        return time.perf_counter(), self.finished


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS: dict[str, int] = {}  # address -> the server's process id (its CPU seconds are read from /proc)


WARMED = ("Warmed the dashboard's cached reads", "Nothing warmed", "Warming the dashboard's cached reads failed")


@contextlib.contextmanager
def serve(db: Path, standards: Path, log: Path, wait_warm: bool = True):
    """`streamlit run serve.py` over db on a free port, until the block ends: its address. With
    wait_warm, only once the warming the server starts with (dashboard.warm) is over, as for
    anyone signing in some time after the server started: its log line is printed."""
    port = free_port()
    env = dict(os.environ, LIVED_STANDARDS_DB=str(db), LIVED_STANDARDS_DIR=str(standards))
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless=true"]
    command += [f"--server.port={port}", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        SERVERS[url] = process.pid
        try:
            deadline = time.monotonic() + 90
            while True:
                with contextlib.suppress(OSError), urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("The dashboard did not start:\n" + log.read_text())
                time.sleep(0.3)
            while wait_warm:
                said = [line for line in log.read_text().splitlines() if any(w in line for w in WARMED)]
                if said:
                    print(f"  server: {said[0].split(' ', 2)[-1]}", flush=True)
                    break
                if process.poll() is not None or time.monotonic() > deadline + 600:
                    raise SystemExit("The dashboard did not warm:\n" + log.read_text())
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def bench_accounts(db: Path) -> tuple[dict[str, str], str]:
    """One account per role in db (bench-<role>), with a fresh random password: usernames, password."""
    import inspect

    from audits import accounts, store

    password = accounts.new_password()
    names = {}
    with store.writing(db) as con:
        first = con.execute("SELECT provider_id, area FROM providers ORDER BY provider_id LIMIT 1").fetchone()
        for role in ROLES:
            extra = {}
            if role == "commissioner" and "areas" in inspect.signature(accounts.create_account).parameters:
                extra["areas"] = [first[1]] if first and first[1] else []
            provider = first[0] if role == "provider" else None
            username = f"bench-{role.replace('_', '-')}"
            accounts.create_account(con, username, password, role, provider, f"Bench {role}", replace=True, **extra)
            names[role] = username
    return names, password


async def wait_idle(page, since: tuple[float, int] | None = None) -> float:
    """Seconds from the mark `since` (a moment and the runs finished by then; None: the page's
    navigation start) until the app is idle: a run has finished since the mark, the page says
    none is under way and is drawn, and it has all stayed so, with no message from the server, for
    IDLE_QUIET_MS. The time is when that quiet stretch began: the later of the server's last
    message and the first look that found the page drawn (drawing can end well after the last
    message: a chart's code arriving, Plotly laying out a chart)."""
    watch: Watch = page._ls_watch
    if since is None:
        since = (time.perf_counter() - await page.evaluate("performance.now()") / 1000, 0)
    started, finished_before = since
    deadline = time.perf_counter() + TIMEOUT_MS / 1000
    quiet_from = None
    while time.perf_counter() < deadline:
        # a run interrupted by a rerun may end without its own script_finished: count the ends
        ran = watch.finished > finished_before
        looked = time.perf_counter()
        if ran and await page.evaluate(DRAWN):
            quiet_from = max(quiet_from or looked, watch.last)
            if time.perf_counter() - quiet_from >= IDLE_QUIET_MS / 1000:
                return quiet_from - started
        else:
            quiet_from = None
        await asyncio.sleep(0.02)
    parts = await page.evaluate(DIAGNOSE)
    raise TimeoutError(
        f"{page.url} was not idle within {TIMEOUT_MS / 1000:.0f} s: runs begun {watch.begun}, "
        f"finished {watch.finished} ({finished_before} before the click); the page: {parts}"
    )


async def click_and_time(page, locator) -> float:
    since = page._ls_watch.mark()
    await locator.click()
    return await wait_idle(page, since)


async def timed(page, locator) -> float:
    """click_and_time, or infinity when the page was not idle within the timeout (then the
    benchmark goes on with the next page, and says so)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        return await click_and_time(page, locator)
    except (TimeoutError, PlaywrightTimeout) as error:  # not idle, or the click not taken, in time
        print(f"  not idle: {error}", flush=True)
        return float("inf")


async def open_page(context, url: str):
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page._ls_watch = Watch(page)
    await page.goto(url)
    await wait_idle(page)
    return page


async def sign_in(page, username: str, password: str) -> float:
    await page.get_by_label("Username", exact=True).fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    seconds = await click_and_time(page, page.get_by_role("button", name="Sign in"))
    await page.get_by_text("Signed in as").wait_for()
    return seconds


async def role_pages(
    browser,
    url: str,
    username: str,
    password: str,
    titles: list[str],
    repeat: int,
    home_title: str | None = None,
    role: str = "",
    server_pid: int | None = None,
    read: float = 0.0,
) -> dict:
    """Sign in, then every page of the menu once (cold), then each again `repeat` times (warm),
    each with the CPU seconds the server and the browser spent on it (cold, and the median warm).
    `read`: seconds spent on each page once it is idle, before the next click (not timed)."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    ours = os.getpid()

    def cpu() -> tuple[float, float]:
        server = cpu_seconds([server_pid]) if server_pid else 0.0
        return server, cpu_seconds([p for p in descendants(ours) if p != server_pid])

    async def visit(step) -> tuple[float, float, float]:
        before = cpu()
        seconds = await step
        after = cpu()
        await read_page(read)
        return seconds, round(after[0] - before[0], 2), round(after[1] - before[1], 2)

    try:
        page = await open_page(context, url)
        await read_page(read)  # the sign-in page too: a person reads it and types their name and password
        home = home_title or titles[0]
        # the home page's cold visit is the sign-in's: the click on "Sign in" until it is idle
        out = {title: {"cold": None, "warm": None} for title in titles}
        nav = page.get_by_test_id("stSidebarNav")
        for title in [home] + [t for t in titles if t != home]:
            step = (
                sign_in(page, username, password)
                if title == home
                else timed(page, nav.get_by_role("link", name=title, exact=True))
            )
            out[title]["cold"], out[title]["cold_server_cpu"], out[title]["cold_browser_cpu"] = await visit(step)
            print_row(role, title, out[title]["cold"], None, out[title])
        warm: dict[str, list[tuple[float, float, float]]] = {title: [] for title in titles}
        order = [t for t in titles if t != home] + [home]  # never a click on the page already open
        for _ in range(repeat if len(titles) > 1 else 0):
            for title in order:
                warm[title].append(await visit(timed(page, nav.get_by_role("link", name=title, exact=True))))
        for title in titles:
            if warm[title]:
                seconds, server, browser_cpu = (statistics.median(v) for v in zip(*warm[title]))
                out[title].update(warm=seconds, warm_server_cpu=server, warm_browser_cpu=browser_cpu)
        return out
    finally:
        await context.close()


async def read_page(seconds: float) -> None:
    """A person reading the page, once it is idle, before the next click (--read; not timed)."""
    await asyncio.sleep(seconds)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds so far of these processes (those gone are left out)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def descendants(pid: int) -> list[int]:
    """Every process started (directly or not) by pid: here, Playwright's driver and Chromium's."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


async def concurrent_overviews(
    browser,
    url: str,
    username: str,
    password: str,
    sessions: int,
    rounds: int,
    server_pid: int | None = None,
    goto: bool = True,
    spread: float = 0.0,
) -> dict:
    """`sessions` browser contexts sharing one signed session cookie, `rounds` times each way:
    `rounds` (the issue's page time, click → app idle): every session already open on the Guide
    clicks Overview in the menu, all at the same moment or, with `spread`, each at a moment drawn
    at random (the same draws every run) within that many seconds; `goto` (for comparison): every session loads
    /overview afresh in its tab, i.e. Streamlit's whole front end as well (navigation start →
    idle). With the CPU seconds the server and the browser (Playwright's driver and every
    Chromium process) spent on each way."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    cookies = await session_cookies(browser, url, username, password)
    contexts = [await browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in range(sessions)]
    overview = auth_title("dashboard/overview.py")
    ours = os.getpid()

    def cpu() -> tuple[float, float, float, float]:
        """CPU seconds so far: the server, the browser (Chromium and Playwright's driver), of
        which Chromium alone, and this process (the bench itself: not counted in the others)."""
        server = cpu_seconds([server_pid]) if server_pid else 0.0
        browser_pids = [p for p in descendants(ours) if p != server_pid]
        chromium = [p for p in browser_pids if is_chromium(p)]
        return server, cpu_seconds(browser_pids), cpu_seconds(chromium), time.process_time()

    try:
        for context in contexts:
            await context.add_cookies(cookies)
        pages = []
        for context in contexts:
            one = await context.new_page()
            one.set_default_timeout(TIMEOUT_MS)
            one._ls_watch = Watch(one)
            pages.append(one)

        async def load(one) -> float:
            since = (time.perf_counter(), one._ls_watch.finished)
            try:
                await one.goto(url + "/overview", wait_until="commit")
                seconds = await wait_idle(one, since)
            except (TimeoutError, PlaywrightTimeout) as error:
                print(f"  not idle: {error}".splitlines()[0], flush=True)
                return float("inf")
            await one.get_by_text("Signed in as").wait_for()  # signed in by the shared cookie
            return seconds

        # every session open on the Guide first (not timed), one after another, then settled there
        for one in pages:
            await on_guide(one, url)
        settling = time.perf_counter()
        await asyncio.gather(*(settle(one) for one in pages))
        print(f"  every session open on the Guide, settled in {time.perf_counter() - settling:.1f} s more", flush=True)
        result: dict = {"rounds": [], "goto": [], "spread": spread}
        spent = [0.0, 0.0, 0.0, 0.0]  # cpu()'s CPU seconds over the timed clicks only

        async def click_at(one, delay: float) -> float:
            """Overview clicked `delay` seconds into the round; its time runs from the click."""
            await asyncio.sleep(delay)
            return await timed(one, link(one, overview))

        for i in range(rounds):
            draws = random.Random(i)
            delays = [draws.uniform(0, spread) for _ in pages]
            before = cpu()
            times = list(await asyncio.gather(*(click_at(one, delay) for one, delay in zip(pages, delays))))
            after = cpu()
            spent = [total + b - a for total, a, b in zip(spent, before, after)]
            result["rounds"].append(times)
            # each round's own CPU seconds per click: a session's first overview (round 1) also
            # runs the code of elements the Guide did not show, and whatever the Guide left running
            server, chromium = ((after[k] - before[k]) / len(pages) for k in (0, 2))
            result.setdefault("round_cpu", []).append({"server": round(server, 2), "chromium": round(chromium, 2)})
            print(
                f"  clicks, round {i + 1}: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s; "
                f"per click CPU-s: server {server:.2f}, Chromium {chromium:.2f}; load {loadavg()}",
                flush=True,
            )
            if i + 1 < rounds:
                await asyncio.gather(*(back(one, url) for one in pages))
        result["cpu"] = {
            "server": round(spent[0], 1),
            "browser": round(spent[1], 1),
            "chromium": round(spent[2], 1),
            "driver": round(spent[1] - spent[2], 1),
            "bench": round(spent[3], 1),
            "clicks": sum(len(r) for r in result["rounds"]),
        }
        if goto:
            before = cpu()
            for i in range(rounds):
                times = list(await asyncio.gather(*(load(one) for one in pages)))
                result["goto"].append(times)
                print(
                    f"  loads, round {i + 1}: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s",
                    flush=True,
                )
            after = cpu()
            result["goto_cpu"] = {"server": round(after[0] - before[0], 1), "browser": round(after[1] - before[1], 1)}
        return result
    finally:
        for context in contexts:
            await context.close()


async def own_computers(
    browser, url: str, username: str, password: str, sessions: int, rounds: int, server_pid: int, spread: float = 0.0
) -> dict:
    """What each of `sessions` people waits when they all click Overview at the same instant, each
    on their own computer (so what they share is the server, not a browser's two cores): the
    server's part, by `sessions` clients speaking Streamlit's protocol with no browser
    (bench/crowd.py: the same cookie, the same messages, `rounds` rounds from the Guide), plus one
    Chromium's own time for the same click, measured alone in a fresh context (its first
    Overview, the dearer one for a browser, and two later). The sum of the server's p95 and that
    first visit counts the server's run twice (the browser's time includes one): a person waits
    at most that."""
    from bench import crowd

    cookies = await session_cookies(browser, url, username, password)
    # a fresh renderer that has never drawn the overview, opened on the Guide by the cookie
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        await context.add_cookies(cookies)
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page._ls_watch = Watch(page)
        await on_guide(page, url)
        await settle(page)
        overview = auth_title("dashboard/overview.py")
        alone = []
        for _ in range(3):
            alone.append(await timed(page, link(page, overview)))
            await back(page, url)
    finally:
        await context.close()
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    served = await crowd.clicks(
        url,
        cookie,
        sessions,
        rounds,
        overview,
        auth_title("dashboard/guide.py"),
        "guide",
        spread,
        lambda: cpu_seconds([server_pid]),
    )
    every = [t for r in served["rounds"] for t in r]
    return {
        "alone": alone,
        "server_rounds": served["rounds"],
        "spread": spread,
        "cpu": {"server_per_click": round(served["cpu"]["server"] / len(every), 3), "clients": served["cpu"]["bench"]},
        "wait_p95": round(p95(every) + alone[0], 2),
    }


async def session_cookies(browser, url: str, username: str, password: str) -> list[dict]:
    """The signed session cookie of a sign-in in a context of its own (closed again): what the
    concurrent sessions, browsers or clients without one, are signed in by."""
    signing = await browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        await sign_in(await open_page(signing, url), username, password)
        return [c for c in await signing.cookies() if c["name"] == "ls_session"]
    finally:
        await signing.close()


async def on_guide(one, url: str) -> None:
    """A session open on the Guide, signed in (not timed)."""
    if "/guide" not in one.url:
        await one.goto(url + "/guide")
        await wait_idle(one)
    await one.get_by_text("Signed in as").wait_for()


async def settle(one) -> None:
    """Until the Guide's idle-time work is over (dashboard.chart_code: Plotly's code run and
    rehearsed), so that a round does not also time what opening the Guide set going; a
    rehearsal that never ends (no chart code sent, or it failed) is waited for SETTLE_MS."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        await one.wait_for_function(SETTLED, timeout=SETTLE_MS)


def link(one, title: str):
    """A page's link in the menu."""
    return one.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)


async def back(one, url: str) -> None:
    """To the Guide again (not timed): by its link, or afresh when the link would not take the click."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await click_and_time(one, link(one, auth_title("dashboard/guide.py")))
    except (TimeoutError, PlaywrightTimeout):
        await one.goto(url + "/guide")
        await wait_idle(one)


def is_chromium(pid: int) -> bool:
    """Whether the process is one of Chromium's (not Playwright's driver, a node process)."""
    with contextlib.suppress(OSError):
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        return "chrom" in Path(command.decode(errors="replace")).name
    return False


def auth_title(page_file: str) -> str:
    from dashboard import auth

    return auth.PAGES[page_file][0]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered))) - 1))]


async def measure(
    db: Path,
    standards: Path,
    roles: tuple[str, ...],
    repeat: int,
    sessions: int,
    rounds: int,
    log_dir: Path,
    goto: bool = True,
    wait_warm: bool = True,
    read: float = 0.0,
    spread: float = 0.0,
    own: bool = True,
) -> dict:
    """The whole benchmark over db: {'pages': {role: {page: {cold, warm}}}, 'concurrent': {...}}."""
    from playwright.async_api import async_playwright

    from audits import accounts
    from dashboard import auth

    names, password = bench_accounts(db)
    log_dir.mkdir(parents=True, exist_ok=True)
    result: dict = {"pages": {}, "load_before": loadavg(), "read": read}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for role in roles:
                account = accounts.Account(names[role], "", role, "P" if role == "provider" else None)
                titles = [auth.PAGES[f][0] for f in auth.pages_for(account)]
                home = auth.PAGES["dashboard/provider.py"][0] if role == "provider" else titles[0]
                with serve(db, standards, log_dir / f"pages-{role}.log", wait_warm) as url:
                    result["pages"][role] = await role_pages(
                        browser, url, names[role], password, titles, repeat, home, role, SERVERS[url], read
                    )
                print_role(role, {t: v for t, v in result["pages"][role].items() if v["warm"] is not None})
            if sessions:
                with serve(db, standards, log_dir / "pages-concurrent.log", wait_warm) as url:
                    result["concurrent"] = await concurrent_overviews(
                        browser, url, names["commissioner"], password, sessions, rounds, SERVERS[url], goto, spread
                    )
                    if own:
                        result["own"] = await own_computers(
                            browser, url, names["commissioner"], password, sessions, rounds, SERVERS[url], spread
                        )
                print_concurrent(result["concurrent"], sessions)
                if own:
                    print_own(result["own"], sessions)
        finally:
            await browser.close()
    result["load_after"] = loadavg()
    return result


def print_row(role: str, title: str, cold: float | None, warm: float | None, cpu: dict | None = None) -> None:
    cold_text, warm_text = (f"{v:7.2f}" if v is not None else "      -" for v in (cold, warm))
    cpu = cpu or {}
    spent = " ".join(
        f"{v:6.2f}" if isinstance(v, float) else "     -"
        for v in (cpu.get(k) for k in ("cold_server_cpu", "cold_browser_cpu", "warm_server_cpu", "warm_browser_cpu"))
    )
    print(f"{role:16} {title:24} {cold_text} {warm_text}  {spent}", flush=True)


def print_role(role: str, pages: dict) -> None:
    for title, t in pages.items():
        print_row(role, title + " (warm)", t["cold"], t["warm"], t)


def print_concurrent(concurrent: dict, sessions: int) -> None:
    ways = (
        ("rounds", "cpu", "click Overview in the menu → idle (the issue's page time)"),
        ("goto", "goto_cpu", "load /overview afresh in each tab → idle (the whole front end too)"),
    )
    for key, cpu_key, what in ways:
        if not concurrent.get(key):
            continue
        every = [t for r in concurrent[key] for t in r]
        spread = concurrent.get("spread") or 0
        when = f", the clicks spread at random over {spread:g} s" if key == "rounds" and spread else ""
        print(f"{sessions} concurrent overviews, {what}{when}:")
        for i, r in enumerate(concurrent[key], 1):
            print(f"  round {i}: median {statistics.median(r):.2f} s, slowest {max(r):.2f} s")
        cpu = concurrent.get(cpu_key, {})
        print(
            f"  {len(every)} loads: p95 {p95(every):.2f} s (target ≤ 3 s); CPU seconds: server "
            f"{cpu.get('server', 0):.1f}, browser {cpu.get('browser', 0):.1f}",
            flush=True,
        )
        if cpu.get("clicks"):
            # the same CPU seconds per click, the browser's split: what the server alone costs a
            # click, and what the browsers (on the same cores, as the issue asks) add to it
            n = cpu["clicks"]
            print(
                f"  per click, CPU seconds: server {cpu['server'] / n:.2f}, Chromium {cpu['chromium'] / n:.2f}, "
                f"Playwright's driver {cpu['driver'] / n:.2f}; the bench's own process {cpu['bench'] / n:.2f} "
                "(its own, counted in neither)",
                flush=True,
            )


def print_own(own: dict, sessions: int) -> None:
    every = [t for r in own["server_rounds"] for t in r]
    spread = own.get("spread") or 0
    when = f"each at a random moment within {spread:g} s" if spread else "at the same instant"
    print(f"{sessions} people, each on their own computer, clicking Overview {when}:")
    for i, r in enumerate(own["server_rounds"], 1):
        print(f"  the server's part, round {i}: median {statistics.median(r):.2f} s, slowest {max(r):.2f} s")
    alone = own["alone"]
    print(
        f"  the server's part: p95 {p95(every):.2f} s of {len(every)} clicks, by clients without a browser "
        f"(server CPU {own['cpu']['server_per_click']:.3f} s a click; the clients' own {own['cpu']['clients']:.1f} s in all)",
        flush=True,
    )
    print(
        f"  one Chromium alone, Guide → Overview: first visit {alone[0]:.2f} s, later {statistics.median(alone[1:]):.2f} s"
    )
    print(f"  so a person waits at most {own['wait_p95']:.2f} s (p95; target ≤ 3 s)", flush=True)


def seconds_or_more(text: str) -> float:
    """--read's and --spread's value: seconds, zero or more."""
    seconds = float(text)
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"give a number of seconds, 0 or more, not {text}")
    return seconds


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the store to read (default: the shared one in --work)")
    common.add_arguments(parser)
    parser.add_argument(
        "--roles", nargs="*", default=list(ROLES), choices=ROLES, help="none: the concurrent overviews only"
    )
    parser.add_argument("--repeat", type=int, default=2, help="warm visits of each page (median)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent overviews (0: skip)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of concurrent overviews")
    parser.add_argument(
        "--no-goto", action="store_true", help="time only the clicks, not the fresh loads of /overview as well"
    )
    parser.add_argument(
        "--no-wait-warm",
        action="store_true",
        help="sign in as soon as the server answers, while it is still warming (default: once warmed)",
    )
    parser.add_argument(
        "--read",
        type=seconds_or_more,
        default=0.0,
        metavar="SECONDS",
        help="wait this long on each page once it is idle, before the next click, as a person reading "
        "it (default 0: click at once)",
    )
    parser.add_argument(
        "--spread",
        type=seconds_or_more,
        default=0.0,
        metavar="SECONDS",
        help="the concurrent sessions click Overview each at a random moment within this many seconds "
        "(default 0: all at once, the worst case)",
    )
    parser.add_argument(
        "--no-own",
        action="store_true",
        help="skip the same clicks from people each on their own computer (the server's part by clients "
        "without a browser, plus one browser's time alone)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "pages.json")
    return parser


def main() -> None:
    args = arguments().parse_args()
    if args.db is None:
        args.db = common.national_store(args.work, args.standards, args.providers, args.fresh)[0]
    from audits import store

    with store.reading(args.db) as con:
        size = con.execute("SELECT count(*) FROM providers").fetchone()[0]
    print(f"store {args.db}: {size} providers; {args.read:g} s read on each page; load {loadavg()}", flush=True)
    print(f"{'role':16} {'page':24} {'cold s':>7} {'warm s':>7}  CPU-s: cold server, browser; warm server, browser")
    result = asyncio.run(
        measure(
            args.db.resolve(),
            args.standards.resolve(),
            tuple(args.roles),
            args.repeat,
            args.sessions,
            args.rounds,
            args.out.parent,
            not args.no_goto,
            not args.no_wait_warm,
            args.read,
            args.spread,
            not args.no_own,
        )
    )
    slowest = max([t["cold"] or 0 for pages in result["pages"].values() for t in pages.values()] or [0])
    print(
        f"slowest page, cold: {slowest:.2f} s (target ≤ 2 s); load before {result['load_before']}, after {result['load_after']}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(dict(result, store=str(args.db), providers=size), indent=1), encoding="utf-8")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
