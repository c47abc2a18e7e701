"""JSON API v1: repositories with the search page's filters and facets, agencies, OpenAPI."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic_core import to_json
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.errors import BadRequest
from registry.models import Agency
from registry.models.repository import RepositoryHit, RepositoryPublic
from registry.services import agencies, index_feed, repositories, reuse
from web import caching, publiccode_export, search_params
from web.api_schemas.search import GeneratedPubliccode
from web.catalogue import hit_items, public_items, with_origins
from web.openapi import openapi_document
from web.views import generated_publiccode_url, repository_detail


def routes() -> list[Route]:
    return [
        Route("/api/v1/repositories", list_repositories),
        Route("/api/v1/repositories/{repo_id:id}", get_repository),
        Route("/api/v1/repositories/{repo_id:id}/similar", similar_repositories),
        Route("/api/v1/repositories/{repo_id:id}/publiccode", generated_publiccode),
        Route("/api/v1/suggest", suggest),
        Route("/api/v1/agencies", list_agencies),
        Route("/api/v1/openapi.json", openapi),
    ]


class _JSON(Response):
    """JSON rendered by pydantic's serialiser (in Rust): a search answer with every facet
    value is most of its size; models inside are serialised as their ``mode="json"`` dumps."""

    media_type = "application/json"

    def render(self, content) -> bytes:
        return to_json(content)


def _json(data, status: int = 200) -> Response:
    return _JSON(data, status_code=status)


def _items(request: Request, session: Session, ids: list[int]) -> list[RepositoryPublic]:
    """The public records of these repositories, in order, in a fixed number of queries."""
    return public_items(session, ids, base_url=request.app.state.settings.base_url)


def search_hits(
    request: Request, result, text: str, session: Session | None = None
) -> list[RepositoryHit]:
    """The page of hits of a search, each with its origins, status and highlighted matches
    (the engine's snippets of the words of ``text``, or of the corrected query); read in the
    caller's ``session`` when it has one."""
    base_url = request.app.state.settings.base_url
    if session is None:
        with Session(request.app.state.engine) as own:
            hits = hit_items(own, result.ids, base_url=base_url)
    else:
        hits = hit_items(session, result.ids, base_url=base_url)
    marks = highlights(request.app.state.index, result.corrected or text, hits)
    return [
        RepositoryHit.model_validate({**hit, "highlight": marks.get(hit["id"], {})}) for hit in hits
    ]


def highlights(index, text: str, hits: list[dict]) -> dict[int, dict[str, str]]:
    """Per hit id, its (bounded) description and README excerpt with the query's words
    marked (those of the corrected query when typos were corrected)."""
    texts = {}
    for hit in hits:
        texts[(hit["id"], "description")] = hit["description"]
        texts[(hit["id"], "readme_excerpt")] = hit["readme_excerpt"]
    out: dict[int, dict[str, str]] = {}
    for (repo_id, field), html in index.snippets(text, texts).items():
        out.setdefault(repo_id, {})[field] = html
    return out


def list_repositories(request: Request) -> Response:
    req = search_params.with_facet_window(
        request.query_params, search_params.parse(request.query_params)
    )
    tag = caching.etag(request)
    if (early := caching.not_modified(request, tag)) is not None:
        return early
    result = request.app.state.index.search(req)
    base_url = request.app.state.settings.base_url.rstrip("/")
    items = search_hits(request, result, req.text)
    facets = {
        param: [{"value": v, "count": n} for v, n in result.facets[field]]
        for param, field in search_params.FILTER_PARAMS.items()
    }
    body = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "corrected": result.corrected,
        "did_you_mean": result.did_you_mean,
        "next_cursor": result.next_cursor,
        "items": items,
        "facets": facets,
        "more_facets": [search_params.PARAM_OF[f] for f in result.more_facets],
        "feed_url": base_url + search_params.feed_url(request.query_params),
    }
    return caching.cached(request, _json(body), tag)


def similar_repositories(request: Request) -> Response:
    """More like this (description, README, topics), leaving out the repository's own forks."""
    repo_id = request.path_params["repo_id"]
    with Session(request.app.state.engine) as session:
        repositories.get(session, repo_id)  # 404 for an unknown id
        ids = similar_ids(request, session, repo_id)
        items = _items(request, session, ids)
    return _json({"items": items})


def similar_ids(request: Request, session: Session, repo_id: int, limit: int = 5) -> list[int]:
    rows = index_feed.documents(session, [repo_id])
    if not rows:
        return []
    forks = [
        e.reuser_repository_id
        for e in reuse.reused_by(session, repo_id)
        if e.kind == "fork" and e.reuser_repository_id
    ]
    return request.app.state.index.similar(rows[0], limit=limit, exclude=forks)


def generated_publiccode(request: Request) -> Response:
    """A publiccode.yml written from what govcode inferred, with its validation."""
    repo_id = request.path_params["repo_id"]
    with Session(request.app.state.engine) as session:
        text = publiccode_export.for_repository(session, repo_id, now=datetime.now(UTC))
        repo = repositories.get(session, repo_id)
        url = generated_publiccode_url(request.app.state.settings.base_url, repo)
        assert url is not None  # for_repository found no publiccode.yml of its own
    found = publiccode_export.problems(text)
    body = GeneratedPubliccode(
        repository_id=repo_id, url=url, yaml=text, valid=not found, problems=found
    )
    return _json(body.model_dump(mode="json"))


def suggest(request: Request) -> Response:
    """Completions for the search box: ``/api/v1/suggest?q=cov`` → ["covid", …]."""
    text = request.query_params.get("q", "")
    if len(text) > 200:
        raise BadRequest("q must be at most 200 characters")
    tag = caching.etag(request)
    if (early := caching.not_modified(request, tag)) is not None:
        return early
    return caching.cached(
        request, _json({"q": text, "suggestions": request.app.state.index.suggest(text)}), tag
    )


def get_repository(request: Request) -> Response:
    base_url = request.app.state.settings.base_url
    with Session(request.app.state.engine) as session:
        repo = repositories.get(session, request.path_params["repo_id"])
        agency = session.get(Agency, repo.agency_id)
        assert agency is not None
        detail = repository_detail(
            session,
            repo,
            agency,
            base_url=base_url,
            readme_max_chars=request.app.state.settings.readme_render_max_chars,
        )
        with_origins(session, [(repo, detail)])  # as its search result says them
        return _json(detail)


def list_agencies(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = agencies.list_agencies(session)
    return _json(
        [
            {
                "slug": a.slug,
                "name": a.name,
                "names": dict(a.names or {}),
                "country": a.country,
                "repositories": n,
            }
            for a, n in rows
        ]
    )


def openapi(request: Request) -> Response:
    return _json(openapi_document(request.app.state.settings.base_url))
