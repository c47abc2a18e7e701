"""What a signed-in person follows, on every channel: make, list, edit, confirm.

Someone follows a repository, all of an agency's repositories, or a saved search, by e-mail
(at once or in a daily digest), by signed webhook (the secret is shown once, when it is
made) or by a private Atom feed (its URL carries an unguessable token, of which only a hash
is kept). An e-mail address other than the person's own confirmed one is subscribed only
once its owner follows the link mailed to it: nobody is subscribed by a stranger. A
webhook URL must pass the URL policy (no loopback, private or link-local address) before it
is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, col, or_, select

from registry.errors import BadRequest, Conflict, Forbidden, NotFound
from registry.i18n import N_
from registry.models import FREQUENCIES, Agency, Repository, Subscription, User
from registry.notify.channels import EMAIL, channel_kind
from registry.search.saved import SavedSearch
from registry.services import audit, subscriptions

CONFIRM_PURPOSE = "govcode.subscription-confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
FEED_PREFIX = "gcf_"


@dataclass(frozen=True)
class Target:
    repository_id: int | None = None
    agency_id: int | None = None
    search_query: str | None = None


@dataclass(frozen=True)
class Made:
    """A new (or renewed) subscription and what is shown once: the webhook's signing
    secret, the private feed's token; ``confirm_to`` is an address that must confirm."""

    subscription: Subscription
    secret: str | None = None
    feed_token: str | None = None
    confirm_to: str | None = None


@dataclass(frozen=True)
class Row:
    subscription: Subscription
    follows: str  # what it follows, as a person reads it
    page: str  # the page of what it follows
    what: str  # "repository" | "agency" | "search"


def feed_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(actor: audit.Actor) -> User:
    user = actor.user
    if user is None or user.email_confirmed_at is None:
        raise Forbidden(N_("confirm your e-mail address first"))
    return user


def _agency_of(session: Session, sub: Subscription) -> int | None:
    if sub.agency_id is not None:
        return sub.agency_id
    repo = session.get(Repository, sub.repository_id) if sub.repository_id else None
    return repo.agency_id if repo else None


def create(
    session: Session,
    actor: audit.Actor,
    *,
    channel: str,
    target: Target,
    address: str = "",
    frequency: str = "immediate",
    url_check: Callable[[str], object] | None = None,
) -> Made:
    """Subscribe for the signed-in person; see the module's docstring for each channel.
    ``url_check`` is the URL policy (raises ``UnsafeURLError``), run on a webhook URL."""
    user = _user(actor)
    kind = channel_kind(channel)
    if frequency not in FREQUENCIES:
        raise BadRequest(
            N_("how often must be one of %(frequencies)s"), frequencies=", ".join(FREQUENCIES)
        )
    if frequency != "immediate" and not kind.digests:
        raise BadRequest(N_("only e-mail comes as a daily digest"))
    query = target.search_query
    if query is not None:
        query = SavedSearch.from_query_string(query).query_string()
    where = Target(target.repository_id, target.agency_id, query)
    if not kind.pushes:  # a pull channel: a private feed its reader fetches
        made = _feed(session, user, kind.name, where)
    elif kind is EMAIL:
        made = _email(session, user, where, address.strip() or user.email, frequency)
    else:
        made = _push(session, user, kind.name, where, address.strip(), url_check)
    sub = made.subscription
    audit.record(
        session, actor, action="subscription.create", target_type="subscription",
        target_id=sub.id, agency_id=_agency_of(session, sub), before=None,
        after={"channel": sub.channel, "address": sub.address, "frequency": sub.frequency,
               "pending": sub.pending, "search": sub.search_query},
    )  # fmt: skip
    return made


def _same(session: Session, channel: str, address: str, where: Target) -> Subscription | None:
    return session.exec(
        select(Subscription).where(
            Subscription.channel == channel,
            Subscription.address == address,
            Subscription.repository_id == where.repository_id,
            Subscription.agency_id == where.agency_id,
            Subscription.search_query == where.search_query,
        )
    ).first()


