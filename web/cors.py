"""CORS for the API's reads: any origin may GET or HEAD ``/api/v1/*``, never with credentials.

A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered here, before
routing; writes are not offered to other origins (they need a token, and a page elsewhere
should not be able to spend it), so a preflight for one is answered without allowing it.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/api/v1/"
READS = ("GET", "HEAD")
ALLOWED_HEADERS = ("Accept", "Accept-Language", "If-None-Match", "If-Modified-Since")
EXPOSED_HEADERS = ("ETag", "Link", "Retry-After")
MAX_AGE = 86_400


def _is_api(scope: Scope) -> bool:
    return scope["type"] == "http" and str(scope["path"]).startswith(PREFIX)


class ApiCors:
    """Pure ASGI middleware: ``Access-Control-Allow-Origin: *`` on API reads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_api(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        if method == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(headers)(scope, receive, send)
            return
        if method not in READS:  # sent with or without Origin, so caches hold one answer
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["Access-Control-Allow-Origin"] = "*"
                out["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def preflight(headers: Headers) -> Response:
        """204 for a read from anywhere; a write gets no Allow-Origin, so the browser stops."""
        wanted = headers["access-control-request-method"].upper()
        if wanted not in READS:
            return Response(status_code=204, headers={"Vary": "Origin"})
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": ", ".join(READS),
                "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
                "Access-Control-Max-Age": str(MAX_AGE),
            },
        )
