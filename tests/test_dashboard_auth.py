"""Sign-in and roles (dashboard/auth.py, dashboard/sign_in.py) in Streamlit's AppTest:
every page for every role, the role checks on the server, a provider account that sees
only its own provider, an empty store that says what to do next, and a lockout that a
reload cannot undo."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from audits import accounts, store, words
from dashboard import auth
from dashboard.pdfs import pdf_bytes

from support import dashboard_store
from support.apptest import ACCOUNTS, APP, DASHBOARD, frames, no_exception, signed_in, texts

# AppTest over the dashboard's store (built once per run, ~5 s): left out of make test-fast.
pytestmark = pytest.mark.slow


def test_signing_in_through_the_form(env):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert at.button[0].label == "Sign in"
    at.text_input[0].input("commissioner")
    at.text_input[1].input("not the password")
    at.button[0].click().run()
    assert "do not match" in texts(at)
    assert "account" not in at.session_state
    at.text_input[1].input(dashboard_store.PASSWORD)
    at.button[0].click().run()
    no_exception(at)
    assert at.session_state["account"].role == "commissioner"
    assert "Overview" in texts(at)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_page_of_every_role_renders(shared_env, role):
    at = signed_in(role)
    no_exception(at)
    for page in auth.pages_for(ACCOUNTS[role]):
        at.switch_page(page).run()
        no_exception(at)
        assert not at.error, (page, [e.value for e in at.error])


def test_a_commissioner_cannot_reach_upload_or_the_workshop(shared_env):
    """Their addresses are known (a link to one is not "Page not found") but not in the menu,
    and the page refuses before it shows anything."""
    at = signed_in("commissioner")
    for page in ("dashboard/upload.py", "dashboard/workshop.py", "dashboard/audit.py", "dashboard/review.py"):
        at.switch_page(page).run()
        assert "not open to the commissioner role" in at.error[0].value, page
        assert not at.file_uploader and not at.text_area and not [b for b in at.button if b.label != "Sign out"]


@pytest.mark.parametrize("page", ["upload.py", "workshop.py", "audit.py", "review.py"])
def test_the_page_itself_refuses_a_commissioner(shared_env, page):
    """Even run directly (as if reached by its address), a page checks the role first."""
    at = AppTest.from_file(str(DASHBOARD / page), default_timeout=30)
    at.session_state["account"] = ACCOUNTS["commissioner"]
    at.run()
    assert "not open to the commissioner role" in at.error[0].value
    assert not at.file_uploader and not at.text_area and not at.button


def test_a_page_refuses_anyone_not_signed_in(shared_env):
    at = AppTest.from_file(str(DASHBOARD / "overview.py"), default_timeout=30).run()
    assert "Please sign in" in at.warning[0].value
    assert not at.table


def test_a_provider_sees_only_its_own_results(shared_env):
    at = signed_in("provider")
    no_exception(at)
    page = texts(at)
    assert "Northgate Recovery Partnership (P001)" in page
    assert words.RESTRICTED_NOTE in "\n".join(w.value for w in at.warning)  # its own exact figures, labelled
    assert "Riverside" not in page and "Hill Lane" not in page and "P002" not in page
    assert not at.selectbox or all("P002" not in str(o) for s in at.selectbox for o in s.options)
    at.switch_page("dashboard/standard.py").run()
    no_exception(at)
    shown = "\n".join(f.to_string() for f in frames(at))
    assert "Northgate" in shown and "Riverside" not in shown and "Hill Lane" not in shown
    for chart in at.get("plotly_chart"):
        assert "Riverside" not in chart.proto.spec and "Hill Lane" not in chart.proto.spec
    # the overview's address is known, but it refuses a provider before it shows anything
    at.switch_page("dashboard/overview.py").run()
    assert "not open to the provider role" in at.error[0].value
    assert "Riverside" not in texts(at) and not frames(at)


def everything(at: AppTest) -> str:
    """Every element the run sent, as text: tables' data, charts' JSON, links, labels."""

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(str(n.proto) for n in walk(at._tree) if getattr(n, "proto", None) is not None)


OTHERS = ("Riverside", "Hill Lane", "P002", "P003")  # the providers P001's account must never see


def test_no_page_of_a_provider_account_shows_another_provider(shared_env):
    db, _ = shared_env
    at = signed_in("provider")
    outputs = []
    for page in auth.pages_for(ACCOUNTS["provider"]):
        for period in ("2026-Q2", "2025-Q1"):
            at.session_state["period"] = period
            # an address naming another provider is ignored: the account's own provider wins
            at.query_params["provider"] = "P002"
            at.switch_page(page).run()
            no_exception(at)
            for toggle in at.toggle:  # every trend on the provider page switched on
                toggle.set_value(True)
            at.run()
            outputs.append(everything(at))
            for standard_id in ("warm-welcome", "peer-workforce", "no-opiate-free-targets"):
                if page == "dashboard/standard.py":
                    at.selectbox(key="_standard_standard_id").select(standard_id).run()
                    outputs.append(everything(at))
    shown = "\n".join(outputs)
    assert "Northgate Recovery Partnership" in shown and "99.8% limits" in shown  # own figures and the funnel
    for other in OTHERS:
        assert other not in shown, other
    pdf = PdfReader(io.BytesIO(pdf_bytes(str(db), "P001", "2026-Q2")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Northgate Recovery Partnership" in text and "The run also used the returns of 2 other providers" in text
    for other in OTHERS:
        assert other not in text, other


def test_empty_store_pages_say_what_to_do_next(tmp_path, monkeypatch):
    db = tmp_path / "empty.duckdb"
    with store.writing(db):
        pass
    monkeypatch.setenv(store.DB_ENV, str(db))
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input("commissioner")
    at.text_input[1].input("any password")
    at.button[0].click().run()
    assert "no accounts yet" in at.error[0].value and "accounts add" in at.error[0].value
    at = signed_in("commissioner")
    assert "What to do next" in at.info[0].value
    at.switch_page("dashboard/standard.py").run()
    assert "What to do next" in at.info[0].value


def _try(password: str) -> AppTest:
    """A new browser session (as after a reload) trying to sign in once."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input("commissioner")
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_five_wrong_passwords_lock_the_account_across_reloads(tmp_path, monkeypatch):
    db = tmp_path / "audit.duckdb"
    dashboard_store.build_store(db, periods=dashboard_store.PERIODS[-1:])
    monkeypatch.setenv(store.DB_ENV, str(db))
    for _ in range(accounts.ACCOUNT_FAILURES):
        assert "do not match" in _try("not the password").error[0].value
    locked = _try(dashboard_store.PASSWORD)  # the right password, in a fresh session
    assert "Too many attempts" in locked.error[0].value and "wait 15 minutes" in locked.error[0].value
    assert "account" not in locked.session_state


def test_a_peer_interviewer_has_only_their_own_pages(env):
    at = signed_in("peer_interviewer")
    no_exception(at)
    assert auth.pages_for(ACCOUNTS["peer_interviewer"]) == [
        "dashboard/capture.py",
        "dashboard/withdraw.py",
        "dashboard/visit.py",
    ]
    assert "Record a story" in texts(at)  # their home page
    for page in ("dashboard/overview.py", "dashboard/provider.py", "dashboard/review.py", "dashboard/upload.py"):
        at.switch_page(page).run()
        assert "not open to the peer interviewer role" in at.error[0].value, page
        assert not frames(at) and not at.file_uploader, page
