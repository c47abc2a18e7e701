"""Alembic environment: the engine comes from the caller (registry.migrate) or from settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import registry.models  # noqa: F401  (registers the tables)
from registry.db import make_engine
from registry.models._types import UTCDateTime
from registry.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(Settings(database_url=config.get_main_option("sqlalchemy.url") or ""))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _render_item(type_: str, obj, autogen_context):
    """Migrations spell our column types in plain SQLAlchemy, so they never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
