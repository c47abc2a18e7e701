"""Turn table rows into what pages and the API show (the API never returns table objects).

Every row passes ``web.bounds`` on its way out, so stored data of any length renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from sqlmodel import Session

from registry.analysis.advisories import security_mention
from registry.analysis.licence import licence_info
from registry.analysis.licence_duties import licence_duties
from registry.analysis.licence_ids import licence_keys
from registry.models import Agency, Repository, RepositoryLanguage, RepositoryPublic, ReuseEdge
from registry.models.duties import LicenceDutiesPublic
from registry.models.repository import (
    LanguagePublic,
    LicenceDetail,
    LicenceEvidence,
    LicenceEvidencePublic,
    MaturitySignal,
    MaturitySignalPublic,
    PubliccodePublic,
    RepositoryDetail,
    RepositoryRef,
    VersionPublic,
)
from registry.models.reuse import REUSE_CONFIDENCE, ReuseEdgePublic
from registry.services import catalogue, declared, inventory_texts, repositories, reuse, source_news
from web.bounds import bounded_fields, bounded_values
from web.descriptions import Descriptions, descriptions
from web.readme_html import ReadmeLocation, render_readme


def repository_public(
    session: Session,
    repo: Repository,
    agency: Agency,
    *,
    base_url: str,
    langs: list[RepositoryLanguage] | None = None,
) -> RepositoryPublic:
    """``langs`` when the caller already has them (search hits come in one query)."""
    return RepositoryPublic.model_validate(_public_fields(session, repo, agency, base_url, langs))


def hit_public(hit: dict[str, Any], *, base_url: str) -> RepositoryPublic:
    """``repository_public`` of a ``repositories.hit_rows`` row (the same record)."""
    return RepositoryPublic.model_validate(hit_fields(hit, base_url=base_url))


def hit_fields(hit: dict[str, Any], *, base_url: str) -> dict[str, Any]:
    """The fields of ``hit_public``, not yet validated (to add to them): all but its
    ``origins``, which come for a page of hits at once (``web.catalogue.hit_items``)."""
    agency = _hit_agency(hit)
    return {
        **bounded_values(hit, Repository, RepositoryPublic),
        "agency": agency["slug"],
        "agency_name": agency["name"],
        "agency_names": agency.get("names") or {},
        **_described(descriptions(hit["publiccode_descriptions"], hit["inventory_texts"])),
        "status": hit_status(hit),
        "languages": [
            LanguagePublic(language=lang, bytes=n, share=share)
            for lang, n, share in hit["languages"]
        ],
        "page_url": f"{base_url.rstrip('/')}/repositories/{hit['id']}",
        "licence_details": licence_details(hit["licence"]),
    }


def _hit_agency(hit: dict[str, Any]) -> dict[str, Any]:
    names = {"slug": hit["agency_slug"], "name": hit["agency_name"], "names": hit["agency_names"]}
    return bounded_values(names, Agency)


def repository_detail(
    session: Session,
    repo: Repository,
    agency: Agency,
    *,
    base_url: str,
    readme_max_chars: int = 100_000,
) -> RepositoryDetail:
    """Everything the repository page shows, for ``/api/v1/repositories/{id}``."""
    repo_id: int = repo.id  # type: ignore[assignment]
    fields = bounded_fields(repo, RepositoryDetail)
    return RepositoryDetail.model_validate(
        {
            **_public_fields(session, repo, agency, base_url),
            "licence_evidence": [
                evidence_public(e) for e in repositories.licence_evidence(session, repo_id)
            ],
            "licence_mismatches": fields["licence_mismatches"],
            "maturity_signals": [
                signal_public(s) for s in repositories.maturity_signals(session, repo_id)
            ],
            "publiccode": publiccode_public(fields["publiccode"]),
            "reused_by": [
                edge_public(
                    e, "reused_by", seen_from=repo_id, declared_by=declared.declarer(session, e)
                )
                for e in reuse.reused_by(session, repo_id)
            ],
            "reuses": [
                edge_public(e, "reuses", seen_from=repo_id) for e in reuse.reuses(session, repo_id)
            ],
            "past_reuse": reuse_edges_public(session, repo_id, ended=True),
            "versions": versions_public(session, repo_id),
            "truncated": repo.truncated,
            "crawl_error": fields["crawl_error"],
            "licence_duties": licence_duties_public(repo),
            "readme": {
                "path": repo.readme_path,
                "markup": repo.readme_markup,
                "html": readme_html(repo, max_chars=readme_max_chars),
            },
            "software_heritage": software_heritage_ids(repo),
            "head_commit": repo.head_commit,
            "commit_weeks": list(repo.commit_weeks),
            "badge_url": f"{base_url.rstrip('/')}/badge/{repo.full_name}.svg",
            "badge_markdown": badge_markdown(base_url, repo.full_name, repo_id),
            "generated_publiccode_url": generated_publiccode_url(base_url, repo),
            **header_facts(session, repo),
        }
    )


def header_facts(session: Session, repo: Repository) -> dict[str, Any]:
    """What the page's header says beside the record: where it comes from (forked from,
    based on), whether it is archived or obsolete, and the publisher's other repositories."""
    from web.catalogue import origins_of  # web.catalogue builds on this module

    repo_id: int = repo.id  # type: ignore[assignment]
    origins = origins_of(session, [repo_id]).get(repo_id, [])
    others = catalogue.others_of_agency(session, repo.agency_id, except_id=repo_id)
    return {
        "origins": origins,
        "status": status(repo),
        "publisher_repositories": [RepositoryRef(id=i, full_name=n) for i, n in others],
    }


