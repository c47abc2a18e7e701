"""Repositories: upsert a crawled record, read them back for pages and the API."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from registry.errors import NotFound
from registry.i18n import N_
from registry.models import (
    Agency,
    IndexChange,
    LicenceEvidence,
    MaturitySignal,
    Repository,
    RepositoryFingerprint,
    RepositoryHistory,
    RepositoryLanguage,
    RepositoryPackage,
    RepositoryRootCommit,
    RepositorySketch,
    RepositorySketchBand,
    ReuseEdge,
    Source,
)
from registry.services import (
    copied_history,
    default_subscriptions,
    repository_claims,
    reuse,
    reuse_graph,
    source_news,
)
from registry.services.record_bounds import bounded
from registry.services.records import RepositoryRecord, StoreResult, normalise_url
from registry.source_kinds import source_kind

# Facts copied as they are from the record onto the row.
_COPIED = (
    "forge", "owner", "name", "html_url", "clone_url", "fork_url", "forge_id", "description",
    "homepage", "topics", "default_branch", "stars", "forks_count", "archived", "is_fork",
    "parent_url", "open_issues", "releases", "is_template", "is_mirror", "extra_metadata",
    "truncated", "licence", "licence_status", "licence_label", "licence_mismatches",
    "maturity_level", "maturity_score", "development_status", "publiccode", "readme_excerpt",
    "readme_text", "readme_path", "readme_source", "readme_markup", "root_commits", "head_commit",
    "head_tree", "commit_weeks", "forge_created_at", "pushed_at", "last_commit_at",
)  # fmt: skip


def analysis_hash(record: RepositoryRecord) -> str:
    """A digest of everything stored about a repository: equal digests mean unchanged."""
    data = json.dumps(asdict(record), sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()


def store(
    session: Session,
    *,
    record: RepositoryRecord,
    agency_id: int,
    source_id: int | None,
    now: datetime,
) -> StoreResult:
    """Upsert one crawled repository with its findings and reuse claims.

    The caller owns the transaction (one per repository). Changed repositories are logged in
    ``IndexChange`` so every web node's index follows; new reuse edges write outbox events.
    Strings that do not fit their columns are bounded first (``record_bounds``).
    """
    record = bounded(record)
    digest = analysis_hash(record)
    key = normalise_url(record.html_url)
    repo = session.exec(select(Repository).where(Repository.url_key == key)).first()
    status = "new" if repo is None else ("unchanged" if repo.analysis_hash == digest else "changed")
    if repo is not None and repo.agency_id != agency_id and _lists_only(session, source_id):
        # An inventory claims a repository another agency holds: recorded, never moved.
        repository_claims.record(
            session, repository=repo, agency_id=agency_id, source_id=source_id, now=now
        )
        agency_id, source_id = repo.agency_id, repo.source_id
    if repo is None:
        repo = Repository(
            agency_id=agency_id, full_name=record.full_name, html_url=record.html_url, url_key=key,
            forge=record.forge, owner=record.owner, name=record.name, clone_url=record.clone_url,
        )  # fmt: skip
    repo.last_crawled_at = now
    repo.crawl_error = None
    before = source_news.Before.of(repo if status != "new" else None)
    if status != "unchanged":
        for name in _COPIED:
            setattr(repo, name, getattr(record, name))
        repo.full_name = record.full_name
        repo.primary_language = record.primary_language
        repo.agency_id = agency_id
        repo.source_id = source_id
        repo.analysis_hash = digest
        repo.last_changed_at = now
    session.add(repo)
    session.flush()
    assert repo.id is not None
    if status != "unchanged":
        _replace_findings(session, repo.id, record)
        session.add(IndexChange(repository_id=repo.id))
        default_subscriptions.ensure_for(session, repo)  # contacts and members, once each
    found: set[int] = set()  # the edges this crawl found again, or for the first time
    event_ids = reuse.record_claims(
        session, repository=repo, claims=record.reuse, now=now, found=found
    )
    derived = status != "unchanged"
    if derived:  # new findings: look for dependents, shared history, copies
        event_ids += reuse_graph.record_derived(session, repository=repo, now=now, found=found)
    else:  # the same findings: what was derived from them still holds
        reuse.confirm_touching(session, repository=repo, kinds=DERIVED_KINDS, now=now)
    event_ids += reuse.resolve_pending(session, repository=repo, now=now)
    scopes = reuse.scopes_of(record.reuse_examined, derived=derived)
    ended = reuse.end_missing(session, repository=repo, scopes=scopes, found=found, now=now)
    _reindex_ends(session, ended, except_id=repo.id)
    event_ids += source_news.record(session, repository=repo, record=record, before=before, now=now)
    return StoreResult(repository_id=repo.id, status=status, event_ids=tuple(event_ids))


DERIVED_KINDS = ("dependency", "copied", "shared_history")


def _reindex_ends(session: Session, edge_ids: list[int], *, except_id: int) -> None:
    """Repositories whose reuse count an ended edge lowered follow in every index."""
    if not edge_ids:
        return
    targets = session.exec(
        select(ReuseEdge.target_repository_id).where(
            ReuseEdge.id.in_(edge_ids)  # type: ignore[union-attr]
        )
    ).all()
    for target in sorted({t for t in targets if t is not None and t != except_id}):
        session.add(IndexChange(repository_id=target))


def _lists_only(session: Session, source_id: int | None) -> bool:
    """Whether the source is an inventory (``SourceKind.inventory``): it lists, not hosts."""
    source = session.get(Source, source_id) if source_id is not None else None
    return source is not None and source_kind(source.kind).inventory


def _replace_findings(session: Session, repo_id: int, record: RepositoryRecord) -> None:
    tables = (RepositoryLanguage, LicenceEvidence, MaturitySignal, RepositoryPackage,
              RepositoryRootCommit, RepositoryFingerprint, RepositoryHistory,
              RepositorySketchBand, RepositorySketch)  # fmt: skip
    for table in tables:
        session.exec(delete(table).where(table.repository_id == repo_id))
    for language, size, share in record.languages:
        session.add(
            RepositoryLanguage(repository_id=repo_id, language=language, bytes=size, share=share)
        )
    for ev in record.licence_evidence:
        session.add(LicenceEvidence(repository_id=repo_id, **ev))
    for sig in record.maturity_signals:
        session.add(MaturitySignal(repository_id=repo_id, **sig))
    for ecosystem, name, role, spec in dict.fromkeys(record.packages):
        session.add(RepositoryPackage(repository_id=repo_id, ecosystem=ecosystem, name=name,
                                      role=role, version_spec=spec))  # fmt: skip
    for sha in dict.fromkeys(record.root_commits):
        session.add(RepositoryRootCommit(repository_id=repo_id, sha=sha))
    session.add(RepositoryHistory(repository_id=repo_id, complete=record.history_complete,
                                  commits=[list(c) for c in record.history]))  # fmt: skip
    for path, fp in dict(record.fingerprints).items():
        session.add(RepositoryFingerprint(repository_id=repo_id, path=path, fingerprint=fp))
    copied_history.store_sketches(session, repo_id, record.sketches)


def record_failure(session: Session, *, html_url: str, error: str, now: datetime) -> None:
    """Keep a known repository's last good record and note why this crawl failed."""
    key = normalise_url(html_url)
    repo = session.exec(select(Repository).where(Repository.url_key == key)).first()
    if repo is not None:
        repo.crawl_error = error[:2000]
        repo.last_crawled_at = now
        session.add(repo)


