"""The outbox: fan events out to subscribers, and track each delivery until acknowledged.

Delivery passes may run at the same time (several workers, a CLI run beside a worker).
``claim`` hands each due delivery to one pass only: one conditional UPDATE writes the
pass's lease token on rows that are due and not leased, and returns the ones it got. On
PostgreSQL the candidate rows are picked ``FOR UPDATE SKIP LOCKED`` so passes never wait
on each other; SQLite runs one writing statement at a time, so the same UPDATE is atomic
there as it is. A pass then renews the lease just before each send and records the
outcome only while it still holds the lease.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from registry.errors import BadRequest, Conflict, NotFound
from registry.i18n import N_
from registry.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryAttemptPublic,
    DeliveryPublic,
    Event,
    Repository,
    Subscription,
)
from registry.services import subscriptions

BACKOFF_BASE_SECONDS = 30
MAX_LOG_ROWS = 200


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    attempts: int
    event: Event
    subscription: Subscription
    lease_token: str | None = None
    redelivery: bool = False

    @property
    def channel(self) -> str:
        return self.subscription.channel

    @property
    def key(self) -> str:
        """Stable for this delivery across retries (and across the 0004 upgrade)."""
        return delivery_key(self.event.id or 0, self.subscription.id or 0)


def delivery_key(event_id: int, subscription_id: int) -> str:
    """The ``X-Govcode-Delivery`` id (and e-mail Message-ID part) of one delivery."""
    return f"{event_id}-{subscription_id}"


def undispatched(session: Session, limit: int = 500) -> list[int]:
    rows = session.exec(
        select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id).limit(limit)  # type: ignore[union-attr]
    ).all()
    return [int(r) for r in rows]


def dispatch(session: Session, *, event_id: int, now: datetime) -> list[int]:
    """Create one delivery per active subscription for the event; idempotent.

    The event is marked dispatched first, by a conditional UPDATE: of two passes that
    dispatch at once, one gets the row and the other (after waiting for its lock) none.
    """
    marked = session.exec(  # type: ignore[call-overload]
        update(Event)
        .where(Event.id == event_id, Event.dispatched_at.is_(None))  # type: ignore[union-attr]
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        return []
    event = session.get(Event, event_id)
    if event is None:
        return []
    repo = session.get(Repository, event.repository_id)
    if repo is None or repo.id is None:
        return []
    created: list[int] = []
    for sub in subscriptions.for_repository(  # paused ones too: held until resumed
        session, repository_id=repo.id, agency_id=repo.agency_id, with_paused=True
    ):
        exists = session.exec(
            select(Delivery.id).where(
                Delivery.event_id == event_id, Delivery.subscription_id == sub.id
            )
        ).first()
        if exists is None:
            delivery = Delivery(
                event_id=event_id,
                subscription_id=sub.id,  # type: ignore[arg-type]
                next_attempt_at=now,
            )
            session.add(delivery)
            session.flush()
            created.append(delivery.id)  # type: ignore[arg-type]
    return created


def _is_due(now: datetime) -> ColumnElement[bool]:
    """Pending, due, not leased, and for a subscription that is active (a paused or
    stopped subscription's deliveries wait, and go out if it is resumed)."""
    live = select(Subscription.id).where(col(Subscription.active).is_(True))
    return and_(
        Delivery.status == "pending",
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),  # type: ignore[union-attr,operator]
        or_(Delivery.leased_until.is_(None), Delivery.leased_until <= now),  # type: ignore[union-attr,operator]
        col(Delivery.subscription_id).in_(live),
    )


