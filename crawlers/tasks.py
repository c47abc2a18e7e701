"""The Huey tasks: crawl a source, recrawl on a schedule, deliver events, sync the index.

Tasks are registered on a Huey made from settings (``registry.queue.make_huey``) rather
than on a module global, so tests and each worker process build their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from huey import Huey, crontab

from registry.settings import Settings


@dataclass
class Tasks:
    huey: Huey
    crawl_source: Any
    deliver: Any
    sweep: Any


def run_crawl(settings: Settings, source_id: int, *, progress=None):
    """Crawl one source, then index what changed and deliver what it caused (inline)."""
    from crawlers.forges import CrawlContext
    from crawlers.pipeline import crawl_source
    from registry.db import make_engine
    from registry.delivery import Senders, deliver_pending
    from registry.search import SearchIndex
    from registry.search.sync import sync

    engine = make_engine(settings)
    try:
        summary = crawl_source(
            engine, CrawlContext.from_settings(settings), source_id, progress=progress
        )
        sync(engine, SearchIndex(settings.resolved_index_dir))
        if summary.event_ids:
            deliver_pending(engine, settings, Senders.from_settings(settings))
        return summary
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


def register(huey: Huey, settings: Settings) -> Tasks:
    @huey.task(retries=2, retry_delay=60, name="crawl_source")
    def crawl_source_task(source_id: int) -> dict:
        summary = run_crawl(settings, source_id)
        return {"run_id": summary.run_id, "status": summary.status, **summary.counts}

    @huey.task(retries=3, retry_delay=30, name="deliver")
    def deliver_task() -> dict:
        return run_delivery(settings)

    @huey.periodic_task(crontab(minute="*"), name="sweep_outbox")
    def sweep_task() -> dict:
        """Retries due deliveries and picks up events whose deliver task was lost."""
        started = datetime.now(UTC).isoformat()
        return {"started": started, **run_delivery(settings)}

    return Tasks(huey=huey, crawl_source=crawl_source_task, deliver=deliver_task, sweep=sweep_task)
