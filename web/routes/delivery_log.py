"""A subscription's delivery log page (owner only): every attempt of every delivery,
redeliver one, rotate a webhook's secret (the new one shown once), resume after a pause.
The API's ``/api/v1/subscriptions/{id}/deliveries`` carries the same data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest, Conflict
from registry.notify.channels import CHANNELS
from registry.services import audit, delivery_log
from web import auth, follow_words
from web.i18n import error_text
from web.routes.api_deliveries import deliver_soon


def routes() -> list[Route]:
    base = "/account/subscriptions/{sub_id:id}"
    return [
        Route(f"{base}/log", log_page),
        Route(f"{base}/deliveries/{{delivery_id:id}}/redeliver", redeliver, methods=["POST"]),
        Route(f"{base}/rotate-secret", rotate_secret, methods=["POST"]),
        Route(f"{base}/resume", resume, methods=["POST"]),
    ]


def _log_url(sub_id: int) -> str:
    return f"/account/subscriptions/{sub_id}/log"


def _render(request: Request, session: Any, user: Any, status: int = 200, **extra: Any) -> Response:
    before = request.query_params.get("before", "")
    page = delivery_log.page(
        session, user, request.path_params["sub_id"],
        before=int(before) if before.isdigit() else None,
    )  # fmt: skip
    kind = CHANNELS.get(page.subscription.channel)
    return request.app.state.templates.TemplateResponse(
        request, "account_delivery_log.html",
        {"page": page, "sub": page.subscription, "signed": bool(kind and kind.signed),
         "channel_title": follow_words.channel_title(page.subscription.channel),
         "follows": follow_words.follows_of(page.subscription, page.follows), **extra},
        status_code=status,
    )  # fmt: skip


def log_page(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        return _render(request, session, user)


def _act(request: Request, action) -> Response:  # type: ignore[no-untyped-def]
    """Check the form's CSRF token and the signed-in owner, then do ``action``; a refusal
    is shown on the log page with the reason."""
    auth.read_form(request)
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        actor = audit.Actor(user=user, address=auth.client_address(request))
        try:
            with session.begin_nested():
                extra = action(session, actor) or {}
        except (BadRequest, Conflict) as exc:
            status = 409 if isinstance(exc, Conflict) else 400
            return _render(request, session, user, status, error=error_text(exc))
        if extra:
            return _render(request, session, user, **extra)
    deliver_soon(request.app.state.settings)
    return RedirectResponse(_log_url(request.path_params["sub_id"]), status_code=303)


def redeliver(request: Request) -> Response:
    sub_id, delivery_id = request.path_params["sub_id"], request.path_params["delivery_id"]
    return _act(
        request,
        lambda session, actor: (
            delivery_log.redeliver(session, actor, sub_id, delivery_id, now=datetime.now(UTC))
            and None
        ),
    )


def rotate_secret(request: Request) -> Response:
    sub_id = request.path_params["sub_id"]
    hours = request.app.state.settings.webhook_secret_overlap_hours

    def turn(session: Any, actor: audit.Actor) -> dict[str, Any]:
        done = delivery_log.rotate_secret(
            session, actor, sub_id, now=datetime.now(UTC), overlap_hours=hours
        )
        return {"new_secret": done.secret, "previous_valid_until": done.previous_valid_until}

    return _act(request, turn)


def resume(request: Request) -> Response:
    sub_id = request.path_params["sub_id"]
    return _act(
        request,
        lambda session, actor: (
            delivery_log.resume(session, actor, sub_id, now=datetime.now(UTC)) and None
        ),
    )
