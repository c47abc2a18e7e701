"""One handler: problem+json (RFC 9457) for programs (the API, exports, feeds), an HTML
page for people.

A problem always has ``type``, ``title``, ``status``, ``detail`` and ``instance`` (the path
asked for); a bad parameter is named in ``invalid_params`` (``name``, ``in``, ``reason``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry.errors import GovcodeError, InvalidParameter, TooManyRequests, Unauthorized
from web.i18n import N_, ErrorText, error_text

# The titles of registry.errors' classes, for the catalogue: pages show them translated, and
# the message in the page's language (``error_text``). The API's problem+json stays English.
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


PROBLEM_TYPE = "about:blank"  # the title is then the HTTP status phrase's meaning
# Resources for programs (the API, exports, feeds, badges): their errors are problem+json.
MACHINE_PREFIXES = ("/api/", "/export/", "/feeds/", "/badge/")
MACHINE_SUFFIXES = (".json", ".jsonl", ".atom", ".yml", ".svg")  # not audit.csv: a page


def for_machines(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES) or path.endswith(MACHINE_SUFFIXES)


def problem(request: Request, status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {
        "type": PROBLEM_TYPE,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _render(
    request: Request, status: int, title: str, detail: str, page_detail: str | None = None,
    **extra: Any,
) -> Response:  # fmt: skip
    """problem+json with the English ``detail``, or the page with ``page_detail`` (what a
    person reads; Starlette's own English words are marked as English)."""
    if for_machines(request.url.path):
        return problem(request, status, title, detail, **extra)
    shown = page_detail if page_detail is not None else ErrorText(detail, "en")
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"title": title, "detail": shown}, status_code=status
    )


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GovcodeError)
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidParameter):
        extra["invalid_params"] = [{"name": exc.parameter, "in": exc.location, "reason": str(exc)}]
    response = _render(request, exc.status_code, exc.title, str(exc), error_text(exc), **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="govcode"'  # RFC 6750
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def not_found(request: Request, exc: Exception) -> Response:
    detail = exc.detail if isinstance(exc, HTTPException) else "Not found"
    return _render(request, 404, "Not found", str(detail))


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (405 and the like) in the same two shapes."""
    assert isinstance(exc, HTTPException)
    title = HTTPStatus(exc.status_code).phrase
    response = _render(request, exc.status_code, title, str(exc.detail))
    for name, value in (exc.headers or {}).items():  # Allow: on a 405
        response.headers[name] = value
    return response
