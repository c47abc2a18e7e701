"""Turn table rows into what pages and the API show (the API never returns table objects)."""

from __future__ import annotations

from sqlmodel import Session

from registry.models import Agency, Repository, RepositoryPublic
from registry.models.repository import LanguagePublic
from registry.services import repositories


def repository_public(
    session: Session, repo: Repository, agency: Agency, *, base_url: str
) -> RepositoryPublic:
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
        }
    )


def clone_command(repo: Repository) -> str:
    return f"git clone {repo.clone_url}"
