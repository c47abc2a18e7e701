"""Exports and feeds of the catalogue: code.json (per agency and whole), CSV, JSON Lines,
and Atom feeds of new repositories (all, per agency, per country).

Every export streams: the generator below opens its own session and reads the catalogue a
batch at a time while the response is being sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from sqlmodel import Session
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from registry.errors import BadRequest
from registry.search import SearchRequest
from registry.services import agencies, exports, repositories
from registry.services.exports import ExportRow
from web import caching, publiccode_export, search_params
from web.exports import code_json, csv_lines, json_lines


def routes() -> list[Route]:
    return [
        Route("/export/code.json", catalogue_code_json),
        Route("/agencies/{slug}/code.json", agency_code_json),
        Route("/export/repositories.csv", catalogue_csv),
        Route("/export/repositories.jsonl", catalogue_jsonl),
        Route("/feeds/new.atom", new_repositories_feed),
        Route("/feeds/search.atom", search_feed),
        Route("/repositories/{owner}/{name}/publiccode.yml", generated_publiccode),
    ]


def generated_publiccode(request: Request) -> Response:
    """A publiccode.yml for a repository that has none, to review and commit."""
    full_name = f"{request.path_params['owner']}/{request.path_params['name']}"
    with Session(request.app.state.engine) as session:
        repo = repositories.find(session, full_name)
        assert repo.id is not None
        text = publiccode_export.for_repository(session, repo.id, now=datetime.now(UTC))
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": 'inline; filename="publiccode.yml"'},
    )


def _filters(request: Request) -> dict[str, str | None]:
    country = request.query_params.get("country")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise BadRequest("country must be an ISO 3166-1 alpha-2 code, such as CA")
    return {"agency_slug": request.query_params.get("agency"), "country": country}


def _stream(
    request: Request,
    write: Callable[[Iterable[ExportRow]], Iterator[str]],
    media_type: str,
    filename: str,
    **filters: str | None,
) -> StreamingResponse:
    engine = request.app.state.engine

    def body() -> Iterator[bytes]:
        with Session(engine) as session:
            for chunk in write(exports.catalogue(session, **filters)):
                yield chunk.encode()

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(body(), media_type=media_type, headers=headers)


def _base(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


def catalogue_code_json(request: Request) -> Response:
    base, email = _base(request), request.app.state.settings.contact_email
    return _stream(
        request,
        lambda rows: code_json(rows, agency="govcode", base_url=base, contact_email=email),
        "application/json",
        "code.json",
        **_filters(request),
    )


def agency_code_json(request: Request) -> Response:
    slug, base = request.path_params["slug"], _base(request)
    email = request.app.state.settings.contact_email
    with Session(request.app.state.engine) as session:
        agency = agencies.get_agency(session, slug)  # 404 for an unknown agency
    return _stream(
        request,
        lambda rows: code_json(rows, agency=agency.name, base_url=base, contact_email=email),
        "application/json",
        f"{slug}-code.json",
        agency_slug=slug,
    )


def catalogue_csv(request: Request) -> Response:
    base = _base(request)
    return _stream(
        request, lambda rows: csv_lines(rows, base_url=base), "text/csv; charset=utf-8",
        "repositories.csv", **_filters(request),
    )  # fmt: skip


def catalogue_jsonl(request: Request) -> Response:
    base = _base(request)
    return _stream(
        request, lambda rows: json_lines(rows, base_url=base), "application/jsonl",
        "repositories.jsonl", **_filters(request),
    )  # fmt: skip


def new_repositories_feed(request: Request) -> Response:
    filters = _filters(request)
    with Session(request.app.state.engine) as session:
        if filters["agency_slug"]:
            agencies.get_agency(session, filters["agency_slug"])
        rows = exports.newest(session, **filters)  # type: ignore[arg-type]
    scope = filters["agency_slug"] or filters["country"] or "all agencies"
    return _atom(request, rows, f"New repositories on govcode: {scope}", f"{_base(request)}/")


def search_feed(request: Request) -> Response:
    """New repositories matching a search: its words and filters, newest first.

    The index gives the matches (up to ``feed_search_scan``, most recently active first),
    the database orders them by when govcode first saw them."""
    params = QueryParams([(k, v) for k, v in request.query_params.multi_items()
                          if k not in search_params.FEED_IGNORES])  # fmt: skip
    wanted = search_params.parse(params)
    tag = caching.etag(request)  # a feed reader polls: 304 until the index changes
    if (early := caching.not_modified(request, tag)) is not None:
        return early
    scan = request.app.state.settings.feed_search_scan
    ids = _matching_ids(request.app.state.index, wanted, scan)
    with Session(request.app.state.engine) as session:
        rows = exports.newest(session, ids=ids)
    query = urlencode(params.multi_items())
    words = wanted.text or "every repository"
    chosen = [f"{k}: {v}" for k, v in params.multi_items() if k not in ("q", "sort")]
    title = f"New on govcode: {words}" + (f" ({', '.join(chosen)})" if chosen else "")
    return caching.cached(request, _atom(request, rows, title, f"{_base(request)}/?{query}"), tag)


def _matching_ids(index, wanted: SearchRequest, scan: int) -> list[int]:  # type: ignore[no-untyped-def]
    per_page = 100
    ids: list[int] = []
    for page in range(1, scan // per_page + 1):
        result = index.search(
            replace(wanted, sort="updated", page=page, per_page=per_page, facets=False)
        )
        ids += result.ids
        if page * per_page >= result.total or not result.ids:
            break
    return ids


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    """Text an XML 1.0 document may hold (a query or a stored description may not be)."""
    return _NOT_XML.sub("", text)


def _atom(request: Request, rows: list, title: str, alternate: str) -> Response:  # type: ignore[type-arg]
    base = _base(request)
    self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    feed = FeedGenerator()
    feed.id(_xml(self_url))
    feed.title(_xml(title))
    feed.link(href=_xml(self_url), rel="self")
    feed.link(href=_xml(alternate), rel="alternate")
    if rows:
        feed.updated(rows[0][0].first_seen_at)
    for repo, agency in reversed(rows):  # feedgen puts the last added first
        entry = feed.add_entry()
        entry.id(f"{base}/repositories/{repo.id}")
        entry.title(_xml(f"{agency.name}: {repo.full_name}"))
        entry.link(href=f"{base}/repositories/{repo.id}")
        entry.published(repo.first_seen_at)
        entry.updated(repo.first_seen_at)
        entry.summary(_xml(repo.description or repo.readme_excerpt[:300] or repo.full_name))
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml")
