"""JSON API v1 of the reuse graph: a repository's edges (past ones on request) and reuse
counts over time, per repository and per agency."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.errors import BadRequest, NotFound
from registry.models import ReuseCountsPublic
from registry.services import agencies, repositories, reuse_counts
from web.views import reuse_edges_public

_BOOLEAN = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def routes() -> list[Route]:
    return [
        Route("/api/v1/repositories/{repo_id:id}/reuse", repository_reuse),
        Route("/api/v1/repositories/{repo_id:id}/reuse/counts", repository_counts),
        Route("/api/v1/agencies/{slug}/reuse/counts", agency_counts),
    ]


def include_ended(request: Request) -> bool:
    """``include_ended=true|false`` (default false); anything else is a clear 400."""
    value = request.query_params.get("include_ended", "false").strip().lower()
    if value not in _BOOLEAN:
        raise BadRequest("include_ended must be true or false")
    return _BOOLEAN[value]


def repository_reuse(request: Request) -> Response:
    """The repository's reuse edges both ways, newest first: live ones, and with
    ``include_ended=true`` the past ones too (each with its ``ended_at``)."""
    repo_id = request.path_params["repo_id"]
    ended = None if include_ended(request) else False
    with Session(request.app.state.engine) as session:
        repositories.get(session, repo_id)  # 404 for an unknown id
        items = reuse_edges_public(session, repo_id, ended=ended)
    return JSONResponse({"items": [e.model_dump(mode="json") for e in items]})


def repository_counts(request: Request) -> Response:
    repo_id = request.path_params["repo_id"]
    with Session(request.app.state.engine) as session:
        repositories.get(session, repo_id)
        counts = reuse_counts.for_repository(session, repo_id, now=datetime.now(UTC))
    return _counts(counts)


def agency_counts(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        agency = agencies.get_agency(session, request.path_params["slug"])
        if agency.status != "approved":  # as its page: not shown until reviewed
            raise NotFound(f"no agency {agency.slug!r}")
        counts = reuse_counts.for_agency(session, agency.id, now=datetime.now(UTC))  # type: ignore[arg-type]
    return _counts(counts)


def _counts(counts: dict) -> Response:
    return JSONResponse(ReuseCountsPublic.model_validate(counts).model_dump(mode="json"))
