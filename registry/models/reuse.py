"""The reuse graph and the outbox of notifications it causes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, json_dict, when


class ReuseEdge(SQLModel, table=True):
    """``reuser`` reuses ``target`` (a fork, an isBasedOn, a dependency, shared history…).

    Either end may be outside the registry (only its URL known); the edge notifies once its
    target is a registry repository.
    """

    __table_args__ = (UniqueConstraint("reuser_url", "target_url", "kind", name="uq_reuse_edge"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)  # fork | based_on | dependency | shared_history | copied
    reuser_url: str = Field(max_length=500, index=True)  # normalised
    reuser_name: str = Field(max_length=400)
    reuser_repository_id: int | None = Field(
        default=None, foreign_key="repository.id", index=True, ondelete="SET NULL"
    )
    target_url: str = Field(max_length=500, index=True)  # normalised
    target_repository_id: int | None = Field(
        default=None, foreign_key="repository.id", index=True, ondelete="SET NULL"
    )
    evidence: str = Field(default="", max_length=1000)
    created_at: datetime = created()
    notified_at: datetime | None = when()


# How sure the registry is of an edge, by what found it (until an analyser reports a figure
# of its own per edge): the forge's fork relation is a fact, a declaration is the reuser's
# word, a shared root commit is near-certain, a dependency may be on a fork of the package,
# identical files may be a vendored library both copied.
REUSE_CONFIDENCE = {
    "fork": 1.0,
    "based_on": 0.9,
    "shared_history": 0.9,
    "dependency": 0.8,
    "copied": 0.6,
}


class ReuseEdgePublic(SQLModel):
    """One edge as the API shows it, seen from one repository: ``direction`` says whether
    the other end reuses this repository (``reused_by``) or is reused by it (``reuses``)."""

    kind: str
    direction: str  # reused_by | reuses
    repository_id: int | None  # the other end, when it is in the registry
    name: str
    url: str  # normalised: host and path
    evidence: str
    confidence: float
    created_at: datetime


class Subscription(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    repository_id: int | None = Field(default=None, foreign_key="repository.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    email: str | None = Field(default=None, max_length=320)
    webhook_url: str | None = Field(default=None, max_length=500)
    webhook_secret: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: datetime = created()


class Event(SQLModel, table=True):
    """Outbox: written in the same transaction as the change that caused it."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=50)  # reuse.detected
    repository_id: int = Field(foreign_key="repository.id", index=True)
    reuse_edge_id: int | None = Field(default=None, foreign_key="reuseedge.id")
    payload: dict[str, Any] = json_dict()
    created_at: datetime = created()
    dispatched_at: datetime | None = when()  # deliveries fanned out


class Delivery(SQLModel, table=True):
    """One try-until-acknowledged delivery; unique per (event, subscription, channel)."""

    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id", "channel", name="uq_delivery"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    channel: str = Field(max_length=20)  # email | webhook
    status: str = Field(default="pending", max_length=20)  # pending | delivered | failed
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime | None = when()
    delivered_at: datetime | None = when()