def _email(session: Session, user: User, where: Target, address: str, frequency: str) -> Made:
    stored = EMAIL.cls.validate_address(address)
    own = stored.lower() == user.email.lower()
    sub = _same(session, EMAIL.name, stored, where)
    if sub is None:
        sub = subscriptions.subscribe(
            session, channel=EMAIL.name, address=stored, repository_id=where.repository_id,
            agency_id=where.agency_id, search_query=where.search_query, frequency=frequency,
            user_id=user.id, pending=not own,
        )  # fmt: skip
    elif own:  # following the same thing again: one subscription, on again
        sub.active, sub.frequency, sub.pending = True, frequency, False
        sub.user_id = sub.user_id or user.id
        session.add(sub)
        session.flush()
    elif not sub.active or sub.pending:  # its owner stopped it: only they start it again
        sub.pending = True
        session.add(sub)
        session.flush()
    return Made(sub, confirm_to=None if not sub.pending else stored)


def _push(
    session: Session,
    user: User,
    channel: str,
    where: Target,
    address: str,
    url_check: Callable[[str], object] | None,
) -> Made:
    kind = channel_kind(channel)
    if not address:
        if kind.url_address:
            raise BadRequest(N_("give the URL to send to"))
        raise BadRequest(N_("give the address to send to"))
    stored = kind.cls.validate_address(address)
    if url_check is not None and kind.url_address:
        url_check(stored)  # UnsafeURLError (400) for loopback, private, file://…
    if _same(session, channel, stored, where) is not None:
        raise Conflict(N_("this URL hears about it already; its secret was shown when it was made"))
    sub = subscriptions.subscribe(
        session, channel=channel, address=stored, repository_id=where.repository_id,
        agency_id=where.agency_id, search_query=where.search_query, user_id=user.id,
    )  # fmt: skip
    return Made(sub, secret=sub.secret)


def _feed(session: Session, user: User, channel: str, where: Target) -> Made:
    token = FEED_PREFIX + secrets.token_urlsafe(32)
    sub = Subscription(
        repository_id=where.repository_id, agency_id=where.agency_id,
        search_query=where.search_query, channel=channel, address=f"private feed of {user.email}",
        user_id=user.id, feed_token_hash=feed_hash(token),
    )  # fmt: skip
    session.add(sub)
    session.flush()
    return Made(sub, feed_token=token)


def feed_subscription(session: Session, token: str) -> Subscription:
    """The active Atom subscription whose private URL carries ``token``; NotFound else."""
    if not token.startswith(FEED_PREFIX) or len(token) > 100:
        raise NotFound(N_("no such feed"))
    sub = session.exec(
        select(Subscription).where(Subscription.feed_token_hash == feed_hash(token))
    ).first()
    if sub is None or not sub.active:
        raise NotFound(N_("no such feed (it may have been stopped)"))
    return sub


def _owned(session: Session, user: User, subscription_id: int) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None or not _is_owner(user, sub):
        raise NotFound(
            N_("you have no subscription %(subscription_id)s"), subscription_id=subscription_id
        )
    return sub


def _is_owner(user: User, sub: Subscription) -> bool:
    return sub.user_id == user.id or (
        sub.channel == EMAIL.name and sub.address.lower() == user.email.lower() and not sub.pending
    )


def update(
    session: Session,
    actor: audit.Actor,
    *,
    subscription_id: int,
    active: bool | None = None,
    frequency: str | None = None,
) -> Subscription:
    """Stop or resume one of the person's subscriptions, or change how often its e-mail
    comes; a stopped default subscription stays stopped on later crawls."""
    user = _user(actor)
    sub = _owned(session, user, subscription_id)
    before = {"active": sub.active, "frequency": sub.frequency}
    theirs = sub.channel == EMAIL.name and sub.address.lower() != user.email.lower()
    if theirs and (active or (frequency is not None and frequency != sub.frequency)):
        # Made for another address: its owner decides; whoever made it may only stop it.
        raise Forbidden(
            N_("only the owner of %(address)s can start or change it"), address=sub.address
        )
    if frequency is not None:
        if frequency not in FREQUENCIES:
            raise BadRequest(
                N_("how often must be one of %(frequencies)s"), frequencies=", ".join(FREQUENCIES)
            )
        if frequency != "immediate" and not channel_kind(sub.channel).digests:
            raise BadRequest(N_("only e-mail comes as a daily digest"))
        sub.frequency = frequency
    if active and not sub.active and sub.paused_at is not None:
        # paused for failing: resuming sends what waited (subscriptions.resume)
        subscriptions.resume(session, sub, now=datetime.now(UTC))
    elif active is not None:
        sub.active = active
    session.add(sub)
    session.flush()
    after = {"active": sub.active, "frequency": sub.frequency}
    if after != before:
        audit.record(
            session, actor, action="subscription.update", target_type="subscription",
            target_id=sub.id, agency_id=_agency_of(session, sub), before=before, after=after,
        )  # fmt: skip
    return sub


