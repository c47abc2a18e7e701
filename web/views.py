"""Turn table rows into what pages and the API show (the API never returns table objects)."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session

from registry.analysis.licence import licence_info
from registry.analysis.licence_duties import licence_duties
from registry.analysis.licence_ids import licence_keys
from registry.models import Agency, Repository, RepositoryPublic
from registry.models.duties import LicenceDutiesPublic
from registry.models.repository import LanguagePublic, LicenceDetail
from registry.services import repositories
from web.readme_html import ReadmeLocation, render_readme


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


def licence_duties_public(repo: Repository) -> LicenceDutiesPublic:
    """What the repository's licence asks of a reuser (warnings when missing or unknown)."""
    duties = licence_duties(repo.licence, status=repo.licence_status)
    return LicenceDutiesPublic.model_validate(asdict(duties))


def readme_html(repo: Repository, *, max_chars: int) -> str:
    """The README rendered and sanitised, links resolved to the crawled commit."""
    where = ReadmeLocation(
        forge=repo.forge,
        html_url=repo.html_url,
        ref=repo.head_commit or repo.default_branch,
        path=repo.readme_path or "README.md",
    )
    return render_readme(repo.readme_source, repo.readme_markup, where, max_chars=max_chars)


def software_heritage_ids(repo: Repository) -> dict[str, str] | None:
    """SWHIDs of the crawled head, to cite the exact version (SHA-1 repositories only: the
    archive's identifiers are SHA-1 git ids)."""
    head, tree = repo.head_commit, repo.head_tree
    if len(head) != 40:
        return None
    ids = {"revision": f"swh:1:rev:{head}"}
    if len(tree) == 40:
        ids["directory"] = f"swh:1:dir:{tree}"
        ids["citation"] = f"swh:1:dir:{tree};origin={repo.clone_url};anchor=swh:1:rev:{head}"
    return ids


def clone_command(repo: Repository) -> str:
    return f"git clone {repo.clone_url}"
