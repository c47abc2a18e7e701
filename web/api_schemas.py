"""The shapes the JSON API answers with, beyond the entities' own Public models.

Each is named in the OpenAPI document (``web.openapi``); tests/web/test_schemathesis.py
checks the live answers against them, so the document and the answers cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from registry.models import RepositoryPublic, UserPublic
from registry.models.repository import RepositoryHit


class InvalidParam(BaseModel):
    name: str
    in_: str = Field(alias="in")  # query | path | header | body
    reason: str


class Problem(BaseModel):
    """Problem details (RFC 9457), served as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None


class FacetCount(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "MIT", "count": 12}]})

    value: str
    count: int


class RepositoryPage(BaseModel):
    """A page of search results with facet counts (each ignoring its own filter)."""

    total: int
    page: int
    per_page: int
    corrected: str | None  # "Showing results for …": typos were corrected
    did_you_mean: str | None  # nothing matched; this would
    # opaque: pass it as ``cursor`` for the page after this one; null on the last page
    next_cursor: str | None
    items: list[RepositoryHit]  # each with where the words searched for matched
    facets: dict[str, list[FacetCount]]
    feed_url: str  # the Atom feed of new repositories matching this search


class RepositoryList(BaseModel):
    items: list[RepositoryPublic]


class Suggestions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"q": "cov", "suggestions": ["covid", "coverage"]}]}
    )

    q: str
    suggestions: list[str]


class AgencySummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "ahs",
                    "name": "Alberta Health Services",
                    "country": "CA",
                    "repositories": 12,
                }
            ]
        }
    )

    slug: str
    name: str
    country: str | None
    repositories: int


class AgencyRole(BaseModel):
    slug: str
    role: str


class Me(UserPublic):
    agencies: list[AgencyRole]


class Member(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "maintainer@gov.example", "role": "maintainer"}]}
    )

    email: str
    role: str


class AuditEntry(BaseModel):
    id: int
    created_at: datetime
    actor: str
    address: str
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any]
    after: dict[str, Any]


class AgencyRequest(BaseModel):
    """An agency's sign-up; a site admin approves it."""

    name: str
    country: str
    level: str = ""
    website: str = ""
    contact_email: str = ""
    names: dict[str, str] = {}  # localised names by language
    identifiers: dict[str, str] = {}  # scheme -> value (siren, ror, …)


class AgencyRequested(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"slug": "ahs", "status": "pending"}]}
    )

    slug: str
    status: str


class SourceRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "github", "locator": "alberta-health-services"}]}
    )

    kind: str  # a source kind: github, gitlab, git, git-list, code-json…
    locator: str
    api_url: str = ""


class SourceRegistered(BaseModel):
    id: int
    kind: str
    locator: str
    api_url: str
    verified: bool
    proof_token: str | None


class SourceProof(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 3, "verified": False, "where": "the organisation's description"}]
        }
    )

    id: int
    verified: bool
    where: str


class RoleRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "maintainer"}]})

    role: str  # admin | maintainer


class GeneratedPubliccode(BaseModel):
    """A publiccode.yml govcode wrote from what it inferred, for a repository with none."""

    repository_id: int
    url: str  # where the YAML itself is served
    yaml: str
    valid: bool  # by govcode's own publiccode.yml validation (the reference parser's rules)
    problems: list[str]


class OpenAPIDocument(BaseModel):
    """This document."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


SCHEMAS: tuple[type[BaseModel], ...] = (
    Problem,
    RepositoryPage,
    RepositoryList,
    Suggestions,
    AgencySummary,
    Me,
    Member,
    AuditEntry,
    AgencyRequest,
    AgencyRequested,
    SourceRequest,
    SourceRegistered,
    SourceProof,
    RoleRequest,
    GeneratedPubliccode,
    OpenAPIDocument,
)
