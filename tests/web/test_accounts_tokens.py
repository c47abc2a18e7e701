"""Roles, API tokens and the audit log over HTTP; each refusal leaves nothing changed."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlmodel import Session, select

from registry.db import session_scope
from registry.models import ApiToken, AuditEvent, Membership
from registry.services import agencies
from tests.story_helpers import govcode
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm

_TOKEN = re.compile(r'id="new-token" readonly value="([^"]+)"')


def _make_token(c, scopes: list[str], name: str = "ci") -> str:
    from tests.web.accounts_helpers import csrf

    token = csrf(c, "/account/tokens")
    r = c.post("/account/tokens", data={"name": name, "scopes": scopes, "days": "30",
                                        "csrf_token": token})  # fmt: skip
    assert r.status_code == 201, r.text
    match = _TOKEN.search(r.text)
    assert match
    return match.group(1)


def _people(engine, monkeypatch, settings, live, mail, c):
    with session_scope(engine) as session:
        agencies.ensure_agency(session, slug="ahs", name="Alberta Health Services", country="ca")
        agencies.ensure_agency(session, slug="cds", name="Canadian Digital Service", country="ca")
    for who in ("admin", "maint", "other", "new"):
        sign_up_and_confirm(c, live, mail, f"{who}@gov.example.org")
    govcode(monkeypatch, settings, "users", "grant", "admin@gov.example.org", "ahs")
    govcode(monkeypatch, settings, "users", "grant", "maint@gov.example.org", "ahs",
            "--role", "maintainer")  # fmt: skip
    govcode(monkeypatch, settings, "users", "grant", "other@gov.example.org", "cds")


def test_tokens_scopes_and_agency_roles(settings, engine, monkeypatch):
    with live_app(settings) as (live, mail), client(live) as c:
        _people(engine, monkeypatch, settings, live, mail, c)
        assert sign_in(c, "admin@gov.example.org").status_code == 303
        manage = _make_token(c, ["manage", "read"], "admin manage")
        read_only = _make_token(c, ["read"], "admin read")
        # Shown once: the list shows only its first characters.
        listing = c.get("/account/tokens").text
        assert manage not in listing and manage[:12] in listing

        with client(live) as api:
            me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {manage}"}).json()
            assert me["email"] == "admin@gov.example.org"
            assert me["agencies"] == [{"slug": "ahs", "role": "admin"}]
            assert api.get("/api/v1/agencies").status_code == 200  # reads stay open

            url = "/api/v1/agencies/ahs/members/new@gov.example.org"
            body = {"role": "maintainer"}
            assert api.put(url, json=body).status_code == 401  # no token
            bad = api.put(url, json=body, headers={"Authorization": "Bearer gct_forged"})
            assert bad.status_code == 401
            scoped = api.put(url, json=body, headers={"Authorization": f"Bearer {read_only}"})
            assert scoped.status_code == 403 and "lacks the 'manage' scope" in scoped.text
            assert scoped.headers["content-type"].startswith("application/problem+json")
            ok = api.put(url, json=body, headers={"Authorization": f"Bearer {manage}"})
            assert ok.status_code == 200 and ok.json()["role"] == "maintainer"
            # Another agency's people are not this admin's to manage.
            other = api.put("/api/v1/agencies/cds/members/new@gov.example.org", json=body,
                            headers={"Authorization": f"Bearer {manage}"})  # fmt: skip
            assert other.status_code == 403

        # Revoke the manage token: it stops working at once.
        with Session(engine) as session:
            tid = session.exec(select(ApiToken).where(ApiToken.name == "admin manage")).one().id
            assert session.exec(select(ApiToken).where(ApiToken.id == tid)).one().last_used_at
        r = post(c, f"/account/tokens/{tid}/revoke", {}, form_page="/account/tokens")
        assert r.status_code == 303
        with client(live) as api:
            gone = api.delete("/api/v1/agencies/ahs/members/new@gov.example.org",
                              headers={"Authorization": f"Bearer {manage}"})  # fmt: skip
            assert gone.status_code == 401 and "revoked" in gone.text

        # Expired tokens are refused too.
        fresh = _make_token(c, ["manage"], "short lived")
        with session_scope(engine) as session:
            row = session.exec(select(ApiToken).where(ApiToken.name == "short lived")).one()
            row.expires_at = row.created_at - timedelta(seconds=1)
            session.add(row)
        with client(live) as api:
            late = api.delete("/api/v1/agencies/ahs/members/new@gov.example.org",
                              headers={"Authorization": f"Bearer {fresh}"})  # fmt: skip
            assert late.status_code == 401 and "expired" in late.text

    with Session(engine) as session:
        roles = {m.user_id: m.role for m in session.exec(select(Membership))}
        assert sorted(roles.values()) == ["admin", "admin", "maintainer", "maintainer"]
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions.count("membership.set") == 4 and "token.revoke" in actions


def test_a_token_of_another_user_cannot_be_revoked(settings, engine, monkeypatch):
    with live_app(settings) as (live, mail), client(live) as c:
        _people(engine, monkeypatch, settings, live, mail, c)
        assert sign_in(c, "admin@gov.example.org").status_code == 303
        _make_token(c, ["read"], "mine")
        with Session(engine) as session:
            tid = session.exec(select(ApiToken)).one().id
        with client(live) as eve:
            assert sign_in(eve, "other@gov.example.org").status_code == 303
            r = post(eve, f"/account/tokens/{tid}/revoke", {}, form_page="/account/tokens")
            assert r.status_code == 404
    with Session(engine) as session:
        assert session.exec(select(ApiToken)).one().revoked_at is None


def test_members_page_and_audit_log(settings, engine, monkeypatch):
    with live_app(settings) as (live, mail), client(live) as c:
        _people(engine, monkeypatch, settings, live, mail, c)
        with client(live) as maint:
            assert sign_in(maint, "maint@gov.example.org").status_code == 303
            assert maint.get("/agencies/ahs/members").status_code == 403
            assert maint.get("/agencies/ahs/audit").status_code == 403
            assert maint.get("/admin/audit").status_code == 403
        assert c.get("/agencies/ahs/audit").status_code == 303  # signed out: sign in first
        assert sign_in(c, "admin@gov.example.org").status_code == 303
        r = post(c, "/agencies/ahs/members", {"email": "new@gov.example.org", "role": "admin"},
                 form_page="/agencies/ahs/members")  # fmt: skip
        assert r.status_code == 303
        nobody = post(c, "/agencies/ahs/members", {"email": "ghost@gov.example.org",
                      "role": "admin"}, form_page="/agencies/ahs/members")  # fmt: skip
        assert nobody.status_code == 404 and "need to sign up first" in nobody.text
        assert c.get("/agencies/cds/members").status_code == 403
        r = post(c, "/agencies/ahs/members/remove", {"email": "maint@gov.example.org"},
                 form_page="/agencies/ahs/members")  # fmt: skip
        assert r.status_code == 303
        page = c.get("/agencies/ahs/audit")
        assert page.status_code == 200 and "membership.remove" in page.text
        rows = list(csv.DictReader(io.StringIO(c.get("/agencies/ahs/audit.csv").text)))
        assert [r["action"] for r in rows][:2] == ["membership.remove", "membership.set"]
        assert rows[0]["actor"] == "admin@gov.example.org" and rows[0]["address"] == "127.0.0.1"
        assert rows[0]["before"] == '{"role": "maintainer"}' and rows[0]["after"] == "{}"
        assert all(r["agency_id"] == rows[0]["agency_id"] for r in rows)  # only this agency's
