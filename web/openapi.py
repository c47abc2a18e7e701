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

from registry.models import DeliveryPublic, RepositoryDetail, RepositoryPublic, ReuseCountsPublic
from registry.models.catalogue import (
    AgencyDetail,
    CatalogueStats,
    CountryDetail,
    CountrySummary,
    LicencePageDetail,
)
from web import api_schemas
from web.openapi_accounts import account_paths
from web.openapi_exports import EXPORT_PATHS, EXPORT_SCHEMAS, search_parameters
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
from web.openapi_reuse import reuse_paths


@cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
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
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas["AgencyList"] = {"type": "array", "items": ref("AgencySummary")}
    schemas["MemberList"] = {"type": "array", "items": ref("Member")}
    schemas["AuditLog"] = {"type": "array", "items": ref("AuditEntry")}
    schemas.update(EXPORT_SCHEMAS)
    return schemas


# -- the paths, one helper each ---------------------------------------------------------
def _repositories() -> dict[str, Operation]:
    params = search_parameters()
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
    {"name": "agencies", "description": "Agencies, their people and their sources"},
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
            **catalogue_paths(),
            **reuse_paths(PROBLEM),
            **_fork_paths(PROBLEM),
            **_delivery_paths(PROBLEM),
            **account_paths(),
            **{path: build() for path, build in {**PATHS, **EXPORT_PATHS}.items()},
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "an API token"}
            },
        },
    }


PROBLEM: dict[str, Any] = {
    "description": "problem details (RFC 9457)",
    "content": {"application/problem+json": {"schema": ref("Problem")}},
}


def _fork_paths(problem: dict[str, Any]) -> dict[str, Any]:
    """Fork to my organisation, and "we use this" (a bearer token scoped ``fork``)."""
    repo_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    bearer = [{"token": []}]  # the token needs the ``fork`` scope
    fork_body = {
        "type": "object",
        "required": ["owner", "accept_licence"],
        "properties": {
            "owner": {"type": "string", "description": "organisation or group to fork into"},
            "forge_token": {
                "type": "string",
                "description": "yours; used once and never stored unless keep_forge_token"
                " (omit it to use the one kept)",
            },
            "keep_forge_token": {"type": "boolean", "description": "keep it, encrypted"},
            "agency": {"type": "string", "description": "slug of your verified agency"},
            "accept_licence": {"type": "boolean", "description": "read licence_duties"},
            "accept_unclear_licence": {
                "type": "boolean",
                "description": "needed when licence_unclear: missing, unknown or disputed",
            },
        },
    }
    return {
        "/api/v1/repositories/{id}/fork": {
            "get": {
                "summary": "How to fork it: through govcode, the forge's page, or clone and push;"
                " what its licence asks",
                "parameters": [repo_id],
                "responses": {"200": {"description": "the fork plan"}, "404": problem},
            },
            "post": {
                "summary": "Fork it into your organisation through the forge's API; records a"
                " declared reuse and tells the source's followers",
                "parameters": [repo_id],
                "security": bearer,
                "requestBody": {"content": {"application/json": {"schema": fork_body}}},
                "responses": {
                    "201": {"description": "{fork: {name, url, clone_url}, declared_edge_id}"},
                    **{code: problem for code in ("400", "401", "403", "404", "409", "502")},
                },
            },
        },
        "/api/v1/repositories/{id}/declarations": {
            "post": {
                "summary": "Your verified agency declares it uses this repository",
                "parameters": [repo_id],
                "security": bearer,
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"agency": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {
                    "201": {"description": "declared"},
                    "200": {"description": "it had been declared already"},
                    **{code: problem for code in ("400", "401", "403", "404")},
                },
            }
        },
    }


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def catalogue_paths() -> dict[str, Any]:
    """The home, agency, country and licence pages' data."""
    problem = {"description": "problem details", "content": {"application/problem+json": {}}}
    listing = [
        {
            "name": "page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
        },
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        {"name": "sort", "in": "query", "schema": {"enum": ["relevance", "stars", "updated"]}},
    ]

    def path_param(name: str, description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        }

    return {
        "/api/v1/stats": {
            "get": {
                "summary": "The catalogue's counts, newest and most reused repositories",
                "responses": {"200": _ok("what the home page shows", _ref("CatalogueStats"))},
            }
        },
        "/api/v1/agencies/{slug}": {
            "get": {
                "summary": "One agency: repositories, reuse given and received, sources, crawls",
                "parameters": [path_param("slug", "the agency's slug")],
                "responses": {
                    "200": _ok("what the agency page shows", _ref("AgencyDetail")),
                    "404": problem,
                },
            }
        },
        "/api/v1/countries": {
            "get": {
                "summary": "Countries with approved agencies, with agency and repository counts",
                "responses": {
                    "200": _ok("countries", {"type": "array", "items": _ref("CountrySummary")})
                },
            }
        },
        "/api/v1/countries/{code}": {
            "get": {
                "summary": "One country: its agencies and a page of its repositories",
                "parameters": [path_param("code", "ISO 3166-1 alpha-2 code"), *listing],
                "responses": {
                    "200": _ok("what the country page shows", _ref("CountryDetail")),
                    "400": problem,
                    "404": problem,
                },
            }
        },
        "/api/v1/licences/{spdx}": {
            "get": {
                "summary": "One licence (an SPDX expression, or none): what it allows and "
                "requires, and a page of the repositories under it",
                "parameters": [path_param("spdx", "an SPDX licence expression, or none"), *listing],
                "responses": {
                    "200": _ok("what the licence page shows", _ref("LicencePageDetail")),
                    "400": problem,
                    "404": problem,
                },
            }
        },
    }


