"""The crawl's progress bar and summary table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


COUNTS = ("new", "changed", "unchanged", "failed", "requests")


def summary_table(summaries: Sequence) -> Table:
    """One row per crawl run (source, status, counts), and a total row for several.

    The failures themselves are printed one a line by the caller, not squeezed in here."""
    if len(summaries) == 1:
        title = f"crawl run {summaries[0].run_id}: {summaries[0].status}"
    else:
        title = f"crawl of {len(summaries)} sources"
    table = Table(title=title)
    table.add_column("source", justify="right")
    table.add_column("run", justify="right")
    table.add_column("status")
    for col in ("new", "changed", "unchanged", "failed", "requests spent"):
        table.add_column(col, justify="right")
    for s in summaries:
        counts = (str(s.counts.get(k, 0)) for k in COUNTS)
        table.add_row(str(s.source_id), str(s.run_id), s.status, *counts)
    if len(summaries) > 1:
        totals = (str(sum(s.counts.get(k, 0) for s in summaries)) for k in COUNTS)
        table.add_row("all", "", "", *totals, end_section=False)
    return table
