"""The reuse graph and the outbox of notifications it causes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, json_dict, when


class ReuseEdge(SQLModel, table=True):
    """``reuser`` reuses ``target`` (a fork, an isBasedOn, a dependency, shared history…).

    Either end may be outside the registry (only its URL known); the edge notifies once its
    target is a registry repository.
    """

    __table_args__ = (UniqueConstraint("reuser_url", "target_url", "kind", name="uq_reuse_edge"),)

    id: int | None = Field(default=None, primary_key=True)
    # fork | based_on | dependency | shared_history | copied | declared
    kind: str = Field(max_length=30)
    reuser_url: str = Field(max_length=500, index=True)  # normalised
    reuser_name: str = Field(max_length=400)
    # The reuser's URL as crawled, scheme included: what pages and feeds link to.
    reuser_link: str = Field(default="", max_length=500)
    reuser_repository_id: int | None = Field(
        default=None, foreign_key="repository.id", index=True, ondelete="SET NULL"
    )
    target_url: str = Field(max_length=500, index=True)  # normalised
    target_repository_id: int | None = Field(
        default=None, foreign_key="repository.id", index=True, ondelete="SET NULL"
    )
    evidence: str = Field(default="", max_length=1000)
    # "unknown": shared history whose source the evidence cannot tell; the ends are then
    # stored in URL order and neither is said to reuse the other
    direction: str = Field(default="known", max_length=10)
    created_at: datetime = created()
    notified_at: datetime | None = when()
    # A living edge: first seen, last re-found by a crawl that looked for its evidence, and
    # ended (never deleted) when such a crawl no longer found it; re-opened if found again.
    first_seen_at: datetime = created()
    last_confirmed_at: datetime = created()
    ended_at: datetime | None = when()
    # A ``declared`` edge: who said so (the agency, and the person who pressed the button).
    declared_by_agency_id: int | None = Field(
        default=None, foreign_key="agency.id", index=True, ondelete="SET NULL"
    )
    declared_by_user_id: int | None = Field(
        default=None, foreign_key="user.id", ondelete="SET NULL"
    )


# How sure the registry is of an edge, by what found it (until an analyser reports a figure
# of its own per edge): the forge's fork relation is a fact, a declaration is the reuser's
# word, a shared root commit is near-certain, a dependency may be on a fork of the package,
# identical files may be a vendored library both copied.
REUSE_CONFIDENCE = {
    "fork": 1.0,
    "declared": 0.95,
    "based_on": 0.9,
    "shared_history": 0.9,
    "dependency": 0.8,
    "copied": 0.6,
}


class ReuseEdgePublic(SQLModel):
    """One edge as the API shows it, seen from one repository: ``direction`` says whether
    the other end reuses this repository (``reused_by``) or is reused by it (``reuses``)."""

    kind: str
    direction: str  # reused_by | reuses | unknown (shared history, source not known)
    repository_id: int | None  # the other end, when it is in the registry
    name: str
    url: str  # normalised: host and path
    evidence: str
    confidence: float
    created_at: datetime
    first_seen_at: datetime | None = None
    last_confirmed_at: datetime | None = None
    ended_at: datetime | None = None  # set: past reuse, the evidence is gone
    declared_by: str | None = None  # a ``declared`` edge: the agency (or person) who said so


class ReuseSideCounts(SQLModel):
    """Edges on one side (received, given, undirected): live, ended, and both by kind."""

    live: int
    ended: int
    by_kind: dict[str, dict[str, int]]  # kind -> {"live": n, "ended": n}


class ReuseMonthCounts(SQLModel):
    """One month: per side, edges first seen in it, ended in it, and live at its end."""

    month: str  # YYYY-MM
    received: dict[str, int]
    given: dict[str, int]
    undirected: dict[str, int]


class ReuseCountsPublic(SQLModel):
    """Reuse counts of a repository or an agency (``registry.services.reuse_counts``)."""

    received: ReuseSideCounts  # others reuse it
    given: ReuseSideCounts  # it reuses others
    undirected: ReuseSideCounts  # shared history, which came first not known
    months: list[ReuseMonthCounts]


class Subscription(SQLModel, table=True):
    """One address on one channel (``registry.notify.channels``) hearing about a repository
    or about every repository of an agency."""

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int | None = Field(default=None, foreign_key="repository.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    channel: str = Field(max_length=20)  # a name in registry.notify.channels.CHANNELS
    address: str = Field(max_length=500)  # as the channel validated it
    secret: str | None = Field(default=None, max_length=200)  # signed channels only
    active: bool = True
    created_at: datetime = created()
    # Who made it, and may read its delivery log, redeliver, rotate its secret (None: made
    # by an operator; an e-mail one is its address's). The accounts branch's 0016 adds the
    # same column: one of the two add_column lines goes when they merge.
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="CASCADE")
    # Secret rotation: the secret replaced stays valid (signed with too) until then.
    previous_secret: str | None = Field(default=None, max_length=200)
    previous_secret_until: datetime | None = when()
    # Since when every attempt failed (None after a success); paused when too long.
    failing_since: datetime | None = when()
    paused_at: datetime | None = when()
    paused_reason: str | None = Field(default=None, max_length=500)
    # the language its messages are written in (a catalogue of registry/locale, or "en")
    language: str = Field(default="en", max_length=20, sa_column_kwargs={"server_default": "en"})
    # A saved search (the search page's query string) instead of a repository or agency.
    search_query: str | None = Field(default=None, max_length=1000)
    # "immediate" or "daily" (one digest per address per day); a name in FREQUENCIES.
    frequency: str = Field(
        default="immediate", max_length=10, sa_column_kwargs={"server_default": "immediate"}
    )
    # Waiting for the address's owner to confirm it (someone else added the address).
    pending: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Made by default (publiccode.yml contact, agency maintainer): once turned off it stays off.
    by_default: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Atom subscriptions: the SHA-256 of the private feed URL's token (shown once).
    feed_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    digest_sent_at: datetime | None = when()
    confirm_sent_at: datetime | None = when()  # when a pending address was asked to confirm


class Event(SQLModel, table=True):
    """Outbox: written in the same transaction as the change that caused it."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=50)  # reuse.detected, or source.… (services/source_news.py)
    repository_id: int = Field(foreign_key="repository.id", index=True)
    reuse_edge_id: int | None = Field(default=None, foreign_key="reuseedge.id")
    payload: dict[str, Any] = json_dict()
    created_at: datetime = created()
    dispatched_at: datetime | None = when()  # deliveries fanned out


