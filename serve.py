"""The dashboard's server: `streamlit run serve.py` (what `make run` does), or any ASGI server
(`uvicorn serve:app`).

It serves app.py as `streamlit run app.py` would, through Streamlit's ASGI entry (st.App), whose
lifespan runs once when the server starts, before anyone opens a page: the shared cached reads
of the latest quarters are read then (dashboard.warm), so the first person to sign in does not
wait for them. `streamlit run app.py` still works; it starts the same warming at its first page
load instead.
"""

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def warm_at_start(_app: st.App):
    """Start warming once Streamlit's runtime (and so its caches) is up; stop nothing on the way
    out: the warming thread is a daemon and only reads. The dashboard's modules are imported
    here, not above: Streamlit 1.67 makes a function's cache when it is decorated, and one made
    before the runtime exists is not the runtime's (it says so in a warning per cache)."""
    from dashboard import data, warm

    warm.start(data.db())
    yield


app = st.App("app.py", lifespan=warm_at_start)