@dataclass(frozen=True)
class ForgeState:
    """What the last good crawl stored of a repository's forge facts, to tell whether the
    forge's answer today shows it unchanged (then the crawl skips fetch and analysis)."""

    repository_id: int
    pushed_at: datetime | None
    default_branch: str
    crawl_error: str | None
    description: str
    homepage: str
    topics: tuple[str, ...]
    stars: int
    forks_count: int
    open_issues: int
    releases: int
    archived: bool
    is_fork: bool
    is_template: bool
    is_mirror: bool
    parent_url: str | None


def forge_state(session: Session, *, html_url: str) -> ForgeState | None:
    """The stored forge facts of the repository at ``html_url``, or None if unknown."""
    repo = session.exec(
        select(Repository).where(Repository.url_key == normalise_url(html_url))
    ).first()
    if repo is None:
        return None
    assert repo.id is not None
    return ForgeState(
        repository_id=repo.id, pushed_at=repo.pushed_at, default_branch=repo.default_branch,
        crawl_error=repo.crawl_error, description=repo.description, homepage=repo.homepage,
        topics=tuple(repo.topics or ()), stars=repo.stars, forks_count=repo.forks_count,
        open_issues=repo.open_issues, releases=repo.releases, archived=repo.archived,
        is_fork=repo.is_fork, is_template=repo.is_template, is_mirror=repo.is_mirror,
        parent_url=repo.parent_url,
    )  # fmt: skip


