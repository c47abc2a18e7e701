"""Column helpers shared by the model families."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def when(nullable: bool = True, **kw: Any) -> Any:
    """A timezone-aware timestamp column."""
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable), **kw)


def created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def long_text() -> Any:
    return Field(default="", sa_column=Column(Text, nullable=False))
