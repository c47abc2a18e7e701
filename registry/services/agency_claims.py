"""Claiming an imported agency: its people prove they own one of its sources.

Agencies imported from inventories (government.github.com, ORE, code.json lists) have no
people: they are *unclaimed*. A signed-in person claims one by placing a token where only
an owner of one of the agency's sources can (the same places as a source's ownership
proof, checked by ``crawlers.forges.proof``); once it is found there they become the
agency's administrator. The token is an HMAC of the registry's secret, the agency, the
source and the person, so it is nothing to store, names one claimant only, and cannot be
guessed for someone else. A claimed agency is claimed by nobody else this way.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlmodel import Session, select

from registry.errors import Conflict, Forbidden, NotFound
from registry.i18n import N_
from registry.models import Agency, Membership, Source, User
from registry.services import audit, default_subscriptions

PREFIX = "govcode-claim-"


@dataclass(frozen=True)
class Claimable:
    source: Source
    token: str


def is_unclaimed(session: Session, agency: Agency) -> bool:
    """Approved, never signed up by anyone, and nobody belongs to it."""
    if agency.status != "approved" or agency.requested_by_id is not None:
        return False
    member = session.exec(select(Membership.id).where(Membership.agency_id == agency.id)).first()
    return member is None


def token_for(secret: str, *, agency_id: int, source_id: int, user_id: int) -> str:
    message = f"claim:{agency_id}:{source_id}:{user_id}".encode()
    return PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _claimant(actor: audit.Actor) -> User:
    user = actor.user
    if user is None or user.email_confirmed_at is None:
        raise Forbidden(N_("sign in with a confirmed address to claim an agency"))
    return user


def claimable(
    session: Session, actor: audit.Actor, agency: Agency, *, secret: str
) -> list[Claimable]:
    """The agency's sources, each with the token this person would place there."""
    user = _claimant(actor)
    if not is_unclaimed(session, agency):
        raise Conflict(
            N_("%(agency_name)s has its people already; ask its administrators"),
            agency_name=agency.name,
        )
    sources = session.exec(
        select(Source).where(Source.agency_id == agency.id).order_by(Source.id)  # type: ignore[arg-type]
    ).all()
    return [
        Claimable(s, token_for(secret, agency_id=agency.id, source_id=s.id, user_id=user.id))  # type: ignore[arg-type]
        for s in sources
    ]


def source_to_prove(
    session: Session, actor: audit.Actor, agency: Agency, *, source_id: int, secret: str
) -> Claimable:
    for item in claimable(session, actor, agency, secret=secret):
        if item.source.id == source_id:
            return item
    raise NotFound(
        N_("%(agency_name)s has no source %(source_id)s"),
        agency_name=agency.name,
        source_id=source_id,
    )


def record(
    session: Session, actor: audit.Actor, agency: Agency, *, source: Source, found: bool,
    where: str,
) -> bool:  # fmt: skip
    """Store the outcome of a claim's proof check; True when the claimant now administers
    the agency. Checked again here: someone else may have claimed it meanwhile."""
    user = _claimant(actor)
    if not found:
        return False
    if not is_unclaimed(session, agency):
        raise Conflict(
            N_("%(agency_name)s was claimed by someone else meanwhile"), agency_name=agency.name
        )
    session.add(Membership(user_id=user.id, agency_id=agency.id, role="admin"))  # type: ignore[arg-type]
    session.flush()
    audit.record(
        session, actor, action="agency.claim", target_type="agency", target_id=agency.slug,
        agency_id=agency.id, before={"claimed": False},
        after={"claimed": True, "source": source.id, "where": where, "role": "admin"},
    )  # fmt: skip
    default_subscriptions.for_member(session, agency_id=agency.id)  # type: ignore[arg-type]
    return True
