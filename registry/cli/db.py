"""govcode db: schema migrations."""

from __future__ import annotations

import typer

from registry.cli.common import console, database_exists, say, settings

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(
    revision: str = typer.Argument("head", help="target revision"),
    dry_run: bool = typer.Option(False, "--dry-run", help="list the migrations, apply none"),
) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    from registry import migrate
    from registry.db import make_engine

    s = settings()
    if dry_run and not database_exists(s):
        say(f"would create the database {s.resolved_database_url} and apply every migration")
        return
    eng = make_engine(s)
    try:
        if dry_run:
            steps = migrate.pending(eng, revision)
            say(f"database at revision {migrate.current(eng) or 'empty'}")
            for step in steps:
                say(f"would apply {step}")
            if not steps:
                say("nothing to apply")
            return
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
