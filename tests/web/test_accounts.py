"""Accounts over HTTP against the live app, mail through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from sqlmodel import Session, select

from registry.models import User
from tests.web.accounts_helpers import (
    PASSWORD,
    client,
    csrf,
    link_in,
    live_app,
    post,
    sign_in,
    sign_up_and_confirm,
)


def test_sign_up_confirm_sign_in_and_out(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        r = post(c, "/account/sign-up", {"email": "Ana@Health.Example.org", "name": "Ana",
                                         "password": PASSWORD})  # fmt: skip
        assert r.status_code == 201 and "ana@health.example.org" in r.text
        message = mail.wait_for(1)[0]
        assert mail.envelopes[0][1] == ["ana@health.example.org"]
        assert message["Subject"] == "Confirm your address for govcode"
        link = link_in(message, live.url + "/account/confirm?token=")

        # Not confirmed yet: the right password still does not sign in.
        early = sign_in(c, "ana@health.example.org")
        assert early.status_code == 403 and "confirm your address" in early.text
        assert c.get(link).status_code == 200

        anonymous_cookie = c.cookies.get("govcode_session")
        old_csrf = csrf(c, "/account/sign-in")
        r = sign_in(c, "ANA@health.example.org")
        assert r.status_code == 303 and r.headers["location"] == "/account"
        cookie_header = r.headers["set-cookie"].lower()
        assert "httponly" in cookie_header and "samesite=lax" in cookie_header
        assert "secure" not in cookie_header  # served over http here
        assert c.cookies.get("govcode_session") != anonymous_cookie  # rotated at sign-in
        page = c.get("/account")
        assert page.status_code == 200 and "ana@health.example.org" in page.text
        # The pre-sign-in CSRF token is gone with the old session.
        assert c.post("/account/sign-out", data={"csrf_token": old_csrf}).status_code == 403

        signed_in_cookie = c.cookies.get("govcode_session")
        out = post(c, "/account/sign-out", {}, form_page="/account")
        assert out.status_code == 303
        assert c.get("/account").status_code == 303  # back to sign-in
        # A copy of the signed-in cookie kept from before stops working too.
        with client(live) as thief:
            thief.cookies.set("govcode_session", signed_in_cookie)
            r = thief.get("/account")
            assert r.status_code == 303 and r.headers["location"].startswith("/account/sign-in")
    with Session(engine) as session:
        user = session.exec(select(User)).one()
        assert user.password_hash.startswith("$argon2id$")
        assert user.email_confirmed_at is not None and user.session_epoch == 1


def test_the_same_address_twice_gets_a_clear_answer_and_one_account(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "bo@city.example.org")
        again = post(c, "/account/sign-up", {"email": "BO@city.example.org",
                                             "password": "another password 123"})  # fmt: skip
        assert again.status_code == 409 and "exists already" in again.text
        short = post(c, "/account/sign-up", {"email": "cy@city.example.org", "password": "short"})
        assert short.status_code == 400 and "at least 10 characters" in short.text
        bad = post(c, "/account/sign-up", {"email": "not an address", "password": PASSWORD})
        assert bad.status_code == 400 and "not valid" in bad.text
        assert len(mail.messages) == 1
    with Session(engine) as session:
        assert [u.email for u in session.exec(select(User))] == ["bo@city.example.org"]


def test_reset_a_forgotten_password_once(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "di@region.example.org")
        assert sign_in(c, "di@region.example.org").status_code == 303
        session_before = c.cookies.get("govcode_session")

        with client(live) as other:
            unknown = post(other, "/account/reset", {"email": "nobody@region.example.org"})
            known = post(other, "/account/reset", {"email": "di@region.example.org"})
            assert unknown.status_code == known.status_code == 200
            assert "If an account has that address" in unknown.text
            assert unknown.text.replace("nobody", "di") == known.text.replace("nobody", "di")
            message = mail.wait_for(2)[1]
            assert message["To"] == "di@region.example.org" and len(mail.messages) == 2
            link = link_in(message, live.url + "/account/reset/")
            path = link.removeprefix(live.url)
            short = post(other, path, {"password": "short"})
            assert short.status_code == 400
            done = post(other, path, {"password": "a brand new passphrase"})
            assert done.status_code == 200 and "Password changed" in done.text
            # The link works once.
            assert other.get(path).status_code == 400
            assert sign_in(other, "di@region.example.org").status_code == 401
            assert (
                sign_in(other, "di@region.example.org", "a brand new passphrase").status_code == 303
            )

        # The session signed in before the reset is signed out.
        c.cookies.set("govcode_session", session_before)
        assert c.get("/account").status_code == 303


def test_forged_links_are_refused(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "ed@town.example.org")
        link = link_in(mail.messages[0], live.url + "/account/confirm?token=")
        tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
        assert c.get(tampered).status_code == 400
        assert c.get("/account/reset/not-a-token").status_code == 400
        forged = post(c, "/account/reset/not-a-token", {"password": "whatever password"},
                      form_page="/account/sign-in")  # fmt: skip
        assert forged.status_code == 400
        assert sign_in(c, "ed@town.example.org").status_code == 303  # password untouched


def test_secure_cookie_over_https(settings):
    """Behind https the cookie is Secure too (the sign-up page needs no database)."""
    import anyio
    import httpx

    from web.app import create_app

    s = settings.model_copy(update={"base_url": "https://govcode.example.org"})

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(s))
        async with httpx.AsyncClient(transport=transport, base_url=s.base_url) as c:
            return await c.get("/account/sign-up")

    r = anyio.run(fetch)
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
