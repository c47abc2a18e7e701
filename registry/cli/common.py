"""What every command needs: settings, an engine on an up-to-date schema, a console."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy.engine import Engine

from registry.settings import Settings

console = Console()


def settings() -> Settings:
    return Settings()


def engine(s: Settings) -> Engine:
    """The engine; the embedded SQLite database is migrated on first use (PostgreSQL is
    migrated by the operator with ``govcode db upgrade``)."""
    from registry import migrate
    from registry.db import make_engine

    eng = make_engine(s)
    if eng.dialect.name == "sqlite":
        migrate.upgrade(eng)
    return eng
