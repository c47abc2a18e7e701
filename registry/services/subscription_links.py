"""One-click unsubscribe (RFC 8058), and following by e-mail in one click.

An unsubscribe link carries a token signed with the registry's secret that names one
subscription (or, in a daily digest, every subscription it covers): it works without
signing in and cannot be forged for another subscription. What a person follows is listed
by ``registry.services.following``.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, select

from registry import i18n
from registry.errors import BadRequest, Forbidden
from registry.i18n import N_
from registry.models import AuditEvent, Repository, Subscription
from registry.notify.channels import EMAIL
from registry.services import audit, subscriptions

PURPOSE = "govcode.unsubscribe"


def token_for(secret: str, subscription_id: int) -> str:
    return str(URLSafeSerializer(secret, salt=PURPOSE).dumps({"sid": subscription_id}))


def token_for_all(secret: str, subscription_ids: list[int]) -> str:
    """One link that stops several subscriptions (a digest's, all to one address)."""
    return str(URLSafeSerializer(secret, salt=PURPOSE).dumps({"sids": sorted(subscription_ids)}))


def url_for(base_url: str, secret: str, subscription_id: int) -> str:
    return f"{base_url.rstrip('/')}/unsubscribe/{token_for(secret, subscription_id)}"


def url_for_all(base_url: str, secret: str, subscription_ids: list[int]) -> str:
    return f"{base_url.rstrip('/')}/unsubscribe/{token_for_all(secret, subscription_ids)}"


def read_all(session: Session, *, secret: str, token: str) -> list[Subscription]:
    try:
        payload = URLSafeSerializer(secret, salt=PURPOSE).loads(token)
    except BadSignature:
        raise BadRequest(N_("this unsubscribe link is not valid")) from None
    ids = []
    if isinstance(payload, dict):
        ids = payload.get("sids") or [payload.get("sid")]
    subs = [session.get(Subscription, i) for i in ids if isinstance(i, int)] if ids else []
    found = [s for s in subs if s is not None]
    if not found:
        raise BadRequest(N_("this unsubscribe link is not valid"))
    return found


def read(session: Session, *, secret: str, token: str) -> Subscription:
    """The (first) subscription an unsubscribe link names; an active one if any is."""
    subs = read_all(session, secret=secret, token=token)
    return next((s for s in subs if s.active), subs[0])


def unsubscribe(session: Session, *, secret: str, token: str, address: str) -> Subscription:
    """Idempotent: a second click changes nothing and says the same."""
    subs = read_all(session, secret=secret, token=token)
    for sub in subs:
        if sub.active:
            sub.active = False
            session.add(sub)
            session.flush()
            session.add(_event(sub, address, "subscription.unsubscribe", True, False))
            session.flush()
    return subs[0]


def _event(sub: Subscription, address: str, action: str, before: bool, after: bool) -> AuditEvent:
    return AuditEvent(
        actor=(sub.address if sub.channel == EMAIL.name else "") or "one-click unsubscribe",
        action=action, target_type="subscription",
        target_id=str(sub.id), agency_id=sub.agency_id, before={"active": before},
        after={"active": after}, address=address[:100],
    )  # fmt: skip


def subscribe_self(
    session: Session,
    actor: audit.Actor,
    *,
    repository_id: int | None,
    agency_id: int | None,
    language: str = i18n.SOURCE,
) -> Subscription:
    """The signed-in person follows a repository or an agency at their confirmed address,
    in ``language`` (the page's); following the same thing twice keeps one subscription
    (made active again, in the language of the latest follow)."""
    language = language if language in i18n.available() else i18n.SOURCE
    user = actor.user
    if user is None or user.email_confirmed_at is None:
        raise Forbidden(N_("confirm your e-mail address first"))
    existing = session.exec(
        select(Subscription).where(
            Subscription.channel == EMAIL.name,
            Subscription.address == user.email,
            Subscription.repository_id == repository_id,
            Subscription.agency_id == agency_id,
        )
    ).first()
    if existing is not None:
        sub, before = existing, existing.active
        sub.active, sub.pending = True, False  # their own confirmed address: no need to ask
        sub.language = language
        session.add(sub)
    else:
        sub, before = (
            subscriptions.subscribe(
                session,
                channel=EMAIL.name,
                address=user.email,
                repository_id=repository_id,
                agency_id=agency_id,
                language=language,
            ),
            False,
        )
    session.flush()
    agency = agency_id or (
        session.get(Repository, repository_id).agency_id if repository_id else None
    )  # type: ignore[union-attr]
    audit.record(
        session, actor, action="subscription.subscribe", target_type="subscription",
        target_id=sub.id, agency_id=agency, before={"active": before}, after={"active": True},
    )  # fmt: skip
    return sub
