"""Who hears about reuse of which repository, on which channel, at which address."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from registry import i18n
from registry.errors import BadRequest
from registry.models import Subscription
from registry.notify.channels import channel_kind


def subscribe(
    session: Session,
    *,
    channel: str,
    address: str,
    repository_id: int | None = None,
    agency_id: int | None = None,
    secret: str | None = None,
    language: str = i18n.SOURCE,
) -> Subscription:
    """Subscribe one address on one channel to a repository or a whole agency.

    The channel validates the address; a signed channel gets a generated secret when none
    is given. Subscribing the same address twice returns the existing subscription.
    ``language`` is the one its messages are written in (English if it has no catalogue).
    """
    language = language if language in i18n.available() else i18n.SOURCE
    if (repository_id is None) == (agency_id is None):
        raise BadRequest("subscribe to exactly one repository or one agency")
    kind = channel_kind(channel)
    if not kind.pushes:
        raise BadRequest(f"the {kind.title} is pulled by its readers; nobody subscribes to it")
    stored = kind.cls.validate_address(address)
    if secret is not None and not kind.signed:
        raise BadRequest(f"the {kind.title} channel takes no secret")
    if secret is not None and not 0 < len(secret) <= 200:
        raise BadRequest("a signing secret has 1 to 200 characters")
    existing = session.exec(
        select(Subscription).where(
            Subscription.channel == kind.name,
            Subscription.address == stored,
            Subscription.repository_id == repository_id,
            Subscription.agency_id == agency_id,
            Subscription.active.is_(True),  # type: ignore[attr-defined]
        )
    ).first()
    if existing is not None:
        if secret is not None and secret != existing.secret:
            existing.secret = secret
        existing.language = language
        session.add(existing)
        return existing
    sub = Subscription(
        repository_id=repository_id,
        agency_id=agency_id,
        channel=kind.name,
        address=stored,
        secret=(secret or secrets.token_hex(32)) if kind.signed else None,
        language=language,
    )
    session.add(sub)
    session.flush()
    return sub


def for_repository(session: Session, *, repository_id: int, agency_id: int) -> list[Subscription]:
    """Active subscriptions to a repository directly or to its agency."""
    return list(
        session.exec(
            select(Subscription)
            .where(
                Subscription.active.is_(True),  # type: ignore[attr-defined]
                (Subscription.repository_id == repository_id)
                | (Subscription.agency_id == agency_id),
            )
            .order_by(Subscription.id)  # type: ignore[arg-type]
        ).all()
    )
