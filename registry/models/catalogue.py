"""What the home, agency, country and licence pages show, as the API returns it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from registry.models.duties import LicenceDutiesPublic
from registry.models.repository import LicenceDetail, RepositoryPublic


class CataloguePage(SQLModel):
    """One page of repositories from the search index (newest-first pages use ``sort``)."""

    total: int
    page: int
    per_page: int
    items: list[RepositoryPublic]


class ReusedRepository(SQLModel):
    repository: RepositoryPublic
    times_reused: int


class CatalogueStats(SQLModel):
    """``/api/v1/stats``: the home page's counts and lists."""

    repositories: int
    agencies: int
    countries: int
    reuse_edges: int
    recently_added: list[RepositoryPublic]
    most_reused: list[ReusedRepository]


class CountrySummary(SQLModel):
    code: str  # ISO 3166-1 alpha-2, upper case
    name: str
    agencies: int
    repositories: int


class AgencySummary(SQLModel):
    slug: str
    name: str
    country: str | None
    repositories: int
    page_url: str


class CountryDetail(SQLModel):
    """``/api/v1/countries/{code}``: its agencies and a page of its repositories."""

    code: str
    name: str
    agencies: list[AgencySummary]
    repositories: CataloguePage


class LicencePageDetail(SQLModel):
    """``/api/v1/licences/{spdx}``: what the licence allows and requires, and who uses it."""

    expression: str
    licences: list[LicenceDetail]
    duties: LicenceDutiesPublic
    repositories: CataloguePage


class CrawlRunSummary(SQLModel):
    status: str  # running | finished | failed | rate-limited | interrupted
    started_at: datetime
    finished_at: datetime | None
    new: int
    changed: int
    unchanged: int
    failed: int
    message: str


class SourceStatus(SQLModel):
    id: int
    kind: str
    locator: str
    verified: bool
    last_crawled_at: datetime | None
    last_run: CrawlRunSummary | None


class AgencyReuse(SQLModel):
    """One reuse edge seen from the agency: ``repository`` is its own end."""

    kind: str
    repository: str  # the agency's repository (full name)
    repository_id: int
    other_name: str
    other_url: str
    other_repository_id: int | None
    evidence: str
    created_at: datetime


class AgencyRepository(RepositoryPublic):
    crawl_error: str | None


class AgencyDetail(SQLModel):
    """``/api/v1/agencies/{slug}``: its repositories, reuse both ways, sources and crawls."""

    slug: str
    name: str
    country: str | None
    level: str | None
    homepage: str | None
    page_url: str
    repositories: list[AgencyRepository]
    reuse_given: list[AgencyReuse]  # others reuse the agency's code
    reuse_received: list[AgencyReuse]  # the agency reuses others' code
    sources: list[SourceStatus]
