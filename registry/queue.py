"""The Huey instance from settings: SQLite storage embedded, Redis storage at scale."""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from registry.settings import Settings


def make_huey(settings: Settings) -> Huey:
    if settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("govcode", url=settings.queue_url, immediate=settings.queue_immediate)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        "govcode", filename=str(settings.queue_path), immediate=settings.queue_immediate
    )
