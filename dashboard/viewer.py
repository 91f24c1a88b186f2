"""Who is looking at a page of results, and what they may see: the one opening that
the standard and provider pages share, so the role checks and the small-number rule
are decided in one place."""

from __future__ import annotations

from dataclasses import dataclass

from audits import accounts
from dashboard import auth, data, ui


@dataclass(frozen=True)
class Viewer:
    account: accounts.Account
    own: str | None  # a provider account's own provider: it sees nothing else
    public: bool  # counts of 1-4 people suppressed (everyone but the auditor)
    db: str
    cat: data.Catalogue


def open_results_page(page_file: str, link_param: str, state_key: str) -> Viewer:
    """Check the role (stopping the run if it may not open the page), take the choice an
    overview link carried, and read the catalogue of runs and providers."""
    account = auth.require_page(page_file)
    ui.follow_link(link_param, state_key)
    db = data.db()
    return Viewer(account, auth.visible_provider(account), account.role != "auditor", db, data.catalogue(db))
