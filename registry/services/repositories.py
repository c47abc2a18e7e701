"""Repositories: upsert a crawled record, read them back for pages and the API."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from registry.errors import NotFound
from registry.models import (
    Agency,
    IndexChange,
    LicenceEvidence,
    MaturitySignal,
    Repository,
    RepositoryFingerprint,
    RepositoryLanguage,
    RepositoryPackage,
    RepositoryRootCommit,
)
from registry.services import reuse
from registry.services.records import RepositoryRecord, StoreResult, normalise_url

# Facts copied as they are from the record onto the row.
_COPIED = (
    "forge", "owner", "name", "html_url", "clone_url", "fork_url", "forge_id", "description",
    "homepage", "topics", "default_branch", "stars", "forks_count", "archived", "is_fork",
    "parent_url", "open_issues", "releases", "is_template", "is_mirror", "extra_metadata",
    "truncated", "licence", "licence_status", "licence_label", "licence_mismatches",
    "maturity_level", "maturity_score", "development_status", "publiccode", "readme_excerpt",
    "readme_text", "root_commits", "head_commit", "forge_created_at", "pushed_at",
    "last_commit_at",
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
    """
    digest = analysis_hash(record)
    key = normalise_url(record.html_url)
    repo = session.exec(select(Repository).where(Repository.url_key == key)).first()
    status = "new" if repo is None else ("unchanged" if repo.analysis_hash == digest else "changed")
    if repo is None:
        repo = Repository(
            agency_id=agency_id, full_name=record.full_name, html_url=record.html_url, url_key=key,
            forge=record.forge, owner=record.owner, name=record.name, clone_url=record.clone_url,
        )  # fmt: skip
    repo.last_crawled_at = now
    repo.crawl_error = None
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
    event_ids = reuse.record_claims(session, repository=repo, claims=record.reuse, now=now)
    event_ids += reuse.resolve_pending(session, repository=repo, now=now)
    return StoreResult(repository_id=repo.id, status=status, event_ids=tuple(event_ids))


def _replace_findings(session: Session, repo_id: int, record: RepositoryRecord) -> None:
    tables = (RepositoryLanguage, LicenceEvidence, MaturitySignal, RepositoryPackage,
              RepositoryRootCommit, RepositoryFingerprint)  # fmt: skip
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
    for path, fp in dict(record.fingerprints).items():
        session.add(RepositoryFingerprint(repository_id=repo_id, path=path, fingerprint=fp))


def record_failure(session: Session, *, html_url: str, error: str, now: datetime) -> None:
    """Keep a known repository's last good record and note why this crawl failed."""
    repo = session.exec(select(Repository).where(Repository.html_url == html_url)).first()
    if repo is not None:
        repo.crawl_error = error[:2000]
        repo.last_crawled_at = now
        session.add(repo)


def get(session: Session, repo_id: int) -> Repository:
    repo = session.get(Repository, repo_id)
    if repo is None:
        raise NotFound(f"no repository {repo_id}")
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
        raise NotFound(f"no repository {key!r}")
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
