"""Turn table rows into what pages and the API show (the API never returns table objects)."""

from __future__ import annotations

from sqlmodel import Session

from registry.analysis.licence import licence_info
from registry.analysis.licence_ids import licence_keys
from registry.models import Agency, Repository, RepositoryPublic, ReuseEdgePublic
from registry.models.repository import LanguagePublic, LicenceDetail
from registry.services import repositories, reuse


def repository_public(
    session: Session, repo: Repository, agency: Agency, *, base_url: str
) -> RepositoryPublic:
    langs = repositories.languages(session, repo.id)  # type: ignore[arg-type]
    edges = reuse.reused_by(session, repo.id) + reuse.reuses(session, repo.id)  # type: ignore[arg-type]
    return RepositoryPublic.model_validate(
        {
            **repo.model_dump(),
            "agency": agency.slug,
            "agency_name": agency.name,
            "languages": [
                LanguagePublic(language=lang.language, bytes=lang.bytes, share=lang.share)
                for lang in langs
            ],
            "page_url": f"{base_url.rstrip('/')}/repositories/{repo.id}",
            "licence_details": licence_details(repo.licence),
            "reuse": [ReuseEdgePublic.model_validate(e, from_attributes=True) for e in edges],
        }
    )


def licence_details(expression: str | None) -> list[LicenceDetail]:
    """Each licence of an SPDX expression with its approvals, current id and class."""
    details = []
    for key in licence_keys(expression) if expression else ():
        info = licence_info(key)
        if info is not None:
            details.append(LicenceDetail.model_validate(info, from_attributes=True))
    return details


def clone_command(repo: Repository) -> str:
    return f"git clone {repo.clone_url}"
