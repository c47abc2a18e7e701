"""govcode index: the search index, derived from SQL."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, say, settings

app = typer.Typer(
    help="Search index (tantivy or Whoosh), rebuilt from SQL at will.", no_args_is_help=True
)
DRY = typer.Option(False, "--dry-run", help="count what would be indexed, write nothing")


@app.command()
def rebuild(dry_run: bool = DRY) -> None:
    """Drop this node's index and rebuild it from the database."""
    from registry.search import open_index
    from registry.search.sync import rebuild as do_rebuild

    s = settings()
    if dry_run:
        from sqlmodel import Session

        from registry.services import index_feed

        with engine(s, dry_run=True) as eng, Session(eng) as session:
            n = len(index_feed.all_ids(session))
        say(f"would index {n} repositories into {s.resolved_index_dir}")
        return
    with engine(s) as eng:
        n = do_rebuild(eng, open_index(s))
    console.print(f"indexed {n} repositories into {s.resolved_index_dir}")


@app.command()
def sync(dry_run: bool = DRY) -> None:
    """Apply the database's changes since this node's last sync."""
    from registry.search import open_index
    from registry.search.sync import sync as do_sync

    s = settings()
    if dry_run:
        _say_would_sync(s)
        return
    with engine(s) as eng:
        n = do_sync(eng, open_index(s))
    console.print(f"re-indexed {n} repositories")


def _say_would_sync(s) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from registry.search import SearchIndex
    from registry.services import index_feed

    seq = SearchIndex(s.resolved_index_dir).state.seq if s.resolved_index_dir.is_dir() else 0
    repos: set[int] = set()
    with engine(s, dry_run=True) as eng, Session(eng) as session:
        while True:
            seen, ids = index_feed.changed_since(session, seq)
            if not seen:
                break
            repos.update(ids)
            seq = max(seen)
    say(f"would re-index {len(repos)} repositories into {s.resolved_index_dir}")
