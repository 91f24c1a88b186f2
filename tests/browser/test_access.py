"""Sessions and sign-in in a real browser: a refresh and a pasted link keep the person signed in
and on the page they asked for; signing out ends it; a forged cookie signs nobody in; single
sign-on through a local OpenID Connect provider (oidc-provider-mock) maps an identity to its
account, and an identity with no account gets no role."""

from __future__ import annotations

import secrets
import urllib.parse

import pytest

from support import dashboard_store
from support.browser import PAGE_TIMEOUT_MS, _free_port, serve, settle, shoot, sign_in

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

WELCOME = "A warm welcome within days"


def _standard_heading(page, title: str):
    return page.get_by_role("heading", name=title, exact=True)


def test_a_refresh_keeps_the_person_signed_in_on_the_same_page_and_choice(page, app_url):
    sign_in(page, app_url, "commissioner")
    page.get_by_role("link", name=WELCOME).first.click()
    settle(page)
    expect(_standard_heading(page, WELCOME)).to_be_visible()
    assert "/standard" in page.url and "standard=warm-welcome" in page.url
    page.reload()
    settle(page)
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(_standard_heading(page, WELCOME)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    # the same address in a new tab of the same browser: still signed in
    other = page.context.new_page()
    other.goto(page.url)
    settle(other)
    expect(other.get_by_text("Signed in as")).to_be_visible()
    expect(_standard_heading(other, WELCOME)).to_be_visible()
    other.close()


def test_a_pasted_link_asks_for_sign_in_then_lands_where_it_pointed(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        link = f"{app_url}/provider?provider=P003"
        page.goto(link)
        settle(page)
        expect(page.get_by_label("Username", exact=True)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        page.get_by_label("Username", exact=True).fill("commissioner")
        page.get_by_label("Password", exact=True).fill(dashboard_store.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        settle(page)
        expect(page.get_by_role("heading", name="Hill Lane Project (P003)", exact=False)).to_be_visible()
        assert "/provider" in page.url
    finally:
        context.close()


def test_signing_out_ends_the_session_and_a_forged_cookie_signs_nobody_in(page, app_url):
    sign_in(page, app_url, "auditor")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ls_session")
    assert cookie["sameSite"] == "Strict"
    page.get_by_role("button", name="Sign out").click()
    settle(page)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    page.reload()
    settle(page)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "ls_session" and c["value"]]
    # a cookie that was never signed by this server, naming the auditor
    forged = dict(cookie, value=cookie["value"].split(".")[0] + ".AAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBB")
    page.context.add_cookies([{k: forged[k] for k in ("name", "value", "domain", "path")}])
    page.reload()
    settle(page)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_a_page_of_another_role_says_so_instead_of_page_not_found(page, app_url):
    sign_in(page, app_url, "commissioner")
    page.goto(f"{app_url}/upload")
    settle(page)
    expect(page.get_by_text("This page is not open to the commissioner role")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)


# --------------------------------------------------------------------------- single sign-on

KNOWN = "sam.jones@northshire.example"


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    """The dashboard with single sign-on through a local OpenID Connect provider: its address."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [
        User(sub="sam-jones", claims={"email": KNOWN, "email_verified": True, "name": "Sam Jones"}),
        User(sub="stranger", claims={"email": "someone@elsewhere.example", "email_verified": True}),
    ]
    folder = tmp_path_factory.mktemp("sso")
    with run_server_in_thread(user_claims=users) as provider:
        port = _free_port()
        app = f"http://localhost:{port}"
        (folder / "secrets.toml").write_text(
            f"""[auth]
redirect_uri = "{app}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "lived-standards"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"

[lived_standards]
sso_label = "Sign in with Northshire Council"

[lived_standards.sso_accounts]
"{KNOWN.upper()}" = "commissioner"
""",
            encoding="utf-8",
        )
        with serve(folder, args=(f"--secrets.files={folder / 'secrets.toml'}",), port=port):
            yield app


def _through_the_provider(page, app: str, path: str, who: str) -> None:
    page.goto(app + path)
    settle(page)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()  # local accounts still work
    page.get_by_role("button", name="Sign in with Northshire Council").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_role("button", name=who, exact=True).click()
    page.wait_for_url(app + "/**")
    settle(page)


def test_single_sign_on_maps_the_identity_to_its_account_and_keeps_the_link(browser, sso):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        query = urllib.parse.urlencode({"standard": "warm-welcome"})
        _through_the_provider(page, sso, f"/standard?{query}", "sam-jones")
        expect(page.get_by_text("Signed in as")).to_be_visible()
        expect(page.get_by_text("(Commissioner)")).to_be_visible()
        expect(_standard_heading(page, WELCOME)).to_be_visible()
        shoot(page, "sso-standard")
        page.reload()  # Streamlit's own identity cookie keeps a single sign-on session
        settle(page)
        expect(page.get_by_text("Signed in as")).to_be_visible()
    finally:
        context.close()


def test_an_identity_with_no_account_gets_no_role(browser, sso):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        _through_the_provider(page, sso, "/overview", "stranger")
        expect(page.get_by_text("no Lived Standards account is linked to you")).to_be_visible()
        expect(page.get_by_text("someone@elsewhere.example")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
        shoot(page, "sso-no-account")
    finally:
        context.close()
