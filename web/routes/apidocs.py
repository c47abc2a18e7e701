"""The API reference page, ``/api``: the OpenAPI document rendered server-side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api_reference import reference
from web.openapi import openapi_document


def routes() -> list[Route]:
    return [Route("/api", api_reference, name="api")]


def api_reference(request: Request) -> Response:
    document = openapi_document(request.app.state.settings.base_url)
    return request.app.state.templates.TemplateResponse(request, "api.html", reference(document))