def of_user(session: Session, user: User) -> list[Row]:
    """Every subscription the person made or that mails their address, newest first."""
    rows = session.exec(
        select(Subscription)
        .where(
            or_(
                Subscription.user_id == user.id,
                (Subscription.channel == EMAIL.name)
                & (col(Subscription.address) == user.email)
                & col(Subscription.pending).is_(False),
            )
        )
        .order_by(col(Subscription.id).desc())
    ).all()
    return [describe(session, sub) for sub in rows]


def describe(session: Session, sub: Subscription) -> Row:
    if sub.repository_id is not None:
        repo = session.get(Repository, sub.repository_id)
        name = repo.full_name if repo else "?"
        return Row(sub, name, f"/repositories/{sub.repository_id}", "repository")
    if sub.agency_id is not None:
        agency = session.get(Agency, sub.agency_id)
        return Row(
            sub, agency.name if agency else "?",
            f"/agencies/{agency.slug if agency else ''}", "agency",
        )  # fmt: skip
    search = SavedSearch.from_query_string(sub.search_query or "")
    return Row(sub, search.describe(), f"/?{search.query_string()}", "search")


def public(row: Row, *, base_url: str) -> dict:
    """The API's view of one subscription (never its secret or feed token)."""
    sub = row.subscription
    return {
        "id": sub.id, "channel": sub.channel, "address": sub.address,
        "frequency": sub.frequency, "active": sub.active, "pending": sub.pending,
        "by_default": sub.by_default, "follows": row.what, "label": row.follows,
        "repository_id": sub.repository_id, "agency_id": sub.agency_id,
        "search": sub.search_query, "page": f"{base_url.rstrip('/')}{row.page}",
        "created_at": sub.created_at.isoformat(),
    }  # fmt: skip


# -- confirming an address someone else added ------------------------------------------------
def confirm_token(secret: str, subscription_id: int) -> str:
    return str(URLSafeTimedSerializer(secret, salt=CONFIRM_PURPOSE).dumps({"sid": subscription_id}))


def confirm_url(base_url: str, secret: str, subscription_id: int) -> str:
    return f"{base_url.rstrip('/')}/subscriptions/confirm/{confirm_token(secret, subscription_id)}"


def read_confirmation(session: Session, *, secret: str, token: str) -> Subscription:
    """The subscription a confirmation link names (nothing changes); ``BadRequest`` when
    the link is forged or expired."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=CONFIRM_PURPOSE).loads(
            token, max_age=CONFIRM_MAX_AGE
        )
    except SignatureExpired:
        raise BadRequest(N_("this confirmation link has expired; ask for a new one")) from None
    except BadSignature:
        raise BadRequest(N_("this confirmation link is not valid")) from None
    sub = session.get(Subscription, payload.get("sid")) if isinstance(payload, dict) else None
    if sub is None:
        raise BadRequest(N_("this confirmation link is not valid"))
    return sub


def confirm(session: Session, *, secret: str, token: str, address: str) -> Subscription:
    """The address's owner followed the mailed link: the subscription starts. Idempotent."""
    sub = read_confirmation(session, secret=secret, token=token)
    if sub.pending:
        sub.pending = False
        sub.active = True
        session.add(sub)
        session.flush()
        audit.record(
            session, audit.Actor(user=None, address=address[:100], name=sub.address),
            action="subscription.confirm", target_type="subscription", target_id=sub.id,
            agency_id=_agency_of(session, sub), before={"pending": True},
            after={"pending": False},
        )  # fmt: skip
    return sub
