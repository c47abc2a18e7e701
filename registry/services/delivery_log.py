"""What a subscriber sees and does about their deliveries, on the page and in the API:
the log, redelivering one, rotating the secret, resuming after a pause. Owner only;
every change goes in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from registry.models import DeliveryPublic, Repository, Subscription, User
from registry.services import audit, deliveries, subscriptions


@dataclass(frozen=True)
class LogPage:
    subscription: Subscription
    follows: str
    deliveries: list[DeliveryPublic]
    next_before: int | None  # pass as ``before`` for the older ones

    def to_json(self) -> dict[str, Any]:
        return {
            "subscription": {**state(self.subscription), "follows": self.follows},
            "deliveries": [d.model_dump(mode="json") for d in self.deliveries],
            "next_before": self.next_before,
        }


def state(sub: Subscription) -> dict[str, Any]:
    """A subscription's delivery state (never its secrets)."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": sub.id, "channel": sub.channel, "address": sub.address, "active": sub.active,
        "paused_at": iso(sub.paused_at), "paused_reason": sub.paused_reason,
        "failing_since": iso(sub.failing_since),
        "previous_secret_valid_until": iso(sub.previous_secret_until),
    }  # fmt: skip


def page(
    session: Session,
    user: User,
    subscription_id: int,
    *,
    limit: int = 50,
    status: str | None = None,
    before: int | None = None,
) -> LogPage:
    sub = subscriptions.owned(session, user, subscription_id)
    limit = max(1, min(limit, deliveries.MAX_LOG_ROWS))
    rows = deliveries.log(
        session, subscription_id=subscription_id, limit=limit + 1, status=status, before=before
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return LogPage(sub, subscriptions.label(session, sub), rows, rows[-1].id if more else None)


def _agency(session: Session, sub: Subscription) -> int | None:
    if sub.agency_id is not None:
        return sub.agency_id
    repo = session.get(Repository, sub.repository_id) if sub.repository_id else None
    return repo.agency_id if repo else None


def _audit(
    session: Session, actor: audit.Actor, sub: Subscription, action: str, **after: Any
) -> None:
    audit.record(
        session, actor, action=action, target_type="subscription", target_id=sub.id,
        agency_id=_agency(session, sub), before={}, after=after,
    )  # fmt: skip


def redeliver(
    session: Session, actor: audit.Actor, subscription_id: int, delivery_id: int, *, now: datetime
) -> DeliveryPublic:
    """Queue one delivery again (same delivery id); the next pass makes the attempt."""
    assert actor.user is not None
    sub = subscriptions.owned(session, actor.user, subscription_id)
    deliveries.redeliver(session, subscription_id=subscription_id, delivery_id=delivery_id, now=now)
    _audit(session, actor, sub, "subscription.redeliver", delivery=delivery_id)
    (entry,) = deliveries.log(  # the newest at or before it: itself
        session, subscription_id=subscription_id, before=delivery_id + 1, limit=1
    )
    return entry


def rotate_secret(
    session: Session,
    actor: audit.Actor,
    subscription_id: int,
    *,
    now: datetime,
    overlap_hours: float,
    secret: str | None = None,
) -> subscriptions.Rotation:
    assert actor.user is not None
    sub = subscriptions.owned(session, actor.user, subscription_id)
    turn = subscriptions.rotate_secret(
        session, sub, now=now, overlap_hours=overlap_hours, secret=secret
    )
    until = turn.previous_valid_until
    _audit(session, actor, sub, "subscription.rotate_secret",
           previous_valid_until=until.isoformat() if until else None)  # fmt: skip
    return turn


def resume(
    session: Session, actor: audit.Actor, subscription_id: int, *, now: datetime
) -> Subscription:
    assert actor.user is not None
    sub = subscriptions.owned(session, actor.user, subscription_id)
    was_active = sub.active
    subscriptions.resume(session, sub, now=now)
    if not was_active:
        _audit(session, actor, sub, "subscription.resume", active=True)
    return sub
