"""The notify stage: fan outbox events out to subscribers and deliver each one.

SQL stays in ``registry.services.deliveries``; sending stays behind the channels of
``registry.notify.channels``. Each delivery is tried until acknowledged, is unique per
(event, subscription), and is claimed by one delivery pass at a time, so two passes
running at once never send the same notice twice. A worker killed mid-send loses
nothing: its lease runs out and another pass sends the delivery again, with the same
delivery id, so the receiver can drop the repeat.

Every try is one row of the subscription's delivery log. A failed try is retried after a
random wait of up to ``base * 2**(tries - 1)`` seconds, capped ("full jitter", so the
retries of many deliveries to one receiver that came back spread out instead of arriving
together), until the retry budget (``delivery_max_attempts``) is spent. A subscription
whose every try failed for ``delivery_pause_after_days`` is paused and its owner told.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from registry.db import session_scope
from registry.models import Event, Subscription
from registry.notify import (
    SOURCE_EVENTS,
    Channel,
    Mailer,
    Notice,
    Outgoing,
    ReuseNotice,
    SendResult,
    SourceNotice,
    push_channels,
)
from registry.notify.account_mail import subscription_paused
from registry.notify.channels import CHANNELS
from registry.notify.mailer import mailer_from_settings
from registry.services import deliveries, subscription_links, subscriptions
from registry.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Senders:
    """The channel instances one delivery pass sends with, by channel name, and the mailer
    that tells owners about their subscriptions."""

    channels: Mapping[str, Channel] = field(default_factory=dict)
    mailer: Mailer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Senders:
        return cls(channels=push_channels(settings), mailer=mailer_from_settings(settings))

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


def full_jitter(
    attempts: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the ``attempts``-th failed try: uniform in
    [1, min(cap, base * 2**(attempts - 1))] (at least a second, never before the next)."""
    ceiling = min(cap, base * 2 ** min(max(attempts - 1, 0), 60))
    return max(1.0, (rng or random).uniform(0, ceiling))


def notice_for(event: Event, *, base_url: str) -> Notice:
    """What an outbox event says, for every channel: reuse of a repository (to its
    followers), or news of a source (to the followers of a repository reusing it)."""
    if event.kind in SOURCE_EVENTS:
        return source_notice_for(event, base_url=base_url)
    return reuse_notice_for(event, base_url=base_url)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def source_notice_for(event: Event, *, base_url: str) -> SourceNotice:
    p = event.payload
    base = base_url.rstrip("/")
    version = p.get("version") or {}
    licence = p.get("licence") or {}
    return SourceNotice(
        event_id=event.id,  # type: ignore[arg-type]
        kind=event.kind,
        created_at=_aware(event.created_at),
        repository_name=p["repository_name"],
        repository_url=f"{base}/repositories/{p['repository_id']}",
        repository_html_url=p["repository_html_url"],
        source_name=p["source_name"],
        source_url=f"{base}/repositories/{p['source_repository_id']}",
        source_html_url=p["source_html_url"],
        source_agency=p.get("source_agency"),
        summary=p["summary"],
        reuse_kinds=tuple(p.get("reuse_kinds") or ()),
        version_tag=version.get("tag"),
        version_title=version.get("title") or "",
        version_url=version.get("url") or "",
        advisories=tuple(p.get("advisories") or ()),
        licence_from=licence.get("from"),
        licence_to=licence.get("to"),
    )


