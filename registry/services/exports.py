"""The catalogue read in bounded batches, for exports that stream (code.json, CSV, JSONL).

Rows come in id order, a batch at a time (keyset pagination), so an export of a million
repositories holds one batch in memory and never an OFFSET scan; each batch brings its
agencies and languages in one query each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from registry.models import Agency, Repository, RepositoryLanguage

BATCH = 500


@dataclass
class ExportRow:
    repo: Repository
    agency: Agency
    languages: list[tuple[str, int, float]] = field(default_factory=list)


def catalogue(
    session: Session,
    *,
    agency_slug: str | None = None,
    country: str | None = None,
    batch: int = BATCH,
) -> Iterator[ExportRow]:
    """Every repository (of one agency, or one country), oldest id first."""
    last = 0
    while True:
        query = (
            select(Repository, Agency)
            .join(Agency, Agency.id == Repository.agency_id)  # type: ignore[arg-type]
            .where(Repository.id > last)  # type: ignore[operator]
            .order_by(Repository.id)  # type: ignore[arg-type]
            .limit(batch)
        )
        if agency_slug is not None:
            query = query.where(Agency.slug == agency_slug)
        if country is not None:
            query = query.where(func.upper(Agency.country) == country.upper())
        rows = session.exec(query).all()
        if not rows:
            return
        ids = [repo.id for repo, _ in rows]
        langs: dict[int, list[tuple[str, int, float]]] = defaultdict(list)
        for lang in session.exec(
            select(RepositoryLanguage)
            .where(RepositoryLanguage.repository_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(RepositoryLanguage.bytes.desc())  # type: ignore[attr-defined]
        ):
            langs[lang.repository_id].append((lang.language, lang.bytes, lang.share))
        for repo, agency in rows:
            yield ExportRow(repo, agency, langs.get(repo.id, []))  # type: ignore[arg-type]
        last = rows[-1][0].id  # type: ignore[assignment]
        session.expunge_all()  # keep memory to one batch


def newest(
    session: Session,
    *,
    agency_slug: str | None = None,
    country: str | None = None,
    ids: Sequence[int] | None = None,
    limit: int = 50,
) -> list[tuple[Repository, Agency]]:
    """The repositories govcode saw first most recently (for "new repositories" feeds),
    among ``ids`` when given (the matches of a saved search)."""
    query = (
        select(Repository, Agency)
        .join(Agency, Agency.id == Repository.agency_id)  # type: ignore[arg-type]
        .order_by(Repository.first_seen_at.desc(), Repository.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
    )
    if agency_slug is not None:
        query = query.where(Agency.slug == agency_slug)
    if country is not None:
        query = query.where(func.upper(Agency.country) == country.upper())
    if ids is not None:
        query = query.where(Repository.id.in_(list(ids)))  # type: ignore[union-attr]
    return list(session.exec(query).all())
