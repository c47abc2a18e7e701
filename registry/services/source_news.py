"""News for reusers: what a crawl of a SOURCE repository found that its reusers should hear.

When a repository that others reuse publishes a new version (a git tag, or a release on
its forge), changes its licence, is archived, or publishes a version whose notes speak of a
security fix, each repository in the registry that reuses it (a live, known-direction edge)
gets one outbox event, written in the crawl's transaction. Delivery is the notify stage's:
the event belongs to the reuser, so it reaches the reuser's subscribers on every channel.

Nothing floods: the versions a repository already had when govcode first recorded its
versions are stored without telling anyone, and one crawl tells at most
``MAX_VERSIONS_TOLD`` new versions (the newest); the rest are stored silently. A tag
told as a plain release whose release notes, published later, speak of a security fix is
told again, as the fix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from registry.analysis.advisories import security_mention
from registry.models import Agency, Event, Repository, RepositoryVersion, ReuseEdge
from registry.services.records import RepositoryRecord, VersionFact

RELEASED = "source.released"
SECURITY_FIX = "source.security_fix"
LICENCE_CHANGED = "source.licence_changed"
ARCHIVED = "source.archived"
KINDS = (RELEASED, SECURITY_FIX, LICENCE_CHANGED, ARCHIVED)
MAX_VERSIONS_TOLD = 3


@dataclass(frozen=True)
class Before:
    """What the registry held of a known repository before this crawl's record replaced it."""

    licence: str | None
    archived: bool

    @classmethod
    def of(cls, repo: Repository | None) -> Before | None:
        return None if repo is None else cls(licence=repo.licence, archived=repo.archived)


@dataclass(frozen=True)
class Change:
    kind: str
    summary: str  # "{source}" stands for the source's name
    details: dict[str, Any]


def record(
    session: Session,
    *,
    repository: Repository,
    record: RepositoryRecord,
    before: Before | None,
    now: datetime,
) -> list[int]:
    """Store the versions ``record`` holds and write an event per change per reuser."""
    changes = [_version_change(v) for v in _new_versions(session, repository, record, now)]
    if before is not None and before.licence != record.licence:
        changes.append(_licence_change(before.licence, record.licence))
    if before is not None and record.archived and not before.archived:
        changes.append(Change(ARCHIVED, "{source} was archived by its maintainers: it is now"
                              " read-only and will get no more changes", {}))  # fmt: skip
    if not changes:
        return []
    reusers = reusers_of(session, repository)
    if not reusers:
        return []
    agency = session.get(Agency, repository.agency_id)
    events = []
    for reuser, kinds in reusers:
        for change in changes:
            events.append(_event(session, repository, agency, reuser, kinds, change, now))
    return events