def due(session: Session, *, now: datetime, event_id: int | None = None) -> list[DueDelivery]:
    """What is due and not leased by a pass (a look only: ``claim`` before sending)."""
    query = (
        select(Delivery, Event, Subscription)
        .join(Event, Event.id == Delivery.event_id)  # type: ignore[arg-type]
        .join(Subscription, Subscription.id == Delivery.subscription_id)  # type: ignore[arg-type]
        .where(_is_due(now))
        .order_by(Delivery.id)  # type: ignore[arg-type]
    )
    if event_id is not None:
        query = query.where(Delivery.event_id == event_id)
    return [
        DueDelivery(d.id, d.attempts, e, s)  # type: ignore[arg-type]
        for d, e, s in session.exec(query).all()
    ]


def claim(
    session: Session, *, token: str, now: datetime, lease_seconds: float, limit: int
) -> list[DueDelivery]:
    """Lease up to ``limit`` due deliveries to the pass named ``token``; no two passes ever
    get the same one while its lease runs. Commit right after, so others see the lease."""
    # A CTE, not ``IN (SELECT … LIMIT)``: PostgreSQL may run a plain subquery more than
    # once and so take more than ``limit`` rows; a locking CTE is run exactly once.
    picked = (
        select(Delivery.id)
        .where(_is_due(now))
        .order_by(Delivery.id)  # type: ignore[arg-type]
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing
        .cte("picked")
    )
    taken = session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(Delivery.id.in_(select(picked.c.id)), _is_due(now))  # type: ignore[union-attr]
        .values(lease_token=token, leased_until=now + timedelta(seconds=lease_seconds))
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    ids = sorted(int(row[0]) for row in taken)
    if not ids:
        return []
    rows = session.exec(
        select(Delivery, Event, Subscription)
        .join(Event, Event.id == Delivery.event_id)  # type: ignore[arg-type]
        .join(Subscription, Subscription.id == Delivery.subscription_id)  # type: ignore[arg-type]
        .where(Delivery.id.in_(ids), Delivery.lease_token == token)  # type: ignore[union-attr]
        .order_by(Delivery.id)  # type: ignore[arg-type]
    ).all()
    return [
        DueDelivery(d.id, d.attempts, e, s, token, d.redelivery_requested_at is not None)  # type: ignore[arg-type]
        for d, e, s in rows
    ]


