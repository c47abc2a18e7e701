"""Your API tokens: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry import access
from registry.errors import BadRequest
from registry.services import tokens
from web import auth
from web.i18n import error_text


def routes() -> list[Route]:
    return [
        Route("/account/tokens", tokens_page, methods=["GET", "POST"], name="tokens"),
        Route("/account/tokens/{token_id:id}/revoke", revoke, methods=["POST"]),
    ]


def _render(request: Request, rows, status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
    return request.app.state.templates.TemplateResponse(
        request, "account_tokens.html",
        {"tokens": [tokens.public(t) for t in rows], "scopes": access.SCOPES, **extra},
        status_code=status,
    )  # fmt: skip


def tokens_page(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        session, user, form = visit.session, visit.user, visit.form
        if form is None:
            return _render(request, tokens.of_user(session, user))
        try:
            days = int(str(form.get("days", "90")))
        except ValueError:
            days = 0
        try:
            with session.begin_nested():
                _, text = tokens.create(
                    session, visit.actor, name=str(form.get("name", "")),
                    scopes=[str(s) for s in form.getlist("scopes")], days=days,
                )  # fmt: skip
        except BadRequest as exc:
            return _render(request, tokens.of_user(session, user), 400, error=error_text(exc))
        return _render(request, tokens.of_user(session, user), 201, new_token=text)


def revoke(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        tokens.revoke(visit.session, visit.actor, token_id=request.path_params["token_id"])
    return RedirectResponse("/account/tokens", status_code=303)
