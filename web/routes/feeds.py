"""Atom feeds of reuse events, per repository."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.delivery import notice_for
from registry.notify import reuse_feed
from registry.services import deliveries, repositories


def routes() -> list[Route]:
    return [Route("/repositories/{repo_id:id}/feed.atom", repository_feed)]


def repository_feed(request: Request) -> Response:
    repo_id = request.path_params["repo_id"]
    base = request.app.state.settings.base_url.rstrip("/")
    with Session(request.app.state.engine) as session:
        repo = repositories.get(session, repo_id)
        events = deliveries.events_for_repository(session, repo_id)
        notices = [notice_for(e, base_url=base) for e in events]
    body = reuse_feed(
        feed_id=f"{base}/repositories/{repo_id}/feed.atom",
        title=f"Reuse of {repo.full_name} on govcode",
        self_url=f"{base}/repositories/{repo_id}/feed.atom",
        alternate_url=f"{base}/repositories/{repo_id}",
        notices=notices,
        updated=notices[0].created_at if notices else repo.first_seen_at,
    )
    return Response(body, media_type="application/atom+xml")
