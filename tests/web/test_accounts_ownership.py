"""Ownership proof against the local GitHub stand-in: only the owner's token counts, and
only a verified source is crawled under the agency's name."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from crawlers.tasks import run_crawl
from registry.errors import Forbidden
from registry.models import Repository, Source
from tests.story_helpers import govcode
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm

SITE = "localhost"  # resolves offline; allow-listed like a test server
_PROOF = re.compile(r"<code>(govcode-verify-[0-9a-f]+)</code>")


def _agency(live, who: str, name: str) -> str:
    slug = name.lower().replace(" ", "-")
    with client(live) as c:
        assert sign_in(c, f"{who}@gov.example.org").status_code == 303
        data = {"name": name, "country": "CA", "level": "regional", "website": f"https://{SITE}/",
                "contact_email": f"{who}@gov.example.org"}  # fmt: skip
        assert post(c, "/register-agency", data).status_code == 201
    with client(live) as admin:
        assert sign_in(admin, "root@gov.example.org", "site admin password").status_code == 303
        r = post(admin, f"/admin/agencies/{slug}/review", {"decision": "approve"},
                 form_page="/account")  # fmt: skip
        assert r.status_code == 303
    return slug


@pytest.fixture
def world(settings, engine, monkeypatch, fake_github):
    fake_github.add_org("ahs-org")
    fake_github.add_repo("ahs-org", "covid-self-assessment", {"README.md": "# COVID\n"})
    fake_github.add_org("bob-org")
    overrides = {
        "github_api_url": fake_github.api_url, "queue_immediate": True,
        "allow_http_hosts": [fake_github.base_url.removeprefix("http://"), SITE],
    }  # fmt: skip
    with live_app(settings, **overrides) as (live, mail):
        monkeypatch.setenv("GOVCODE_ADMIN_PASSWORD", "site admin password")
        govcode(monkeypatch, live.settings, "users", "create-admin", "root@gov.example.org")
        with client(live) as c:
            for who in ("ana", "bob"):
                sign_up_and_confirm(c, live, mail, f"{who}@gov.example.org")
        yield live, fake_github


def _register(c, slug: str, locator: str) -> str:
    r = post(c, f"/agencies/{slug}/sources", {"kind": "github", "locator": locator})
    assert r.status_code == 201, r.text
    token = _PROOF.search(r.text)
    assert token
    return token.group(1)


def _source_id(engine, locator: str) -> int:
    with Session(engine) as session:
        return session.exec(select(Source).where(Source.locator == locator)).one().id


def test_claiming_another_agencys_org_fails_and_nothing_is_crawled(world, engine):
    live, fake = world
    slug = _agency(live, "bob", "Bobs Office")
    with client(live) as bob:
        assert sign_in(bob, "bob@gov.example.org").status_code == 303
        token = _register(bob, slug, "ahs-org")
        sid = _source_id(engine, "ahs-org")
        # Bob puts the token where he can: his own org (a fork of AHS's repo with the topic,
        # and a .github repository) — none of it is ahs-org.
        fake.fork("ahs-org/covid-self-assessment", "bob-org")
        fake.update_repo("bob-org/covid-self-assessment", topics=[token])
        fake.add_repo("bob-org", ".github", {"govcode.txt": token + "\n"})
        r = post(bob, f"/agencies/{slug}/sources/{sid}/verify", {}, form_page="/account")
        assert r.status_code == 409 and "Not verified yet" in r.text
        # Nor through the API.
        page = bob.get(f"/agencies/{slug}").text
        assert "(unverified)" in page
    with Session(engine) as session:
        assert session.get(Source, sid).verified_at is None
        assert session.exec(select(Repository)).all() == []
    with pytest.raises(Forbidden, match="not verified"):
        run_crawl(live.settings, sid)


def test_the_owner_proves_with_a_file_or_a_topic_and_is_crawled(world, engine):
    live, fake = world
    slug = _agency(live, "ana", "Alberta Health Services")
    with client(live) as ana:
        assert sign_in(ana, "ana@gov.example.org").status_code == 303
        token = _register(ana, slug, "ahs-org")
        sid = _source_id(engine, "ahs-org")
        fake.add_repo("ahs-org", ".github", {"govcode.txt": f"# govcode\n{token}\n"})
        r = post(ana, f"/agencies/{slug}/sources/{sid}/verify", {}, form_page="/account")
        assert r.status_code == 200 and "ahs-org/.github/govcode.txt" in r.text
    with Session(engine) as session:
        assert session.get(Source, sid).verified_at is not None
        names = sorted(r.name for r in session.exec(select(Repository)))
        assert names == [".github", "covid-self-assessment"]  # crawled at once

    # A topic works too (through the API with a token), and a removed token flags the source.
    with client(live) as ana:
        assert sign_in(ana, "ana@gov.example.org").status_code == 303
        r = post(ana, f"/agencies/{slug}/sources", {"kind": "github", "locator": "ahs-org-2"})
        assert r.status_code == 201
    fake.add_org("ahs-org-2")
    with Session(engine) as session:
        second = session.exec(select(Source).where(Source.locator == "ahs-org-2")).one()
    fake.add_repo("ahs-org-2", "tools", topics=[second.proof_token])
    from tests.web.test_accounts_tokens import _make_token

    with client(live) as ana:
        assert sign_in(ana, "ana@gov.example.org").status_code == 303
        api_token = _make_token(ana, ["register"], "proof")
    with client(live) as api:
        url = f"/api/v1/agencies/{slug}/sources/{second.id}/verify"
        assert api.post(url).status_code == 401
        r = api.post(url, headers={"Authorization": f"Bearer {api_token}"})
        assert r.status_code == 200 and r.json()["verified"] is True
        assert "topic of ahs-org-2/tools" in r.json()["where"]
        fake.update_repo("ahs-org-2/tools", topics=[])
        r = api.post(url, headers={"Authorization": f"Bearer {api_token}"})
        assert r.json()["verified"] is False
    with Session(engine) as session:
        assert session.get(Source, second.id).verified_at is None


def test_scheduled_crawls_recheck_the_proof_and_never_overlap(world, engine):
    from datetime import timedelta

    from crawlers.tasks import register
    from registry.db import session_scope
    from registry.models import AuditEvent
    from registry.queue import make_huey

    live, fake = world
    slug = _agency(live, "ana", "Alberta Health Services")
    with client(live) as ana:
        assert sign_in(ana, "ana@gov.example.org").status_code == 303
        token = _register(ana, slug, "ahs-org")
        sid = _source_id(engine, "ahs-org")
        fake.update_repo("ahs-org/covid-self-assessment", topics=[token])
        r = post(ana, f"/agencies/{slug}/sources/{sid}/verify", {}, form_page="/account")
        assert r.status_code == 200
    tasks = register(make_huey(live.settings), live.settings)

    def age() -> None:
        with session_scope(engine) as session:
            source = session.get(Source, sid)
            assert source is not None and source.last_crawled_at is not None
            source.last_crawled_at -= timedelta(hours=live.settings.recrawl_interval_hours + 1)
            session.add(source)

    assert tasks.recrawl.call_local() == {"queued": 0}  # crawled just now: not due
    age()
    with tasks.huey.lock_task(f"crawl-source-{sid}"):  # a crawl of it is running
        assert tasks.crawl_scheduled(sid).get()["status"] == "already crawling"
    assert tasks.recrawl.call_local() == {"queued": 1}
    with Session(engine) as session:
        crawled = session.get(Source, sid).last_crawled_at
    # The owner takes the topic off: the next scheduled crawl flags the source instead.
    fake.update_repo("ahs-org/covid-self-assessment", topics=[])
    age()
    assert tasks.recrawl.call_local() == {"queued": 1}
    with Session(engine) as session:
        source = session.get(Source, sid)
        assert source.verified_at is None and source.last_crawled_at < crawled
        last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (last.action, last.actor) == ("source.unverify", "scheduled crawl")
    assert tasks.recrawl.call_local() == {"queued": 0}  # unverified sources are not due
