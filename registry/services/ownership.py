"""Ownership proof results, stored: a source becomes verified, or loses it when its token
is gone. The check itself (forge API, the agency's website) happens in ``crawlers``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from registry.models import Agency, Source
from registry.models._types import utcnow
from registry.services import audit, memberships


def can_prove(session: Session, actor: audit.Actor, agency: Agency) -> None:
    if actor.user is not None:
        memberships.require(session, actor.user, agency, "register_sources")


def record(
    session: Session, actor: audit.Actor, *, source: Source, found: bool, where: str
) -> bool:
    """Store a proof check; True when the source is verified afterwards."""
    was = source.verified_at is not None
    if found and not was:
        source.verified_at = utcnow()
    elif not found and was and source.proof_token:
        source.verified_at = None  # the token was removed: flag the source
    else:
        return was
    session.add(source)
    audit.record(
        session, actor, action="source.verify" if found else "source.unverify",
        target_type="source", target_id=source.id, agency_id=source.agency_id,
        before={"verified": was}, after={"verified": found, "where": where},
    )  # fmt: skip
    session.flush()
    return found


def due_for_crawl(session: Session, *, older_than: timedelta) -> list[Source]:
    """Verified sources not crawled for ``older_than`` (or never), oldest first."""
    cutoff = utcnow() - older_than
    query = (
        select(Source)
        .where(col(Source.verified_at).is_not(None))
        .where(or_(col(Source.last_crawled_at).is_(None), col(Source.last_crawled_at) < cutoff))
        .order_by(col(Source.last_crawled_at).asc())
    )
    return list(session.exec(query))
