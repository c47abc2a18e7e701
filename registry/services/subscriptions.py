"""Who hears about reuse of which repository, on which channel, at which address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from registry import i18n
from registry.errors import BadRequest, NotFound, Phrase
from registry.i18n import N_
from registry.models import (
    FREQUENCIES,
    Agency,
    Delivery,
    DeliveryAttempt,
    Event,
    Repository,
    Subscription,
    User,
)
from registry.notify import pause_reason
from registry.notify.channels import CHANNELS, EMAIL, channel_kind
from registry.search.document import to_document
from registry.search.saved import SavedSearch
from registry.services import index_feed


def subscribe(
    session: Session,
    *,
    channel: str,
    address: str,
    repository_id: int | None = None,
    agency_id: int | None = None,
    secret: str | None = None,
    language: str = i18n.SOURCE,
    search_query: str | None = None,
    frequency: str = "immediate",
    user_id: int | None = None,
    pending: bool = False,
    by_default: bool = False,
) -> Subscription:
    """Subscribe one address on one channel to a repository, a whole agency or a saved
    search (a normalised query string, ``registry.search.saved``).

    The channel validates the address; a signed channel gets a generated secret when none
    is given. Subscribing the same address twice returns the existing subscription.
    ``language`` is the one its messages are written in (English if it has no catalogue).
    """
    language = language if language in i18n.available() else i18n.SOURCE
    if sum(x is not None for x in (repository_id, agency_id, search_query)) != 1:
        raise BadRequest(N_("subscribe to exactly one repository, one agency or one saved search"))
    if frequency not in FREQUENCIES:
        raise BadRequest(
            N_("frequency must be one of %(frequencies)s"), frequencies=", ".join(FREQUENCIES)
        )
    if search_query is not None:
        search_query = SavedSearch.from_query_string(search_query).query_string()
    kind = channel_kind(channel)
    if not kind.pushes:
        raise BadRequest(
            N_("the %(title)s is pulled by its readers; nobody subscribes to it"),
            title=Phrase(kind.title),
        )
    stored = kind.cls.validate_address(address)
    if secret is not None and not kind.signed:
        raise BadRequest(N_("the %(title)s channel takes no secret"), title=Phrase(kind.title))
    if secret is not None and not 0 < len(secret) <= 200:
        raise BadRequest(N_("a signing secret has 1 to 200 characters"))
    existing = session.exec(
        select(Subscription).where(
            Subscription.channel == kind.name,
            Subscription.address == stored,
            Subscription.repository_id == repository_id,
            Subscription.agency_id == agency_id,
            Subscription.search_query == search_query,
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
        search_query=search_query,
        frequency=frequency,
        user_id=user_id,
        pending=pending,
        by_default=by_default,
    )
    session.add(sub)
    session.flush()
    return sub


def _sent_at_once(with_paused: bool = False):  # type: ignore[no-untyped-def]
    live = col(Subscription.active).is_(True)
    if with_paused:  # a paused subscription's deliveries wait until it is resumed
        live = live | col(Subscription.paused_at).is_not(None)
    return (
        live,
        col(Subscription.pending).is_(False),
        Subscription.frequency == "immediate",
        # Pull channels (Atom) are read, never sent; an unknown channel still gets a
        # delivery, which records that nothing can send it.
        col(Subscription.channel).not_in([k.name for k in CHANNELS.values() if not k.pushes]),
    )


def for_repository(
    session: Session, *, repository_id: int, agency_id: int, with_paused: bool = False
) -> list[Subscription]:
    """Active, confirmed subscriptions sent at once that hear about this repository: to it
    directly, to its agency, or a saved search its search document answers (and, with
    ``with_paused``, the paused ones, whose deliveries wait until they are resumed)."""
    direct = session.exec(
        select(Subscription)
        .where(
            *_sent_at_once(with_paused),
            (Subscription.repository_id == repository_id) | (Subscription.agency_id == agency_id),
        )
        .order_by(Subscription.id)  # type: ignore[arg-type]
    ).all()
    searches = session.exec(
        select(Subscription).where(
            *_sent_at_once(with_paused), col(Subscription.search_query).is_not(None)
        )
    ).all()
    found = list(direct) + matching(session, searches, repository_id)
    return sorted(found, key=lambda s: s.id or 0)


def matching(
    session: Session, searches: list[Subscription], repository_id: int
) -> list[Subscription]:
    """The saved-search subscriptions among ``searches`` that the repository answers now."""
    if not searches:
        return []
    docs = index_feed.documents(session, [repository_id])
    if not docs:
        return []
    document = to_document(docs[0])
    return [s for s in searches if _answers(s, document)]


def _answers(sub: Subscription, document: dict) -> bool:
    try:
        return SavedSearch.from_query_string(sub.search_query or "").matches(document)
    except BadRequest:  # stored before a rule changed: it matches nothing rather than all
        return False


def events_for(
    session: Session,
    sub: Subscription,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
    unsent: bool = False,
) -> list[Event]:
    """The events a subscription hears about (newest first): of its repository, of its
    agency's repositories, or of the repositories its saved search answers now.
    ``unsent``: only those not yet delivered to it (a digest records what it listed)."""
    query = select(Event).order_by(col(Event.created_at).desc(), col(Event.id).desc())
    if unsent:
        sent = select(Delivery.id).where(
            Delivery.event_id == Event.id, Delivery.subscription_id == sub.id
        )
        query = query.where(~sent.exists())
    if after is not None:
        query = query.where(Event.created_at > after)
    if until is not None:
        query = query.where(Event.created_at <= until)
    if sub.repository_id is not None:
        return list(
            session.exec(query.where(Event.repository_id == sub.repository_id).limit(limit))
        )
    if sub.agency_id is not None:
        query = query.join(Repository, Repository.id == Event.repository_id).where(
            Repository.agency_id == sub.agency_id
        )
        return list(session.exec(query.limit(limit)))
    candidates = list(session.exec(query.limit(limit * 5)))
    ids = sorted({e.repository_id for e in candidates})
    try:
        search = SavedSearch.from_query_string(sub.search_query or "")
    except BadRequest:
        return []
    answers = {
        d["id"] for d in index_feed.documents(session, ids) if search.matches(to_document(d))
    }
    return [e for e in candidates if e.repository_id in answers][:limit]


def digest_due(session: Session, *, now: datetime) -> dict[str, list[Subscription]]:
    """Daily e-mail subscriptions by address, for the addresses whose last digest went on an
    earlier (UTC) day than ``now``'s or never: one digest per address per day."""
    subs = session.exec(
        select(Subscription)
        .where(
            col(Subscription.active).is_(True),
            col(Subscription.pending).is_(False),
            Subscription.channel == EMAIL.name,
            Subscription.frequency == "daily",
        )
        .order_by(col(Subscription.id))
    ).all()
    by_address: dict[str, list[Subscription]] = {}
    for sub in subs:
        by_address.setdefault(sub.address, []).append(sub)
    today = now.date()
    return {
        address: rows
        for address, rows in by_address.items()
        if all(s.digest_sent_at is None or s.digest_sent_at.date() < today for s in rows)
    }


