"""Staying signed in: a refresh, a new tab or a pasted link keeps the person signed in and
lands on the page they asked for; and single sign-on (OpenID Connect, st.login) beside the
local accounts.

Local accounts: after a right password the browser keeps a cookie holding the username and a
fingerprint of the account's password hash, signed with HMAC-SHA256 (itsdangerous, which
Streamlit's own sign-in cookie uses) by a secret only the server knows, and valid for
SESSION_HOURS. A new browser session checks the signature and age, then the store: a
disabled account, a reset password or a signature made with another secret signs nobody in.
Signing out deletes the cookie and the session forgets it.

Single sign-on: when `.streamlit/secrets.toml` has an `[auth]` section, the sign-in page also
offers "Sign in with your organisation" (st.login). The identity the provider vouches for is
mapped to a local account by `[lived_standards.sso_accounts]` in the same file (an e-mail
address or a subject, lower case, to a username): the role, provider and areas are the
account's, so an administrator decides them in one place. An identity that maps to no
account, or to a disabled one, gets a plain page asking the person to ask their administrator:
never a role by default.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import streamlit as st
from itsdangerous import BadSignature, URLSafeTimedSerializer

from audits import accounts, store

COOKIE = "ls_session"  # the signed local session
WANTED_COOKIE = "ls_wanted"  # the page asked for before a single sign-on round trip
SESSION_HOURS = 12  # a working day: after that, sign in again
_SALT = "lived-standards-session"
_WANTED_MINUTES = 15
# tokens signed out in this server process: refused at once, even if the browser has not yet run
# the script that deletes its cookie (a page opened right after "Sign out")
_SIGNED_OUT: set[str] = set()


# --------------------------------------------------------------------------- the secret


def _secrets() -> dict:
    """`.streamlit/secrets.toml` as a dict ({} when there is none)."""
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, OSError, st.errors.StreamlitSecretNotFoundError):
        return {}


def key_file(db: str | os.PathLike | None = None) -> Path:
    """Where the signing secret is kept when secrets.toml gives none: beside the store,
    readable by the server's user only."""
    path = store.db_path(db)
    return path.with_name(path.name + ".session-key")


def secret(db: str | os.PathLike | None = None) -> str:
    """The secret that signs session cookies: `[lived_standards] session_secret` in secrets.toml
    (several servers behind one address need the same), else a random key made once beside the
    store."""
    configured = _secrets().get("lived_standards", {}).get("session_secret")
    if configured:
        return str(configured)
    path = key_file(db)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(os.urandom(32).hex())
    return path.read_text(encoding="ascii").strip()


def _serializer(db: str | os.PathLike | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(db), salt=_SALT)


# --------------------------------------------------------------------------- the session token


