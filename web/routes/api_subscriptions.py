"""JSON API for one's subscriptions (token scope ``subscriptions``): list, make, change, stop.

``POST /api/v1/subscriptions`` takes ``channel`` (email, webhook, atom), one of
``repository_id``, ``agency`` (slug) or ``search`` (the search page's query string), and
``address`` (an e-mail address, empty for one's own, or the webhook URL) and ``frequency``
(``immediate`` or ``daily``, e-mail only). The answer carries the webhook's ``secret`` or the
private ``feed_url`` this once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest, NotFound
from registry.notify.channels import EMAIL
from registry.services import agencies, following, repositories
from registry.urlpolicy import check_url
from web.api_auth import actor, read_json, token_user

SCOPE = "subscriptions"


def routes() -> list[Route]:
    return [
        Route("/api/v1/subscriptions", collection, methods=["GET", "POST"]),
        Route("/api/v1/subscriptions/{sub_id:id}", item, methods=["GET", "PATCH", "DELETE"]),
    ]


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url).rstrip("/")


def _target(session: Any, data: dict) -> tuple[following.Target, str]:
    named = [k for k in ("repository_id", "agency", "search") if data.get(k) not in (None, "")]
    if len(named) != 1:
        raise BadRequest('name one thing to follow: "repository_id", "agency" or "search"')
    if named == ["repository_id"]:
        if not isinstance(data["repository_id"], int) or isinstance(data["repository_id"], bool):
            raise BadRequest('"repository_id" must be a number')
        repo = repositories.get(session, data["repository_id"])
        return following.Target(repository_id=repo.id), repo.full_name
    value = data[named[0]]
    if not isinstance(value, str):
        raise BadRequest(f'"{named[0]}" must be a string')
    if named == ["agency"]:
        agency = agencies.get_agency(session, value)
        return following.Target(agency_id=agency.id), agency.name
    return following.Target(search_query=value), value


def _text(data: dict, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f'"{key}" must be a string')
    return value


def collection(request: Request) -> Response:
    data = read_json(request) if request.method == "POST" else {}
    settings = request.app.state.settings
    confirm = None
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        if request.method == "GET":
            rows = following.of_user(session, user)
            return JSONResponse([following.public(r, base_url=_base(request)) for r in rows])
        target, _label = _target(session, data)
        made = following.create(
            session, actor(request, user), channel=_text(data, "channel", EMAIL.name),
            target=target, address=_text(data, "address"),
            frequency=_text(data, "frequency", "immediate"),
            url_check=partial(check_url, allow_http_hosts=settings.allow_http_hosts),
        )  # fmt: skip
        body = following.public(
            following.describe(session, made.subscription), base_url=_base(request)
        )
        if made.secret:
            body["secret"] = made.secret
        if made.feed_token:
            body["feed_url"] = f"{_base(request)}/feeds/private/{made.feed_token}.atom"
        if made.confirm_to:
            confirm = made.subscription.id
    if confirm is not None:
        from web.routes.subscriptions_page import send_confirmation

        send_confirmation(request, sub_id=confirm)
    return JSONResponse(body, status_code=201)


def item(request: Request) -> Response:
    data = read_json(request) if request.method == "PATCH" else {}
    sub_id = request.path_params["sub_id"]
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        if request.method == "GET":
            rows = [r for r in following.of_user(session, user) if r.subscription.id == sub_id]
            if not rows:
                raise NotFound(f"you have no subscription {sub_id}")
            return JSONResponse(following.public(rows[0], base_url=_base(request)))
        active = data.get("active") if request.method == "PATCH" else False
        if active is not None and not isinstance(active, bool):
            raise BadRequest('"active" must be true or false')
        frequency = data.get("frequency")
        if frequency is not None and not isinstance(frequency, str):
            raise BadRequest('"frequency" must be "immediate" or "daily"')
        sub = following.update(
            session, actor(request, user), subscription_id=sub_id, active=active,
            frequency=frequency,
        )  # fmt: skip
        if request.method == "DELETE":
            return Response(status_code=204)
        return JSONResponse(
            following.public(following.describe(session, sub), base_url=_base(request))
        )
