"""The reuse graph: record claims as edges, and write an outbox event for each new one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, or_, select

from registry.models import Agency, Event, Repository, ReuseEdge
from registry.services.records import ReuseClaim, normalise_url

SUMMARIES = {
    "fork": "Forked as {reuser}",
    "based_on": "{reuser} declares it is based on this repository",
    "dependency": "{reuser} depends on this repository",
    "shared_history": "{reuser} shares git history with this repository",
    "copied": "{reuser} contains files copied from this repository",
}


def _repo_by_key(session: Session, key: str) -> Repository | None:
    return session.exec(select(Repository).where(Repository.url_key == key)).first()


def record_claims(
    session: Session, *, repository: Repository, claims: Sequence[ReuseClaim], now: datetime
) -> list[int]:
    """Store each claim as an edge once; return the ids of events for new notifiable edges."""
    events: list[int] = []
    for claim in claims:
        reuser_key, target_key = normalise_url(claim.reuser_url), normalise_url(claim.target_url)
        if reuser_key == target_key:
            continue
        edge = session.exec(
            select(ReuseEdge).where(
                ReuseEdge.reuser_url == reuser_key,
                ReuseEdge.target_url == target_key,
                ReuseEdge.kind == claim.kind,
            )
        ).first()
        if edge is not None:
            continue
        reuser = _repo_by_key(session, reuser_key)
        target = _repo_by_key(session, target_key)
        edge = ReuseEdge(
            kind=claim.kind,
            reuser_url=reuser_key,
            reuser_name=claim.reuser_name,
            reuser_repository_id=reuser.id if reuser else None,
            target_url=target_key,
            target_repository_id=target.id if target else None,
            evidence=claim.evidence[:1000],
            created_at=now,
        )
        session.add(edge)
        session.flush()
        if target is not None:
            events.append(_event_for(session, edge, target, now))
    return events


def resolve_pending(session: Session, *, repository: Repository, now: datetime) -> list[int]:
    """Link edges that named this repository by URL before it was in the registry."""
    events: list[int] = []
    pending = session.exec(
        select(ReuseEdge).where(
            or_(
                (ReuseEdge.target_url == repository.url_key)
                & (ReuseEdge.target_repository_id.is_(None)),  # type: ignore[union-attr]
                (ReuseEdge.reuser_url == repository.url_key)
                & (ReuseEdge.reuser_repository_id.is_(None)),  # type: ignore[union-attr]
            )
        )
    ).all()
    for edge in pending:
        if edge.reuser_url == repository.url_key:
            edge.reuser_repository_id = repository.id
        if edge.target_url == repository.url_key and edge.target_repository_id is None:
            edge.target_repository_id = repository.id
            session.add(edge)
            session.flush()
            events.append(_event_for(session, edge, repository, now))
        session.add(edge)
    return events


def _event_for(session: Session, edge: ReuseEdge, target: Repository, now: datetime) -> int:
    reuser_agency = None
    reuser_page = None
    if edge.reuser_repository_id is not None:
        reuser = session.get(Repository, edge.reuser_repository_id)
        if reuser is not None:
            agency = session.get(Agency, reuser.agency_id)
            reuser_agency = agency.name if agency else None
            reuser_page = reuser.id
    who = reuser_agency or edge.reuser_name
    event = Event(
        kind="reuse.detected",
        repository_id=target.id,  # type: ignore[arg-type]
        reuse_edge_id=edge.id,
        created_at=now,
        payload={
            "kind": edge.kind,
            "repository_id": target.id,
            "repository_name": target.full_name,
            "repository_html_url": target.html_url,
            "reuser_name": edge.reuser_name,
            "reuser_url": "https://" + edge.reuser_url,
            "reuser_repository_id": reuser_page,
            "reuser_agency": reuser_agency,
            "evidence": edge.evidence,
            "summary": SUMMARIES.get(edge.kind, "{reuser} reuses this repository").format(
                reuser=who
            ),
        },
    )
    session.add(event)
    edge.notified_at = now
    session.add(edge)
    session.flush()
    assert event.id is not None
    return event.id


def reused_by(session: Session, repo_id: int) -> list[ReuseEdge]:
    return list(
        session.exec(
            select(ReuseEdge)
            .where(ReuseEdge.target_repository_id == repo_id)
            .order_by(ReuseEdge.created_at.desc())  # type: ignore[attr-defined]
        ).all()
    )


def reuses(session: Session, repo_id: int) -> list[ReuseEdge]:
    return list(
        session.exec(select(ReuseEdge).where(ReuseEdge.reuser_repository_id == repo_id)).all()
    )


def times_reused(session: Session, repo_id: int) -> int:
    """How many reuse edges point at the repository (every kind, known reusers or not)."""
    query = select(func.count()).select_from(ReuseEdge)
    return int(session.exec(query.where(ReuseEdge.target_repository_id == repo_id)).one())
