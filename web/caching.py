"""ETag and Cache-Control for the API's reads and the pages.

Answers that follow the search index take their ETag from the index generation and the
URL, so a client that sends it back gets 304 before any search runs. A page drawn from
the database (the home page) takes it from the data it shows, before any rendering. Every
other read of ``/api/v1/*`` gets an ETag from its body (``ApiConditional``), so each one
answers ``If-None-Match`` with 304 as well. A page is written for its reader: their
language and, once signed in, them (their own account link), so both are in its ETag, and
a signed-in person's page is theirs alone to keep (``Cache-Control: private``).
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import i18n

CACHE_CONTROL = "public, max-age=10, must-revalidate"
PRIVATE = "private, no-cache"  # answers to a token: only the caller's own cache may keep them


WEB = Path(__file__).parent
RENDERED_WITH = (WEB / "templates", WEB / "static", WEB.parent / "registry" / "locale")


def build(folders: tuple[Path, ...] = RENDERED_WITH) -> str:
    """What this deployment renders with: the package version, the templates, the static
    files and the catalogues. It is in every ETag, so a deploy that changes any of them
    never answers 304 for a page drawn by the old one."""
    digest = hashlib.sha256(metadata.version("govcode").encode())
    for path in sorted(p for folder in folders for p in folder.rglob("*") if p.is_file()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


BUILD = build()


def etag(request: Request) -> str:
    """For an answer that follows the search index: its generation and the URL."""
    return _tag(str(request.app.state.index.generation), *_reader(request), _url(request))


def data_etag(request: Request, data: str) -> str:
    """For a page drawn from the database: the data it shows (serialised) and the URL."""
    return _tag(hashlib.sha256(data.encode()).hexdigest(), *_reader(request), _url(request))


def cache_control(request: Request) -> str:
    return PRIVATE if _reader(request)[1] else CACHE_CONTROL


def _reader(request: Request) -> tuple[str, str]:
    """Whom a page is written for: the visitor's language and the signed-in person's id
    (both empty for the answers to programs, which are the same for everyone)."""
    if not i18n.localised(request.url.path):
        return "", ""
    return i18n.current(), str(request.session.get("uid") or "")


def _url(request: Request) -> str:
    return f"{request.url.path}?{request.url.query}"


def _tag(*parts: str) -> str:
    return '"' + hashlib.sha256("|".join((BUILD, *parts)).encode()).hexdigest()[:24] + '"'


def matches(sent: str, tag: str) -> bool:
    """``If-None-Match`` compares weakly (RFC 9110 13.1.2): ``W/"x"`` matches ``"x"``."""
    if sent.strip() == "*":
        return True
    return tag.removeprefix("W/") in {t.strip().removeprefix("W/") for t in sent.split(",")}


def not_modified(request: Request, tag: str) -> Response | None:
    if matches(request.headers.get("if-none-match", ""), tag):
        headers = {"ETag": tag, "Cache-Control": cache_control(request)}
        return Response(status_code=304, headers=headers)
    return None


def cached(request: Request, response: Response, tag: str) -> Response:
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = cache_control(request)
    return response


class ApiConditional:
    """Pure ASGI middleware: a body ETag and 304 on every 200 read of ``/api/v1/*`` that did
    not set its own ETag. The API's answers are JSON built in memory, so holding the body
    until it is complete costs nothing. HEAD is answered as GET without the body, so both
    carry the same ETag."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not str(scope["path"]).startswith("/api/v1/")
        ):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        sent = request_headers.get("if-none-match", "")
        private = "authorization" in request_headers
        head = scope["method"] == "HEAD"
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] == 200 and "etag" not in MutableHeaders(scope=message):
                    start = message  # sent once the body is complete
                else:
                    await send(message)  # the handler did its own (or it is no 200)
                return
            if message["type"] != "http.response.body":
                await send(message)
            elif start is None:
                await send({**message, "body": b""} if head else message)
            else:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _finish(start, b"".join(chunks))

        async def _finish(message: Message, body: bytes) -> None:
            tag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
            out = MutableHeaders(scope=message)
            out["ETag"] = tag
            out.setdefault("Cache-Control", PRIVATE if private else CACHE_CONTROL)
            if private:
                out["Vary"] = "Authorization"
            if matches(sent, tag):
                message["status"] = 304
                for name in ("content-length", "content-type"):
                    del out[name]
                await send(message)
                await send({"type": "http.response.body", "body": b""})
                return
            await send(message)
            await send({"type": "http.response.body", "body": b"" if head else body})

        await self.app({**scope, "method": "GET"} if head else scope, receive, hold)
