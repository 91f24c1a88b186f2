"""Who is looking at a page of results, and what they may see: the one opening that the
overview, standard and provider pages share, so the role checks and the tier of every figure
are decided in one place.

The tier (audits.tiers) is decided per provider: exact figures (restricted) for the auditor,
for a commissioner's own areas, and for a provider's own service; the public, disclosure-
controlled figures (audits.disclosure) for everything else, that is for an expert citizen, and
for any provider outside a commissioner's areas."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audits import accounts, tiers
from dashboard import auth, data, ui

EVERY = None  # the auditor: every provider's exact figures


@dataclass(frozen=True)
class Viewer:
    account: accounts.Account
    own: str | None  # a provider account's own provider: it sees nothing else
    restricted: tuple[str, ...] | None  # providers shown exact (None: every provider)
    db: str
    cat: data.Catalogue

    def tier(self, provider_id: str) -> str:
        return tiers.RESTRICTED if self.restricted is None or provider_id in self.restricted else tiers.PUBLIC

    @property
    def auditor(self) -> bool:
        return self.restricted is None


def restricted_providers(account: accounts.Account, providers: pd.DataFrame) -> tuple[str, ...] | None:
    """The providers whose exact figures this account may see (None: all of them)."""
    if account.role == "auditor":
        return EVERY
    if account.role == "commissioner":
        mine = providers[providers["area"].isin(account.areas)]["provider_id"]
        return tuple(sorted(mine))
    if account.role == "provider" and account.provider_id:
        return (account.provider_id,)
    return ()


def viewer_of(account: accounts.Account) -> Viewer:
    db = data.db()
    cat = data.catalogue(db)
    return Viewer(account, auth.visible_provider(account), restricted_providers(account, cat.providers), db, cat)


def open_results_page(page_file: str, link_param: str | None = None, state_key: str | None = None) -> Viewer:
    """Check the role (stopping the run if it may not open the page), take the choice an
    overview link carried, and read the catalogue of runs and providers."""
    account = auth.require_page(page_file)
    if link_param:
        ui.follow_link(link_param, state_key)
    return viewer_of(account)


def tier_note(view: Viewer, shown: pd.DataFrame) -> None:
    """Say which tier the figures on screen are: exact ones are never for publication."""
    if shown.empty or "tier" not in shown.columns:
        return
    exact = shown["tier"] == tiers.RESTRICTED
    if exact.all():
        ui.restricted_note()
    elif exact.any():
        ui.restricted_note(
            "Figures of "
            + ("your own area's providers" if view.account.role == "commissioner" else "your service")
            + " are exact; the others are the public figures, with small counts hidden (*)."
        )
