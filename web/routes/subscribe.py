"""Follow a repository or an agency by e-mail; one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest
from registry.services import agencies, audit, repositories, subscription_links
from web import auth, i18n
from web.i18n import _


def routes() -> list[Route]:
    return [
        Route("/repositories/{repo_id:int}/subscribe", subscribe_repository, methods=["POST"]),
        Route("/agencies/{slug}/subscribe", subscribe_agency, methods=["POST"]),
        Route("/account/subscriptions", my_subscriptions),
        # No CSRF token here by design: mail clients POST it without cookies (RFC 8058);
        # the signed token in the path is the whole authority, for one subscription only.
        Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
    ]


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key.get_secret_value()


def _subscribe(request: Request, *, repository_id=None, slug=None) -> Response:  # type: ignore[no-untyped-def]
    auth.read_form(request)
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        agency_id = None
        if slug is not None:
            agency_id = agencies.get_agency(session, slug).id
        else:
            repositories.get(session, repository_id)  # NotFound for an unknown one
        subscription_links.subscribe_self(
            session, audit.Actor(user=user, address=auth.client_address(request)),
            repository_id=repository_id, agency_id=agency_id, language=i18n.current(),
        )  # fmt: skip
    return RedirectResponse("/account/subscriptions", status_code=303)


def subscribe_repository(request: Request) -> Response:
    return _subscribe(request, repository_id=request.path_params["repo_id"])


def subscribe_agency(request: Request) -> Response:
    return _subscribe(request, slug=request.path_params["slug"])


def my_subscriptions(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        rows = [
            (sub, label, page, subscription_links.token_for(_secret(request), sub.id or 0))
            for sub, label, page in subscription_links.of_user(session, user)
        ]
    return request.app.state.templates.TemplateResponse(
        request, "account_subscriptions.html", {"rows": rows}
    )


def unsubscribe(request: Request) -> Response:
    token = request.path_params["token"]
    templates = request.app.state.templates
    try:
        if request.method == "GET":  # link scanners prefetch GETs: only show the button
            with Session(request.app.state.engine) as session:
                sub = subscription_links.read(session, secret=_secret(request), token=token)
                return templates.TemplateResponse(
                    request, "unsubscribe.html", {"token": token, "active": sub.active}
                )
        with session_scope(request.app.state.engine) as session:
            subscription_links.unsubscribe(
                session, secret=_secret(request), token=token,
                address=auth.client_address(request),
            )  # fmt: skip
    except BadRequest as exc:
        return templates.TemplateResponse(
            request, "account_notice.html", {"title": _("Unsubscribe failed"), "message": str(exc)},
            status_code=400,
        )  # fmt: skip
    return templates.TemplateResponse(
        request, "account_notice.html",
        {"title": _("Unsubscribed"), "message": _("You will get no more of these messages.")},
    )  # fmt: skip
