"""Sources with their last run, and removing a source or an agency with what hangs off it.

Removal deletes the repositories a source crawled (their findings go with them by the
database's cascades), their events, deliveries and subscriptions, and the source's crawl
runs; reuse edges that named a removed repository keep its URL and lose the link. Every
removed repository gets an index change, so each node's search index drops it on its next
sync. The caller decides whether to commit: a dry run is the same work rolled back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from registry.models import (
    Agency,
    CrawlRun,
    Delivery,
    Event,
    IndexChange,
    Repository,
    Source,
    Subscription,
)
from registry.services.agencies import get_agency, get_source


@dataclass(frozen=True)
class SourceRow:
    source: Source
    agency: Agency
    last_run: CrawlRun | None


def list_sources(session: Session) -> list[SourceRow]:
    """Every source by id, with its agency and its latest crawl run (if any)."""
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .group_by(col(CrawlRun.source_id))
        .subquery()
    )
    rows = session.exec(
        select(Source, Agency, CrawlRun)
        .join(Agency, col(Agency.id) == Source.agency_id)
        .outerjoin(latest, latest.c.source_id == Source.id)
        .outerjoin(CrawlRun, col(CrawlRun.id) == latest.c.run_id)
        .order_by(col(Source.id))
    ).all()
    return [SourceRow(source, agency, run) for source, agency, run in rows]


def source_ids(session: Session) -> list[int]:
    return [int(i) for i in session.exec(select(Source.id).order_by(col(Source.id))).all()]


def remove_source(session: Session, source_id: int) -> Counter[str]:
    """Delete a source, its crawl runs and the repositories it crawled; counts by kind."""
    source = get_source(session, source_id)
    repo_ids = _ids(session, select(Repository.id).where(Repository.source_id == source_id))
    counts = _remove_repositories(session, repo_ids)
    runs = session.exec(delete(CrawlRun).where(col(CrawlRun.source_id) == source_id))
    counts["crawl runs"] += runs.rowcount
    session.delete(source)
    session.flush()
    counts["sources"] += 1
    return counts


def remove_agency(session: Session, slug: str) -> Counter[str]:
    """Delete an agency with its sources, repositories and subscriptions; counts by kind."""
    agency = get_agency(session, slug)
    counts: Counter[str] = Counter()
    for sid in _ids(session, select(Source.id).where(Source.agency_id == agency.id)):
        counts.update(remove_source(session, sid))
    # Repositories of the agency that no source of it crawled (an importer, another source).
    counts.update(
        _remove_repositories(
            session, _ids(session, select(Repository.id).where(Repository.agency_id == agency.id))
        )
    )
    counts.update(_remove_subscriptions(session, Subscription.agency_id == agency.id))
    session.delete(agency)
    session.flush()
    counts["agencies"] += 1
    return counts


def _ids(session: Session, query) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(i) for i in session.exec(query).all()]


def _remove_repositories(session: Session, repo_ids: list[int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    if not repo_ids:
        return counts
    in_repos = col(Event.repository_id).in_(repo_ids)
    event_ids = _ids(session, select(Event.id).where(in_repos))
    counts.update(_remove_subscriptions(session, col(Subscription.repository_id).in_(repo_ids)))
    if event_ids:
        gone = session.exec(delete(Delivery).where(col(Delivery.event_id).in_(event_ids)))
        counts["deliveries"] += gone.rowcount
        counts["events"] += session.exec(delete(Event).where(in_repos)).rowcount
    now = datetime.now(UTC)
    for repo_id in repo_ids:
        session.add(IndexChange(repository_id=repo_id, deleted=True, created_at=now))
    gone = session.exec(delete(Repository).where(col(Repository.id).in_(repo_ids)))
    counts["repositories"] += gone.rowcount
    session.flush()
    return counts


def _remove_subscriptions(session: Session, where) -> Counter[str]:  # type: ignore[no-untyped-def]
    counts: Counter[str] = Counter()
    sub_ids = _ids(session, select(Subscription.id).where(where))
    if sub_ids:
        in_subs = col(Delivery.subscription_id).in_(sub_ids)
        counts["deliveries"] += session.exec(delete(Delivery).where(in_subs)).rowcount
        gone = session.exec(delete(Subscription).where(col(Subscription.id).in_(sub_ids)))
        counts["subscriptions"] += gone.rowcount
    return counts


def agency_of(session: Session, source: Source) -> Agency:
    agency = session.get(Agency, source.agency_id)
    assert agency is not None  # a foreign key
    return agency
