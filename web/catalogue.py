"""The data of the home, agency, country and licence pages, built once for both the page and
its API twin (a page is one view of the API's data)."""

from __future__ import annotations

from dataclasses import asdict

import pycountry
from sqlmodel import Session

from registry.analysis.licence_duties import licence_duties
from registry.errors import NotFound
from registry.models import Agency, ReuseEdge
from registry.models.catalogue import (
    AgencyDetail,
    AgencyRepository,
    AgencyReuse,
    AgencySummary,
    CataloguePage,
    CatalogueStats,
    CountryDetail,
    CountrySummary,
    CrawlRunSummary,
    LicencePageDetail,
    ReusedRepository,
    SourceStatus,
)
from registry.models.duties import LicenceDutiesPublic
from registry.models.repository import OriginPublic, RepositoryPublic
from registry.search import SearchResult
from registry.services import agencies, catalogue, crawl_runs, hits, repositories
from registry.services.agencies import USER_ASSIGNED_COUNTRIES
from registry.services.records import normalise_url
from registry.services.reuse import link_of
from web.bounds import bounded_fields, bounded_values, clip
from web.i18n import N_
from web.views import hit_fields, licence_details, status

HOME_LIST = 8  # repositories in each of the home page's lists


def country_name(code: str) -> str:
    if code == "XK":
        return "Kosovo"
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return found.name if found else code


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code a country page may have, upper case; else NotFound."""
    code = value.strip().upper()
    if len(code) == 2 and (
        code in USER_ASSIGNED_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None
    ):
        return code
    raise NotFound(N_("%(value)r is not an ISO 3166-1 alpha-2 country code"), value=clip(value, 40))


def origins_of(session: Session, ids: list[int]) -> dict[int, list[OriginPublic]]:
    return {
        rid: [origin_public(e, name) for e, name in edges]
        for rid, edges in catalogue.origins(session, ids).items()
    }


def origin_public(edge: ReuseEdge, name: str | None = None) -> OriginPublic:
    return origin_of(edge.kind, edge.target_url, edge.target_repository_id, name)


def origin_of(kind: str, target_url: str, target_id: int | None, name: str | None) -> OriginPublic:
    """What a result shows of one of its origins (an edge's values, or a hit row's)."""
    url = bounded_values({"target_url": target_url}, ReuseEdge)["target_url"]
    return OriginPublic(
        kind=kind,
        name=clip(name, 400) if name else url,
        url=url,
        link=link_of(url) if url else "",
        repository_id=target_id,
    )


def public_items(session: Session, ids: list[int], *, base_url: str) -> list[RepositoryPublic]:
    """The public records of these repositories in order: two queries for any number."""
    return [RepositoryPublic.model_validate(i) for i in hit_items(session, ids, base_url=base_url)]


def hit_items(session: Session, ids: list[int], *, base_url: str) -> list[dict]:
    """The fields of the public records of these repositories (``views.hit_fields``) with
    their origins: one query for any number (``hits.hit_rows``)."""
    out = []
    for row in hits.hit_rows(session, ids):
        fields = hit_fields(row, base_url=base_url)
        fields["origins"] = [origin_of(*o) for o in row["origins"]] or _parent(
            fields["is_fork"], fields["parent_url"]
        )
        out.append(fields)
    return out


def with_origins(session: Session, pairs: list) -> None:
    """Fill in each public record's origins (one query for all) and status."""
    found = origins_of(session, [repo.id for repo, _ in pairs])
    for repo, item in pairs:
        item.origins = found.get(repo.id, []) or _parent(item.is_fork, item.parent_url)
        item.status = status(repo)


def _parent(is_fork: bool, parent_url: str | None) -> list[OriginPublic]:
    """A fork whose parent the registry has no edge for yet: the forge's word for it."""
    if not (is_fork and parent_url):
        return []
    key = normalise_url(parent_url)
    link = link_of(parent_url)
    return [OriginPublic(kind="fork", name=key, url=key, link=link, repository_id=None)]


def repository_page(session: Session, result: SearchResult, *, base_url: str) -> CataloguePage:
    return CataloguePage(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        items=public_items(session, result.ids, base_url=base_url),
    )


