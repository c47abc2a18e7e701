"""Follow a repository or an agency by e-mail in one click; one-click unsubscribe
(RFC 8058); confirm an address someone else added; private Atom feeds."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.delivery import notice_for
from registry.errors import BadRequest
from registry.notify import reuse_feed
from registry.services import (
    agencies,
    following,
    repositories,
    subscription_links,
    subscriptions,
)
from web import auth, follow_words, i18n
from web.i18n import _, error_text
from web.routes import subscriptions_page


def routes() -> list[Route]:
    return [
        Route("/repositories/{repo_id:id}/subscribe", subscribe_repository, methods=["POST"]),
        Route("/agencies/{slug}/subscribe", subscribe_agency, methods=["POST"]),
        *subscriptions_page.routes(),
        Route("/subscriptions/confirm/{token}", confirm, methods=["GET", "POST"]),
        Route("/feeds/private/{token}.atom", private_feed),
        # No CSRF token here by design: mail clients POST it without cookies (RFC 8058);
        # the signed token in the path is the whole authority, for one subscription only.
        Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
    ]


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key.get_secret_value()


def _subscribe(request: Request, *, repository_id=None, slug=None) -> Response:  # type: ignore[no-untyped-def]
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        agency_id = None
        if slug is not None:
            agency_id = agencies.get_agency(visit.session, slug).id
        else:
            repositories.get(visit.session, repository_id)  # NotFound for an unknown one
        subscription_links.subscribe_self(
            visit.session, visit.actor, repository_id=repository_id, agency_id=agency_id,
            language=i18n.current(),
        )  # fmt: skip
    return RedirectResponse("/account/subscriptions", status_code=303)


def subscribe_repository(request: Request) -> Response:
    return _subscribe(request, repository_id=request.path_params["repo_id"])


def subscribe_agency(request: Request) -> Response:
    return _subscribe(request, slug=request.path_params["slug"])


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
            request, "account_notice.html",
            {"title": _("Unsubscribe failed"), "message": error_text(exc)},
            status_code=400,
        )  # fmt: skip
    return templates.TemplateResponse(
        request, "account_notice.html",
        {"title": _("Unsubscribed"), "message": _("You will get no more of these messages.")},
    )  # fmt: skip


def confirm(request: Request) -> Response:
    """The link mailed to an address someone else added. A GET only shows the button (mail
    scanners fetch links); its POST (signed token, CSRF token of the page) starts the
    subscription."""
    token = request.path_params["token"]
    templates = request.app.state.templates
    try:
        with session_scope(request.app.state.engine) as session:
            if request.method == "GET":
                sub = following.describe(
                    session,
                    following.read_confirmation(session, secret=_secret(request), token=token),
                )
                return templates.TemplateResponse(
                    request, "subscription_confirm.html",
                    {"token": token, "label": follow_words.follows(sub), "sub": sub.subscription},
                )  # fmt: skip
            auth.read_form(request)  # the button on the GET page carries the CSRF token
            sub = following.confirm(
                session, secret=_secret(request), token=token,
                address=auth.client_address(request),
            )  # fmt: skip
            label = follow_words.follows(following.describe(session, sub))
    except BadRequest as exc:
        return templates.TemplateResponse(
            request, "account_notice.html",
            {"title": _("Confirmation failed"), "message": error_text(exc)}, status_code=400,
        )  # fmt: skip
    return templates.TemplateResponse(
        request, "account_notice.html",
        {"title": _("Subscribed"),
         "message": _("You will hear about reuse of %(label)s.") % {"label": label}},
    )  # fmt: skip


def private_feed(request: Request) -> Response:
    """A private Atom feed: the unguessable token in its URL is its whole authority."""
    token = request.path_params["token"]
    base = request.app.state.settings.base_url.rstrip("/")
    with Session(request.app.state.engine) as session:
        sub = following.feed_subscription(session, token)
        row = following.describe(session, sub)
        events = subscriptions.events_for(session, sub, limit=100)
        notices = [notice_for(e, base_url=base) for e in events]
    self_url = f"{base}/feeds/private/{token}.atom"
    body = reuse_feed(
        feed_id=f"{base}/feeds/subscription-{sub.id}",
        title=f"Reuse of {row.follows} on govcode",
        self_url=self_url,
        alternate_url=f"{base}{row.page}",
        notices=notices,
        updated=notices[0].created_at if notices else sub.created_at,
    )
    return Response(
        body, media_type="application/atom+xml",
        headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"},
    )  # fmt: skip
