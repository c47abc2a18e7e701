"""The Huey instance from settings: SQLite storage embedded, Redis storage at scale."""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from registry.settings import Settings


def make_huey(settings: Settings) -> Huey:
    if settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(
            settings.queue_name, url=settings.queue_url, immediate=settings.queue_immediate
        )
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        settings.queue_name, filename=str(settings.queue_path), immediate=settings.queue_immediate
    )
