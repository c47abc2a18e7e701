"""Unknown query parameters are refused on the API, by name, with the names it knows.

A misspelt filter (``?licnese=MIT``) that was silently ignored would answer with the whole
catalogue; instead the problem names the parameter. What is known comes from the OpenAPI
document, so the document stays the one description of each operation.
"""

from __future__ import annotations

import re
from functools import cache

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from web.errors import problem
from web.openapi import openapi_document


@cache
def operations() -> tuple[tuple[re.Pattern[str], str, frozenset[str]], ...]:
    """(path pattern, method, query parameter names) of every documented operation."""
    found = []
    for path, ops in openapi_document("")["paths"].items():
        pattern = re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)))
        for method, op in ops.items():
            names = frozenset(p["name"] for p in op.get("parameters", []) if p["in"] == "query")
            found.append((pattern, method.upper(), names))
    return tuple(found)


def unknown(path: str, method: str, params: QueryParams) -> tuple[str, frozenset[str]] | None:
    """The first query parameter the operation does not take, and those it does."""
    method = "GET" if method == "HEAD" else method
    for pattern, verb, names in operations():
        if verb == method and pattern.fullmatch(path):
            for name in params:
                if name not in names:
                    return name, names
            return None
    return None  # not an operation: routing answers 404 or 405


class UnknownParameters:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith("/api/v1/"):
            request = Request(scope)
            found = unknown(request.url.path, request.method, request.query_params)
            if found is not None:
                name, names = found
                takes = ", ".join(sorted(names)) or "none"
                detail = f"unknown parameter {name!r}; this operation takes: {takes}"
                invalid = [{"name": name, "in": "query", "reason": detail}]
                response = problem(request, 400, "Bad request", detail, invalid_params=invalid)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