def mark_digested(
    session: Session, *, ids: list[int], now: datetime, listed: dict[int, list[int]]
) -> None:
    """The digest of these subscriptions went out at ``now``; ``listed`` (subscription id ->
    event ids) is recorded as delivered, so an event committed late by a long crawl (its
    time is the crawl's start) is listed in the next digest, and none is listed twice."""
    for sub in session.exec(select(Subscription).where(col(Subscription.id).in_(ids))):
        sub.digest_sent_at = now
        session.add(sub)
    for sub_id, event_ids in listed.items():
        for event_id in event_ids:
            session.add(Delivery(event_id=event_id, subscription_id=sub_id, status="delivered",
                                 attempts=1, delivered_at=now))  # fmt: skip
    session.flush()


def owns(user: User, sub: Subscription) -> bool:
    """Whose a subscription is: its maker's, or, for e-mail, its address's."""
    return sub.user_id == user.id or (
        sub.channel == EMAIL.name and sub.address.lower() == user.email.lower()
    )


def owned(session: Session, user: User, subscription_id: int) -> Subscription:
    """The user's subscription by id; ``NotFound`` for another's (nothing is told about
    subscriptions one does not own)."""
    sub = session.get(Subscription, subscription_id)
    if sub is None or not owns(user, sub):
        raise NotFound(
            N_("you have no subscription %(subscription_id)s"), subscription_id=subscription_id
        )
    return sub


