"""The outbox: fan events out to subscribers, and track each delivery until acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from registry.models import Delivery, Event, Repository, Subscription
from registry.services import subscriptions

BACKOFF_BASE_SECONDS = 30


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    channel: str
    attempts: int
    event: Event
    subscription: Subscription


def undispatched(session: Session, limit: int = 500) -> list[int]:
    rows = session.exec(
        select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id).limit(limit)  # type: ignore[union-attr]
    ).all()
    return [int(r) for r in rows]


def dispatch(session: Session, *, event_id: int, now: datetime) -> list[int]:
    """Create one delivery per (subscription, channel) for the event; idempotent."""
    event = session.get(Event, event_id)
    if event is None:
        return []
    repo = session.get(Repository, event.repository_id)
    if repo is None or repo.id is None:
        return []
    created: list[int] = []
    for sub in subscriptions.for_repository(
        session, repository_id=repo.id, agency_id=repo.agency_id
    ):
        for channel, wanted in (("email", sub.email), ("webhook", sub.webhook_url)):
            if not wanted:
                continue
            exists = session.exec(
                select(Delivery).where(
                    Delivery.event_id == event_id,
                    Delivery.subscription_id == sub.id,
                    Delivery.channel == channel,
                )
            ).first()
            if exists is None:
                delivery = Delivery(
                    event_id=event_id,
                    subscription_id=sub.id,  # type: ignore[arg-type]
                    channel=channel,
                    next_attempt_at=now,
                )
                session.add(delivery)
                session.flush()
                created.append(delivery.id)  # type: ignore[arg-type]
    event.dispatched_at = now
    session.add(event)
    return created


def due(session: Session, *, now: datetime, event_id: int | None = None) -> list[DueDelivery]:
    query = (
        select(Delivery, Event, Subscription)
        .join(Event, Event.id == Delivery.event_id)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.status == "pending")
        .where(
            Delivery.next_attempt_at.is_(None) | (Delivery.next_attempt_at <= now)  # type: ignore[union-attr,operator]
        )
        .order_by(Delivery.id)
    )
    if event_id is not None:
        query = query.where(Delivery.event_id == event_id)
    return [
        DueDelivery(d.id, d.channel, d.attempts, e, s)  # type: ignore[arg-type]
        for d, e, s in session.exec(query).all()
    ]


def mark_delivered(session: Session, *, delivery_id: int, now: datetime) -> None:
    delivery = session.get(Delivery, delivery_id)
    if delivery is not None and delivery.status != "delivered":
        delivery.status = "delivered"
        delivery.attempts += 1
        delivery.delivered_at = now
        delivery.last_error = None
        session.add(delivery)


def mark_failed(
    session: Session,
    *,
    delivery_id: int,
    error: str,
    now: datetime,
    retryable: bool,
    max_attempts: int,
) -> None:
    """Record a failed try; schedule the next with exponential backoff, or give up."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        return
    delivery.attempts += 1
    delivery.last_error = error[:1000]
    if not retryable or delivery.attempts >= max_attempts:
        delivery.status = "failed"
        delivery.next_attempt_at = None
    else:
        delay = BACKOFF_BASE_SECONDS * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    session.add(delivery)


def for_event(session: Session, event_id: int) -> list[Delivery]:
    return list(session.exec(select(Delivery).where(Delivery.event_id == event_id)).all())


def events_for_repository(session: Session, repo_id: int, limit: int = 50) -> list[Event]:
    return list(
        session.exec(
            select(Event)
            .where(Event.repository_id == repo_id)
            .order_by(Event.created_at.desc(), Event.id.desc())  # type: ignore[attr-defined,union-attr]
            .limit(limit)
        ).all()
    )