def _fingerprint(password_hash: str | None) -> str:
    """Changes when the password is reset, so the old cookies stop working."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:20]


def token_for(username: str, db: str | os.PathLike | None = None) -> str:
    """A signed session token for an account that has just signed in."""
    with store.reading(db) as con:
        found = accounts.find(con, username)
    if found is None:
        raise accounts.AccountError(f"There is no account '{username}' that can sign in.")
    return _serializer(db).dumps({"u": found[0].username, "k": _fingerprint(found[1])})


def account_of(token: str | None, db: str | os.PathLike | None = None) -> accounts.Account | None:
    """The account a session token was made for, when its signature holds, it is younger than
    SESSION_HOURS and the account can still sign in with the same password; None otherwise."""
    if not token or token in _SIGNED_OUT:
        return None
    try:
        claim = _serializer(db).loads(token, max_age=SESSION_HOURS * 3600)
    except BadSignature:  # also a token too old (SignatureExpired is a BadSignature)
        return None
    if not isinstance(claim, dict) or not isinstance(claim.get("u"), str):
        return None
    return _stored_account(db, claim["u"], claim.get("k"))


# (store, username, password fingerprint) -> (the store's file_state before it was read, when,
# the account that can sign in so, or None): every page a person opens checks their cookie against
# the store (a reset password or a removed account ends their sessions at once), and opening the
# store to look was ~16 ms of the server's CPU a page, a third of an overview's (bench/pages.py)
_LOOKED_UP: dict[tuple, tuple[tuple, float, accounts.Account | None]] = {}
LOOKED_UP_SECONDS = 30.0  # the longest an answer is kept, even from a store that looks unchanged
_LOOKED_UP_MAX = 1000


def _stored_account(db, username: str, fingerprint) -> accounts.Account | None:
    """The account stored under username whose password has that fingerprint, or None: looked up
    in the store, or the answer of an earlier look while the store's files are unchanged on disk
    (store.file_state: nobody has written to it since) and for at most LOOKED_UP_SECONDS."""
    state = store.file_state(db)  # before the read: a write after it makes the next look read again
    key = (str(store.db_path(db)), username, fingerprint)
    now = time.monotonic()
    kept = _LOOKED_UP.get(key)
    if state is not None and kept is not None and kept[0] == state and now - kept[1] < LOOKED_UP_SECONDS:
        return kept[2]
    with store.reading(db) as con:
        found = accounts.find(con, username)
    account = found[0] if found is not None and _fingerprint(found[1]) == fingerprint else None
    if len(_LOOKED_UP) >= _LOOKED_UP_MAX:
        _LOOKED_UP.clear()
    _LOOKED_UP[key] = (state, now, account)
    return account


def _cookie_script(name: str, value: str, seconds: int) -> str:
    """A script that sets (seconds > 0) or deletes (0) a cookie for this site only."""
    secure = "; Secure" if _https() else ""
    return (
        "<script>document.cookie = "
        + json.dumps(f"{name}={value}; Max-Age={seconds}; Path=/; SameSite=Strict{secure}")
        + ";</script>"
    )


def _https() -> bool:
    try:
        return str(st.context.url or "").startswith("https:")
    except (AttributeError, RuntimeError):
        return False


def write_cookies() -> None:
    """Give the browser the cookies this run decided on (a script without anything to show).
    Called once per run by app.py, after the page is chosen."""
    for name, value, seconds in st.session_state.pop("_cookies", []):
        st.html(_cookie_script(name, value, seconds), unsafe_allow_javascript=True, width="content")


def _queue_cookie(name: str, value: str, seconds: int) -> None:
    st.session_state.setdefault("_cookies", []).append((name, value, seconds))


def remember(account: accounts.Account) -> None:
    """Sign this session in and keep it signed in across a refresh or a new tab."""
    st.session_state["account"] = account
    st.session_state.pop("signed_out", None)
    token = token_for(account.username)
    st.session_state["_token"] = token
    _queue_cookie(COOKIE, token, SESSION_HOURS * 3600)


def forget() -> None:
    """Sign out: the session forgets the account and the browser the cookie."""
    sso = st.session_state.get("sso")
    for token in (st.session_state.get("_token"), _cookie(COOKIE)):
        if token:
            _SIGNED_OUT.add(token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["signed_out"] = True  # this session's cookie header still has the old one
    _queue_cookie(COOKIE, "", 0)
    if sso:
        st.logout()


# --------------------------------------------------------------------------- single sign-on


def sso_configured() -> bool:
    """Single sign-on is offered only when secrets.toml configures it ([auth])."""
    return bool(_secrets().get("auth"))


def sso_button_label() -> str:
    return str(_secrets().get("lived_standards", {}).get("sso_label") or "Sign in with your organisation")


def sso_identity() -> str | None:
    """The identity the single sign-on provider vouched for in this browser (an e-mail address,
    else the subject), lower case; None when nobody is signed in with it."""
    if not sso_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        user = st.user.to_dict()
    except (AttributeError, KeyError, st.errors.StreamlitAPIException):
        return None
    if user.get("email") and user.get("email_verified") is not False:
        return str(user["email"]).strip().lower()
    return str(user.get("sub") or "").strip().lower() or None


def sso_account(identity: str, db: str | os.PathLike | None = None) -> accounts.Account | None:
    """The local account an identity is mapped to in secrets.toml, when it can sign in."""
    mapping = {
        str(k).strip().lower(): str(v) for k, v in _secrets().get("lived_standards", {}).get("sso_accounts", {}).items()
    }
    username = mapping.get(identity)
    if not username:
        return None
    with store.reading(db) as con:
        found = accounts.find(con, username)
    return found[0] if found else None


# --------------------------------------------------------------------------- who is here


def restore() -> accounts.Account | None:
    """The account of this browser session: already signed in, or signed in by the session
    cookie, or by single sign-on. A session that signed out stays signed out."""
    account = st.session_state.get("account")
    if account is not None or st.session_state.get("signed_out"):
        return account
    account = account_of(_cookie(COOKIE))
    if account is not None:
        st.session_state["_token"] = _cookie(COOKIE)
    if account is None:
        identity = sso_identity()
        if identity is not None:
            account = sso_account(identity)
            if account is None:
                st.session_state["sso_unknown"] = identity
                return None
            st.session_state["sso"] = identity
    if account is not None:
        st.session_state["account"] = account
    return account


def remember_wanted(url_path: str, params: dict[str, str]) -> None:
    """The page (and its choices) someone asked for before signing in: kept in the session for
    the password form, and in a short cookie for the single sign-on round trip (which comes
    back to a new session on the home page)."""
    wanted = {"page": url_path, "params": params}
    if st.session_state.get("wanted") != wanted:
        st.session_state["wanted"] = wanted
        _queue_cookie(WANTED_COOKIE, _serializer().dumps(wanted), _WANTED_MINUTES * 60)


def take_wanted() -> dict | None:
    """The page asked for before signing in, once (then forgotten)."""
    wanted = st.session_state.pop("wanted", None)
    kept = _cookie(WANTED_COOKIE)
    if kept and not st.session_state.get("_wanted_taken"):
        st.session_state["_wanted_taken"] = True  # this session's cookie header keeps it: take it once
        _queue_cookie(WANTED_COOKIE, "", 0)
        if wanted is None:
            try:
                wanted = _serializer().loads(kept, max_age=_WANTED_MINUTES * 60)
            except BadSignature:
                wanted = None
    if not isinstance(wanted, dict) or not isinstance(wanted.get("page"), str):
        return None
    params = wanted.get("params")
    return {"page": wanted["page"], "params": params if isinstance(params, dict) else {}}


def _cookie(name: str) -> str | None:
    """A cookie the browser sent when this session began (None in tests without a browser)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None
