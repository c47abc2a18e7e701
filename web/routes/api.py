"""JSON API v1: repositories with the search page's filters and facets, agencies, OpenAPI."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.models import Agency
from registry.services import agencies, repositories
from web import search_params
from web.openapi import openapi_document
from web.views import repository_detail, repository_public


def routes() -> list[Route]:
    return [
        Route("/api/v1/repositories", list_repositories),
        Route("/api/v1/repositories/{repo_id:id}", get_repository),
        Route("/api/v1/agencies", list_agencies),
        Route("/api/v1/openapi.json", openapi),
    ]


def _json(data, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def list_repositories(request: Request) -> Response:
    req = search_params.parse(request.query_params)
    result = request.app.state.index.search(req)
    base_url = request.app.state.settings.base_url
    with Session(request.app.state.engine) as session:
        found = {r.id: (r, a) for r, a in repositories.by_ids(session, result.ids)}
        items = [
            repository_public(session, *found[i], base_url=base_url).model_dump(mode="json")
            for i in result.ids
            if i in found
        ]
    facets = {
        param: [{"value": v, "count": n} for v, n in result.facets[field]]
        for param, field in search_params.FILTER_PARAMS.items()
    }
    return _json(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "items": items,
            "facets": facets,
        }
    )


def get_repository(request: Request) -> Response:
    base_url = request.app.state.settings.base_url
    with Session(request.app.state.engine) as session:
        repo = repositories.get(session, request.path_params["repo_id"])
        agency = session.get(Agency, repo.agency_id)
        assert agency is not None
        return _json(
            repository_detail(
                session,
                repo,
                agency,
                base_url=base_url,
                readme_max_chars=request.app.state.settings.readme_render_max_chars,
            ).model_dump(mode="json")
        )


def list_agencies(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = agencies.list_agencies(session)
    return _json(
        [{"slug": a.slug, "name": a.name, "country": a.country, "repositories": n} for a, n in rows]
    )


def openapi(request: Request) -> Response:
    return _json(openapi_document(request.app.state.settings.base_url))
