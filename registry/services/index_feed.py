"""What the search index needs from SQL: the change log and the documents to index."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from registry.models import Agency, IndexChange, Repository, RepositoryLanguage, ReuseEdge
from registry.services import inventory_texts


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


_COLUMNS = (
    "id", "name", "full_name", "description", "topics", "readme_text", "licence",
    "licence_label", "maturity_level", "stars", "last_commit_at", "pushed_at",
    "last_changed_at", "forge", "archived", "is_fork", "development_status", "publiccode",
    "extra_metadata", "url_key",
)  # fmt: skip


def documents(session: Session, ids: list[int]) -> list[dict]:
    """Search documents for the given repository ids (missing ids are simply absent).

    Columns, not ORM objects: a rebuild reads every repository, so no identity map."""
    if not ids:
        return []
    rows = session.exec(
        select(*[getattr(Repository, c) for c in _COLUMNS], Agency.slug, Agency.country)
        .join(Agency, Agency.id == Repository.agency_id)
        .where(Repository.id.in_(ids))  # type: ignore[union-attr]
    ).all()
    if not rows:
        return []
    langs: dict[int, list[str]] = {}
    for repo_id, language in session.exec(
        select(RepositoryLanguage.repository_id, RepositoryLanguage.language)
        .where(RepositoryLanguage.repository_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(RepositoryLanguage.bytes.desc())  # type: ignore[attr-defined]
    ).all():
        langs.setdefault(repo_id, []).append(language)
    reused = dict(
        session.exec(
            select(ReuseEdge.target_repository_id, func.count())
            .where(ReuseEdge.target_repository_id.in_(ids))  # type: ignore[union-attr]
            .where(ReuseEdge.ended_at.is_(None))  # type: ignore[union-attr]
            .group_by(ReuseEdge.target_repository_id)
        ).all()
    )
    described = inventory_texts.of_keys(session, [row[_COLUMNS.index("url_key")] for row in rows])
    docs = []
    for row in rows:
        repo = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
        slug, country = row[len(_COLUMNS) :]
        pc = repo["publiccode"] or {}
        docs.append(
            {
                "id": repo["id"],
                "name": repo["name"],
                "full_name": repo["full_name"],
                "description": " ".join(
                    filter(None, [repo["description"], pc.get("short_description", "")])
                ),
                "topics": repo["topics"] or [],
                "readme": repo["readme_text"],
                "licence": repo["licence"] or repo["licence_label"],
                "languages": langs.get(repo["id"], []),
                "maturity": repo["maturity_level"],
                "agency": slug,
                "country": country or "",
                "stars": repo["stars"],
                "updated": repo["last_commit_at"] or repo["pushed_at"] or repo["last_changed_at"],
                "forge": repo["forge"],
                "archived": repo["archived"],
                "is_fork": repo["is_fork"],
                "development_status": repo["development_status"],
                "descriptions": _descriptions(pc, described.get(repo["url_key"], [])),
                "last_commit_message": (repo["extra_metadata"] or {}).get("last_commit_message"),
                "reused": int(reused.get(repo["id"], 0)),
            }
        )
    return docs


def _descriptions(publiccode: dict, inventories: list[inventory_texts.Described]) -> dict:
    """Text by language tag to index in that language: publiccode.yml's descriptions, and
    each inventory's names and descriptions (ORE's French is stemmed as French)."""
    out: dict[str, list[str]] = {}
    for lang, d in (publiccode.get("descriptions") or {}).items():
        if isinstance(d, dict):
            out.setdefault(lang, []).extend(filter(None, [d.get("short"), d.get("long")]))
    for described in inventories:
        for texts in (described.names, described.descriptions):
            for lang, text in texts.items():
                out.setdefault(lang, []).append(text)
    return {lang: " ".join(parts) for lang, parts in out.items()}
