"""JSON API v1 for the catalogue pages: stats (home), one agency, countries, one licence."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.errors import BadRequest, NotFound
from registry.models.catalogue import CountryDetail, LicencePageDetail
from registry.search import SearchRequest
from registry.services import agencies, crawl_runs
from web import catalogue

LICENCE_MAX = 200  # characters of an SPDX expression in a path


def routes() -> list[Route]:
    return [
        Route("/api/v1/stats", stats),
        Route("/api/v1/agencies/{slug}", agency),
        Route("/api/v1/countries", countries),
        Route("/api/v1/countries/{code}", country),
        Route("/api/v1/licences/{spdx}", licence),
    ]


def _json(model) -> JSONResponse:  # type: ignore[no-untyped-def]
    return JSONResponse(model.model_dump(mode="json") if hasattr(model, "model_dump") else model)


def _base(request: Request) -> str:
    return request.app.state.settings.base_url


def list_request(params: QueryParams, filters: dict[str, list[str]]) -> SearchRequest:
    """A page of a filtered list: ``page`` (1–1000), ``per_page`` (1–100), ``sort``."""
    try:
        page = int(params.get("page", "1"))
        per_page = int(params.get("per_page", "20"))
    except ValueError as exc:
        raise BadRequest("page and per_page must be whole numbers") from exc
    if not (1 <= page <= 1000 and 1 <= per_page <= 100):
        raise BadRequest("page must be 1–1000 and per_page 1–100")
    sort = params.get("sort", "stars")
    if sort not in ("relevance", "stars", "updated"):
        raise BadRequest("sort must be relevance, stars or updated")
    return SearchRequest(filters=filters, page=page, per_page=per_page, sort=sort, facets=False)


def stats_data(request: Request):  # type: ignore[no-untyped-def]
    with Session(request.app.state.engine) as session:
        return catalogue.stats(session, base_url=_base(request))


def country_data(request: Request) -> CountryDetail:
    code = catalogue.country_code(request.path_params["code"])
    req = list_request(request.query_params, {"country": [code]})
    result = request.app.state.index.search(req)
    with Session(request.app.state.engine) as session:
        found = catalogue.country_detail(session, code, result, base_url=_base(request))
    if not found.agencies and not result.total:
        raise NotFound(f"no agency or repository of {found.name} is listed")
    return found


def licence_data(request: Request) -> LicencePageDetail:
    expression = request.path_params["spdx"].strip()
    if not expression or len(expression) > LICENCE_MAX:
        raise NotFound(f"a licence expression has 1 to {LICENCE_MAX} characters")
    req = list_request(request.query_params, {"licence": [expression]})
    result = request.app.state.index.search(req)
    with Session(request.app.state.engine) as session:
        found = catalogue.licence_detail(session, expression, result, base_url=_base(request))
    if not found.licences and not result.total and expression.lower() != "none":
        raise NotFound(f"{expression!r} is no SPDX licence and no repository declares it")
    return found


def end_stale_runs(request: Request) -> None:
    """A killed crawl is shown as interrupted, not "running" forever."""
    stale_after = request.app.state.settings.crawl_stale_after
    with Session(request.app.state.engine) as session:
        found = agencies.get_agency(session, request.path_params["slug"])
        for s in agencies.sources_of(session, found):
            crawl_runs.interrupt_stale(
                session, now=datetime.now(UTC), stale_after=stale_after, source_id=s.id
            )
        session.commit()


def agency_data(request: Request):  # type: ignore[no-untyped-def]
    end_stale_runs(request)
    with Session(request.app.state.engine) as session:
        found = agencies.get_agency(session, request.path_params["slug"])
        return catalogue.agency_detail(session, found, base_url=_base(request))


def stats(request: Request) -> Response:
    return _json(stats_data(request))


def agency(request: Request) -> Response:
    return _json(agency_data(request))


def countries(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = catalogue.countries(session)
    return JSONResponse([c.model_dump(mode="json") for c in rows])


def country(request: Request) -> Response:
    return _json(country_data(request))


def licence(request: Request) -> Response:
    return _json(licence_data(request))
