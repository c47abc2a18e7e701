"""Who is asking: the signed session cookie, the signed-in user, and CSRF on every form.

Sessions live in a signed cookie (Starlette's SessionMiddleware, itsdangerous underneath):
HttpOnly, SameSite=Lax, Secure when the registry is served over https. Signing in clears
the old session and starts a new one (new id, new CSRF token), so a cookie planted before
sign-in never becomes a signed-in one. The cookie carries the user's ``session_epoch``;
signing out bumps it, so copies of the cookie stop working too.

Every form carries a synchroniser token kept in the session; a POST without the right one
is refused (403) before anything is read or written.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import anyio.from_thread
import python_multipart  # noqa: F401  Starlette parses forms with it; fail at import if absent
from markupsafe import Markup
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse

from registry.db import session_scope
from registry.errors import Forbidden
from registry.models import User
from registry.services import audit
from web.i18n import N_

CSRF_FIELD = "csrf_token"
COOKIE = "govcode_session"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def csrf_field(request: Request) -> Markup:
    """The hidden input every form template includes."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


def read_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matched the session's. For plain ``def``
    handlers: the body is read on the event loop while this thread waits."""
    form = anyio.from_thread.run(_form, request)
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise Forbidden(N_("this form has expired or did not come from this site; reload the page"))
    return form


async def _form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=100)


def current_user(request: Request, session: Session) -> User | None:
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    if not isinstance(uid, int) or not isinstance(epoch, int):
        return None
    user = session.get(User, uid)
    if user is None or user.session_epoch != epoch:
        return None
    return user


def sign_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update(
        uid=user.id, epoch=user.session_epoch, sid=secrets.token_urlsafe(16),
        csrf=secrets.token_urlsafe(32),
    )  # fmt: skip


def sign_out(request: Request) -> None:
    request.session.clear()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(value: object, default: str = "/account") -> str:
    """A local path to go to after sign-in; anything else (``//evil``, ``https:…``) is not."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def to_sign_in(request: Request) -> RedirectResponse:
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return RedirectResponse(f"/account/sign-in?next={target}", status_code=303)


@dataclass(frozen=True)
class Visit:
    """A signed-in person's request: the open session, who they are, the checked form."""

    session: Session
    user: User
    form: FormData | None
    address: str

    @property
    def actor(self) -> audit.Actor:
        return audit.Actor(user=self.user, address=self.address)


@contextmanager
def signed_in(request: Request) -> Iterator[Visit | None]:
    """The prologue every account page shares: a POST's CSRF token is checked (403 before
    anything is read), a session is opened and committed at the end, and the signed-in
    user is loaded; ``None`` when nobody is signed in (answer ``to_sign_in(request)``)."""
    form = read_form(request) if request.method == "POST" else None
    with session_scope(request.app.state.engine) as session:
        user = current_user(request, session)
        yield None if user is None else Visit(session, user, form, client_address(request))
