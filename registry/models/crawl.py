"""Crawl runs and the change sequence the search index follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from registry.models._types import created, json_list, when


class CrawlRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    # running | finished | failed | rate-limited | interrupted (killed: its heartbeat stopped)
    status: str = Field(default="running", max_length=20)
    started_at: datetime = created()
    finished_at: datetime | None = when()
    heartbeat_at: datetime | None = when()  # touched after every repository while running
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    requests: int = 0
    errors: list[dict[str, Any]] = json_list()  # [{"repository": …, "error": …}]
    message: str = Field(default="", max_length=2000)


class IndexChange(SQLModel, table=True):
    """A monotonic log of repository changes; each web node's index replays it."""

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(index=True)
    deleted: bool = False
    created_at: datetime = created()
