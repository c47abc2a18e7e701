"""One handler: problem+json for the API, an HTML page for people."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.errors import GovcodeError
from web.i18n import N_

# The titles of registry.errors' classes, for the catalogue: pages show them translated
# (the details stay in English, marked so). The API's problem+json keeps them in English.
TITLES = (
    N_("Internal error"),
    N_("Bad request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not found"),
    N_("Conflict"),
    N_("Too many requests"),
    N_("Unsafe URL"),
    N_("Crawl failed"),
    N_("Rate limited"),
)


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
