"""The OpenAPI 3.1 document of API v1, with schemas taken from the public models.

One helper per path below, listed in ``PATHS``; a new route under ``/api/v1`` adds its
helper there (tests/web/test_openapi.py compares the document with the app's routes, both
ways). Every response names its schema in ``components.schemas``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from registry.models import DeliveryPublic, RepositoryDetail, RepositoryPublic, ReuseCountsPublic
from registry.models.catalogue import (
    AgencyDetail,
    CatalogueStats,
    CountryDetail,
    CountrySummary,
    LicencePageDetail,
)
from web import api_schemas
from web.openapi_accounts import ACCOUNT_PATHS
from web.openapi_catalogue import CATALOGUE_PATHS
from web.openapi_exports import EXPORT_PATHS, EXPORT_SCHEMAS, facet_parameters, search_parameters
from web.openapi_parts import (
    EMAIL,
    REPO_ID,
    SLUG,
    SOURCE_ID,
    Operation,
    ok,
    operation,
    query,
    ref,
)
from web.openapi_reuse import REUSE_PATHS

LISTS = {  # array answers, by the schema of their items
    "AgencyList": "AgencySummary",
    "MemberList": "Member",
    "AuditLog": "AuditEntry",
    "CountryList": "CountrySummary",
    "SubscriptionList": "SubscriptionPublic",
    "ClaimableSourceList": "ClaimableSource",
    "RepositoryClaimList": "RepositoryClaimPublic",
}


@cache
def _schemas() -> dict[str, Any]:
    models: Iterable[type[BaseModel]] = (
        RepositoryPublic,
        RepositoryDetail,
        ReuseCountsPublic,
        DeliveryPublic,
        CatalogueStats,
        AgencyDetail,
        CountrySummary,
        CountryDetail,
        LicencePageDetail,
        *api_schemas.SCHEMAS,
    )
    # One pass, so that two models of one name (web.api_schemas.search.RepositoryPage, the
    # search answer, and registry.models.catalogue.RepositoryPage, a country's page of
    # repositories) get two schemas; pydantic then names them by module, renamed here.
    _, found = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = found.get("$defs", {})
    names = {name: _unclash(name) for name in schemas}
    schemas = _renamed({names[n]: schema for n, schema in schemas.items()}, names)
    for name, item in LISTS.items():
        schemas[name] = {"type": "array", "items": ref(item)}
    schemas.update(EXPORT_SCHEMAS)
    return schemas


def _unclash(name: str) -> str:
    """``web__api_schemas__search__X`` is ``X`` (the API's own shapes keep their names,
    whichever module of ``web.api_schemas`` holds them); another module's ``X`` takes its
    module's name before it: ``registry__models__catalogue__X`` is ``CatalogueX``."""
    *module, model = name.split("__")
    if not module or module[:2] == ["web", "api_schemas"]:
        return model
    return module[-1].title().replace("_", "") + model


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {k: _renamed(v, names) for k, v in value.items()}
        target = out.get("$ref")
        if isinstance(target, str) and target.startswith("#/components/schemas/"):
            old = target.rsplit("/", 1)[-1]
            out["$ref"] = "#/components/schemas/" + names.get(old, old)
        return out
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


# -- the paths, one helper each ---------------------------------------------------------
def _repositories() -> dict[str, Operation]:
    params = [*search_parameters(), *facet_parameters()]
    return {
        "get": operation(
            "listRepositories",
            "Search repositories, with filters and facet counts",
            {"200": ok("a page of repositories", "RepositoryPage")},
            tag="repositories",
            parameters=params,
            errors=[400],
            cached=True,
        )
    }


def _repository() -> dict[str, Operation]:
    return {
        "get": operation(
            "getRepository",
            "One repository, with everything its page shows",
            {"200": ok("the repository", "RepositoryDetail")},
            tag="repositories",
            parameters=[REPO_ID],
            errors=[404],
            cached=True,
        )
    }


def _similar() -> dict[str, Operation]:
    return {
        "get": operation(
            "similarRepositories",
            "Similar repositories (more like this, without its own forks)",
            {"200": ok("up to five repositories", "RepositoryList")},
            tag="repositories",
            parameters=[REPO_ID],
            errors=[404],
            cached=True,
        )
    }


def _publiccode() -> dict[str, Operation]:
    return {
        "get": operation(
            "generatedPubliccode",
            "A publiccode.yml for a repository that has none",
            {"200": ok("the generated file and its validation", "GeneratedPubliccode")},
            tag="repositories",
            description="Filled from what govcode inferred (name, URL, description, licence, "
            "maturity, maintenance, dates) and checked with govcode's own publiccode.yml "
            "validation. A repository with its own publiccode.yml has none generated: 404.",
            parameters=[REPO_ID],
            errors=[404],
            cached=True,
        )
    }


def _suggest() -> dict[str, Operation]:
    q = query("q", "what has been typed so far", {"type": "string", "maxLength": 200}, "cov")
    return {
        "get": operation(
            "suggest",
            "Search-box completions of the last word typed",
            {"200": ok("completions", "Suggestions")},
            tag="search",
            parameters=[q],
            errors=[400],
            cached=True,
        )
    }


