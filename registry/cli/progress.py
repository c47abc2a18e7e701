"""The crawl's progress bar and summary table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


@contextmanager
def crawl_progress(console: Console) -> Iterator:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} repositories"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("crawling", total=None)

        def advance(name: str, status: str) -> None:
            bar.update(task, advance=1, description=f"{status:>9} {name}")

        yield advance


def summary_table(summary) -> Table:
    table = Table(title=f"crawl run {summary.run_id}: {summary.status}")
    for col in ("new", "changed", "unchanged", "failed", "requests spent"):
        table.add_column(col, justify="right")
    c = summary.counts
    table.add_row(
        *(str(c.get(k, 0)) for k in ("new", "changed", "unchanged", "failed", "requests"))
    )
    if summary.errors:
        table.caption = "; ".join(f"{e['repository']}: {e['error']}" for e in summary.errors[:5])
    return table