def reuse_notice_for(event: Event, *, base_url: str) -> ReuseNotice:
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
    rng: random.Random | None = None,
    stop: threading.Event | None = None,
) -> dict[str, int]:
    """Dispatch undispatched events, then send every due delivery this pass can claim.

    ``now`` fixes the pass's clock (tests); otherwise each step reads the wall clock.
    Once ``stop`` is set the pass ends after the send under way, handing back the
    deliveries it claimed and did not send.
    Returns counts: ``delivered``, ``failed`` (this try; it may be retried later).
    """
    clock: Callable[[], datetime] = (
        (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    )
    token = uuid.uuid4().hex
    lease = settings.delivery_lease_seconds
    with session_scope(engine) as session:
        pending = deliveries.undispatched(session)
    for event_id in pending:  # one transaction each, so a busy event never blocks the rest
        with session_scope(engine) as session:
            deliveries.dispatch(session, event_id=event_id, now=clock())
    counts = {"delivered": 0, "failed": 0}
    while True:
        with session_scope(engine) as session:
            claimed = deliveries.claim(
                session, token=token, now=clock(), lease_seconds=lease,
                limit=settings.delivery_batch_size,
            )  # fmt: skip
        if not claimed:
            return counts
        for n, item in enumerate(claimed):
            if stop is not None and stop.is_set():
                with session_scope(engine) as session:
                    rest = [i.delivery_id for i in claimed[n:]]
                    deliveries.release(session, delivery_ids=rest, token=token)
                return counts
            outcome = _deliver(engine, settings, senders, item, clock=clock, token=token, rng=rng)
            if outcome is not None:
                counts[outcome] += 1


def deliver_forever(
    engine: Engine,
    settings: Settings,
    senders: Senders,
    *,
    interval: float,
    stop: threading.Event,
    on_pass: Callable[[dict[str, int]], None] | None = None,
    on_outage: Callable[[DBAPIError], None] | None = None,
) -> None:
    """Run delivery passes until ``stop`` is set, waiting ``interval`` seconds between
    passes that found nothing. A database that goes away (a restart, a failover) costs a
    pass, not the worker: the next pass reconnects and takes up where the last stopped."""
    while not stop.is_set():
        try:
            counts = deliver_pending(engine, settings, senders, stop=stop)
        except DBAPIError as exc:
            log.warning("delivery pass stopped by the database (%s); trying again", exc.orig)
            if on_outage is not None:
                on_outage(exc)
            engine.dispose()  # drop every pooled connection to the old server
            stop.wait(interval)
            continue
        if on_pass is not None:
            on_pass(counts)
        if not any(counts.values()):
            stop.wait(interval)


def _deliver(
    engine: Engine,
    settings: Settings,
    senders: Senders,
    item: deliveries.DueDelivery,
    *,
    clock: Callable[[], datetime],
    token: str,
    rng: random.Random | None,
) -> str | None:
    """Send one claimed delivery and record the outcome; None if the lease was lost."""
    lease = settings.delivery_lease_seconds
    started = clock()
    with session_scope(engine) as session:
        if not deliveries.renew(
            session, delivery_id=item.delivery_id, token=token, now=started, lease_seconds=lease
        ):
            return None
    sub = item.subscription
    secret, previous = subscriptions.signing_secrets(sub, now=started)
    outgoing = Outgoing(
        notice=notice_for(item.event, base_url=settings.base_url),
        address=sub.address,
        key=item.key,
        secret=secret,
        previous_secret=previous,
        unsubscribe_url=subscription_links.url_for(
            settings.base_url, settings.secret_key.get_secret_value(), sub.id or 0
        ),
        language=sub.language,
    )
    result = senders.send(item.channel, outgoing)
    finished = clock()
    with session_scope(engine) as session:
        deliveries.record_attempt(
            session, delivery_id=item.delivery_id, now=started, ok=result.ok,
            status_code=result.status, elapsed=result.elapsed,
            error=None if result.ok else result.reason, redelivery=item.redelivery,
        )  # fmt: skip
        paused = subscriptions.note_outcome(
            session, sub.id or 0, ok=result.ok, now=finished, reason=result.reason,
            pause_after=timedelta(days=settings.delivery_pause_after_days),
        )  # fmt: skip
        if result.ok:
            held = deliveries.mark_delivered(
                session, delivery_id=item.delivery_id, now=finished, token=token
            )
        else:
            held = deliveries.mark_failed(
                session,
                delivery_id=item.delivery_id,
                error=result.reason,
                now=finished,
                retryable=result.retryable,
                max_attempts=settings.delivery_max_attempts,
                token=token,
                backoff=lambda attempts: full_jitter(
                    attempts,
                    base=settings.delivery_backoff_base_seconds,
                    cap=settings.delivery_backoff_max_seconds,
                    rng=rng,
                ),
            )
    if paused:
        _tell_owner_paused(engine, settings, senders, sub.id or 0)
    if not held:
        return None
    return "delivered" if result.ok else "failed"


def _tell_owner_paused(engine: Engine, settings: Settings, senders: Senders, sub_id: int) -> None:
    """E-mail the owner of a subscription that was just paused (best effort: the pause
    and its reason are on the subscription page whatever becomes of the message)."""
    if senders.mailer is None:
        return
    with session_scope(engine) as session:
        sub = session.get(Subscription, sub_id)
        if sub is None:
            return
        to = subscriptions.owner_address(session, sub)
        what = subscriptions.label(session, sub)
    if to is None:
        log.warning("subscription %s paused; it has no owner to tell", sub_id)
        return
    kind = CHANNELS.get(sub.channel)
    message = subscription_paused(
        to=to, channel=kind.title if kind else sub.channel, what=what, address=sub.address,
        reason=sub.paused_reason or "", mail_from=settings.mail_from, language=sub.language,
        link=f"{settings.base_url.rstrip('/')}/account/subscriptions/{sub_id}/log",
    )  # fmt: skip
    result = senders.mailer.send(message)
    if not result.ok:
        log.warning(
            "could not tell %s that subscription %s is paused: %s", to, sub_id, result.reason
        )
