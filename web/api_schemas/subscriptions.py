"""Subscriptions as their owner sees them, and their delivery log and secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from registry.models import DeliveryPublic
from registry.notify.channels import CHANNELS, EMAIL


class SubscriptionPublic(BaseModel):
    """One subscription as its owner sees it (never its secret or feed token)."""

    id: int
    channel: str  # email | webhook | atom
    address: str
    frequency: str  # immediate | daily
    active: bool
    pending: bool  # waiting for the address's owner to confirm
    by_default: bool
    follows: str  # repository | agency | search
    label: str
    repository_id: int | None
    agency_id: int | None
    search: str | None
    page: str
    created_at: datetime


class SubscriptionMade(SubscriptionPublic):
    """A new subscription; a webhook's ``secret`` or an Atom ``feed_url`` is shown this once."""

    secret: str | None = None
    feed_url: str | None = None


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"channel": EMAIL.name, "agency": "ahs"}]}
    )

    channel: Literal[tuple(CHANNELS)] = EMAIL.name  # type: ignore[valid-type]
    repository_id: int | None = None  # name one of repository_id, agency, search
    agency: str | None = None  # an agency's slug
    search: str | None = None  # the search page's query string
    address: str = ""  # e-mail (empty: your own) or the webhook's URL
    frequency: Literal["immediate", "daily"] = "immediate"  # e-mail only


class SubscriptionChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})

    active: bool | None = None
    frequency: Literal["immediate", "daily"] | None = None


class SubscriptionState(BaseModel):
    """A subscription's delivery state: paused after a run of failures, until resumed."""

    id: int
    channel: str
    address: str
    active: bool
    paused_at: datetime | None
    paused_reason: str | None
    failing_since: datetime | None
    previous_secret_valid_until: datetime | None


class LoggedSubscription(SubscriptionState):
    follows: str  # what it follows, in words


class DeliveryLog(BaseModel):
    """Deliveries newest first, each with every attempt; ``next_before`` pages back."""

    subscription: LoggedSubscription
    deliveries: list[DeliveryPublic]
    next_before: int | None


class SecretRotation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"overlap_hours": 24}]})

    overlap_hours: float | None = None  # how long the old secret stays valid (default: set)
    secret: str | None = None  # your own new secret (default: a random one)


class SecretRotated(BaseModel):
    id: int
    secret: str  # shown this once
    previous_secret_valid_until: datetime | None


# the ones the OpenAPI document names
SCHEMAS: tuple[type[BaseModel], ...] = (
    SubscriptionPublic,
    SubscriptionMade,
    SubscriptionRequest,
    SubscriptionChange,
    SubscriptionState,
    DeliveryLog,
    SecretRotation,
    SecretRotated,
)
