"""Accounts the tests act as in the engine's actions (the workshop's saves and approvals);
the dashboard's signed-in roles are support.apptest.ACCOUNTS."""

from __future__ import annotations

from audits.accounts import Account

ANN = Account("ann", "Ann Example", "expert_citizen", None)
BOB = Account("bob", "Bob Example", "expert_citizen", None)
AUDITOR = Account("audrey", "Audrey Auditor", "auditor", None)
