"""Crawl runs: one row per crawl of a source, with counts and per-repository errors."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from registry.models import CrawlRun, Source

INTERRUPTED = "interrupted"


def start(session: Session, *, source_id: int, now: datetime) -> CrawlRun:
    run = CrawlRun(source_id=source_id, started_at=now, heartbeat_at=now)
    session.add(run)
    session.flush()
    return run


def beat(session: Session, *, run_id: int, now: datetime) -> None:
    """A running crawl is alive: note it (after every repository)."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.status == "running")  # type: ignore[arg-type]
        .values(heartbeat_at=now)
    )


def interrupt_stale(
    session: Session, *, now: datetime, stale_after: float, source_id: int | None = None
) -> list[int]:
    """Mark every "running" run whose heartbeat (or start, before the first beat) is older
    than ``stale_after`` seconds as interrupted, saying so; return their ids.

    A crawl process that was killed (or whose machine went down) never finishes its run;
    this is how such a run stops claiming to be running.
    """
    cutoff = now - timedelta(seconds=stale_after)
    last = func.coalesce(CrawlRun.heartbeat_at, CrawlRun.started_at)
    query = select(CrawlRun).where(CrawlRun.status == "running", last < cutoff)
    if source_id is not None:
        query = query.where(CrawlRun.source_id == source_id)
    stale = list(session.exec(query).all())
    for run in stale:
        seen = run.heartbeat_at or run.started_at
        run.status = INTERRUPTED
        run.finished_at = seen
        run.message = (
            f"interrupted: the crawl stopped without finishing (no sign of life since "
            f"{seen:%Y-%m-%d %H:%M:%S} UTC); later repositories were not crawled"
        )
        session.add(run)
    session.flush()
    return [run.id for run in stale if run.id is not None]


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
