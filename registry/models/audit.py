"""The audit log: who changed what, before and after, when, from which address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from registry.models._types import created, json_dict


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    actor: str = Field(max_length=320)  # the address at the time: kept if the user goes
    action: str = Field(max_length=60, index=True)  # membership.add, token.revoke…
    target_type: str = Field(max_length=30)
    target_id: str = Field(max_length=100)
    agency_id: int | None = Field(
        default=None, foreign_key="agency.id", index=True, ondelete="SET NULL"
    )
    before: dict[str, Any] = json_dict()
    after: dict[str, Any] = json_dict()
    address: str = Field(default="", max_length=100)
    created_at: datetime = created()
