"""The OpenAPI 3.1 document of API v1, with schemas taken from the public models."""

from __future__ import annotations

from functools import cache
from typing import Any

from registry.models import DeliveryPublic, RepositoryDetail, RepositoryPublic, ReuseCountsPublic
from registry.models.catalogue import (
    AgencyDetail,
    CatalogueStats,
    CountryDetail,
    CountrySummary,
    LicencePageDetail,
)
from web.openapi_accounts import SECURITY_SCHEMES, account_paths
from web.openapi_reuse import reuse_paths
from web.search_params import FILTER_PARAMS


@cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (
        RepositoryPublic,
        RepositoryDetail,
        ReuseCountsPublic,
        DeliveryPublic,
        CatalogueStats,
        AgencyDetail,
        CountrySummary,
        CountryDetail,
        LicencePageDetail,
    ):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def openapi_document(base_url: str) -> dict[str, Any]:
    filters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"filter by {name}; repeat for several values (OR)",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        }
        for name in FILTER_PARAMS
    ]
    problem = {"description": "problem details", "content": {"application/problem+json": {}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "govcode API", "version": "1.0.0"},
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            **catalogue_paths(),
            "/api/v1/repositories": {
                "get": {
                    "summary": "Search repositories, with filters and facet counts",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string"}},
                        *filters,
                        {
                            "name": "sort",
                            "in": "query",
                            "schema": {"enum": ["relevance", "stars", "updated"]},
                        },
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
                        {
                            "name": "active_days",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 36500},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "a page of repositories",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "page": {"type": "integer"},
                                            "per_page": {"type": "integer"},
                                            "items": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/RepositoryPublic"
                                                },
                                            },
                                            "facets": {"type": "object"},
                                        },
                                    }
                                }
                            },
                        },
                        "400": problem,
                    },
                }
            },
            "/api/v1/repositories/{id}": {
                "get": {
                    "summary": "One repository",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the repository, with everything its page shows",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/RepositoryDetail"}
                                }
                            },
                        },
                        "404": problem,
                    },
                }
            },
            "/api/v1/repositories/{id}/similar": {
                "get": {
                    "summary": "Similar repositories (more like this, without its own forks)",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"200": {"description": "{items: [...]}"}, "404": problem},
                }
            },
            "/api/v1/suggest": {
                "get": {
                    "summary": "Search-box completions of the last word typed",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "{q, suggestions: [...]}"},
                        "400": problem,
                    },
                }
            },
            "/api/v1/agencies": {
                "get": {
                    "summary": "Agencies with repository counts",
                    "responses": {"200": {"description": "agencies"}},
                }
            },
            **reuse_paths(problem),
            **_fork_paths(problem),
            **_delivery_paths(problem),
            **account_paths(),
        },
        "components": {"schemas": _schemas(), "securitySchemes": SECURITY_SCHEMES},
    }


def _fork_paths(problem: dict[str, Any]) -> dict[str, Any]:
    """Fork to my organisation, and "we use this" (a bearer token scoped ``fork``)."""
    repo_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    bearer = [{"bearerToken": []}]  # the token needs the ``fork`` scope
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
    token = [{"bearerToken": ["subscriptions"]}]
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