def owner_address(session: Session, sub: Subscription) -> str | None:
    """Where to tell a subscription's owner about it: the owner's e-mail, else the
    subscription's own address when it is an e-mail subscription."""
    if sub.user_id is not None:
        owner = session.get(User, sub.user_id)
        if owner is not None:
            return owner.email
    return sub.address if sub.channel == EMAIL.name else None


def signing_secrets(sub: Subscription, *, now: datetime) -> tuple[str | None, str | None]:
    """(the secret, the previous one while its overlap lasts, else None)."""
    until = sub.previous_secret_until
    previous = sub.previous_secret if until is not None and until > now else None
    return sub.secret, previous


@dataclass(frozen=True)
class Rotation:
    subscription: Subscription
    secret: str  # shown once
    previous_valid_until: datetime | None


def rotate_secret(
    session: Session,
    sub: Subscription,
    *,
    now: datetime,
    overlap_hours: float,
    secret: str | None = None,
) -> Rotation:
    """Give a signed subscription a new secret; the current one stays valid (everything
    is signed with both) for ``overlap_hours`` (0: at once invalid). Rotating again
    during an overlap ends the older secret's overlap: two secrets at most."""
    kind = channel_kind(sub.channel)
    if not kind.signed:
        raise BadRequest(
            N_("the %(title)s channel has no signing secret"), title=Phrase(kind.title)
        )
    if secret is not None and not 16 <= len(secret) <= 200:
        raise BadRequest(N_("a signing secret has 16 to 200 characters"))
    if overlap_hours < 0 or overlap_hours > 24 * 30:
        raise BadRequest(N_("the overlap is between 0 and 720 hours"))
    new = secret or secrets.token_hex(32)
    if new == sub.secret:
        raise BadRequest(N_("the new secret is the current one"))
    until = now + timedelta(hours=overlap_hours) if overlap_hours and sub.secret else None
    sub.previous_secret = sub.secret if until else None
    sub.previous_secret_until = until
    sub.secret = new
    session.add(sub)
    session.flush()
    return Rotation(sub, new, until)


def note_outcome(
    session: Session, sub_id: int, *, ok: bool, now: datetime, reason: str, pause_after: timedelta
) -> bool:
    """Track a subscription's run of failures; pause it (``active`` False, with why) once
    every attempt failed for ``pause_after``. True when this call paused it."""
    sub = session.get(Subscription, sub_id, with_for_update=True)
    if sub is None:
        return False
    if ok:
        if sub.failing_since is not None:
            sub.failing_since = None
            session.add(sub)
        return False
    if sub.failing_since is None:
        sub.failing_since = now
        session.add(sub)
        return False
    if not sub.active or now - sub.failing_since < pause_after:
        return False
    days = (now - sub.failing_since).total_seconds() / 86400
    sub.active = False
    sub.paused_at = now
    sub.paused_reason = pause_reason.stored(days, reason)
    session.add(sub)
    return True


def resume(session: Session, sub: Subscription, *, now: datetime) -> Subscription:
    """Un-pause: active again, its failure run forgotten. What waited goes out, and so
    does what was given up during the run of failures that paused it (the receiver was
    broken, not the notices), each with a fresh retry budget."""
    if sub.active:
        return sub
    if sub.paused_at is None:
        raise BadRequest(N_("this subscription was stopped, not paused: subscribe again"))
    since = sub.failing_since or sub.paused_at
    given_up_in_the_run = select(DeliveryAttempt.delivery_id).where(
        col(DeliveryAttempt.attempted_at) >= since
    )
    for delivery in session.exec(
        select(Delivery).where(
            Delivery.subscription_id == sub.id,
            (Delivery.status == "pending")
            | ((Delivery.status == "failed") & col(Delivery.id).in_(given_up_in_the_run)),
        )
    ):
        delivery.status = "pending"
        delivery.next_attempt_at = now
        delivery.attempts = 0
        session.add(delivery)
    sub.active = True
    sub.paused_at = sub.paused_reason = sub.failing_since = None
    session.add(sub)
    session.flush()
    return sub


def label(session: Session, sub: Subscription) -> str:
    """What a subscription follows, in words: the repository's or the agency's name."""
    if sub.repository_id is not None:
        repo = session.get(Repository, sub.repository_id)
        return repo.full_name if repo else f"repository {sub.repository_id}"
    if sub.agency_id is None:
        return f"search: {sub.search_query or ''}"
    agency = session.get(Agency, sub.agency_id)
    return agency.name if agency else f"agency {sub.agency_id}"
