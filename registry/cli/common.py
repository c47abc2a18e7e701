"""What every command needs: settings, an engine on an up-to-date schema, a console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy.engine import Engine

from registry.settings import Settings

console = Console()
err_console = Console(stderr=True)

# Output that is not a terminal (a pipe, a file, a test runner) is never wrapped: one fact
# a line whatever the COLUMNS of the machine, so `grep` and tests see whole lines.
UNWRAPPED_WIDTH = 10_000


def configure_console() -> None:
    """Fix the consoles' width for this invocation: the terminal's, or unwrapped."""
    for c in (console, err_console):
        if not c.is_terminal:
            c.width = UNWRAPPED_WIDTH


def settings() -> Settings:
    return Settings()


def fail_line(what: str, why: str) -> None:
    """One plain line on stderr: what failed and why (never markup, never wrapped)."""
    text = " ".join(f"failed: {what}: {why}".split())
    err_console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)


def say(text: str) -> None:
    """One plain line on stdout (names and URLs are printed as they are, never as markup)."""
    console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)


@contextmanager
def engine(s: Settings, *, dry_run: bool = False) -> Iterator[Engine]:
    """The engine for one command, disposed after it; the embedded SQLite database is migrated
    on first use (PostgreSQL is migrated by the operator with ``govcode db upgrade``).

    A dry run migrates nothing and creates no database: it reads the schema as it is, and
    says so when that schema is not this version's."""
    from registry import migrate
    from registry.db import make_engine
    from registry.errors import BadRequest

    if dry_run and not database_exists(s):
        raise BadRequest(f"no database at {s.resolved_database_url} yet (a dry run creates none)")
    eng = make_engine(s)
    try:
        if dry_run:
            at, head = migrate.current(eng), migrate.head()
            if at != head:
                raise BadRequest(
                    f"the database is at revision {at or 'empty'}, this govcode needs {head}: "
                    "a dry run migrates nothing (see `govcode db upgrade --dry-run`)"
                )
        elif eng.dialect.name == "sqlite":
            migrate.upgrade(eng)
        yield eng
    finally:
        eng.dispose()


def database_exists(s: Settings) -> bool:
    """False only for an embedded SQLite file that is not there (servers are asked later)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(s.resolved_database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).is_file()