def generated_publiccode_url(base_url: str, repo: Repository) -> str | None:
    """Where govcode serves a publiccode.yml it wrote, for a repository that has none."""
    if repo.publiccode or repo.full_name.count("/") != 1:
        return None
    return f"{base_url.rstrip('/')}/repositories/{quote(repo.full_name)}/publiccode.yml"


def _public_fields(
    session: Session,
    repo: Repository,
    agency: Agency,
    base_url: str,
    langs: list[RepositoryLanguage] | None = None,
) -> dict[str, Any]:
    if langs is None:
        langs = repositories.languages(session, repo.id)  # type: ignore[arg-type]
    names = bounded_fields(agency)
    return {
        **bounded_fields(repo, RepositoryPublic),
        "agency": names["slug"],
        "agency_name": names["name"],
        "agency_names": names.get("names") or {},
        "languages": [
            LanguagePublic(language=lang.language, bytes=lang.bytes, share=lang.share)
            for lang in langs
        ],
        "page_url": f"{base_url.rstrip('/')}/repositories/{repo.id}",
        **_described(repository_descriptions(session, repo)),
        "licence_details": licence_details(repo.licence),
    }


def repository_descriptions(session: Session, repo: Repository) -> Descriptions:
    """``web.descriptions.descriptions`` of a stored repository: its publiccode.yml's and
    its inventories' (one query)."""
    found = inventory_texts.of_keys(session, [repo.url_key]).get(repo.url_key, [])
    return descriptions((repo.publiccode or {}).get("descriptions"), found)


def _described(found: Descriptions) -> dict[str, Any]:
    """The ``descriptions`` and ``description_sources`` fields of a public record."""
    return {"descriptions": found.texts, "description_sources": found.sources}


def evidence_public(row: LicenceEvidence) -> LicenceEvidencePublic:
    return LicenceEvidencePublic.model_validate(bounded_fields(row))


def signal_public(row: MaturitySignal) -> MaturitySignalPublic:
    return MaturitySignalPublic.model_validate(bounded_fields(row))


def edge_public(
    edge: ReuseEdge,
    direction: str,
    *,
    seen_from: int | None = None,
    declared_by: str | None = None,
) -> ReuseEdgePublic:
    """``edge`` seen from the repository at one end: the other end's id, name and URL. An
    edge whose direction is unknown says so, whichever end it is seen from."""
    fields = bounded_fields(edge)
    other = "reuser" if direction == "reused_by" else "target"
    if edge.direction == "unknown":
        direction = "unknown"
        other = "target" if edge.reuser_repository_id == seen_from else "reuser"
    return ReuseEdgePublic(
        kind=edge.kind,
        direction=direction,
        repository_id=fields[f"{other}_repository_id"],
        name=fields["reuser_name"] if other == "reuser" else fields["target_url"],
        url=fields[f"{other}_url"],
        evidence=fields["evidence"],
        confidence=REUSE_CONFIDENCE.get(edge.kind, 0.5),
        created_at=edge.created_at,
        first_seen_at=edge.first_seen_at,
        last_confirmed_at=edge.last_confirmed_at,
        ended_at=edge.ended_at,
        declared_by=declared_by,
    )


