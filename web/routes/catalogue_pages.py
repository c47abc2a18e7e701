"""The home page and the country and licence pages: each renders its API twin's data."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import caching, catalogue
from web.routes import api_catalogue


def routes() -> list[Route]:
    return [
        Route("/countries", countries_page, name="countries"),
        Route("/countries/{code}", country_page, name="country"),
        Route("/licences/{spdx}", licence_page, name="licence"),
    ]


def _render(request: Request, template: str, context: dict) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context)


def home(request: Request) -> Response:
    """``/`` without a query: the search box, the catalogue's counts, newest, most reused.
    Its ETag is that data's (the language's and the reader's), so 304 skips the rendering."""
    stats = api_catalogue.stats_data(request)
    tag = caching.data_etag(request, stats.model_dump_json())
    if (early := caching.not_modified(request, tag)) is not None:
        return early
    page = _render(request, "home.html", {"stats": stats, "q": "", "sort": ""})
    return caching.cached(request, page, tag)


def countries_page(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = catalogue.countries(session)
    return _render(request, "countries.html", {"countries": rows})


def _pages(request: Request, path: str, found) -> dict:  # type: ignore[no-untyped-def]
    """The pager of a repository list: where the reader is, and the links on."""
    listing = found.repositories
    pages = (listing.total + listing.per_page - 1) // listing.per_page
    keep = [(k, v) for k, v in request.query_params.multi_items() if k in ("sort", "per_page")]

    def url(page: int) -> str:
        return path + "?" + urlencode([*keep, ("page", page)])

    return {
        "page": listing.page,
        "pages": pages,
        "per_page": listing.per_page,
        "total": listing.total,
        "prev_url": url(listing.page - 1) if listing.page > 1 else None,
        "next_url": url(listing.page + 1) if listing.page < pages else None,
    }


def country_page(request: Request) -> Response:
    found = api_catalogue.country_data(request)
    context = {"country": found, **_pages(request, f"/countries/{found.code}", found)}
    return _render(request, "country.html", context)


def licence_page(request: Request) -> Response:
    found = api_catalogue.licence_data(request)
    path = "/licences/" + quote(found.expression, safe="")
    context = {"licence": found, **_pages(request, path, found)}
    return _render(request, "licence.html", context)
