"""What the search index needs from SQL: the change log and the documents to index."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from registry.models import IndexChange, Repository, RepositoryLanguage, ReuseEdge
from registry.services import repositories


def last_change(session: Session) -> int:
    return int(session.exec(select(func.coalesce(func.max(IndexChange.id), 0))).one())


def changed_since(session: Session, seq: int, limit: int = 5000) -> tuple[list[int], list[int]]:
    """Change numbers after ``seq`` (at most ``limit``) and the repository ids they name."""
    rows = session.exec(
        select(IndexChange.id, IndexChange.repository_id)
        .where(IndexChange.id > seq)
        .order_by(IndexChange.id)
        .limit(limit)
    ).all()
    return [int(n) for n, _ in rows], sorted({int(r) for _, r in rows})


def changes_by_id(session: Session, numbers: list[int]) -> tuple[list[int], list[int]]:
    """Those of ``numbers`` that now exist, and the repository ids they name."""
    rows = session.exec(
        select(IndexChange.id, IndexChange.repository_id).where(
            IndexChange.id.in_(numbers)  # type: ignore[union-attr]
        )
    ).all()
    return [int(n) for n, _ in rows], sorted({int(r) for _, r in rows})


def all_ids(session: Session) -> list[int]:
    return [int(i) for i in session.exec(select(Repository.id).order_by(Repository.id)).all()]


def documents(session: Session, ids: list[int]) -> list[dict]:
    """Search documents for the given repository ids (missing ids are simply absent)."""
    rows = repositories.by_ids(session, ids)
    if not rows:
        return []
    langs: dict[int, list[str]] = {}
    for lang in session.exec(
        select(RepositoryLanguage)
        .where(RepositoryLanguage.repository_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(RepositoryLanguage.bytes.desc())  # type: ignore[attr-defined]
    ).all():
        langs.setdefault(lang.repository_id, []).append(lang.language)
    reused = dict(
        session.exec(
            select(ReuseEdge.target_repository_id, func.count())
            .where(ReuseEdge.target_repository_id.in_(ids))  # type: ignore[union-attr]
            .group_by(ReuseEdge.target_repository_id)
        ).all()
    )
    docs = []
    for repo, agency in rows:
        pc = repo.publiccode or {}
        docs.append(
            {
                "id": repo.id,
                "name": repo.name,
                "full_name": repo.full_name,
                "description": " ".join(
                    filter(None, [repo.description, pc.get("short_description", "")])
                ),
                "topics": repo.topics,
                "readme": repo.readme_text,
                "licence": repo.licence or repo.licence_label,
                "languages": langs.get(repo.id, []),  # type: ignore[arg-type]
                "maturity": repo.maturity_level,
                "agency": agency.slug,
                "country": agency.country or "",
                "stars": repo.stars,
                "updated": repo.last_commit_at or repo.pushed_at or repo.last_changed_at,
                "forge": repo.forge,
                "archived": repo.archived,
                "is_fork": repo.is_fork,
                "development_status": repo.development_status,
                "descriptions": {
                    lang: " ".join(filter(None, [d.get("short"), d.get("long")]))
                    for lang, d in (pc.get("descriptions") or {}).items()
                    if isinstance(d, dict)
                },
                "last_commit_message": (repo.extra_metadata or {}).get("last_commit_message"),
                "reused": int(reused.get(repo.id, 0)),
            }
        )
    return docs
