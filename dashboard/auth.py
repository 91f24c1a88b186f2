"""Sign-in and roles for the dashboard: who may see which page, checked on the server.

Streamlit's own `st.login` only speaks OIDC, so local accounts (audits.accounts,
argon2 hashes) are checked by this form; single sign-on is offered beside it where it is
configured (dashboard.sessions). The signed-in account lives in the server-side session
state (restored from the signed session cookie by dashboard.sessions); every page calls
`require_page` before it shows anything, so a page that is not in a person's navigation
cannot be reached by typing its address either.
"""

from __future__ import annotations

import streamlit as st

from audits import accounts, store
from dashboard import sessions, ui

# Every role that reads the audit's results. A peer interviewer gathers stories, on a phone in a
# service's waiting room: their menu holds only their own work.
ALL = tuple(role for role in accounts.ROLES if role != "peer_interviewer")

# page file -> (title, icon, roles that may open it). The one list both the
# navigation and the page guards read. The auditor's pages follow the order of the work:
# upload, review stories, run, share the draft, sign off, publish.
PAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "dashboard/overview.py": ("Overview", ":material/grid_view:", ("commissioner", "auditor", "expert_citizen")),
    "dashboard/standard.py": ("A standard", ":material/checklist:", ALL),
    "dashboard/provider.py": ("A provider", ":material/apartment:", ALL),
    "dashboard/readiness.py": ("Readiness", ":material/fact_check:", ALL),
    "dashboard/upload.py": ("Upload returns", ":material/upload_file:", ("auditor",)),
    "dashboard/capture.py": ("Record a story", ":material/record_voice_over:", ("peer_interviewer",)),
    "dashboard/review.py": ("Review stories", ":material/forum:", ("auditor",)),
    "dashboard/withdraw.py": ("Take a story back", ":material/undo:", ("peer_interviewer", "auditor")),
    "dashboard/audit.py": ("Run the audit", ":material/play_circle:", ("auditor",)),
    "dashboard/draft.py": ("Share the draft", ":material/outgoing_mail:", ("auditor",)),
    "dashboard/factcheck.py": ("Check the draft", ":material/rate_review:", ("provider",)),
    "dashboard/signoff.py": ("Sign off", ":material/verified:", ("auditor",)),
    "dashboard/publish.py": ("Publish", ":material/public:", ("auditor",)),
    "dashboard/actions.py": ("Action plans", ":material/task_alt:", ALL),
    "dashboard/workshop.py": ("Standards workshop", ":material/edit_note:", ("expert_citizen", "auditor")),
    "dashboard/visit.py": ("Visit kit", ":material/print:", ("peer_interviewer", "auditor", "expert_citizen")),
    "dashboard/peer_work.py": ("Work behind the audit", ":material/volunteer_activism:", ("auditor", "commissioner")),
    "dashboard/guide.py": ("Guide to the standards", ":material/menu_book:", ALL),
}


def current() -> accounts.Account | None:
    return st.session_state.get("account")


def pages_for(account: accounts.Account) -> list[str]:
    return [path for path, (_, _, roles) in PAGES.items() if account.role in roles]


def require_page(page_file: str) -> accounts.Account:
    """The signed-in account if it may open this page; otherwise say so and stop the run."""
    key = "dashboard/" + page_file.replace("\\", "/").rsplit("/", 1)[-1]
    account = current()
    if account is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    roles = PAGES[key][2]
    if account.role not in roles:
        st.error(
            f"This page is not open to the {account.role_word.lower()} role. Choose a page from the menu on the left."
        )
        st.stop()
    return account


def visible_provider(account: accounts.Account) -> str | None:
    """A provider account sees only its own provider; everyone else may choose."""
    return account.provider_id if account.role == "provider" else None


def sign_in_page() -> None:
    """The only page before signing in: the password form, and single sign-on where it is
    configured; or, for a single sign-on identity no account is linked to, what to do."""
    st.title("Lived Standards")
    unknown = st.session_state.get("sso_unknown")
    if unknown:
        no_account(unknown)
        return
    st.write(
        "Standards written by people with lived experience, audited by an independent third party. "
        "Sign in with the account your organisation gave you."
    )
    if sessions.sso_configured():
        if st.button(sessions.sso_button_label(), type="primary", icon=":material/badge:"):
            st.login()
        st.caption("Or with a Lived Standards username and password:")
    sign_in_form()


def no_account(identity: str) -> None:
    """Single sign-on worked, but no account is linked to this identity: no role by default."""
    st.warning(
        "Your organisation signed you in, but no Lived Standards account is linked to you yet, so there "
        "is nothing to show. Ask your administrator to link an account to you: give them the name below.",
        icon=":material/person_off:",
    )
    st.text(identity)
    if st.button("Sign out of single sign-on"):
        st.session_state.pop("sso_unknown", None)
        st.logout()


def sign_in_form() -> None:
    """The sign-in form: checks the password against the argon2 hash in the store."""
    with st.form("sign_in"):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        with store.reading() as con:
            has_accounts = con.execute("SELECT count(*) FROM accounts").fetchone()[0] > 0
    except store.StoreMissing:
        st.error(
            "There is no store yet, so there are no accounts. An administrator runs "
            "`make run` (demo) or `python -m audits setup-demo` first."
        )
        return
    if not has_accounts:
        st.error(
            "This store has no accounts yet, so nobody can sign in. An administrator runs "
            "`make run` (demo) or `python -m audits accounts add` to make them."
        )
        return
    try:
        with store.writing() as con:
            attempt = accounts.sign_in(con, username, password, _address())
    except store.StoreError as error:
        st.error(f"Signing in is not possible just now: {error}")
        return
    if attempt.wait_seconds:
        minutes = (attempt.wait_seconds + 59) // 60
        st.error(
            "Too many attempts to sign in with this username or from this computer. For your safety, "
            f"wait {minutes} minute{'s' if minutes != 1 else ''} and try again, or ask the person who "
            "runs Lived Standards to reset your password."
        )
        return
    if attempt.account is None:
        st.error("That username and password do not match an account. Check them and try again.")
        return
    sessions.remember(attempt.account)
    st.rerun()


def _address() -> str | None:
    """The browser's address as the server saw it (the lockout counts by it too)."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    return address if isinstance(address, str) else None


def sign_out_button(account: accounts.Account) -> None:
    with st.sidebar:
        st.caption(
            f"Signed in as **{ui.md(account.display_name)}** ({account.role_word}"
            + (f", {ui.md(account.provider_id)}" if account.provider_id else "")
            + ")"
        )
        unsaved = st.session_state.get("unsaved_work")  # standards changed in the workshop, not saved
        if unsaved and st.session_state.get("_sign_out_asked"):
            st.warning(
                "You have unsaved changes to a standard in the workshop. Signing out loses them.",
                icon=":material/warning:",
            )
            if st.button("Stay signed in", key="sign_out_stay", type="primary"):
                del st.session_state["_sign_out_asked"]
                st.rerun()
        if st.button(
            "Sign out and lose them" if unsaved and st.session_state.get("_sign_out_asked") else "Sign out",
            key="sign_out",
        ):
            if unsaved and not st.session_state.get("_sign_out_asked"):
                st.session_state["_sign_out_asked"] = True
                st.rerun()
            sessions.forget()
            st.rerun()
