"""The OpenAPI 3.1 document of API v1, with schemas taken from the public models."""

from __future__ import annotations

from functools import cache
from typing import Any

from registry.models import RepositoryDetail, RepositoryPublic
from registry.models.repository import RepositoryHit
from web.search_params import FILTER_PARAMS


@cache
def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (RepositoryPublic, RepositoryHit, RepositoryDetail):
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
                        {
                            "name": "cursor",
                            "in": "query",
                            "description": "a next_cursor from the previous page of the same "
                            "search (q, filters, sort, per_page unchanged): the page after its "
                            "last result, stable when repositories are added or removed "
                            "meanwhile; page is then ignored",
                            "schema": {"type": "string", "maxLength": 500},
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
                                            "corrected": {"type": ["string", "null"]},
                                            "did_you_mean": {"type": ["string", "null"]},
                                            "next_cursor": {
                                                "type": ["string", "null"],
                                                "description": "opaque; null on the last page",
                                            },
                                            "items": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/RepositoryHit"
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
        },
        "components": {"schemas": _schemas()},
    }
