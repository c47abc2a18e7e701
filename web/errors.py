"""One handler: problem+json for the API, an HTML page for people."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.errors import GovcodeError


def _render(request: Request, status: int, title: str, detail: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"type": "about:blank", "title": title, "status": status, "detail": detail},
            status_code=status,
            media_type="application/problem+json",
        )
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"title": title, "detail": detail}, status_code=status
    )


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GovcodeError)
    return _render(request, exc.status_code, exc.title, str(exc))


async def not_found(request: Request, exc: Exception) -> Response:
    detail = exc.detail if isinstance(exc, HTTPException) else "Not found"
    return _render(request, 404, "Not found", str(detail))