def mark_crawled(session: Session, *, repository_id: int, now: datetime) -> None:
    """Note that a crawl saw the repository unchanged (its record stays as it is)."""
    repo = get(session, repository_id)
    repo.last_crawled_at = now
    session.add(repo)


# Ids are INTEGER columns (32 bits on PostgreSQL); a larger number names no repository and
# must not reach the driver (SQLite overflows on 64 bits, PostgreSQL on its column type).
MAX_ID = 2**31 - 1


def get(session: Session, repo_id: int) -> Repository:
    if not 1 <= repo_id <= MAX_ID:
        raise NotFound(N_("no repository has that id (ids run from 1 to %(limit)s)"), limit=MAX_ID)
    repo = session.get(Repository, repo_id)
    if repo is None:
        raise NotFound(N_("no repository %(repo_id)s"), repo_id=repo_id)
    return repo


def find(session: Session, key: str) -> Repository:
    """A repository by id, full name (owner/name) or URL."""
    if key.isdigit():
        return get(session, int(key))
    repo = session.exec(select(Repository).where(Repository.full_name == key)).first()
    if repo is None and (("/" in key and "." in key.split("/", 1)[0]) or "://" in key):
        wanted = normalise_url(key)
        repo = session.exec(select(Repository).where(Repository.url_key == wanted)).first()
    if repo is None:
        raise NotFound(N_("no repository %(key)r"), key=key)
    return repo


def languages(session: Session, repo_id: int) -> list[RepositoryLanguage]:
    return list(
        session.exec(
            select(RepositoryLanguage)
            .where(RepositoryLanguage.repository_id == repo_id)
            .order_by(RepositoryLanguage.bytes.desc())  # type: ignore[attr-defined]
        ).all()
    )


def licence_evidence(session: Session, repo_id: int) -> list[LicenceEvidence]:
    return list(
        session.exec(select(LicenceEvidence).where(LicenceEvidence.repository_id == repo_id))
    )


def maturity_signals(session: Session, repo_id: int) -> list[MaturitySignal]:
    return list(session.exec(select(MaturitySignal).where(MaturitySignal.repository_id == repo_id)))


def by_ids(session: Session, ids: list[int]) -> list[tuple[Repository, Agency]]:
    if not ids:
        return []
    rows = session.exec(
        select(Repository, Agency)
        .join(Agency, Agency.id == Repository.agency_id)
        .where(Repository.id.in_(ids))  # type: ignore[union-attr]
    ).all()
    return [(r, a) for r, a in rows]


def of_agency(session: Session, agency_id: int) -> list[Repository]:
    return list(
        session.exec(
            select(Repository).where(Repository.agency_id == agency_id).order_by(Repository.name)
        ).all()
    )


def hits(
    session: Session, ids: list[int]
) -> list[tuple[Repository, Agency, list[RepositoryLanguage]]]:
    """Search hits in the order given: each repository with its agency and languages, in one
    SQL query (a page of results never costs a query per row)."""
    if not ids:
        return []
    rows = session.exec(
        select(Repository, Agency, RepositoryLanguage)
        .join(Agency, Agency.id == Repository.agency_id)
        .outerjoin(RepositoryLanguage, RepositoryLanguage.repository_id == Repository.id)
        .where(Repository.id.in_(ids))  # type: ignore[union-attr]
        .options(  # not shown on hits: the large texts stay in the database
            defer(Repository.readme_text),  # type: ignore[arg-type]
            defer(Repository.readme_source),  # type: ignore[arg-type]
        )
    ).all()
    found: dict[int, tuple[Repository, Agency, list[RepositoryLanguage]]] = {}
    for repo, agency, lang in rows:
        entry = found.setdefault(repo.id, (repo, agency, []))  # type: ignore[arg-type]
        if lang is not None:
            entry[2].append(lang)
    for _, _, langs in found.values():
        langs.sort(key=lambda lang: -lang.bytes)
    return [found[i] for i in ids if i in found]


def publishes_packages(session: Session, repo_id: int) -> bool:
    """Whether the repository publishes a package (npm, PyPI, Maven…) others can depend on."""
    found = session.exec(
        select(RepositoryPackage.id)
        .where(RepositoryPackage.repository_id == repo_id, RepositoryPackage.role == "published")
        .limit(1)
    ).first()
    return found is not None
