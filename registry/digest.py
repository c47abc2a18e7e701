"""Daily digests: one e-mail per address per day listing the reuse events of everything
that address follows at a daily pace (``Subscription.frequency == "daily"``).

The worker's periodic task runs this every hour; an address whose digest already went
today (UTC) is skipped, so it is sent once a day whatever the schedule. An address with
nothing new gets no mail, but its day is still marked. A mail the server refuses leaves
the day unmarked, so the next pass tries again. What a digest listed is recorded as
delivered to each subscription, so every event is listed once, even one a long crawl
committed after the digest of its day.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from registry.db import session_scope
from registry.delivery import notice_for
from registry.models import Subscription
from registry.notify.digest import render_digest
from registry.notify.mailer import Mailer
from registry.services import following, subscription_links, subscriptions
from registry.settings import Settings


def send_digests(
    engine: Engine, settings: Settings, mailer: Mailer, *, now: datetime | None = None
) -> dict[str, int]:
    """Counts: ``sent`` mails, ``empty`` addresses with nothing new, ``failed`` sends."""
    now = now or datetime.now(UTC)
    secret = settings.secret_key.get_secret_value()
    base = settings.base_url.rstrip("/")
    counts = {"sent": 0, "empty": 0, "failed": 0}
    with Session(engine) as session:
        due = {
            a: [s.id for s in subs]
            for a, subs in subscriptions.digest_due(session, now=now).items()
        }
    for address, ids in due.items():
        with Session(engine) as session:
            subs = [session.get(Subscription, i) for i in ids]
            notices, seen, follows, listed = [], set(), [], {}
            language = next((s.language for s in subs if s is not None), "en")
            for sub in subs:
                if sub is None:
                    continue
                events = subscriptions.events_for(
                    session, sub, after=sub.created_at, until=now, unsent=True
                )
                listed[sub.id] = [e.id for e in events]
                for event in events:
                    if event.id not in seen:
                        seen.add(event.id)
                        notices.append(notice_for(event, base_url=base))
                label = following.describe(session, sub).follows
                follows.append((label, subscription_links.url_for(base, secret, sub.id or 0)))
        if notices:
            message = render_digest(
                notices, to=address, mail_from=settings.mail_from, day=now.date(),
                follows=follows, unsubscribe_url=subscription_links.url_for_all(base, secret, ids),
                manage_url=f"{base}/account/subscriptions", language=language,
            )  # fmt: skip
            if not mailer.send(message).ok:
                counts["failed"] += 1
                continue
            counts["sent"] += 1
        else:
            counts["empty"] += 1
        with session_scope(engine) as session:
            subscriptions.mark_digested(session, ids=ids, now=now, listed=listed)
    return counts