def _agencies() -> dict[str, Operation]:
    return {
        "get": operation(
            "listAgencies",
            "Agencies with repository counts",
            {"200": ok("every approved agency", "AgencyList")},
            tag="agencies",
            cached=True,
        ),
        "post": operation(
            "registerAgency",
            "Ask for a new agency (a site admin approves it)",
            {"201": ok("the agency, waiting for review", "AgencyRequested")},
            tag="agencies",
            errors=[400, 409],
            token="register",
            body="AgencyRequest",
        ),
    }


def _members() -> dict[str, Operation]:
    return {
        "get": operation(
            "listMembers",
            "An agency's people and their roles",
            {"200": ok("the members", "MemberList")},
            tag="agencies",
            parameters=[SLUG],
            errors=[404],
            token="manage",
            cached=True,
        )
    }


def _member() -> dict[str, Operation]:
    return {
        "put": operation(
            "setMemberRole",
            "Add a member or change their role",
            {"200": ok("the membership", "Member")},
            tag="agencies",
            parameters=[SLUG, EMAIL],
            errors=[400, 404, 409],
            token="manage",
            body="RoleRequest",
        ),
        "delete": operation(
            "removeMember",
            "Remove a member",
            {"204": {"description": "removed"}},
            tag="agencies",
            parameters=[SLUG, EMAIL],
            errors=[404, 409],
            token="manage",
        ),
    }


def _audit() -> dict[str, Operation]:
    fmt = query("format", "csv for a spreadsheet", {"enum": ["json", "csv"]}, "json")
    responses = ok("the agency's audit log, newest first", "AuditLog")
    responses["content"]["text/csv"] = {"schema": ref("CsvText")}
    return {
        "get": operation(
            "agencyAudit",
            "An agency's audit log",
            {"200": responses},
            tag="agencies",
            parameters=[SLUG, fmt],
            errors=[400, 404],
            token="manage",
            cached=True,
        )
    }


def _sources() -> dict[str, Operation]:
    return {
        "post": operation(
            "registerSource",
            "Register a source (a GitHub organisation, GitLab group, git URL, inventory)",
            {"201": ok("the source, with the token that proves ownership", "SourceRegistered")},
            tag="agencies",
            description="The source is crawled once its owner is proved: put the proof "
            "token in the organisation's description or website, then call verify.",
            parameters=[SLUG],
            errors=[400, 404, 409],
            token="register",
            body="SourceRequest",
        )
    }


def _verify() -> dict[str, Operation]:
    return {
        "post": operation(
            "verifySource",
            "Look for a source's proof token now",
            {"200": ok("whether it was found, and where govcode looked", "SourceProof")},
            tag="agencies",
            parameters=[SLUG, SOURCE_ID],
            errors=[404],
            token="register",
        )
    }


def _me() -> dict[str, Operation]:
    return {
        "get": operation(
            "me",
            "Who the token belongs to, and their agencies",
            {"200": ok("the token's user", "Me")},
            tag="accounts",
            token="read",
            cached=True,
        )
    }


def _openapi() -> dict[str, Operation]:
    return {
        "get": operation(
            "openapi",
            "This document",
            {"200": ok("the OpenAPI 3.1 document", "OpenAPIDocument")},
            tag="meta",
            cached=True,
        )
    }


PATHS: dict[str, Callable[[], dict[str, Operation]]] = {
    "/api/v1/repositories": _repositories,
    "/api/v1/repositories/{id}": _repository,
    "/api/v1/repositories/{id}/similar": _similar,
    "/api/v1/repositories/{id}/publiccode": _publiccode,
    "/api/v1/suggest": _suggest,
    "/api/v1/agencies": _agencies,
    "/api/v1/agencies/{slug}/members": _members,
    "/api/v1/agencies/{slug}/members/{email}": _member,
    "/api/v1/agencies/{slug}/audit": _audit,
    "/api/v1/agencies/{slug}/sources": _sources,
    "/api/v1/agencies/{slug}/sources/{source_id}/verify": _verify,
    "/api/v1/me": _me,
    "/api/v1/openapi.json": _openapi,
}

TAGS = [
    {"name": "repositories", "description": "Search the catalogue and read one repository"},
    {"name": "search", "description": "Helpers for a search box"},
    {"name": "catalogue", "description": "The catalogue's figures, countries and licences"},
    {"name": "agencies", "description": "Agencies, their people, sources and claims"},
    {"name": "reuse", "description": "Who reuses what; forking and declaring use"},
    {
        "name": "subscriptions",
        "description": "Following repositories, agencies and searches, "
        "on every channel, and the delivery log",
    },
    {"name": "accounts", "description": "The caller's own account"},
    {"name": "meta", "description": "About the API itself"},
    {
        "name": "exports",
        "description": "The catalogue in other formats, feeds and badges "
        "(outside /api/v1: no CORS or ETag there, except the saved-search feed's ETag)",
    },
]

DESCRIPTION = (
    "Public code from governments, searchable with the filters and facets of the search "
    "page. Reads are open to anyone and to any origin (CORS), carry an ETag and answer "
    "If-None-Match with 304. Errors are problem details (RFC 9457) that name the bad "
    "parameter. Writes need an API token (Authorization: Bearer <token>) with the right "
    "scope; make one on your account page."
)


def openapi_document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "govcode API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": base_url.rstrip("/")}],
        "tags": TAGS,
        "paths": {
            path: build()
            for path, build in {
                **PATHS,
                **CATALOGUE_PATHS,
                **REUSE_PATHS,
                **ACCOUNT_PATHS,
                **EXPORT_PATHS,
            }.items()
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "an API token"}
            },
        },
    }
