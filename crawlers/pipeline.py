"""crawl(source) = list → scan → analyse → store, one transaction per repository.

One broken repository never stops the crawl: its error is stored on the run (and on the
repository, which keeps its last good record). So does one slow repository: scan and
analysis share a time budget (``Settings.repo_time_budget``) and a repository over it is
recorded as failed. A repository the forge shows unchanged since its last good crawl is
neither fetched nor analysed, unless the crawl is ``full``. Indexing and notification are
the next stages; the caller runs them with the summary this returns.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from crawlers.analyse import build_record
from crawlers.base import Forge, GitFacts, HostFacts, RepoRef, RepoSnapshot
from crawlers.budget import Deadline, DeadlineTree
from crawlers.context import CrawlContext
from crawlers.forges import forge_for
from crawlers.freshness import is_unchanged
from registry.analysis.languages import DEFAULT_CONTENT_SAMPLE
from registry.db import session_scope
from registry.errors import CrawlError, Forbidden, GovcodeError, RateLimited
from registry.services import agencies, crawl_runs, repositories
from registry.services.records import RepositoryRecord
from registry.source_kinds import source_kind

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
    reset_at: float | None = None  # when rate-limited: UNIX time the forge may be asked again


def scan(
    ctx: CrawlContext,
    ref: RepoRef,
    facts: HostFacts,
    *,
    now: datetime,
    deadline: Deadline | None = None,
) -> RepoSnapshot:
    """Bring the bare clone up to date and open its tree (no work tree, capped reads); the
    tree refuses reads once ``deadline`` has passed."""
    deadline = deadline or Deadline(ctx.settings.repo_time_budget)
    path = ctx.git_cache.sync(ref.clone_url)
    deadline.check()
    git = ctx.read_git_facts(path, now=now)
    tree = ctx.open_tree(path, git.head)
    deadline.check()
    bounded = DeadlineTree(tree, deadline)
    return RepoSnapshot(
        ref=ref, facts=facts, git=git, tree=bounded, truncated=tree.truncated,
        past_commits=past_commits(git, ctx.settings.provenance_history_trees),
        open_commit=lambda commit: DeadlineTree(ctx.open_tree(path, commit), deadline),
    )  # fmt: skip


def past_commits(git: GitFacts, samples: int) -> tuple[str, ...]:
    """The root commits, then ``samples`` commits spread evenly over the sampled history
    (HEAD excluded: it is read anyway)."""
    roots = tuple(sorted(git.root_commits))
    older = [sha for sha, _, _ in git.history[1:] if sha not in roots]
    if samples <= 0 or not older:
        return roots
    step = len(older) / min(samples, len(older))
    picked = [older[int(step * (n + 1)) - 1] for n in range(min(samples, len(older)))]
    return roots + tuple(dict.fromkeys(picked))


def analyse(
    forge: Forge,
    snapshot: RepoSnapshot,
    *,
    now: datetime,
    deadline: Deadline,
    language_sample: int = DEFAULT_CONTENT_SAMPLE,
) -> RepositoryRecord:
    """Run every analyser on the snapshot; fail if that went over the deadline."""
    ref = snapshot.ref
    # A forge that lists forks either answers in full or raises (failing this repository),
    # so a record it built says which fork edges this crawl looked for.
    listed = source_kind(forge.kind).has_forks
    forks = forge.forks(ref) if listed and snapshot.facts.forks_count else []
    releases = snapshot.facts.release_list  # a release names a tag: none without tags
    if not releases and snapshot.git.tags:
        releases = list(forge.releases(ref))
    try:
        record = build_record(
            snapshot,
            forks=forks,
            fork_url=forge.fork_url(ref),
            now=now,
            language_sample=language_sample,
            forks_listed=listed,
            releases=releases,
        )
    finally:
        snapshot.tree.close()  # stop the tree's git process now, not at garbage collection
    deadline.check()  # an analyser that swallowed the deadline's error still fails here
    return record


def skip_unchanged(engine: Engine, ref: RepoRef, facts: HostFacts, now: datetime) -> bool:
    """The fast path: if the forge shows ``ref`` unchanged since its last good crawl, note
    the visit and say so (no fetch, no analysis)."""
    with session_scope(engine) as session:
        state = repositories.forge_state(session, html_url=ref.html_url)
        if state is None or not is_unchanged(state, facts):
            return False
        repositories.mark_crawled(session, repository_id=state.repository_id, now=now)
        return True


def crawl_source(
    engine: Engine,
    ctx: CrawlContext,
    source_id: int,
    *,
    forge: Forge | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    full: bool = False,
) -> CrawlSummary:
    """Crawl every repository of one source; ``full`` fetches and analyses even the ones
    the forge shows unchanged."""
    now = now or datetime.now(UTC)
    stale_after = ctx.settings.crawl_stale_after
    with session_scope(engine) as session:
        source = agencies.get_source(session, source_id)
        if source.verified_at is None:  # nothing is published under an unproven name
            raise Forbidden(f"source {source_id} is not verified: its agency must prove it owns it")
        crawl_runs.interrupt_stale(session, now=now, stale_after=stale_after, source_id=source_id)
        run = crawl_runs.start(session, source_id=source_id, now=now)
        agency_id, locator, kind, api_url = (
            source.agency_id, source.locator, source.kind, source.api_url
        )  # fmt: skip
    summary = CrawlSummary(run_id=run.id, source_id=source_id)  # type: ignore[arg-type]
    try:
        forge = forge or forge_for(kind, api_url, ctx)  # the URL policy runs here
        for ref, facts in forge.list_repositories(locator):
            status = _crawl_one(
                engine, ctx, forge, ref, facts, agency_id, source_id, now, summary, full=full
            )
            with session_scope(engine) as session:  # alive: the run is not "interrupted"
                crawl_runs.beat(session, run_id=summary.run_id, now=datetime.now(UTC))
            if progress:
                progress(ref.full_name, status)
    except RateLimited as exc:
        summary.status, summary.message = "rate-limited", str(exc)
        summary.reset_at = exc.reset_at
    except GovcodeError as exc:
        summary.status, summary.message = "failed", str(exc)
    except Exception as exc:  # a defect of ours: the run still ends, and says why
        log.exception("crawl of source %s stopped", source_id)
        summary.status, summary.message = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        if forge is not None:
            summary.counts["requests"] = forge.requests_spent
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
    *,
    full: bool = False,
) -> str:
    """One listed entry, all of it inside the guard: a refused entry, the fast path, the
    scan, the analysis and the store."""
    deadline = Deadline(ctx.settings.repo_time_budget)
    try:
        if ref.error is not None:
            raise CrawlError(ref.error)
        if not full and skip_unchanged(engine, ref, facts, now):
            summary.counts["unchanged"] += 1
            return "unchanged"
        snapshot = scan(ctx, ref, facts, now=now, deadline=deadline)
        record = analyse(
            forge,
            snapshot,
            now=now,
            deadline=deadline,
            language_sample=ctx.settings.language_sample_bytes,
        )
        with session_scope(engine) as session:
            result = repositories.store(
                session, record=record, agency_id=agency_id, source_id=source_id, now=now
            )
    except RateLimited:
        raise
    except Exception as exc:  # one broken repository never stops the crawl
        message = str(exc) if isinstance(exc, GovcodeError) else f"{type(exc).__name__}: {exc}"
        if deadline.expired():  # git's own timeout, or the deadline checked in analysis
            message = deadline.message
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
