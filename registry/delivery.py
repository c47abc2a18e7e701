"""The notify stage: fan outbox events out to subscribers and deliver each one.

SQL stays in ``registry.services.deliveries``; sending stays behind the channels of
``registry.notify.channels``. Each delivery is tried until acknowledged (with backoff), is
unique per (event, subscription), and is claimed by one delivery pass at a time, so two
passes running at once never send the same notice twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from registry.db import session_scope
from registry.models import Event
from registry.notify import Channel, Outgoing, ReuseNotice, SendResult, push_channels
from registry.services import deliveries, subscription_links
from registry.settings import Settings


@dataclass
class Senders:
    """The channel instances one delivery pass sends with, by channel name."""

    channels: Mapping[str, Channel] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Senders:
        return cls(channels=push_channels(settings))

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()

    def __enter__(self) -> Senders:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, channel: str, outgoing: Outgoing) -> SendResult:
        sender = self.channels.get(channel)
        if sender is None:
            return SendResult(ok=False, error=f"no sender for the {channel!r} channel")
        return sender.send(outgoing)


def notice_for(event: Event, *, base_url: str) -> ReuseNotice:
    p = event.payload
    base = base_url.rstrip("/")
    reuser_page = p.get("reuser_repository_id")
    created = event.created_at if event.created_at.tzinfo else event.created_at.replace(tzinfo=UTC)
    return ReuseNotice(
        event_id=event.id,  # type: ignore[arg-type]
        kind=p["kind"],
        created_at=created,
        repository_name=p["repository_name"],
        repository_url=f"{base}/repositories/{p['repository_id']}",
        repository_html_url=p["repository_html_url"],
        reuser_name=p["reuser_name"],
        reuser_url=f"{base}/repositories/{reuser_page}" if reuser_page else p["reuser_url"],
        reuser_agency=p.get("reuser_agency"),
        summary=p["summary"],
        direction=p.get("direction", "known"),
    )


def deliver_pending(
    engine: Engine,
    settings: Settings,
    senders: Senders,
    *,
    now: datetime | None = None,
) -> dict[str, int]:
    """Dispatch undispatched events, then send every due delivery this pass can claim.

    Returns counts: ``delivered``, ``failed`` (this try; it may be retried later).
    """
    now = now or datetime.now(UTC)
    token = uuid.uuid4().hex
    lease = settings.delivery_lease_seconds
    with session_scope(engine) as session:
        pending = deliveries.undispatched(session)
    for event_id in pending:  # one transaction each, so a busy event never blocks the rest
        with session_scope(engine) as session:
            deliveries.dispatch(session, event_id=event_id, now=now)
    counts = {"delivered": 0, "failed": 0}
    while True:
        with session_scope(engine) as session:
            claimed = deliveries.claim(
                session, token=token, now=now, lease_seconds=lease,
                limit=settings.delivery_batch_size,
            )  # fmt: skip
        if not claimed:
            return counts
        for item in claimed:
            outcome = _deliver(engine, settings, senders, item, now=now, token=token)
            if outcome is not None:
                counts[outcome] += 1


def _deliver(
    engine: Engine,
    settings: Settings,
    senders: Senders,
    item: deliveries.DueDelivery,
    *,
    now: datetime,
    token: str,
) -> str | None:
    """Send one claimed delivery and record the outcome; None if the lease was lost."""
    lease = settings.delivery_lease_seconds
    with session_scope(engine) as session:
        if not deliveries.renew(
            session, delivery_id=item.delivery_id, token=token, now=now, lease_seconds=lease
        ):
            return None
    sub = item.subscription
    outgoing = Outgoing(
        notice=notice_for(item.event, base_url=settings.base_url),
        address=sub.address,
        key=item.key,
        secret=sub.secret,
        unsubscribe_url=subscription_links.url_for(
            settings.base_url, settings.secret_key.get_secret_value(), sub.id or 0
        ),
        language=sub.language,
    )
    result = senders.send(item.channel, outgoing)
    with session_scope(engine) as session:
        if result.ok:
            deliveries.mark_delivered(session, delivery_id=item.delivery_id, now=now, token=token)
            return "delivered"
        deliveries.mark_failed(
            session,
            delivery_id=item.delivery_id,
            error=result.reason,
            now=now,
            retryable=result.retryable,
            max_attempts=settings.delivery_max_attempts,
            token=token,
        )
        return "failed"
