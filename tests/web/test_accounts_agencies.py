"""Agencies sign up, a site administrator reviews them, members register sources."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from registry.models import Agency, AgencyIdentifier, Source
from tests.story_helpers import govcode
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm
from tests.web.test_accounts_tokens import _make_token

SITE = "localhost"  # resolves offline; allow-listed like a test server
AHS = {"name": "Alberta Health Services", "names": "fr: Services de santé de l'Alberta",
       "country": "CA", "level": "regional", "website": f"https://{SITE}/",
       "contact_email": "digital@ahs.example.org", "ore": "AHS-1", "siren": ""}  # fmt: skip


@pytest.fixture
def world(settings, engine, monkeypatch):
    with live_app(settings, allow_http_hosts=[SITE]) as (live, mail):
        s = live.settings
        monkeypatch.setenv("GOVCODE_ADMIN_PASSWORD", "site admin password")
        govcode(monkeypatch, s, "users", "create-admin", "root@gov.example.org")
        with client(live) as c:
            for who in ("ana", "bob"):
                sign_up_and_confirm(c, live, mail, f"{who}@ahs.example.org")
        yield live, mail


def _review(live, slug: str, decision: str, reason: str = ""):
    with client(live) as admin:
        assert sign_in(admin, "root@gov.example.org", "site admin password").status_code == 303
        data = {"decision": decision, "reason": reason}
        return post(admin, f"/admin/agencies/{slug}/review", data, form_page="/account")


def test_sign_up_review_and_register_sources(world, engine):
    live, mail = world
    with client(live) as ana:
        assert sign_in(ana, "ana@ahs.example.org").status_code == 303
        r = post(ana, "/register-agency", AHS)
        assert r.status_code == 201, r.text
        assert "waits for a site administrator" in r.text
        # Not public while it waits.
        assert ana.get("/agencies/alberta-health-services").status_code == 404
        assert "alberta" not in ana.get("/api/v1/agencies").text.lower()
        again = post(ana, "/register-agency", {**AHS, "name": "AHS again"})
        assert again.status_code == 409 and "ORE administration code" in again.text

        assert _review(live, "alberta-health-services", "approve").status_code == 303
        message = mail.wait_for(3)[-1]
        assert message["To"] == "ana@ahs.example.org"
        assert message["Subject"] == "Alberta Health Services is approved on govcode"

        page = ana.get("/agencies/alberta-health-services")
        assert page.status_code == 200 and "ahs-1" in page.text
        form = "/agencies/alberta-health-services/sources"
        r = post(ana, form, {"kind": "github", "locator": "Alberta-Health-Services"})
        assert r.status_code == 201 and "govcode-verify-" in r.text and "unverified" in r.text
        dup = post(ana, form, {"kind": "github", "locator": "alberta-health-services"})
        assert dup.status_code == 409 and "registered this GitHub organisation already" in dup.text
        for url in ("file:///etc/passwd", "ext::sh -c touch% /tmp/pwned",
                    "http://127.0.0.1/x.git", "https://10.0.0.1/x.git", "https://[::1]/x.git",
                    "https://169.254.169.254/latest", "-uhttps://x.example.org/a.git"):  # fmt: skip
            bad = post(ana, form, {"kind": "git", "locator": url})
            assert bad.status_code == 400, url
        bad_api = post(ana, form, {"kind": "gitlab", "locator": "ahs/tools",
                                   "api_url": "https://192.168.1.10"})  # fmt: skip
        assert bad_api.status_code == 400 and "Unsafe" not in bad_api.text  # message, not class
        assert post(ana, form, {"kind": "nope", "locator": "x"}).status_code == 400
        public = ana.get("/agencies/alberta-health-services").text
        assert "(unverified)" in public

    # Bob is no member: he may not register for AHS.
    with client(live) as bob:
        assert sign_in(bob, "bob@ahs.example.org").status_code == 303
        r = post(bob, "/agencies/alberta-health-services/sources",
                 {"kind": "github", "locator": "bobs-org"}, form_page="/account")  # fmt: skip
        assert r.status_code == 403
    with Session(engine) as session:
        sources = session.exec(select(Source)).all()
        assert [(s.kind, s.locator, s.verified_at) for s in sources] == [
            ("github", "alberta-health-services", None)
        ]
        agency = session.exec(select(Agency)).one()
        assert agency.names == {"fr": "Services de santé de l'Alberta"} and agency.country == "ca"
        ids = session.exec(select(AgencyIdentifier)).all()
        assert [(i.scheme, i.value) for i in ids] == [("ore", "ahs-1")]


def test_another_agencys_source_gets_a_clear_answer(world, engine, monkeypatch):
    live, _mail = world
    with client(live) as ana:
        assert sign_in(ana, "ana@ahs.example.org").status_code == 303
        assert post(ana, "/register-agency", AHS).status_code == 201
        assert _review(live, "alberta-health-services", "approve").status_code == 303
        form = "/agencies/alberta-health-services/sources"
        assert post(ana, form, {"kind": "github", "locator": "cds-snc"}).status_code == 201
    with client(live) as bob:
        assert sign_in(bob, "bob@ahs.example.org").status_code == 303
        other = {**AHS, "name": "Canadian Digital Service", "ore": "", "level": "national"}
        assert post(bob, "/register-agency", other).status_code == 201
        assert _review(live, "canadian-digital-service", "approve").status_code == 303
        r = post(bob, "/agencies/canadian-digital-service/sources",
                 {"kind": "github", "locator": "CDS-SNC"}, form_page="/account")  # fmt: skip
        assert r.status_code == 409 and "registered by another agency" in r.text
    with Session(engine) as session:
        assert len(session.exec(select(Source)).all()) == 1


def test_refusal_needs_a_reason_and_mails_it(world, engine):
    live, mail = world
    script = "<script>alert(1)</script>"
    with client(live) as ana:
        assert sign_in(ana, "ana@ahs.example.org").status_code == 303
        assert post(ana, "/register-agency", {**AHS, "name": f"Fake {script}"}).status_code == 201
    with client(live) as admin:
        assert sign_in(admin, "root@gov.example.org", "site admin password").status_code == 303
        page = admin.get("/admin/agencies").text
        assert script not in page and "&lt;script&gt;" in page
    slug = "fake-script-alert-1-script"
    assert _review(live, slug, "refuse").status_code == 400  # no reason
    assert _review(live, slug, "refuse", "Not a public body.").status_code == 303
    message = mail.wait_for(3)[-1]
    assert "was not approved" in message["Subject"]
    assert "Not a public body." in message.get_body(("plain",)).get_content()
    assert script not in message.get_body(("html",)).get_content()
    with client(live) as c:
        assert c.get(f"/agencies/{slug}").status_code == 404
    assert _review(live, slug, "approve").status_code == 409  # decided already


def test_through_the_api_with_tokens(world, engine):
    live, _mail = world
    with client(live) as ana:
        assert sign_in(ana, "ana@ahs.example.org").status_code == 303
        register = _make_token(ana, ["register"], "ci")
        read = _make_token(ana, ["read"], "reader")
    body = {k: v for k, v in AHS.items() if k not in ("names", "ore", "siren")}
    body |= {
        "names": {"fr": "Services de santé de l'Alberta"},
        "identifiers": {"siren": "732829320"},
    }
    with client(live) as api:
        no = api.post("/api/v1/agencies", json=body, headers={"Authorization": f"Bearer {read}"})
        assert no.status_code == 403
        bad = api.post("/api/v1/agencies", json={**body, "identifiers": {"siren": "732829321"}},
                       headers={"Authorization": f"Bearer {register}"})  # fmt: skip
        assert bad.status_code == 400 and "check digit" in bad.json()["detail"]
        r = api.post("/api/v1/agencies", json=body, headers={"Authorization": f"Bearer {register}"})
        assert r.status_code == 201 and r.json() == {"slug": "alberta-health-services",
                                                     "status": "pending"}  # fmt: skip
        early = api.post("/api/v1/agencies/alberta-health-services/sources",
                         json={"kind": "github", "locator": "ahs"},
                         headers={"Authorization": f"Bearer {register}"})  # fmt: skip
        assert early.status_code == 403 and "not approved yet" in early.json()["detail"]
        assert _review(live, "alberta-health-services", "approve").status_code == 303
        ok = api.post("/api/v1/agencies/alberta-health-services/sources",
                      json={"kind": "code-json", "locator": f"https://{SITE}/code.json"},
                      headers={"Authorization": f"Bearer {register}"})  # fmt: skip
        assert ok.status_code == 201 and ok.json()["verified"] is False
        unsafe = api.post("/api/v1/agencies/alberta-health-services/sources",
                          json={"kind": "git-list", "locator": "http://127.0.0.1:6379/"},
                          headers={"Authorization": f"Bearer {register}"})  # fmt: skip
        assert unsafe.status_code == 400
    with Session(engine) as session:
        assert [s.kind for s in session.exec(select(Source))] == ["code-json"]
