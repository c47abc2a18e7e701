"""Account pages: sign up, confirm the address, sign in and out, reset a password."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry import access
from registry.db import session_scope
from registry.errors import BadRequest, Conflict, TooManyRequests, Unauthorized
from registry.notify import account_mail
from registry.services import accounts, memberships
from web import auth, i18n
from web.i18n import _, error_text


def routes() -> list[Route]:
    return [
        Route("/account", account_page, name="account"),
        Route("/account/sign-up", sign_up, methods=["GET", "POST"], name="sign_up"),
        Route("/account/confirm", confirm, name="confirm"),
        Route("/account/confirm/resend", resend, methods=["GET", "POST"], name="resend"),
        Route("/account/sign-in", sign_in, methods=["GET", "POST"], name="sign_in"),
        Route("/account/sign-out", sign_out, methods=["POST"], name="sign_out"),
        Route("/account/reset", reset_request, methods=["GET", "POST"], name="reset_request"),
        Route("/account/reset/{token}", reset, methods=["GET", "POST"], name="reset"),
    ]


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _notice(request: Request, title: str, message: str, status: int = 200) -> Response:
    return _page(request, "account_notice.html", status, title=title, message=message)


def _limits(request: Request) -> accounts.Limits:
    return accounts.limits_from(request.app.state.settings)


def _send(request: Request, message) -> bool:  # type: ignore[no-untyped-def]
    """Hand the message to the mailer; whether it went (mailers report, never raise)."""
    return request.app.state.mailer.send(message).ok


def _send_confirmation(request: Request, user) -> bool:  # type: ignore[no-untyped-def]
    settings = request.app.state.settings
    token = accounts.confirm_link_token(user, _limits(request))
    link = f"{settings.base_url}/account/confirm?token={token}"
    return _send(
        request,
        account_mail.confirm_email(
            to=user.email, name=user.display_name, link=link,
            max_age=settings.confirm_link_max_age, mail_from=settings.mail_from,
            language=i18n.current(),  # the language of the page they signed up on
        ),
    )  # fmt: skip


def account_page(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        return _page(
            request, "account.html", user=accounts.public(visit.user), roles=access.ROLES,
            agencies=memberships.agencies_of(visit.session, visit.user),
        )  # fmt: skip


def sign_up(request: Request) -> Response:
    if request.method == "GET":
        return _page(request, "account_sign_up.html", values={})
    form = auth.read_form(request)
    values = {"email": str(form.get("email", "")), "display_name": str(form.get("name", ""))}
    try:
        with session_scope(request.app.state.engine) as session:
            user = accounts.sign_up(
                session, email=values["email"], password=str(form.get("password", "")),
                display_name=values["display_name"], limits=_limits(request),
            )  # fmt: skip
    except (BadRequest, Conflict) as exc:
        return _page(
            request, "account_sign_up.html", exc.status_code, values=values, error=error_text(exc)
        )
    sent = _send_confirmation(request, user)
    return _notice(
        request,
        _("Check your mail"),
        _("We sent a confirmation link to %(email)s. Open it to finish signing up.")
        % {"email": user.email}
        if sent
        else _(
            "Your account is made, but the confirmation mail could not be sent just now; "
            "ask for it again from the sign-in page."
        ),
        201,
    )


def confirm(request: Request) -> Response:
    token = request.query_params.get("token", "")
    try:
        with session_scope(request.app.state.engine) as session:
            user = accounts.confirm_email(session, token=token, limits=_limits(request))
            email = user.email
    except BadRequest as exc:
        return _notice(request, _("Confirmation failed"), error_text(exc), 400)
    return _notice(
        request,
        _("Address confirmed"),
        _("%(email)s is confirmed. You can sign in now.") % {"email": email},
    )


def resend(request: Request) -> Response:
    if request.method == "GET":
        return _page(request, "account_email_form.html", purpose="resend", values={})
    form = auth.read_form(request)
    with Session(request.app.state.engine) as session:
        try:
            user = accounts.by_email(session, accounts.normalise_email(str(form.get("email", ""))))
        except BadRequest as exc:
            return _page(request, "account_email_form.html", 400, purpose="resend",
                         values={"email": form.get("email", "")},
                         error=error_text(exc))  # fmt: skip
    if user is not None and user.email_confirmed_at is None:
        _send_confirmation(request, user)
    return _notice(
        request,
        _("Check your mail"),
        _("If an unconfirmed account has that address, a new confirmation link is on its way."),
    )


def sign_in(request: Request) -> Response:
    next_url = auth.safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return _page(request, "account_sign_in.html", values={}, next=next_url)
    form = auth.read_form(request)
    email = str(form.get("email", ""))
    next_url = auth.safe_next(form.get("next"), next_url)

    def again(status: int, error: str) -> Response:
        return _page(request, "account_sign_in.html", status, values={"email": email},
                     next=next_url, error=error)  # fmt: skip

    try:
        with session_scope(request.app.state.engine) as session:
            user = accounts.authenticate(
                session, email=email, password=str(form.get("password", "")),
                address=auth.client_address(request), limits=_limits(request),
            )  # fmt: skip
            if user is not None and user.email_confirmed_at is not None:
                auth.sign_in(request, user)
                return RedirectResponse(next_url, status_code=303)
            unconfirmed = user is not None
    except TooManyRequests as exc:
        response = again(exc.status_code, error_text(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if unconfirmed:
        return again(403, "confirm your address first: open the link we mailed you, "
                          "or ask for a new one")  # fmt: skip
    return again(Unauthorized.status_code, "wrong e-mail address or password")


def sign_out(request: Request) -> Response:
    auth.read_form(request)
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is not None:
            accounts.sign_out_everywhere(session, user)
    auth.sign_out(request)
    return RedirectResponse("/", status_code=303)


def reset_request(request: Request) -> Response:
    if request.method == "GET":
        return _page(request, "account_email_form.html", purpose="reset", values={})
    form = auth.read_form(request)
    settings = request.app.state.settings
    with Session(request.app.state.engine) as session:
        try:
            user = accounts.by_email(session, accounts.normalise_email(str(form.get("email", ""))))
        except BadRequest as exc:
            return _page(request, "account_email_form.html", 400, purpose="reset",
                         values={"email": form.get("email", "")},
                         error=error_text(exc))  # fmt: skip
    if user is not None:
        token = accounts.reset_link_token(user, _limits(request))
        _send(
            request,
            account_mail.reset_password(
                to=user.email, name=user.display_name,
                link=f"{settings.base_url}/account/reset/{token}",
                max_age=settings.reset_link_max_age, mail_from=settings.mail_from,
                language=i18n.current(),
            ),
        )  # fmt: skip
    return _notice(
        request,
        _("Check your mail"),
        _("If an account has that address, a reset link is on its way."),
    )


def reset(request: Request) -> Response:
    token = request.path_params["token"]
    limits = _limits(request)
    if request.method == "GET":
        with Session(request.app.state.engine) as session:
            try:
                accounts.user_for_reset(session, token=token, limits=limits)
            except BadRequest as exc:
                return _notice(request, _("Reset failed"), error_text(exc), 400)
        return _page(request, "account_reset.html", token=token)
    form = auth.read_form(request)
    try:
        with session_scope(request.app.state.engine) as session:
            accounts.reset_password(
                session, token=token, password=str(form.get("password", "")), limits=limits
            )
    except BadRequest as exc:
        return _page(request, "account_reset.html", 400, token=token, error=error_text(exc))
    auth.sign_out(request)
    return _notice(
        request, _("Password changed"), _("Your new password is set. Sign in with it now.")
    )
