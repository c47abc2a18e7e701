"""Disputed claims are shown to site administrators only (page and API) and decided there."""

from __future__ import annotations

from sqlmodel import Session, select

from registry.db import session_scope
from registry.models import Agency, Repository, RepositoryClaim
from registry.services import agencies, repository_claims
from tests.factories import NOW, record, store
from tests.story_helpers import govcode
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm
from tests.web.test_accounts_tokens import _make_token


def _claim(engine) -> int:
    repo_id = store(engine, record("ahs", "tool"), agency="ahs").repository_id
    with session_scope(engine) as session:
        other = agencies.ensure_agency(session, slug="other", name="Other <b>Body</b>")
        repo = session.get(Repository, repo_id)
        return repository_claims.record(session, repository=repo, agency_id=other.id,
                                        source_id=None, now=NOW).id  # fmt: skip


def test_site_administrators_see_and_decide_disputed_claims(settings, engine, monkeypatch):
    claim_id = _claim(engine)
    with live_app(settings) as (live, mail):
        monkeypatch.setenv("GOVCODE_ADMIN_PASSWORD", "site admin password")
        govcode(monkeypatch, live.settings, "users", "create-admin", "root@gov.example.org")
        with client(live) as someone:
            sign_up_and_confirm(someone, live, mail, "max@ahs.example.org")
            assert sign_in(someone, "max@ahs.example.org").status_code == 303
            assert someone.get("/admin/claims").status_code == 403
            r = post(someone, f"/admin/claims/{claim_id}", {"decision": "uphold"},
                     form_page="/account")  # fmt: skip
            assert r.status_code == 403
            theirs = _make_token(someone, ["manage"], "m")
        with client(live) as admin:
            assert sign_in(admin, "root@gov.example.org", "site admin password").status_code == 303
            page = admin.get("/admin/claims")
            assert page.status_code == 200 and "ahs/tool" in page.text
            assert "Other &lt;b&gt;Body&lt;/b&gt;" in page.text  # escaped
            token = _make_token(admin, ["manage"], "admin")
            with client(live) as api:
                refused = api.get("/api/v1/admin/claims",
                                  headers={"Authorization": f"Bearer {theirs}"})  # fmt: skip
                assert refused.status_code == 403
                [row] = api.get("/api/v1/admin/claims",
                                headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
                assert (row["repository"], row["owner"], row["claimant"], row["status"]) == (
                    "ahs/tool", "ahs", "other", "disputed")  # fmt: skip
                misspelt = api.get("/api/v1/admin/claims", params={"status": "dispute"},
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                assert misspelt.status_code == 400
                assert misspelt.json()["invalid_params"][0]["name"] == "status"
            r = post(admin, f"/admin/claims/{claim_id}", {"decision": "dismiss"},
                     form_page="/admin/claims")  # fmt: skip
            assert r.status_code == 303
            again = post(admin, f"/admin/claims/{claim_id}", {"decision": "uphold"},
                         form_page="/account")  # fmt: skip
            assert again.status_code == 409
            assert "No disputed claim" in admin.get("/admin/claims").text
    with Session(engine) as session:
        assert session.get(RepositoryClaim, claim_id).status == "dismissed"
        repo = session.exec(select(Repository)).one()
        assert session.get(Agency, repo.agency_id).slug == "ahs"  # it never moved
