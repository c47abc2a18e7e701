"""The Huey tasks: crawl a source, recrawl on a schedule, deliver events, sync the index.

Tasks are registered on a Huey made from settings (``registry.queue.make_huey``) rather
than on a module global, so tests and each worker process build their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from huey import Huey, crontab
from huey.exceptions import RetryTask, TaskLockedException

from registry.settings import Settings


@dataclass
class Tasks:
    huey: Huey
    crawl_source: Any
    deliver: Any
    sweep: Any
    recrawl: Any = None  # the periodic task that queues due sources
    crawl_scheduled: Any = None
    digest: Any = None  # the periodic task that sends the daily digests


def run_crawl(settings: Settings, source_id: int, *, progress=None, full: bool = False):
    """Crawl one source, then index what changed and deliver what it caused (inline);
    ``full`` fetches and analyses even repositories the forge shows unchanged."""
    from crawlers.context import CrawlContext
    from crawlers.pipeline import crawl_source
    from registry.db import make_engine
    from registry.delivery import Senders, deliver_pending
    from registry.search import open_index
    from registry.search.sync import sync

    engine = make_engine(settings)
    try:
        summary = crawl_source(
            engine, CrawlContext.from_settings(settings), source_id, progress=progress, full=full
        )
        sync(engine, open_index(settings))
        if summary.event_ids:
            deliver_pending(engine, settings, Senders.from_settings(settings))
        ask_confirmations(settings, engine)
        return summary
    finally:
        engine.dispose()


def recheck_proof(settings: Settings, source_id: int) -> bool:
    """Look for an agency-registered source's proof token again and store what was found
    (a removed token flags the source); True when the source is (still) verified.
    Operator-registered sources (no token) stay verified."""
    from crawlers.forges import proof
    from registry.db import make_engine, session_scope
    from registry.models import Agency
    from registry.services import agencies, audit, ownership

    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            source = agencies.get_source(session, source_id)
            if not source.proof_token:
                return source.verified_at is not None
            agency = session.get(Agency, source.agency_id)
            website = agency.homepage if agency else None
            facts = {"kind": source.kind, "locator": source.locator, "api_url": source.api_url,
                     "token": source.proof_token, "website": website}  # fmt: skip
        found = proof.check(settings, **facts)
        with session_scope(engine) as session:
            source = agencies.get_source(session, source_id)
            actor = audit.Actor(user=None, name="scheduled crawl")
            return ownership.record(
                session, actor, source=source, found=found.found, where=found.where
            )
    finally:
        engine.dispose()


def due_sources(settings: Settings) -> list[int]:
    from sqlmodel import Session

    from registry.db import make_engine
    from registry.services import ownership

    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            older = timedelta(hours=settings.recrawl_interval_hours)
            return [s.id for s in ownership.due_for_crawl(session, older_than=older) if s.id]
    finally:
        engine.dispose()


def run_delivery(settings: Settings) -> dict[str, int]:
    from registry.db import make_engine
    from registry.delivery import Senders, deliver_pending

    engine = make_engine(settings)
    try:
        return deliver_pending(engine, settings, Senders.from_settings(settings))
    finally:
        engine.dispose()


def ask_confirmations(settings: Settings, engine=None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Mail each address a crawl (publiccode.yml contacts) or a person subscribed for
    someone else, once, to ask for its confirmation (``registry.confirmations``)."""
    from registry.confirmations import ask
    from registry.db import make_engine
    from registry.notify.mailer import mailer_from_settings

    own = engine is None
    engine = engine or make_engine(settings)
    try:
        return ask(engine, settings, mailer_from_settings(settings))
    finally:
        if own:
            engine.dispose()


def run_digest(settings: Settings) -> dict[str, int]:
    from registry.db import make_engine
    from registry.digest import send_digests
    from registry.notify.mailer import mailer_from_settings

    engine = make_engine(settings)
    try:
        return send_digests(engine, settings, mailer_from_settings(settings))
    finally:
        engine.dispose()


RATE_LIMIT_FALLBACK = timedelta(minutes=15)  # when a forge said stop without saying until


def retry_eta(reset_at: float | None, *, now: datetime | None = None) -> datetime:
    """When a rate-limited crawl runs again: at the reset (plus a second), never earlier."""
    now = now or datetime.now(UTC)
    if reset_at is None:
        return now + RATE_LIMIT_FALLBACK
    return max(datetime.fromtimestamp(reset_at, UTC) + timedelta(seconds=1), now)


def register(huey: Huey, settings: Settings) -> Tasks:
    @huey.task(retries=2, retry_delay=60, name="crawl_source")
    def crawl_source_task(source_id: int, full: bool = False) -> dict:
        try:
            with huey.lock_task(f"crawl-source-{source_id}"):  # one crawl of a source at once
                summary = run_crawl(settings, source_id, full=full)
        except TaskLockedException:
            return {"source_id": source_id, "status": "already crawling"}
        if summary.status == "rate-limited":
            # Come back when the forge's budget resets, not sooner: huey re-enqueues this
            # same task for that time without spending one of its retries.
            raise RetryTask(summary.message, eta=retry_eta(summary.reset_at))
        return {"run_id": summary.run_id, "status": summary.status, **summary.counts}

    @huey.task(retries=3, retry_delay=30, name="deliver")
    def deliver_task() -> dict:
        return run_delivery(settings)

    @huey.periodic_task(crontab(minute="*"), name="sweep_outbox")
    def sweep_task() -> dict:
        """Retries due deliveries and picks up events whose deliver task was lost."""
        started = datetime.now(UTC).isoformat()
        return {"started": started, **run_delivery(settings)}

    @huey.task(name="crawl_scheduled")
    def crawl_scheduled_task(source_id: int) -> dict:
        """A scheduled crawl: the proof is checked again first; one crawl of a source at once."""
        try:
            with huey.lock_task(f"crawl-source-{source_id}"):
                if not recheck_proof(settings, source_id):
                    return {"source_id": source_id, "status": "unverified"}
                summary = run_crawl(settings, source_id)
        except TaskLockedException:
            return {"source_id": source_id, "status": "already crawling"}
        return {"run_id": summary.run_id, "status": summary.status, **summary.counts}

    @huey.periodic_task(crontab(minute="7"), name="recrawl_due")
    def recrawl_task() -> dict:
        """Every hour: queue each verified source not crawled for ``recrawl_interval_hours``."""
        due = due_sources(settings)
        for source_id in due:
            crawl_scheduled_task(source_id)
        return {"queued": len(due)}

    @huey.periodic_task(crontab(minute="23"), name="daily_digest")
    def digest_task() -> dict:
        """Every hour: each address with daily subscriptions whose digest has not gone
        today (UTC) gets one (``registry.digest``); one pass at a time."""
        try:
            with huey.lock_task("daily-digest"):
                return {**run_digest(settings), **ask_confirmations(settings)}
        except TaskLockedException:
            return {"status": "already sending"}

    return Tasks(
        huey=huey, crawl_source=crawl_source_task, deliver=deliver_task, sweep=sweep_task,
        recrawl=recrawl_task, crawl_scheduled=crawl_scheduled_task, digest=digest_task,
    )  # fmt: skip