def reusers_of(session: Session, source: Repository) -> list[tuple[Repository, list[str]]]:
    """The registry's repositories that reuse ``source`` today, each with how."""
    rows = session.exec(
        select(ReuseEdge.reuser_repository_id, ReuseEdge.kind).where(
            ReuseEdge.target_repository_id == source.id,
            ReuseEdge.direction == "known",
            ReuseEdge.ended_at.is_(None),  # type: ignore[union-attr]
            ReuseEdge.reuser_repository_id.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    kinds: dict[int, set[str]] = defaultdict(set)
    for reuser_id, kind in rows:
        if reuser_id != source.id:
            kinds[reuser_id].add(kind)
    out = []
    for reuser_id in sorted(kinds):
        reuser = session.get(Repository, reuser_id)
        if reuser is not None:
            out.append((reuser, sorted(kinds[reuser_id])))
    return out


def versions_of(session: Session, repo_id: int, limit: int = 20) -> list[RepositoryVersion]:
    """A repository's versions, newest first (for pages and the API)."""
    return list(
        session.exec(
            select(RepositoryVersion)
            .where(RepositoryVersion.repository_id == repo_id)
            .order_by(
                RepositoryVersion.published_at.desc(),  # type: ignore[union-attr]
                RepositoryVersion.id.desc(),  # type: ignore[union-attr]
            )
            .limit(limit)
        ).all()
    )


def _new_versions(
    session: Session, repo: Repository, record: RepositoryRecord, now: datetime
) -> list[VersionFact]:
    """Store the versions not seen before, and the notes a known version gained (a release
    published after its tag was pushed); return the versions to tell: the new ones, and a
    known one whose notes now speak of a security fix (none on the first look)."""
    query = select(RepositoryVersion).where(RepositoryVersion.repository_id == repo.id)
    stored = {row.tag: row for row in session.exec(query)}
    tell: list[VersionFact] = []
    for version in dict((v.tag, v) for v in record.versions).values():  # newest first
        row = stored.get(version.tag[:250])
        if row is None:
            session.add(RepositoryVersion(repository_id=repo.id, first_seen_at=now,  # type: ignore[arg-type]
                                          **_columns(version)))  # fmt: skip
            tell.append(version)
        elif _columns(version) != _columns(_fact(row)) and (version.notes or version.url):
            was = security_mention(f"{row.title}\n{row.notes}")
            for name, value in _columns(version).items():
                setattr(row, name, value)
            session.add(row)
            if security_mention(f"{version.title}\n{version.notes}") and not was:
                tell.append(version)
    if repo.versions_seen_at is None:  # what it had before govcode looked tells nobody
        repo.versions_seen_at = now
        session.add(repo)
        return []
    return tell[:MAX_VERSIONS_TOLD]


def _columns(version: VersionFact) -> dict[str, Any]:
    return {
        "tag": version.tag[:250],
        "commit": version.commit[:64],
        "published_at": version.published_at,
        "title": version.title[:300],
        "notes": version.notes,
        "url": version.url if len(version.url) <= 500 else "",
    }


def _fact(row: RepositoryVersion) -> VersionFact:
    return VersionFact(row.tag, row.commit, row.published_at, row.title, row.notes, row.url)


def _version_change(version: VersionFact) -> Change:
    text = f"{version.title}\n{version.notes}"
    mention = security_mention(text)
    name = version.tag + (f" ({version.title})" if version.title and version.title != version.tag
                          else "")  # fmt: skip
    details = {
        "version": {
            "tag": version.tag,
            "title": version.title,
            "url": version.url,
            "commit": version.commit,
            "published_at": version.published_at.isoformat() if version.published_at else None,
            "notes": version.notes[:1000],
        },
        "advisories": list(mention.ids),
    }
    if mention:
        which = f" ({', '.join(mention.ids)})" if mention.ids else ""
        summary = f"{{source}} published {name}; its notes mention a security fix{which}"
        return Change(SECURITY_FIX, summary, details)
    return Change(RELEASED, f"{{source}} published {name}", details)


def _licence_change(old: str | None, new: str | None) -> Change:
    words = f"from {old or 'no licence found'} to {new or 'no licence found'}"
    return Change(LICENCE_CHANGED, f"{{source}} changed its licence {words}",
                  {"licence": {"from": old, "to": new}})  # fmt: skip


def _event(
    session: Session,
    source: Repository,
    agency: Agency | None,
    reuser: Repository,
    kinds: Sequence[str],
    change: Change,
    now: datetime,
) -> int:
    name = agency.name if agency else source.full_name
    who = f"{source.full_name} ({name})" if agency else source.full_name
    event = Event(
        kind=change.kind,
        repository_id=reuser.id,  # type: ignore[arg-type]
        created_at=now,
        payload={
            "kind": change.kind,
            "repository_id": reuser.id,
            "repository_name": reuser.full_name,
            "repository_html_url": reuser.html_url,
            "source_repository_id": source.id,
            "source_name": source.full_name,
            "source_html_url": source.html_url,
            "source_agency": agency.name if agency else None,
            "reuse_kinds": list(kinds),
            "summary": change.summary.format(source=who),
            **change.details,
        },
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    return event.id
