"""The notify stage: fan outbox events out to subscribers and deliver each one.

SQL stays in ``registry.services.deliveries``; sending stays behind the ``Mailer`` and
``WebhookSender`` protocols. Each delivery is tried until acknowledged (with backoff) and
is idempotent per (event, subscription, channel).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.engine import Engine

from registry.db import session_scope
from registry.models import Event
from registry.notify import (
    DeliveryError,
    HttpxWebhookSender,
    Mailer,
    ReuseNotice,
    WebhookSender,
    mailer_from_settings,
    render_reuse_email,
)
from registry.services import deliveries, subscription_links
from registry.settings import Settings
from registry.urlpolicy import check_url


@dataclass
class Senders:
    mailer: Mailer
    webhooks: WebhookSender

    @classmethod
    def from_settings(cls, settings: Settings) -> Senders:
        return cls(
            mailer=mailer_from_settings(settings),
            webhooks=HttpxWebhookSender(
                timeout=settings.webhook_timeout,
                url_check=partial(check_url, allow_http_hosts=settings.allow_http_hosts),
                allow_http_hosts=settings.allow_http_hosts,
            ),
        )


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
    )


def deliver_pending(
    engine: Engine,
    settings: Settings,
    senders: Senders,
    *,
    now: datetime | None = None,
) -> dict[str, int]:
    """Dispatch undispatched events, then send every due delivery. Returns counts."""
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        for event_id in deliveries.undispatched(session):
            deliveries.dispatch(session, event_id=event_id, now=now)
    with session_scope(engine) as session:
        due = deliveries.due(session, now=now)
    counts = {"delivered": 0, "failed": 0}
    for item in due:
        ok, error, retryable = _send(item, settings, senders)
        with session_scope(engine) as session:
            if ok:
                deliveries.mark_delivered(session, delivery_id=item.delivery_id, now=now)
                counts["delivered"] += 1
            else:
                deliveries.mark_failed(
                    session,
                    delivery_id=item.delivery_id,
                    error=error,
                    now=now,
                    retryable=retryable,
                    max_attempts=settings.delivery_max_attempts,
                )
                counts["failed"] += 1
    return counts


def _send(item: deliveries.DueDelivery, settings: Settings, senders: Senders):
    notice = notice_for(item.event, base_url=settings.base_url)
    sub = item.subscription
    if item.channel == "email":
        message = render_reuse_email(
            notice, to=sub.email or "", mail_from=settings.mail_from,
            unsubscribe_url=subscription_links.url_for(
                settings.base_url, settings.secret_key.get_secret_value(), sub.id or 0
            ),
        )  # fmt: skip
        try:
            senders.mailer.send(message)
        except DeliveryError as exc:
            return False, str(exc), exc.retryable
        return True, "", False
    result = senders.webhooks.send(
        sub.webhook_url or "",
        sub.webhook_secret or "",
        notice,
        delivery_id=f"{item.event.id}-{sub.id}",
    )
    return result.ok, result.error or f"HTTP {result.status}", result.retryable
