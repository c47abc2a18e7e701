"""Crawl runs: one row per crawl of a source, with counts and per-repository errors."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from registry.models import CrawlRun, Source


def start(session: Session, *, source_id: int, now: datetime) -> CrawlRun:
    run = CrawlRun(source_id=source_id, started_at=now)
    session.add(run)
    session.flush()
    return run


def finish(
    session: Session,
    *,
    run_id: int,
    now: datetime,
    counts: dict[str, int],
    errors: list[dict[str, str]],
    status: str = "finished",
    message: str = "",
) -> CrawlRun:
    run = session.get(CrawlRun, run_id)
    assert run is not None
    run.status = status
    run.finished_at = now
    run.new, run.changed = counts.get("new", 0), counts.get("changed", 0)
    run.unchanged, run.failed = counts.get("unchanged", 0), counts.get("failed", 0)
    run.requests = counts.get("requests", 0)
    run.errors = errors
    run.message = message[:2000]
    session.add(run)
    source = session.get(Source, run.source_id)
    if source is not None:
        source.last_crawled_at = now
        session.add(source)
    return run


def latest(session: Session, *, source_id: int, limit: int = 10) -> list[CrawlRun]:
    return list(
        session.exec(
            select(CrawlRun)
            .where(CrawlRun.source_id == source_id)
            .order_by(CrawlRun.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        ).all()
    )
