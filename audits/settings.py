"""Settings of the audit that every output must agree on, kept in the store.

They live in the store (not in an environment variable) because the dashboard and the command
line read the same store and must show the same ratings: a green needs the same number of
confirming stories on the overview, in the PDF and on the published site. Each change is a new
row with who and when; the latest wins. A sign-off made under an earlier value goes out of date
if the change alters what its report would say (audits.signed).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from audits import store


@dataclass(frozen=True)
class Setting:
    name: str
    default: int
    least: int
    most: int
    meaning: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "voices_needed",
            1,
            1,
            20,
            "how many consented stories from people using the service (or their families), marked "
            "'confirms' by the auditor, a standard green on its figures needs to be shown as Met",
        ),
        Setting(
            "approvals_needed",
            2,
            2,
            20,
            "how many different expert-citizen accounts must approve the same text of a draft standard "
            "before it is audited (and the fewest names a recorded meeting of the group must list)",
        ),
        Setting(
            "factual_accuracy_days",
            10,
            1,
            60,
            "how many working days (Monday to Friday, not counting bank holidays in England) a provider "
            "has to check a shared draft for factual accuracy",
        ),
    )
}


class SettingError(ValueError):
    """A setting that cannot be changed, said plainly."""


def get(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """The setting's current value (its default until someone sets it)."""
    setting = SETTINGS[name]
    row = con.execute(
        "SELECT value FROM settings WHERE name = ? ORDER BY set_at DESC, rowid DESC LIMIT 1", [name]
    ).fetchone()
    return setting.default if row is None else int(row[0])


def put(con: duckdb.DuckDBPyConnection, name: str, value: str | int, set_by: str) -> str:
    """Change a setting (append-only); returns a plain summary."""
    if name not in SETTINGS:
        raise SettingError(f"There is no setting '{name}'. The settings are: {', '.join(SETTINGS)}.")
    setting = SETTINGS[name]
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SettingError(f"{name} must be a whole number, such as {setting.default} (not '{value}').") from None
    if not setting.least <= number <= setting.most:
        raise SettingError(f"{name} must be from {setting.least} to {setting.most} (not {number}).")
    if not set_by or not set_by.strip():
        raise SettingError("Say who changed the setting (--by NAME).")
    con.execute("INSERT INTO settings VALUES (?, ?, ?, ?)", [name, str(number), set_by.strip(), store.now()])
    return f"{name} is now {number} (set by {set_by.strip()})."


def every(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """name -> current value of every setting."""
    return {name: get(con, name) for name in SETTINGS}
