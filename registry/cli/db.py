"""govcode db: schema migrations."""

from __future__ import annotations

import typer

from registry.cli.common import console, settings

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    from registry import migrate
    from registry.db import make_engine

    eng = make_engine(settings())
    try:
        migrate.upgrade(eng, revision)
        console.print(f"database at revision [bold]{migrate.current(eng)}[/]")
    finally:
        eng.dispose()


@app.command()
def current() -> None:
    """Print the database's current revision."""
    from registry import migrate
    from registry.db import make_engine

    eng = make_engine(settings())
    try:
        console.print(migrate.current(eng) or "empty (run: govcode db upgrade)")
    finally:
        eng.dispose()
