"""govcode index: the search index, derived from SQL."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, settings

app = typer.Typer(
    help="Search index (tantivy or Whoosh), rebuilt from SQL at will.", no_args_is_help=True
)


@app.command()
def rebuild() -> None:
    """Drop this node's index and rebuild it from the database."""
    from registry.search import open_index
    from registry.search.sync import rebuild as do_rebuild

    s = settings()
    with engine(s) as eng:
        n = do_rebuild(eng, open_index(s))
    console.print(f"indexed {n} repositories into {s.resolved_index_dir}")


@app.command()
def sync() -> None:
    """Apply the database's changes since this node's last sync."""
    from registry.search import open_index
    from registry.search.sync import sync as do_sync

    s = settings()
    with engine(s) as eng:
        n = do_sync(eng, open_index(s))
    console.print(f"re-indexed {n} repositories")