def _delivery_paths(problem: dict[str, Any]) -> dict[str, Any]:
    """A subscription's delivery log: bearer token with the ``subscriptions`` scope, owner only."""
    sub = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    refusals = {"401": problem, "403": problem, "404": problem}
    token = [{"token": ["subscriptions"]}]
    state = "the subscription's state: active, paused_at, paused_reason, failing_since"
    return {
        "/api/v1/subscriptions/{id}/deliveries": {
            "get": {
                "summary": "The delivery log: deliveries newest first, each with every attempt",
                "security": token,
                "parameters": [
                    sub,
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
                    {"name": "status", "in": "query",
                     "schema": {"enum": ["pending", "delivered", "failed"]}},
                    {"name": "before", "in": "query", "schema": {"type": "integer"},
                     "description": "a delivery id: older ones (next_before of the last page)"},
                ],
                "responses": {
                    "200": {
                        "description": f"{{subscription: {state}, deliveries, next_before}}",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {
                                "subscription": {"type": "object"},
                                "deliveries": {"type": "array", "items": {
                                    "$ref": "#/components/schemas/DeliveryPublic"}},
                                "next_before": {"type": ["integer", "null"]},
                            },
                        }}},
                    },
                    **refusals,
                },
            }
        },
        "/api/v1/subscriptions/{id}/deliveries/{delivery_id}/redeliver": {
            "post": {
                "summary": "Send one delivery again (a new attempt, the same delivery id)",
                "security": token,
                "parameters": [sub, {**sub, "name": "delivery_id"}],
                "responses": {"202": {"description": "the delivery, due now"}, **refusals,
                              "400": problem},
            }
        },
        "/api/v1/subscriptions/{id}/rotate-secret": {
            "post": {
                "summary": "A new webhook secret (shown once); the old one stays valid for "
                "overlap_hours, and everything is signed with both meanwhile",
                "security": token,
                "parameters": [sub],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"overlap_hours": {"type": "number"},
                                   "secret": {"type": "string"}},
                }}}},
                "responses": {
                    "200": {"description": "{id, secret, previous_secret_valid_until}"},
                    "400": problem, **refusals,
                },
            }
        },
        "/api/v1/subscriptions/{id}/resume": {
            "post": {
                "summary": "Resume a paused subscription: the deliveries that waited go out",
                "security": token,
                "parameters": [sub],
                "responses": {"200": {"description": state}, "400": problem, **refusals},
            }
        },
    }  # fmt: skip
