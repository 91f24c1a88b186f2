"""Lived Standards dashboard: `streamlit run app.py`.

Sign in first; the menu then holds only the pages open to the account's role, and
each page checks the role again on the server before it shows anything.
"""

import streamlit as st

from audits import store
from dashboard import auth, ui

# A page waits briefly for the auditors' command line to let go of the store, then says so
# calmly and tries again by itself (ui.store_busy), instead of hanging.
store.READ_WAIT_SECONDS = ui.BUSY_WAIT_SECONDS

st.set_page_config(page_title="Lived Standards", page_icon=":material/fact_check:", layout="wide")

account = auth.current()
if account is None:
    page = st.navigation([st.Page(auth.SIGN_IN_PAGE, title="Sign in", icon=":material/login:")], position="hidden")
else:
    files = auth.pages_for(account)
    home = "dashboard/provider.py" if account.role == "provider" else files[0]
    # every page shown (an auditor has 16): Streamlit folds a long menu behind "View more",
    # which hid Publish, the last step of the work
    page = st.navigation(
        [st.Page(f, title=auth.PAGES[f][0], icon=auth.PAGES[f][1], default=(f == home)) for f in files],
        expanded=True,
    )
    auth.sign_out_button(account)
try:
    page.run()
    ui.store_free()
except store.StoreBusy:
    ui.store_busy()