def versions_public(session: Session, repo_id: int, limit: int = 10) -> list[VersionPublic]:
    """The newest versions, each with what its notes say of security fixes."""
    out = []
    for row in source_news.versions_of(session, repo_id, limit=limit):
        fields = bounded_fields(row)
        mention = security_mention(f"{row.title}\n{row.notes}")
        out.append(VersionPublic(
            tag=fields["tag"], title=fields["title"], url=fields["url"], commit=fields["commit"],
            published_at=row.published_at, first_seen_at=row.first_seen_at,
            security_fix=bool(mention), advisories=list(mention.ids),
        ))  # fmt: skip
    return out


def reuse_edges_public(
    session: Session, repo_id: int, *, ended: bool | None = False
) -> list[ReuseEdgePublic]:
    """The repository's edges both ways, newest first: live ones (``ended=False``), past
    ones (``True``) or all (``None``)."""
    edges = [edge_public(e, "reused_by", seen_from=repo_id)
             for e in reuse.reused_by(session, repo_id, ended=ended)]  # fmt: skip
    edges += [edge_public(e, "reuses", seen_from=repo_id)
              for e in reuse.reuses(session, repo_id, ended=ended)]  # fmt: skip
    return sorted(edges, key=lambda e: e.created_at, reverse=True)


def publiccode_public(summary: dict[str, Any]) -> PubliccodePublic | None:
    if not summary:
        return None
    problems = [p for p in summary.get("problems", []) if isinstance(p, dict)]
    return PubliccodePublic.model_validate({**summary, "problems": problems})


def licence_details(expression: str | None) -> list[LicenceDetail]:
    """Each licence of an SPDX expression with its approvals, current id and class."""
    return [d.model_copy() for d in _licence_details(expression)]


@lru_cache(maxsize=4096)
def _licence_details(expression: str | None) -> tuple[LicenceDetail, ...]:
    """Parsing an expression costs about a millisecond; a page of 20 results has few."""
    details = []
    for key in licence_keys(expression) if expression else ():
        info = licence_info(key)
        if info is not None:
            details.append(LicenceDetail.model_validate(info, from_attributes=True))
    return tuple(details)


def licence_duties_public(
    repo: Repository, *, gettext: Callable[[str], str] | None = None
) -> LicenceDutiesPublic:
    """What the repository's licence asks of a reuser (warnings when missing or unknown),
    in English unless a page passes its ``gettext``."""
    translate = {"gettext": gettext} if gettext is not None else {}
    duties = licence_duties(repo.licence, status=repo.licence_status, **translate)
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


def badge_markdown(base_url: str, full_name: str, repo_id: int) -> str:
    """What a maintainer pastes into a README to show the repository's badge."""
    base = base_url.rstrip("/")
    return f"[![govcode]({base}/badge/{full_name}.svg)]({base}/repositories/{repo_id})"


def clone_command(repo: Repository | SimpleNamespace) -> str:
    return f"git clone {repo.clone_url}"


def status(repo: Repository) -> str | None:
    """ "archived", "obsolete" (as search ranks it) or None for live code."""
    message = (repo.extra_metadata or {}).get("last_commit_message")
    return status_of(repo.archived, repo.maturity_level, repo.development_status,
                     repo.description, message)  # fmt: skip


def hit_status(hit: dict[str, Any]) -> str | None:
    """``status`` of a ``repositories.hit_rows`` row."""
    return status_of(hit["archived"], hit["maturity_level"], hit["development_status"],
                     hit["description"], hit["last_commit_message"])  # fmt: skip


def status_of(archived, maturity, development_status, description, message) -> str | None:
    from registry.search.document import is_obsolete

    if archived:
        return "archived"
    row = {
        "maturity": maturity,
        "development_status": development_status,
        "description": description,
        "last_commit_message": message,
    }
    return "obsolete" if is_obsolete(row) else None
