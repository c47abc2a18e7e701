"""ETag and Cache-Control for answers that follow the search index: a client that sends the
ETag back gets 304 until the index (or what it was built from) changes."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

from web import i18n

CACHE_CONTROL = "public, max-age=10, must-revalidate"


def etag(request: Request) -> str:
    index = request.app.state.index
    # a page is written in the visitor's language: one tag per language
    lang = i18n.current() if i18n.localised(request.url.path) else ""
    key = f"{index.generation}|{lang}|{request.url.path}?{request.url.query}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:24] + '"'


def not_modified(request: Request, tag: str) -> Response | None:
    sent = request.headers.get("if-none-match", "")
    if tag in {t.strip() for t in sent.split(",")} or sent.strip() == "*":
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": CACHE_CONTROL})
    return None


def cached(response: Response, tag: str) -> Response:
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
