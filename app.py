"""Lived Standards dashboard: `streamlit run serve.py` (which serves this script; see serve.py).

Sign in first (a local account, or single sign-on where it is configured); the menu then holds
only the pages open to the account's role, and each page checks the role again on the server
before it shows anything. Every page's address is known before signing in, so a pasted link
or a refresh never says "Page not found": the person signs in (or is still signed in, by the
signed session cookie) and lands on the page and choices the link asked for.
"""

import streamlit as st

from audits import store
from dashboard import auth, chart_code, data, look, sessions, ui, warm

# A page waits briefly for the auditors' command line to let go of the store, then says so
# calmly and tries again by itself (ui.store_busy), instead of hanging.
store.READ_WAIT_SECONDS = ui.BUSY_WAIT_SECONDS

st.set_page_config(page_title="Lived Standards", page_icon=":material/fact_check:", layout="wide")
look.apply()
# the shared cached reads of the latest quarters, read in the background: serve.py starts this
# when the server starts; here it starts when the server was run as `streamlit run app.py`, and
# again after a write from the dashboard (dashboard.warm; a look-up when there is nothing to do)
warm.start(data.db())

account = sessions.restore()
sign_in = st.Page(auth.sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in")
if account is None:
    pages = [st.Page(f, title=title, icon=icon) for f, (title, icon, _) in auth.PAGES.items()]
    page = st.navigation([sign_in, *pages], position="hidden")
    if page.url_path != sign_in.url_path and page.url_path:
        sessions.remember_wanted(page.url_path, st.query_params.to_dict())
    sessions.write_cookies()
    auth.sign_in_page()
    # Plotly's code loaded and rehearsed while the person types: public code, no data (chart_code)
    chart_code.send()
else:
    mine = auth.pages_for(account)
    home = "dashboard/provider.py" if account.role == "provider" else mine[0]
    # pages of other roles keep their address (hidden from the menu): a link to one says
    # plainly that it is not open to this role, instead of "Page not found"
    pages = [
        st.Page(f, title=title, icon=icon, default=(f == home), visibility="visible" if f in mine else "hidden")
        for f, (title, icon, _) in auth.PAGES.items()
    ]
    # every page shown (an auditor has 16): Streamlit folds a long menu behind "View more",
    # which hid Publish, the last step of the work
    page = st.navigation(pages, expanded=True)
    wanted = sessions.take_wanted()
    if wanted and wanted["page"] != page.url_path:
        target = next((p for p in pages if p.url_path == wanted["page"]), None)
        if target is not None:
            st.switch_page(target, query_params=wanted["params"])
    sessions.write_cookies()
    look.close_menu_on_phone(page.url_path)
    chart_code.when_idle()  # the same, for a session signed in by its cookie
    auth.sign_out_button(account)
    try:
        page.run()
        ui.store_free()
    except store.StoreBusy:
        ui.store_busy()
