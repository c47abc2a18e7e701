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

from registry.models import RepositoryDetail, RepositoryPublic
from registry.services.repositories import MAX_ID
from web import api_schemas
from web.search_params import FILTER_PARAMS, LIMITS, SORTS

Operation = dict[str, Any]

STATUS_TEXT = {
    304: "not modified: the ETag sent in If-None-Match is still current",
    400: "a parameter is wrong; invalid_params names it",
    401: "no API token, or a wrong one",
    403: "the token or its user may not do this",
    404: "no such resource",
    409: "conflicts with what is already there",
}


@cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    models: Iterable[type[BaseModel]] = (RepositoryPublic, RepositoryDetail, *api_schemas.SCHEMAS)
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas["AgencyList"] = {"type": "array", "items": ref("AgencySummary")}
    schemas["MemberList"] = {"type": "array", "items": ref("Member")}
    schemas["AuditLog"] = {"type": "array", "items": ref("AuditEntry")}
    return schemas


# -- building blocks -------------------------------------------------------------------
def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(description: str, schema: str, *, media_type: str = "application/json") -> dict:
    return {"description": description, "content": {media_type: {"schema": ref(schema)}}}


def operation(
    op_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    tag: str,
    description: str = "",
    parameters: Iterable[dict] = (),
    errors: Iterable[int] = (),
    token: str | None = None,
    body: str | None = None,
    cached: bool = False,
) -> Operation:
    """One operation; ``errors`` are problem+json statuses, ``token`` the scope needed."""
    codes = set(errors) | ({401, 403} if token else set())
    problems = {
        str(code): {
            "description": STATUS_TEXT[code],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        for code in sorted(codes)
    }
    if cached:
        problems["304"] = {"description": STATUS_TEXT[304]}
    op: Operation = {
        "operationId": op_id,
        "summary": summary,
        "tags": [tag],
        "parameters": list(parameters),
        "responses": {**responses, **problems},
    }
    if description:
        op["description"] = description
    if token:
        op["security"] = [{"token": []}]
        op["description"] = (description + f" Needs a token with the {token!r} scope.").strip()
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return op


def query(name: str, description: str, schema: dict, example: Any = None) -> dict:
    param = {"name": name, "in": "query", "required": False, "description": description}
    param["schema"] = schema
    if example is not None:
        param["example"] = example
    return param


def path_param(name: str, description: str, schema: dict, example: Any) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
        "example": example,
    }


def _whole(name: str) -> dict:
    least, most = LIMITS[name]
    return {"type": "integer", "minimum": least, "maximum": most}


REPO_ID = path_param(
    "id", "the repository's id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, 1
)
SLUG = path_param("slug", "the agency's slug", {"type": "string", "minLength": 1}, "ahs")
EMAIL = path_param("email", "the member's e-mail address", {"type": "string"}, "a@gov.example")
SOURCE_ID = path_param("source_id", "the source's id", {"type": "integer", "minimum": 0}, 1)


# -- the paths, one helper each ---------------------------------------------------------
def _repositories() -> dict[str, Operation]:
    filters = [
        {
            **query(name, f"filter by {name}; repeat for several values (OR)", {}),
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        }
        for name in FILTER_PARAMS
    ]
    filters[0]["example"] = ["MIT"]
    params = [
        query("q", "words to search for; field:value syntax works", {"type": "string"}, "covid"),
        *filters,
        query("sort", "the order of the results", {"enum": list(SORTS)}, "relevance"),
        query("page", "the page to show", _whole("page"), 1),
        query("per_page", "results per page", _whole("per_page"), 20),
        query(
            "active_days",
            "only repositories with a commit in the last N days",
            _whole("active_days"),
            365,
        ),
    ]
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
    responses["content"]["text/csv"] = {"schema": {"type": "string"}}
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
        "paths": {path: build() for path, build in PATHS.items()},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": "an API token"}
            },
        },
    }
