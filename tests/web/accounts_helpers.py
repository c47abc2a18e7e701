"""Helpers for the account tests: a live app that mails a real SMTP server, and forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import httpx

from registry.settings import Settings
from tests.conftest import LiveServer
from tests.fakes.mail import MailReceiver

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def live_app(settings: Settings, **overrides: object) -> Iterator[tuple[LiveServer, MailReceiver]]:
    with MailReceiver() as mail:
        s = settings.model_copy(
            update={"smtp_host": mail.host, "smtp_port": mail.port, **overrides}
        )
        with LiveServer(s) as live:
            yield live, mail


def client(live: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=live.url, timeout=10, follow_redirects=False)


def csrf(c: httpx.Client, path: str) -> str:
    page = c.get(path)
    assert page.status_code == 200, page.text
    match = _CSRF.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def post(c: httpx.Client, path: str, data: dict[str, str], *, form_page: str | None = None):
    token = csrf(c, form_page or path)
    return c.post(path, data={**data, "csrf_token": token})


def link_in(message: EmailMessage, prefix: str) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    match = re.search(re.escape(prefix) + r"\S+", body.get_content())
    assert match, f"no {prefix} link in the mail"
    return match.group(0)


def sign_up_and_confirm(
    c: httpx.Client, live: LiveServer, mail: MailReceiver, email: str, name: str = ""
) -> None:
    before = len(mail.messages)
    r = post(c, "/account/sign-up", {"email": email, "name": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    message = mail.wait_for(before + 1)[-1]
    assert message["To"] == email
    link = link_in(message, live.url + "/account/confirm?token=")
    assert c.get(link).status_code == 200


def sign_in(c: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return post(c, "/account/sign-in", {"email": email, "password": password})
