"""The server's part of many people clicking one page at the same instant, each on their own
computer: clients that speak Streamlit's own protocol to the server, without a browser.

bench/pages.py drives real Chromium sessions; on this machine those run on the server's own two
cores, so twenty clicks at once also time twenty browsers drawing the page on two cores. A person
at a council office has their own computer: what they share is the server. These clients send the
messages a browser sends when a page's link is clicked (the same signed session cookie, the same
`rerun_script` with the page's script hash, over the same WebSocket) and time each click until the
server says the page's run has finished (`script_finished`), having read every message the run
sent. bench/pages.py adds one browser's own time, measured alone, to give what a person waits.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# How long one page's run may take before the client gives up on it (a run never finished is a
# failure of the page, not a slow time).
RUN_TIMEOUT_S = 120


@dataclass
class Session:
    """One client's WebSocket and the pages its navigation offers (title → script hash)."""

    socket: websockets.ClientConnection
    pages: dict[str, str] = field(default_factory=dict)
    signed_in: bool = False


async def connect(url: str, cookie: str, first_page: str) -> Session:
    """A session open on first_page (its URL path, as a browser opening that address asks for it),
    signed in by cookie ("name=value"): the server runs the page once, as for a browser."""
    socket = await websockets.connect(
        url.replace("http", "ws", 1) + "/_stcore/stream",
        subprotocols=["streamlit"],
        additional_headers={"Cookie": cookie, "Origin": url},
        max_size=None,
    )
    one = Session(socket)
    await run(one, page_name=first_page)
    if not one.pages:
        raise RuntimeError("the server sent no navigation: is the app a multipage app?")
    return one


async def run(one: Session, page_hash: str = "", page_name: str = "") -> float:
    """Ask for a page's run as a browser does when its link is clicked; the seconds until the run
    has finished (a run cut short for a rerun the page asked for is followed to its end)."""
    message = BackMsg()
    state = message.rerun_script
    state.query_string = ""
    state.page_script_hash = page_hash
    state.page_name = page_name
    state.widget_states.SetInParent()
    start = time.perf_counter()
    await one.socket.send(message.SerializeToString())
    async with asyncio.timeout(RUN_TIMEOUT_S):
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await one.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "navigation":
                one.pages = {p.page_name: p.page_script_hash for p in forward.navigation.app_pages}
            elif kind == "delta" and not one.signed_in and "Signed in as" in str(forward.delta):
                one.signed_in = True
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the page did not compile")
                if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return time.perf_counter() - start


async def click(one: Session, title: str, delay: float = 0.0) -> float:
    """The page called title, asked for `delay` seconds from now: its seconds from the ask."""
    await asyncio.sleep(delay)
    return await run(one, one.pages[title])


async def clicks(
    url: str,
    cookie: str,
    sessions: int,
    rounds: int,
    page: str,
    back: str,
    first_page: str,
    spread: float = 0.0,
    server_cpu: Callable[[], float] | None = None,
) -> dict:
    """`sessions` clients open on `first_page`; `rounds` times, each clicks `page` (all at the same
    instant, or with `spread` each at a moment drawn at random within that many seconds, the
    same draws as bench/pages.py's browsers), then goes `back` (not timed). Every client must be
    signed in (else the times would be of the sign-in page): {'rounds': [[seconds, ...], ...],
    'cpu': CPU seconds over the timed clicks, of this process ('bench') and, given `server_cpu`
    (the server's CPU seconds so far), of the server ('server')}."""
    opened = [await connect(url, cookie, first_page) for _ in range(sessions)]
    try:
        if not all(one.signed_in for one in opened):
            raise RuntimeError("a client was not signed in by the cookie")
        result: dict = {"rounds": [], "spread": spread}
        spent = [0.0, 0.0]
        for i in range(rounds):
            draws = random.Random(i)
            delays = [draws.uniform(0, spread) for _ in opened]
            before = (time.process_time(), server_cpu() if server_cpu else 0.0)
            times = await asyncio.gather(*(click(one, page, delay) for one, delay in zip(opened, delays)))
            after = (time.process_time(), server_cpu() if server_cpu else 0.0)
            spent = [total + b - a for total, a, b in zip(spent, before, after)]
            result["rounds"].append(list(times))
            await asyncio.gather(*(click(one, back) for one in opened))
        result["cpu"] = {"bench": round(spent[0], 2), "server": round(spent[1], 2)}
        return result
    finally:
        await asyncio.gather(*(one.socket.close() for one in opened), return_exceptions=True)
