"""What every command needs: settings, an engine on an up-to-date schema, a console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy.engine import Engine

from registry.settings import Settings

console = Console()


def settings() -> Settings:
    return Settings()


@contextmanager
def engine(s: Settings) -> Iterator[Engine]:
    """The engine for one command, disposed after it; the embedded SQLite database is migrated
    on first use (PostgreSQL is migrated by the operator with ``govcode db upgrade``)."""
    from registry import migrate
    from registry.db import make_engine

    eng = make_engine(s)
    try:
        if eng.dialect.name == "sqlite":
            migrate.upgrade(eng)
        yield eng
    finally:
        eng.dispose()