def renew(
    session: Session, *, delivery_id: int, token: str, now: datetime, lease_seconds: float
) -> bool:
    """Extend this pass's lease just before sending; False when another pass holds it now."""
    result = session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.lease_token == token,
            Delivery.status == "pending",
        )
        .values(leased_until=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(session: Session, *, delivery_ids: list[int], token: str) -> int:
    """Give back leases this pass holds but will not use (it is stopping), so another
    pass need not wait for them to run out."""
    if not delivery_ids:
        return 0
    result = session.exec(  # type: ignore[call-overload]
        update(Delivery)
        .where(col(Delivery.id).in_(delivery_ids), Delivery.lease_token == token)
        .values(lease_token=None, leased_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


def _held(session: Session, delivery_id: int, token: str | None) -> Delivery | None:
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or (token is not None and delivery.lease_token != token):
        return None
    return delivery


def mark_delivered(
    session: Session, *, delivery_id: int, now: datetime, token: str | None = None
) -> bool:
    """Record the acknowledgement and release the lease (only while ``token`` holds it)."""
    delivery = _held(session, delivery_id, token)
    if delivery is None or delivery.status == "delivered":
        return False
    delivery.status = "delivered"
    delivery.attempts += 1
    delivery.delivered_at = now
    delivery.last_error = None
    delivery.lease_token = delivery.leased_until = None
    delivery.redelivery_requested_at = None
    session.add(delivery)
    return True


def mark_failed(
    session: Session,
    *,
    delivery_id: int,
    error: str,
    now: datetime,
    retryable: bool,
    max_attempts: int,
    token: str | None = None,
    backoff: Callable[[int], float] | None = None,
) -> bool:
    """Record a failed try; schedule the next after ``backoff(attempts so far)`` seconds
    (plain doubling from 30 s when not given), or give up once the budget is spent."""
    delivery = _held(session, delivery_id, token)
    if delivery is None:
        return False
    delivery.attempts += 1
    delivery.last_error = error[:1000]
    delivery.lease_token = delivery.leased_until = None
    delivery.redelivery_requested_at = None
    if not retryable or delivery.attempts >= max_attempts:
        delivery.status = "failed"
        delivery.next_attempt_at = None
    else:
        if backoff is None:
            delay = BACKOFF_BASE_SECONDS * 2 ** (delivery.attempts - 1)
        else:
            delay = backoff(delivery.attempts)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    session.add(delivery)
    return True


def record_attempt(
    session: Session,
    *,
    delivery_id: int,
    now: datetime,
    ok: bool,
    status_code: int | None,
    elapsed: float,
    error: str | None,
    redelivery: bool = False,
) -> DeliveryAttempt:
    """One row of the delivery log. Written for every try that was made, whether or not
    this pass still held the lease when it came back (the request went out either way)."""
    attempt = DeliveryAttempt(
        delivery_id=delivery_id, attempted_at=now, ok=ok, status_code=status_code,
        latency_ms=max(0, round(elapsed * 1000)), error=(error or None) and error[:1000],
        redelivery=redelivery,
    )  # fmt: skip
    session.add(attempt)
    return attempt


def redeliver(
    session: Session, *, subscription_id: int, delivery_id: int, now: datetime
) -> Delivery:
    """Send one delivery again, with the same delivery id, as soon as a pass runs: it is
    made due now with a fresh retry budget, whatever became of it before."""
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFound(
            N_("no delivery %(delivery_id)s for subscription %(subscription_id)s"),
            delivery_id=delivery_id,
            subscription_id=subscription_id,
        )
    sub = session.get(Subscription, subscription_id)
    if sub is None or not sub.active:
        raise BadRequest(N_("the subscription is stopped or paused: resume it first"))
    leased = delivery.leased_until
    if delivery.lease_token is not None and leased is not None and leased > now:
        raise Conflict(N_("this delivery is being sent right now: see its log in a moment"))
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.redelivery_requested_at = now
    session.add(delivery)
    session.flush()
    return delivery


def log(
    session: Session,
    *,
    subscription_id: int,
    limit: int = 50,
    status: str | None = None,
    before: int | None = None,
) -> list[DeliveryPublic]:
    """A subscription's deliveries, newest first, each with every attempt (newest first);
    ``before`` (a delivery id) pages back."""
    query = (
        select(Delivery, Event)
        .join(Event, col(Event.id) == Delivery.event_id)
        .where(Delivery.subscription_id == subscription_id)
        .order_by(col(Delivery.id).desc())
        .limit(max(1, min(limit, MAX_LOG_ROWS + 1)))  # one more: is there a next page
    )
    if status is not None:
        if status not in ("pending", "delivered", "failed"):
            raise BadRequest(N_("status is one of pending, delivered, failed"))
        query = query.where(Delivery.status == status)
    if before is not None:
        query = query.where(col(Delivery.id) < before)
    rows = session.exec(query).all()
    ids = [d.id for d, _ in rows]
    attempts: dict[int, list[DeliveryAttemptPublic]] = {i: [] for i in ids if i is not None}
    if ids:
        for a in session.exec(
            select(DeliveryAttempt)
            .where(col(DeliveryAttempt.delivery_id).in_(ids))
            .order_by(col(DeliveryAttempt.attempted_at).desc(), col(DeliveryAttempt.id).desc())
        ):
            attempts[a.delivery_id].append(
                DeliveryAttemptPublic.model_validate(a, from_attributes=True)
            )
    return [
        DeliveryPublic(
            id=d.id,
            key=delivery_key(d.event_id, d.subscription_id),
            event_id=d.event_id,
            event_kind=e.kind,
            status=d.status,
            attempts=d.attempts,
            created_at=e.created_at,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            delivered_at=d.delivered_at,
            last_error=d.last_error,
            history=attempts[d.id],
        )
        for d, e in rows
        if d.id is not None
    ]


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