class Delivery(SQLModel, table=True):
    """One try-until-acknowledged delivery; unique per (event, subscription).

    A delivery pass claims due deliveries by writing its ``lease_token`` and a
    ``leased_until`` time in one conditional UPDATE; no other pass takes them meanwhile.
    """

    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id", name="uq_delivery"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    status: str = Field(default="pending", max_length=20)  # pending | delivered | failed
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime | None = when()
    delivered_at: datetime | None = when()
    lease_token: str | None = Field(default=None, max_length=32)
    leased_until: datetime | None = when()
    # Set when the subscriber asks for it again; its next attempt is logged as a redelivery.
    redelivery_requested_at: datetime | None = when()


class DeliveryAttempt(SQLModel, table=True):
    """One try of one delivery, as the subscriber's delivery log shows it."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True, ondelete="CASCADE")
    attempted_at: datetime = when(nullable=False)
    ok: bool = False
    status_code: int | None = None  # the receiver's answer, where the channel has one
    latency_ms: int = 0
    error: str | None = Field(default=None, max_length=1000)
    redelivery: bool = False  # asked for by the subscriber, not a scheduled retry


class DeliveryAttemptPublic(SQLModel):
    attempted_at: datetime
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    redelivery: bool


class DeliveryPublic(SQLModel):
    """One delivery in a subscription's log: ``key`` is its ``X-Govcode-Delivery`` id."""

    id: int
    key: str
    event_id: int
    event_kind: str
    status: str
    attempts: int
    created_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    history: list[DeliveryAttemptPublic]


FREQUENCIES = ("immediate", "daily")


class RepositoryClaim(SQLModel, table=True):
    """An inventory crawled for one agency listed a repository another agency owns (proved):
    the claim is recorded for a site administrator and the repository does not move."""

    __table_args__ = (UniqueConstraint("repository_id", "agency_id", name="uq_repository_claim"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="CASCADE")  # claimant
    source_id: int | None = Field(default=None, foreign_key="source.id", ondelete="SET NULL")
    status: str = Field(default="disputed", max_length=20)  # disputed | dismissed
    created_at: datetime = created()
    last_seen_at: datetime | None = when()
