"""Who hears about reuse of which repository, on which channel, at which address."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from registry.errors import BadRequest
from registry.models import FREQUENCIES, Delivery, Event, Repository, Subscription
from registry.notify.channels import CHANNELS, channel_kind
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
    """
    if sum(x is not None for x in (repository_id, agency_id, search_query)) != 1:
        raise BadRequest("subscribe to exactly one repository, one agency or one saved search")
    if frequency not in FREQUENCIES:
        raise BadRequest(f"frequency must be one of {', '.join(FREQUENCIES)}")
    if search_query is not None:
        search_query = SavedSearch.from_query_string(search_query).query_string()
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
            Subscription.search_query == search_query,
            Subscription.active.is_(True),  # type: ignore[attr-defined]
        )
    ).first()
    if existing is not None:
        if secret is not None and secret != existing.secret:
            existing.secret = secret
            session.add(existing)
        return existing
    sub = Subscription(
        repository_id=repository_id,
        agency_id=agency_id,
        channel=kind.name,
        address=stored,
        secret=(secret or secrets.token_hex(32)) if kind.signed else None,
        search_query=search_query,
        frequency=frequency,
        user_id=user_id,
        pending=pending,
        by_default=by_default,
    )
    session.add(sub)
    session.flush()
    return sub


def _sent_at_once():  # type: ignore[no-untyped-def]
    return (
        col(Subscription.active).is_(True),
        col(Subscription.pending).is_(False),
        Subscription.frequency == "immediate",
        # Pull channels (Atom) are read, never sent; an unknown channel still gets a
        # delivery, which records that nothing can send it.
        col(Subscription.channel).not_in([k.name for k in CHANNELS.values() if not k.pushes]),
    )


def for_repository(session: Session, *, repository_id: int, agency_id: int) -> list[Subscription]:
    """Active, confirmed subscriptions sent at once that hear about this repository: to it
    directly, to its agency, or a saved search its search document answers."""
    direct = session.exec(
        select(Subscription)
        .where(
            *_sent_at_once(),
            (Subscription.repository_id == repository_id) | (Subscription.agency_id == agency_id),
        )
        .order_by(Subscription.id)  # type: ignore[arg-type]
    ).all()
    searches = session.exec(
        select(Subscription).where(*_sent_at_once(), col(Subscription.search_query).is_not(None))
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
            Subscription.channel == "email",
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
