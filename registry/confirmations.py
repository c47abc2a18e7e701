"""Ask the owner of an address someone else subscribed (a person on the web or the API, or
a publiccode.yml's ``maintenance.contacts``) to confirm it, once per subscription.

Nothing is sent to such an address but this one message until its owner confirms; a
subscription whose message the mail server refused stays unasked and is tried again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from registry.db import session_scope
from registry.models import Repository, User
from registry.notify import account_mail
from registry.notify.mailer import Mailer
from registry.services import default_subscriptions, following
from registry.settings import Settings


def ask(
    engine: Engine,
    settings: Settings,
    mailer: Mailer,
    *,
    ids: list[int] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Send the confirmation mail of every pending, unasked subscription (or of ``ids``)."""
    now = now or datetime.now(UTC)
    secret = settings.secret_key.get_secret_value()
    counts = {"asked": 0, "failed": 0}
    with Session(engine) as session:
        letters = []
        for sub in default_subscriptions.awaiting_confirmation(session, ids=ids):
            follows = following.describe(session, sub).follows
            letters.append((sub.id, sub.address, follows, sub.language, _who(session, sub)))
    for sub_id, address, follows, language, (listed_in, by) in letters:
        message = account_mail.subscription_confirm(
            to=address, listed_in=listed_in, by=by, follows=follows, language=language,
            mail_from=settings.mail_from,
            link=following.confirm_url(settings.base_url, secret, sub_id or 0),
            days=following.CONFIRM_MAX_AGE // 86400,
        )  # fmt: skip
        if not mailer.send(message).ok:
            counts["failed"] += 1
            continue
        with session_scope(engine) as session:
            default_subscriptions.mark_asked(session, subscription_id=sub_id or 0, now=now)
        counts["asked"] += 1
    return counts


def _who(session: Session, sub) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
    """Why the address was added: (the repository whose publiccode.yml lists it, None) for a
    default subscription, else (None, the person who added it, None if unknown)."""
    if sub.by_default:
        repo = session.get(Repository, sub.repository_id) if sub.repository_id else None
        return (repo.full_name if repo else following.describe(session, sub).follows), None
    user = session.get(User, sub.user_id) if sub.user_id else None
    return None, ((user.display_name or user.email) if user else None)
