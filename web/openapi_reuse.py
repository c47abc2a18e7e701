"""The reuse graph's paths in the OpenAPI document (``web.routes.api_reuse``)."""

from __future__ import annotations

from typing import Any

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_COUNTS = {
    "description": "reuse received, given and undirected: live, ended, by kind, per month",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReuseCountsPublic"}}},
}


def reuse_paths(problem: dict[str, Any]) -> dict[str, Any]:
    edges = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ReuseEdgePublic"}}
        },
    }
    return {
        "/api/v1/repositories/{id}/reuse": {
            "get": {
                "summary": "The repository's reuse edges both ways, newest first",
                "parameters": [
                    _ID,
                    {
                        "name": "include_ended",
                        "in": "query",
                        "description": "also the past edges, whose evidence a crawl no longer"
                        " found (they carry ended_at)",
                        "schema": {"type": "boolean", "default": False},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "{items: [...]}",
                        "content": {"application/json": {"schema": edges}},
                    },
                    "400": problem,
                    "404": problem,
                },
            }
        },
        "/api/v1/repositories/{id}/reuse/counts": {
            "get": {
                "summary": "Reuse counts of one repository, over time",
                "parameters": [_ID],
                "responses": {"200": _COUNTS, "404": problem},
            }
        },
        "/api/v1/agencies/{slug}/reuse/counts": {
            "get": {
                "summary": "Reuse counts of every repository of an agency, over time",
                "parameters": [_SLUG],
                "responses": {"200": _COUNTS, "404": problem},
            }
        },
    }