def stats(session: Session, *, base_url: str) -> CatalogueStats:
    recent = [r.id for r, _ in catalogue.recently_added(session, limit=HOME_LIST)]
    reused = catalogue.most_reused(session, limit=HOME_LIST)
    items = {
        i.id: i
        for i in public_items(session, [*recent, *(r.id for r, _, _ in reused)], base_url=base_url)
    }
    return CatalogueStats(
        **catalogue.counts(session),
        recently_added=[items[i] for i in recent if i in items],  # type: ignore[index]
        most_reused=[
            ReusedRepository(repository=items[r.id], times_reused=n)  # type: ignore[index]
            for r, _, n in reused
            if r.id in items
        ],
    )


def agency_summary(agency: Agency, n: int, *, base_url: str) -> AgencySummary:
    fields = bounded_fields(agency)
    return AgencySummary(
        slug=fields["slug"],
        name=fields["name"],
        country=agency.country,
        repositories=n,
        page_url=f"{base_url.rstrip('/')}/agencies/{agency.slug}",
    )


def countries(session: Session) -> list[CountrySummary]:
    return [
        CountrySummary(code=code, name=country_name(code), agencies=a, repositories=r)
        for code, a, r in catalogue.countries(session)
    ]


def country_detail(
    session: Session, code: str, result: SearchResult, *, base_url: str
) -> CountryDetail:
    return CountryDetail(
        code=code,
        name=country_name(code),
        agencies=[
            agency_summary(a, n, base_url=base_url) for a, n in catalogue.agencies_in(session, code)
        ],
        repositories=repository_page(session, result, base_url=base_url),
    )


def licence_detail(
    session: Session, expression: str, result: SearchResult, *, base_url: str
) -> LicencePageDetail:
    none = expression.lower() == "none"
    duties = licence_duties(None if none else expression, status="none" if none else "identified")
    return LicencePageDetail(
        expression=expression,
        licences=licence_details(None if none else expression),
        duties=LicenceDutiesPublic.model_validate(asdict(duties)),
        repositories=repository_page(session, result, base_url=base_url),
    )


def _reuse(edge: ReuseEdge, mine: str, *, given: bool) -> AgencyReuse:
    fields = bounded_fields(edge)
    if given:  # the other end reuses the agency's repository
        other_name, other_url, other_id = (
            fields["reuser_name"],
            fields["reuser_link"] or link_of(fields["reuser_url"]),
            edge.reuser_repository_id,
        )
        own_id = edge.target_repository_id
    else:
        other_name, other_url, other_id = (
            fields["target_url"],
            link_of(fields["target_url"]),
            edge.target_repository_id,
        )
        own_id = edge.reuser_repository_id
    return AgencyReuse(
        kind=edge.kind,
        repository=clip(mine, 400),
        repository_id=own_id or 0,
        other_name=other_name,
        other_url=other_url,
        other_repository_id=other_id,
        evidence=fields["evidence"],
        created_at=edge.created_at,
    )


def _source_status(session: Session, source) -> SourceStatus:  # type: ignore[no-untyped-def]
    runs = crawl_runs.latest(session, source_id=source.id or 0, limit=1)
    last = None
    if runs:
        run = bounded_fields(runs[0])
        last = CrawlRunSummary.model_validate(run)
    fields = bounded_fields(source)
    return SourceStatus(
        id=source.id,
        kind=fields["kind"],
        locator=fields["locator"],
        verified=source.verified_at is not None,
        last_crawled_at=source.last_crawled_at,
        last_run=last,
    )


def agency_detail(session: Session, agency: Agency, *, base_url: str) -> AgencyDetail:
    if agency.status != "approved":  # signed up, not yet reviewed (or refused)
        raise NotFound(N_("no agency %(slug)r"), slug=agency.slug)
    assert agency.id is not None
    own = repositories.of_agency(session, agency.id)
    errors = {r.id: bounded_fields(r)["crawl_error"] for r in own}
    items = public_items(session, [r.id for r in own], base_url=base_url)  # type: ignore[misc]
    given, received = catalogue.agency_reuse(session, agency.id)
    fields = bounded_fields(agency)
    return AgencyDetail(
        slug=fields["slug"],
        name=fields["name"],
        country=agency.country,
        level=fields["level"],
        homepage=fields["homepage"],
        page_url=f"{base_url.rstrip('/')}/agencies/{agency.slug}",
        repositories=[
            AgencyRepository.model_validate({**i.model_dump(), "crawl_error": errors.get(i.id)})
            for i in items
        ],
        reuse_given=[_reuse(e, n, given=True) for e, n in given],
        reuse_received=[_reuse(e, n, given=False) for e, n in received],
        sources=[_source_status(session, s) for s in agencies.sources_of(session, agency)],
    )
