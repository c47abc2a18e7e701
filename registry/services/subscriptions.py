"""Who hears about reuse of which repository."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from registry.errors import BadRequest
from registry.models import Subscription


def subscribe(
    session: Session,
    *,
    repository_id: int | None = None,
    agency_id: int | None = None,
    email: str | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
) -> Subscription:
    """Subscribe an e-mail address and/or a webhook to a repository or a whole agency."""
    if (repository_id is None) == (agency_id is None):
        raise BadRequest("subscribe to exactly one repository or one agency")
    if not email and not webhook_url:
        raise BadRequest("a subscription needs an e-mail address or a webhook URL")
    if email and ("@" not in email or any(c in email for c in "\r\n <>")):
        raise BadRequest(f"not an e-mail address: {email!r}")
    sub = Subscription(
        repository_id=repository_id,
        agency_id=agency_id,
        email=email,
        webhook_url=webhook_url,
        webhook_secret=(webhook_secret or secrets.token_hex(32)) if webhook_url else None,
    )
    session.add(sub)
    session.flush()
    return sub


def for_repository(session: Session, *, repository_id: int, agency_id: int) -> list[Subscription]:
    """Active subscriptions to a repository directly or to its agency."""
    return list(
        session.exec(
            select(Subscription).where(
                Subscription.active.is_(True),  # type: ignore[attr-defined]
                (Subscription.repository_id == repository_id)
                | (Subscription.agency_id == agency_id),
            )
        ).all()
    )
