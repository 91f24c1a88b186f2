"""audits.commands.engine._summary as it was before it counted voices with verdicts.run_shown_ratings
and made each rating cell into rich Text once: tests/test_cli_lazy.py checks the new one prints
the same bytes."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audits import ratings, store, verdicts, words
from audits.commands.engine import SHOWN_PROVIDERS, UNSURE_MARK


def summary_before(console: Console, db, run_id: str) -> None:
    with store.reading(db) as con:
        df = verdicts.shown_ratings(con, run_id)
    standard_ids = sorted(df["standard_id"].unique())
    providers = df[["provider_id", "provider_name"]].drop_duplicates().sort_values("provider_id")
    cells = {(r.provider_id, r.standard_id): (r.shown, r.uncertain) for r in df.itertuples()}
    table = Table(title=f"Audit {run_id}", show_lines=False)
    table.add_column("Provider")
    for standard_id in standard_ids:
        table.add_column(standard_id)
    for provider in providers.head(SHOWN_PROVIDERS).itertuples():
        name = provider.provider_name or provider.provider_id
        row = [f"{provider.provider_id} {name}"]
        for standard_id in standard_ids:
            shown, unsure = cells.get((provider.provider_id, standard_id), ("no_data", False))
            mark = UNSURE_MARK if words.rating(shown, unsure) != words.rating(shown) else ""
            row.append(f"[{ratings.look(shown).colour}]{escape(words.rating(shown))}{mark}[/]")
        table.add_row(*row)
    console.print(table)
    if len(providers) > SHOWN_PROVIDERS:
        console.print(
            f"… and {len(providers) - SHOWN_PROVIDERS} more providers: python -m audits export writes every result."
        )
    counts = df["shown"].value_counts()
    console.print(
        "Standards rated: "
        + ", ".join(f"{escape(words.rating(r))} {int(counts.get(r, 0))}" for r in ratings.LOOKS if counts.get(r, 0))
    )
    if df["uncertain"].any():
        console.print(
            f"{UNSURE_MARK} {escape(words.UNCERTAIN)} ({int(df['uncertain'].sum())} of {len(df)}): "
            f"{escape(words.UNCERTAIN_EXPLANATION)}."
        )
