"""The HTTP cache behind forge API calls: store every answer, always revalidate it.

``requests-cache`` does the caching (validators, 304 handling, storage); this module only
chooses its policy and storage. Every cached answer is revalidated on each use with
``If-None-Match`` / ``If-Modified-Since``: an unchanged answer comes back as a 304, which
GitHub does not count against the rate limit, so a re-crawl of an unchanged organisation
is free while a changed one is never served stale.

Storage is SQLite under the var dir for one machine, Redis when the queue is Redis (workers
on several machines then share one cache). Keys are namespaced by API base and credential
(a hash of the token, or the GitHub App installation, never the secret itself), so one
token's answers are never revalidated or served for another; requests-cache also strips
``Authorization`` from the request it stores.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from requests_cache import EXPIRE_IMMEDIATELY, CachedSession, RedisCache, SQLiteCache
from requests_cache.cache_keys import create_key

from registry.settings import Settings

DAY = 86_400


@dataclass(frozen=True)
class HttpCacheConfig:
    """Where cached answers live: Redis when ``redis_url`` is set, else ``sqlite_path``, else
    memory (one forge object's lifetime only)."""

    sqlite_path: Path | None = None
    redis_url: str = ""
    redis_prefix: str = "govcode"
    ttl_days: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpCacheConfig:
        redis = settings.queue_url.startswith(("redis://", "rediss://", "unix://"))
        return cls(
            sqlite_path=None if redis else settings.resolved_http_cache_path,
            redis_url=settings.queue_url if redis else "",
            redis_prefix=settings.queue_name,
            ttl_days=settings.http_cache_ttl_days,
        )


def credential_namespace(api_url: str, credential: str) -> str:
    """A stable, non-secret name for (API base, credential): the cache key prefix."""
    material = f"{api_url.rstrip('/')}\n{credential}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def token_credential(token: str | None) -> str:
    """How a token is named in the namespace: its hash (anonymous when there is none)."""
    if not token:
        return "anonymous"
    return "token:" + hashlib.sha256(token.encode()).hexdigest()


def _key(namespace: str, request: Any, **kwargs: Any) -> str:
    return f"{namespace}:{create_key(request, **kwargs)}"


def open_cached_session(config: HttpCacheConfig | None, namespace: str) -> CachedSession:
    """A ``requests`` session that caches GET 200 answers and revalidates them every time."""
    config = config or HttpCacheConfig()
    backend: Any
    if config.redis_url:
        backend = RedisCache(
            namespace=f"{config.redis_prefix}:http-cache",
            connection=_redis_client(config.redis_url),
            ttl_offset=int(config.ttl_days * DAY),  # dropped once unused for this long
        )
    elif config.sqlite_path is not None:
        config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        backend = SQLiteCache(config.sqlite_path, wal=True, busy_timeout=30_000)
        _prune_sqlite(backend, config.ttl_days)
    else:
        backend = "memory"
    return CachedSession(
        backend=backend,
        expire_after=EXPIRE_IMMEDIATELY,  # keep, but never use without asking the server
        always_revalidate=True,
        allowable_methods=("GET",),
        allowable_codes=(200,),
        key_fn=partial(_key, namespace),
        stale_if_error=False,
    )


def _redis_client(url: str) -> Any:
    import redis  # optional dependency: only needed with a Redis queue

    class Redis(redis.Redis):
        def setex(self, name: Any, time: Any, value: Any) -> Any:
            """requests-cache calls SETEX, which redis-py 8 deprecates: same as SET … EX."""
            return self.set(name, value, ex=time)

    return Redis.from_url(url)


def _prune_sqlite(backend: SQLiteCache, ttl_days: float) -> None:
    """Drop answers not revalidated for ``ttl_days`` (each revalidation renews ``expires``)."""
    cutoff = round(time.time() - ttl_days * DAY)
    responses = backend.responses
    with responses.connection(commit=True) as con:
        con.execute(f"DELETE FROM {responses.table_name} WHERE expires <= ?", (cutoff,))
