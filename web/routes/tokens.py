"""Your API tokens: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry import access
from registry.db import session_scope
from registry.errors import BadRequest
from registry.services import audit, tokens
from web import auth


def routes() -> list[Route]:
    return [
        Route("/account/tokens", tokens_page, methods=["GET", "POST"], name="tokens"),
        Route("/account/tokens/{token_id:int}/revoke", revoke, methods=["POST"]),
    ]


def _render(request: Request, rows, status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    return request.app.state.templates.TemplateResponse(
        request, "account_tokens.html",
        {"tokens": [tokens.public(t) for t in rows], "scopes": access.SCOPES, **extra},
        status_code=status,
    )  # fmt: skip


def tokens_page(request: Request) -> Response:
    form = auth.read_form(request) if request.method == "POST" else None
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        if form is None:
            return _render(request, tokens.of_user(session, user))
        actor = audit.Actor(user=user, address=auth.client_address(request))
        try:
            days = int(str(form.get("days", "90")))
        except ValueError:
            days = 0
        try:
            with session.begin_nested():
                _, text = tokens.create(
                    session, actor, name=str(form.get("name", "")),
                    scopes=[str(s) for s in form.getlist("scopes")], days=days,
                )  # fmt: skip
        except BadRequest as exc:
            return _render(request, tokens.of_user(session, user), 400, error=str(exc))
        return _render(request, tokens.of_user(session, user), 201, new_token=text)


def revoke(request: Request) -> Response:
    auth.read_form(request)
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        actor = audit.Actor(user=user, address=auth.client_address(request))
        tokens.revoke(session, actor, token_id=request.path_params["token_id"])
    return RedirectResponse("/account/tokens", status_code=303)
