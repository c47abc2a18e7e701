"""Claiming an imported agency by proving ownership of one of its sources, against the local
GitHub stand-in: only a token in the agency's own organisation counts, and only once."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from crawlers.inventories import AgencyEntry, SourceEntry
from registry.db import session_scope
from registry.models import AuditEvent, Membership, User
from registry.services.inventories import import_agencies
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm
from tests.web.test_accounts_tokens import _make_token

_TOKEN = re.compile(r"<code>(govcode-claim-[0-9a-f]+)</code>")


@pytest.fixture
def world(settings, engine, fake_github):
    fake_github.add_org("ahs-org")
    fake_github.add_repo("ahs-org", "covid-self-assessment", {"README.md": "# COVID\n"})
    fake_github.add_org("bob-org")
    fake_github.add_repo("bob-org", "fork-of-nothing", {"README.md": "# Bob\n"})
    with session_scope(engine) as session:
        entry = AgencyEntry("gh:ahs-org", "ahs-org", "CA", None, None,
                            (SourceEntry("github", "ahs-org", "github.com"),))  # fmt: skip
        at = settings.model_copy(update={"github_api_url": fake_github.api_url})
        import_agencies(session, [entry], settings=at)
    overrides = {"github_api_url": fake_github.api_url,
                 "allow_http_hosts": [fake_github.base_url.removeprefix("http://")]}  # fmt: skip
    with live_app(settings, **overrides) as (live, mail):
        with client(live) as c:
            for who in ("ana", "bob"):
                sign_up_and_confirm(c, live, mail, f"{who}@gov.example.org")
        yield live, fake_github


def _members(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(User.email, Membership.role).join(Membership)).all()
        return sorted((email, role) for email, role in rows)


def test_an_imported_agency_is_claimed_by_the_owner_of_its_organisation(world, engine):
    live, fake = world
    with client(live) as bob, client(live) as ana:
        assert sign_in(bob, "bob@gov.example.org").status_code == 303
        assert sign_in(ana, "ana@gov.example.org").status_code == 303
        assert "Claim it by proving" in ana.get("/agencies/ahs-org").text
        bob_token = _TOKEN.search(bob.get("/agencies/ahs-org/claim").text).group(1)
        ana_page = ana.get("/agencies/ahs-org/claim").text
        ana_token = _TOKEN.search(ana_page).group(1)
        assert bob_token != ana_token  # a token names one claimant
        source_id = re.search(r'name="source_id" value="(\d+)"', ana_page).group(1)

        # Bob places his token where he can: his own organisation. Not enough.
        fake.update_repo("bob-org/fork-of-nothing", topics=[bob_token])
        r = post(bob, "/agencies/ahs-org/claim", {"source_id": source_id},
                 form_page="/agencies/ahs-org/claim")  # fmt: skip
        assert r.status_code == 409 and "Not found yet" in r.text
        # Nor is Ana's token used by Bob: it names Ana.
        fake.update_repo("ahs-org/covid-self-assessment", topics=[ana_token])
        r = post(bob, "/agencies/ahs-org/claim", {"source_id": source_id},
                 form_page="/agencies/ahs-org/claim")  # fmt: skip
        assert r.status_code == 409
        assert _members(engine) == []

        r = post(ana, "/agencies/ahs-org/claim", {"source_id": source_id},
                 form_page="/agencies/ahs-org/claim")  # fmt: skip
        assert r.status_code == 200 and "You administer ahs-org now" in r.text
        assert _members(engine) == [("ana@gov.example.org", "admin")]
        assert ana.get("/agencies/ahs-org/members").status_code == 200
        assert "Claim it by proving" not in ana.get("/agencies/ahs-org").text

        # Claimed: nobody claims it again, even with a token in the right place.
        late = bob.get("/agencies/ahs-org/claim")
        assert late.status_code == 409 and "has its people already" in late.text
        forged = post(bob, "/agencies/ahs-org/claim", {"source_id": "999"},
                      form_page="/account")  # fmt: skip
        assert forged.status_code == 409
        api_token = _make_token(bob, ["register"], "claims")
    with client(live) as api:
        r = api.get("/api/v1/agencies/ahs-org/claim",
                    headers={"Authorization": f"Bearer {api_token}"})  # fmt: skip
        assert r.status_code == 409
    assert _members(engine) == [("ana@gov.example.org", "admin")]
    with Session(engine) as session:
        claims = session.exec(select(AuditEvent).where(AuditEvent.action == "agency.claim")).all()
        assert len(claims) == 1 and claims[0].actor == "ana@gov.example.org"
        assert "topic of ahs-org/covid-self-assessment" in claims[0].after["where"]


def test_claiming_through_the_api(world, engine):
    live, fake = world
    with client(live) as ana:
        assert sign_in(ana, "ana@gov.example.org").status_code == 303
        register = _make_token(ana, ["register"], "ci")
        read = _make_token(ana, ["read"], "reader")
    with client(live) as api:
        auth = {"Authorization": f"Bearer {register}"}
        url = "/api/v1/agencies/ahs-org/claim"
        assert api.get(url, headers={"Authorization": f"Bearer {read}"}).status_code == 403
        [item] = api.get(url, headers=auth).json()
        assert item["locator"] == "ahs-org" and item["token"].startswith("govcode-claim-")
        early = api.post(url, headers=auth, json={"source_id": item["source_id"]})
        assert early.status_code == 409 and early.json()["token"] == item["token"]
        fake.add_repo("ahs-org", ".github", {"govcode.txt": item["token"] + "\n"})
        done = api.post(url, headers=auth, json={"source_id": item["source_id"]})
        assert done.status_code == 200 and done.json()["claimed"] is True
        assert done.json()["where"] == "ahs-org/.github/govcode.txt"
    assert _members(engine) == [("ana@gov.example.org", "admin")]
