"""Command: `demo`, synthetic returns and evidence packs to try the tool on.

The small set is what `make run` loads; the national set is for the benchmarks.
Writing into a folder that already holds files the demo did not write is refused
with a plain message (exit 1), so a real return is never overwritten.
"""

from __future__ import annotations

import enum
import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()


class Scale(str, enum.Enum):
    small = "small"
    national = "national"


def demo(
    scale: Scale = typer.Option(
        Scale.small,
        "--scale",
        help="small: 8 providers in two areas over 8 quarters "
        "(loaded by make run). national: about 150 providers over 4 quarters, "
        "about 8 million contacts (for benchmarks).",
    ),
    out: Path = typer.Option(Path("data/demo"), "--out", help="Folder to write returns/ and packs/ into."),
    seed: int = typer.Option(1, "--seed", help="The same seed always writes the same files."),
) -> None:
    """Write synthetic provider returns and evidence packs of stories, in the returns specification's layout."""
    from audits.demo import MANIFEST, DemoError, write_demo

    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"Writing the {scale.value} demo", total=None)

            def step(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"Writing the {scale.value} demo: {name}")

            paths = write_demo(out, scale=scale.value, seed=seed, progress=step)
    except DemoError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    except OSError as error:
        typer.echo(
            f"Could not write the demo into {out}: {error.strerror or error}. "
            "Check the folder exists and can be written to, and that the disk is not full.",
            err=True,
        )
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    made = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    table = Table(title=f"Demo written to {out} in {seconds:.1f} s (seed {seed})")
    table.add_column("What")
    table.add_column("How many", justify="right")
    for label, key in (
        ("Returns", "returns"),
        ("Evidence packs", "packs"),
        ("Treatment journeys (distinct)", "distinct_episodes"),
        ("Journey rows (one per quarter open)", "episode_rows"),
        ("Contacts", "contact_rows"),
        ("Workforce rows", "workforce_rows"),
        ("Stories", "story_rows"),
    ):
        table.add_row(label, f"{made[key]:,}")
    console.print(table)
    console.print(f"{len(paths)} folders. Load them with: python -m audits ingest {out}/returns/* {out}/packs/*")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("demo")(demo)
