"""JSON API for a subscription's delivery log (token scope ``subscriptions``, owner only):
the log, redelivering one delivery, rotating a webhook's secret, resuming after a pause.

``GET /api/v1/subscriptions/{id}/deliveries`` (``limit``, ``status``, ``before`` to page
back) answers the subscription's state and its deliveries, newest first, each with every
attempt (time, status code, latency, error). The page ``/account/subscriptions/{id}/log``
shows exactly this.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest, InvalidParameter
from registry.services import delivery_log
from registry.services.repositories import MAX_ID
from registry.settings import Settings
from web.api_auth import actor, read_json, token_user

SCOPE = "subscriptions"


def routes() -> list[Route]:
    base = "/api/v1/subscriptions/{sub_id:id}"
    return [
        Route(f"{base}/deliveries", log, methods=["GET"]),
        Route(f"{base}/deliveries/{{delivery_id:id}}/redeliver", redeliver, methods=["POST"]),
        Route(f"{base}/rotate-secret", rotate_secret, methods=["POST"]),
        Route(f"{base}/resume", resume, methods=["POST"]),
    ]


def _int(request: Request, name: str, default: int | None) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return default
    if not re.fullmatch("[0-9]{1,19}", value) or not 1 <= int(value) <= MAX_ID:
        raise InvalidParameter(name, f"{name!r} must be a whole number from 1 to {MAX_ID}")
    return int(value)


def log(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        page = delivery_log.page(
            session, user, request.path_params["sub_id"],
            limit=_int(request, "limit", 50) or 50, status=request.query_params.get("status"),
            before=_int(request, "before", None),
        )  # fmt: skip
        return JSONResponse(page.to_json())


def redeliver(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        entry = delivery_log.redeliver(
            session, actor(request, user), request.path_params["sub_id"],
            request.path_params["delivery_id"], now=datetime.now(UTC),
        )  # fmt: skip
    deliver_soon(request.app.state.settings)
    return JSONResponse(entry.model_dump(mode="json"), status_code=202)


def rotate_secret(request: Request) -> Response:
    data = read_json(request)
    hours = data.get("overlap_hours", request.app.state.settings.webhook_secret_overlap_hours)
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise BadRequest('"overlap_hours" must be a number')
    secret = data.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise BadRequest('"secret" must be a string')
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        turn = delivery_log.rotate_secret(
            session, actor(request, user), request.path_params["sub_id"],
            now=datetime.now(UTC), overlap_hours=float(hours), secret=secret,
        )  # fmt: skip
        until = turn.previous_valid_until
        return JSONResponse(
            {"id": turn.subscription.id, "secret": turn.secret,
             "previous_secret_valid_until": until.isoformat() if until else None},
        )  # fmt: skip


def resume(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        sub = delivery_log.resume(
            session, actor(request, user), request.path_params["sub_id"], now=datetime.now(UTC)
        )
        state = delivery_log.state(sub)
    deliver_soon(request.app.state.settings)
    return JSONResponse(state)


def deliver_soon(settings: Settings) -> None:
    """Ask the queue for a delivery pass now (inline when ``queue_immediate``); the
    periodic sweep would run one within the minute anyway."""
    from crawlers.tasks import register
    from registry.queue import make_huey

    register(make_huey(settings), settings).deliver()
