"""crawl(source) = list → scan → analyse → store, one transaction per repository.

One broken repository never stops the crawl: its error is stored on the run (and on the
repository, which keeps its last good record). Indexing and notification are the next
stages; the caller runs them with the summary this returns.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from crawlers.base import Forge, RepoRef, RepoSnapshot
from crawlers.forges import CrawlContext, forge_for
from crawlers.record import build_record
from registry.db import session_scope
from registry.errors import GovcodeError, RateLimited
from registry.services import agencies, crawl_runs, repositories

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]  # (repository full name, status)


@dataclass
class CrawlSummary:
    run_id: int
    source_id: int
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0, "failed": 0}
    )
    errors: list[dict[str, str]] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    status: str = "finished"
    message: str = ""


def scan(ctx: CrawlContext, ref: RepoRef, facts, *, now: datetime) -> RepoSnapshot:
    """Bring the bare clone up to date and open its tree (no work tree, capped reads)."""
    path = ctx.git_cache.sync(ref.clone_url)
    git = ctx.read_git_facts(path, now=now)
    tree = ctx.open_tree(path, git.head)
    return RepoSnapshot(ref=ref, facts=facts, git=git, tree=tree, truncated=tree.truncated)


def crawl_source(
    engine: Engine,
    ctx: CrawlContext,
    source_id: int,
    *,
    forge: Forge | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> CrawlSummary:
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        source = agencies.get_source(session, source_id)
        run = crawl_runs.start(session, source_id=source_id, now=now)
        agency_id, locator, kind, api_url = (
            source.agency_id, source.locator, source.kind, source.api_url
        )  # fmt: skip
    summary = CrawlSummary(run_id=run.id, source_id=source_id)  # type: ignore[arg-type]
    try:
        forge = forge or forge_for(kind, api_url, ctx)  # the URL policy runs here
        for ref, facts in forge.list_repositories(locator):
            status = _crawl_one(engine, ctx, forge, ref, facts, agency_id, source_id, now, summary)
            if progress:
                progress(ref.full_name, status)
    except RateLimited as exc:
        summary.status, summary.message = "rate-limited", str(exc)
    except GovcodeError as exc:
        summary.status, summary.message = "failed", str(exc)
    finally:
        if forge is not None:
            summary.counts["requests"] = getattr(forge, "requests_spent", 0)
            if hasattr(forge, "close"):
                forge.close()
    with session_scope(engine) as session:
        crawl_runs.finish(
            session,
            run_id=summary.run_id,
            now=datetime.now(UTC),
            counts=summary.counts,
            errors=summary.errors,
            status=summary.status,
            message=summary.message,
        )
    return summary


def _crawl_one(
    engine: Engine,
    ctx: CrawlContext,
    forge: Forge,
    ref: RepoRef,
    facts,
    agency_id: int,
    source_id: int,
    now: datetime,
    summary: CrawlSummary,
) -> str:
    try:
        snapshot = scan(ctx, ref, facts, now=now)
        forks = forge.forks(ref) if facts.forks_count else []
        record = build_record(snapshot, forks=forks, fork_url=forge.fork_url(ref), now=now)
        with session_scope(engine) as session:
            result = repositories.store(
                session, record=record, agency_id=agency_id, source_id=source_id, now=now
            )
    except RateLimited:
        raise
    except Exception as exc:  # one broken repository never stops the crawl
        message = str(exc) if isinstance(exc, GovcodeError) else f"{type(exc).__name__}: {exc}"
        log.warning("crawl of %s failed: %s\n%s", ref.html_url, message, traceback.format_exc())
        summary.counts["failed"] += 1
        summary.errors.append({"repository": ref.html_url, "error": message[:1000]})
        with session_scope(engine) as session:
            repositories.record_failure(session, html_url=ref.html_url, error=message, now=now)
        return "failed"
    summary.counts[result.status] += 1
    summary.event_ids.extend(result.event_ids)
    if result.status != "unchanged":
        summary.changed_ids.append(result.repository_id)
    return result.status
