"""Attacks on the account pages, each refused clearly with nothing changed."""

from __future__ import annotations

import re

from itsdangerous import TimestampSigner
from sqlmodel import Session, select

from registry.models import SignInThrottle, User
from tests.web.accounts_helpers import (
    PASSWORD,
    client,
    csrf,
    live_app,
    post,
    sign_in,
    sign_up_and_confirm,
)
from web.app import create_app


def _form_routes(settings) -> list[str]:
    """Every page route that accepts a POST (the API authenticates with tokens instead)."""
    app = create_app(settings)
    paths = []
    for route in app.routes:
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", "")
        # One-click unsubscribe is POSTed by mail clients without cookies (RFC 8058): its
        # signed token is its authority; tests/web/test_accounts_subscriptions.py forges it.
        if "POST" in methods and not path.startswith(("/api/", "/unsubscribe/")):
            paths.append(re.sub(r"\{(\w+):(?:int|id)\}", "1", re.sub(r"\{(\w+)\}", "x", path)))
    return paths


def test_every_form_refuses_a_missing_or_forged_csrf_token(settings, engine):
    routes = _form_routes(settings)
    assert {"/account/sign-up", "/account/sign-out", "/account/tokens/1/revoke",
            "/agencies/x/members"} <= set(routes)  # fmt: skip
    with live_app(settings) as (live, _mail), client(live) as c:
        good = csrf(c, "/account/sign-up")
        data = {"email": "eve@evil.example.org", "password": PASSWORD, "name": "Eve"}
        for path in routes:
            absent = c.post(path, data=data)
            forged = c.post(path, data={**data, "csrf_token": good[:-2] + "xx"})
            assert absent.status_code == 403, path
            assert forged.status_code == 403, path
            assert "did not come from this site" in absent.text
        # A token from another visitor's session is no good either.
        with client(live) as stranger:
            r = stranger.post("/account/sign-up", data={**data, "csrf_token": good})
            assert r.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []


def test_brute_force_stops_at_the_throttle(settings, engine):
    with live_app(settings, signin_max_failures=3) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "fay@agency.example.org")
        for _ in range(3):
            assert sign_in(c, "fay@agency.example.org", "guess guess guess").status_code == 401
        # Past the limit even the right password is refused, with a Retry-After.
        r = sign_in(c, "fay@agency.example.org")
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "too many failed sign-ins" in r.text
        assert c.get("/account").status_code == 303
    with Session(engine) as session:
        row = session.get(SignInThrottle, "account:fay@agency.example.org")
        assert row is not None and row.failures == 3
        user = session.exec(select(User)).one()
        assert user.last_sign_in_at is None


def test_one_address_trying_many_accounts_is_throttled(settings, engine):
    with live_app(settings, signin_max_failures_per_address=4) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "gus@agency.example.org")
        for i in range(4):
            assert sign_in(c, f"user{i}@agency.example.org", "guess guess").status_code == 401
        assert sign_in(c, "gus@agency.example.org").status_code == 429


def test_a_forged_or_tampered_cookie_is_nobody(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "hal@agency.example.org", "Hal")
        sign_up_and_confirm(c, live, mail, "ida@agency.example.org", "Ida")
        assert sign_in(c, "hal@agency.example.org").status_code == 303
        with Session(engine) as session:
            ida = session.exec(select(User).where(User.email == "ida@agency.example.org")).one()
        # A cookie claiming to be Ida, signed with a key other than the registry's.
        import base64
        import json

        body = base64.b64encode(json.dumps({"uid": ida.id, "epoch": 0}).encode())
        forged = TimestampSigner("not the registry's key").sign(body).decode()
        with client(live) as attacker:
            attacker.cookies.set("govcode_session", forged)
            r = attacker.get("/account")
            assert r.status_code == 303
            # Tampering with a genuine cookie breaks its signature.
            genuine = c.cookies.get("govcode_session")
            assert genuine
            attacker.cookies.set("govcode_session", "A" + genuine[1:])
            assert attacker.get("/account").status_code == 303
        # Hal's own cookie shows Hal, never anyone else.
        page = c.get("/account")
        assert "hal@agency.example.org" in page.text and "ida@" not in page.text


def test_script_in_free_text_is_escaped(settings, engine):
    script = '<script>alert("x")</script>'
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "jo@agency.example.org", script)
        assert sign_in(c, "jo@agency.example.org").status_code == 303
        page = c.get("/account")
        assert script not in page.text and "&lt;script&gt;" in page.text
        html = mail.messages[0].get_body(("html",)).get_content()
        assert script not in html and "&lt;script&gt;" in html
        # And an e-mail field echoed back after an error.
        r = post(c, "/account/sign-in", {"email": f"{script}@x", "password": "x"})
        assert r.status_code == 401 and script not in r.text


def test_after_sign_in_only_local_paths(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "kim@agency.example.org")
        token = csrf(c, "/account/sign-in")
        targets = [("//evil.example", "/account"), ("https://evil.example/", "/account"),
                   ("/\\evil.example", "/account"), ("/agencies", "/agencies")]  # fmt: skip
        for target, expected in targets:
            data = {"email": "kim@agency.example.org", "password": PASSWORD, "next": target}
            r = c.post("/account/sign-in", data={**data, "csrf_token": token})
            assert r.status_code == 303 and r.headers["location"] == expected
            token = csrf(c, "/account/sign-in")
