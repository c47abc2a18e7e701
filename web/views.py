"""Turn table rows into what pages and the API show (the API never returns table objects)."""

from __future__ import annotations

from sqlmodel import Session

from registry.analysis.licence import licence_info
from registry.analysis.licence_ids import licence_keys
from registry.models import Agency, Repository, RepositoryLanguage, RepositoryPublic
from registry.models.repository import LanguagePublic, LicenceDetail
from registry.services import repositories


def repository_public(
    session: Session,
    repo: Repository,
    agency: Agency,
    *,
    base_url: str,
    langs: list[RepositoryLanguage] | None = None,
) -> RepositoryPublic:
    if langs is None:
        langs = repositories.languages(session, repo.id)  # type: ignore[arg-type]
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


def status(repo: Repository) -> str | None:
    """ "archived", "obsolete" (as search ranks it) or None for live code."""
    from registry.search.document import is_obsolete

    if repo.archived:
        return "archived"
    row = {
        "maturity": repo.maturity_level,
        "development_status": repo.development_status,
        "description": repo.description,
        "last_commit_message": (repo.extra_metadata or {}).get("last_commit_message"),
    }
    return "obsolete" if is_obsolete(row) else None
