"""govcode worker: run queued crawls and deliveries (Huey consumer)."""

from __future__ import annotations

import typer

from registry.cli.common import console, settings


def worker(
    workers: int = typer.Option(2, help="worker threads"),
) -> None:
    """Consume the queue (SQLite embedded, Redis with GOVCODE_QUEUE_URL=redis://…)."""
    from crawlers.tasks import register
    from registry.queue import make_huey

    s = settings()
    huey = make_huey(s)
    register(huey, s)
    console.print(f"worker on {type(huey).__name__} ({s.queue_url or s.queue_path})")
    huey.create_consumer(workers=workers, worker_type="thread").run()
