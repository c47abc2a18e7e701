"""Fork to my organisation through govcode, and "we use this", over HTTP against a live app,
a real SMTP server and the local GitHub's real fork endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from localforge.github import FakeGitHub
from registry import demo_world
from registry.db import session_scope
from registry.models import Agency, Event, Repository, ReuseEdge
from registry.services import audit, memberships, subscriptions, tokens
from registry.settings import Settings
from tests import factories
from tests.conftest import LiveServer
from tests.fakes.mail import MailReceiver
from tests.web.accounts_helpers import client, csrf, live_app, sign_in, sign_up_and_confirm

TOKEN = "ghp_ontario_developer"
DEV = "dev@ontario.example"
MAINTAINER = "maintainer@ahs.example"


@dataclass
class World:
    fake: FakeGitHub
    settings: Settings
    tool: int  # MIT-licensed
    bare: int  # no licence


@pytest.fixture
def world(fake_github: FakeGitHub, settings: Settings, engine) -> World:
    fake = fake_github
    for org in ("alberta", "ontario", "quebec"):
        fake.add_org(org)
    mit = demo_world.licence_text("MIT", "Alberta Health Services")
    code = {"src/app.js": "export const go = () => 1;\n" * 20}
    fake.add_repo("alberta", "tool", {"README.md": "# Tool\n", "LICENSE": mit, **code},
                  licence_spdx="MIT")  # fmt: skip
    fake.add_repo("alberta", "bare", {"README.md": "# Bare\n", **code})
    fake.add_person(TOKEN, "ontario")
    fake.fork_delay = 0.2
    s = settings.model_copy(
        update={
            "github_api_url": fake.api_url,
            "allow_http_hosts": [fake.base_url.removeprefix("http://")],
            "queue_immediate": True,
            "fork_poll_seconds": 0.05,
            "fork_wait_seconds": 20,
        }
    )
    source_id = factories.source(
        engine, "github", "alberta", api_url=fake.api_url, slug="alberta", name="Alberta Health"
    )
    crawl_source(engine, CrawlContext.from_settings(s), source_id)
    factories.source(engine, "github", "ontario", slug="ontario", name="Ontario Digital Service")
    with Session(engine) as session:
        ids = {r.name: r.id for r in session.exec(select(Repository)).all()}
    with session_scope(engine) as session:
        subscriptions.subscribe(session, channel="email", address=MAINTAINER,
                                repository_id=ids["tool"])  # fmt: skip
    return World(fake, s, ids["tool"], ids["bare"])


@contextmanager
def signed_in(
    world: World, engine, *, member: bool = True
) -> Iterator[tuple[httpx.Client, MailReceiver, LiveServer]]:
    with live_app(world.settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, DEV, name="Dana")
        if member:
            with session_scope(engine) as session:
                ontario = session.exec(select(Agency).where(Agency.slug == "ontario")).one()
                memberships.set_role(session, audit.Actor(user=None), agency=ontario, email=DEV,
                                     role="maintainer")  # fmt: skip
        assert sign_in(c, DEV).status_code == 303
        yield c, mail, live


def _post_form(
    c: httpx.Client, path: str, data: dict[str, str], form_page: str | None = None
) -> httpx.Response:
    return c.post(path, data={**data, "csrf_token": csrf(c, form_page or path)})


def _review(c, repo_id, owner="ontario", token=TOKEN) -> httpx.Response:
    return _post_form(c, f"/repositories/{repo_id}/fork",
                      {"step": "review", "owner": owner, "token": token})  # fmt: skip


def _fork(c, repo_id, owner="ontario", token=TOKEN, **extra: str) -> httpx.Response:
    data = {"step": "fork", "owner": owner, "token": token, "confirm": "yes", **extra}
    return _post_form(c, f"/repositories/{repo_id}/fork", data)


def test_fork_through_govcode_records_the_reuse_and_tells_the_maintainers(world, engine):
    with signed_in(world, engine) as (c, mail, live):
        page = c.get(f"/repositories/{world.tool}").text
        assert re.search(rf'id="fork" href="/repositories/{world.tool}/fork"', page)
        assert 'id="fork-on-forge"' in page  # the forge's own page stays one click away

        review = _review(c, world.tool)
        assert review.status_code == 200 and review.headers["cache-control"] == "no-store"
        assert "What the licence asks of you" in review.text
        assert "Keep the copyright notice" in review.text  # MIT's duty, before anything is done
        assert 'id="unclear-licence"' not in review.text
        assert "ontario/tool" not in world.fake.world.mapping()

        unconfirmed = _post_form(c, f"/repositories/{world.tool}/fork",
                                 {"step": "fork", "owner": "ontario", "token": TOKEN})  # fmt: skip
        assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
        assert "ontario/tool" not in world.fake.world.mapping()

        done = _fork(c, world.tool)
        assert done.status_code == 201, done.text
        link = re.search(r'id="new-fork" href="([^"]+)"', done.text).group(1)
        assert link == world.fake.html_url("ontario/tool")
        assert world.fake.world.repo("ontario/tool").parent == "alberta/tool"
        assert TOKEN not in done.text

        with Session(engine) as session:
            edge = session.exec(select(ReuseEdge).where(ReuseEdge.kind == "declared")).one()
            assert edge.target_repository_id == world.tool
            assert edge.evidence.startswith("forked through govcode by Ontario Digital Service")
            assert edge.declared_by_agency_id is not None and edge.declared_by_user_id is not None

        message = mail.wait_for(2)[-1]  # the sign-up confirmation, then the reuse
        assert message["To"] == MAINTAINER
        body = message.get_body(("plain",)).get_content()
        assert "ontario/tool" in body and "forked through govcode" in body

        page = c.get(f"/repositories/{world.tool}").text
        assert "declared by Ontario Digital Service (Dana)" in page
        api = c.get(f"/api/v1/repositories/{world.tool}").json()
        [declared] = [e for e in api["reused_by"] if e["kind"] == "declared"]
        assert declared["declared_by"] == "Ontario Digital Service (Dana)"
        assert declared["name"] == "ontario/tool"

        # The next crawl sees the fork on GitHub: a second edge, but no second notice.
        with Session(engine) as session:
            events = len(session.exec(select(Event)).all())
            source_id = session.get(Repository, world.tool).source_id
        crawl_source(engine, CrawlContext.from_settings(live.settings), source_id)
        with Session(engine) as session:
            kinds = sorted(e.kind for e in session.exec(select(ReuseEdge)).all())
            assert kinds == ["declared", "fork"]
            assert len(session.exec(select(Event)).all()) == events


@pytest.mark.parametrize(
    ("owner", "token", "status", "words"),
    [
        ("ontario", "ghp_not_a_real_one", 400, "did not accept that token"),
        ("quebec", TOKEN, 403, "may not create repositories in quebec"),
        ("../ontario", TOKEN, 400, "is not a GitHub organisation login"),
        ("ontario", "", 400, "give a GitHub token"),
    ],
)
def test_fork_refusals_are_clear_and_fork_nothing(world, engine, owner, token, status, words):
    with signed_in(world, engine, member=False) as (c, _, _):
        answer = _fork(c, world.tool, owner=owner, token=token)
        assert answer.status_code == status
        assert words in re.search(r'id="fork-error">([^<]+)<', answer.text).group(1)
        assert f'value="{owner}"' in answer.text  # what was typed is kept (not the token)
    assert [r for r in world.fake.world.mapping() if r.startswith(("ontario/", "quebec/"))] == []
    with Session(engine) as session:
        assert session.exec(select(ReuseEdge)).all() == []


def test_fork_into_an_existing_repository_is_a_conflict(world, engine):
    world.fake.add_repo("ontario", "tool", {"README.md": "# Ontario's own\n"})
    with signed_in(world, engine, member=False) as (c, _, _):
        answer = _fork(c, world.tool)
        assert answer.status_code == 409 and "ontario/tool already exists" in answer.text


def test_an_unclear_licence_asks_twice(world, engine):
    with signed_in(world, engine, member=False) as (c, _, _):
        review = _review(c, world.bare)
        assert 'id="unclear-licence"' in review.text and 'name="confirm_unclear"' in review.text
        once = _fork(c, world.bare)
        assert once.status_code == 400 and "Tick both boxes" in once.text
        twice = _fork(c, world.bare, confirm_unclear="yes")
        assert twice.status_code == 201
    assert world.fake.world.repo("ontario/bare").parent == "alberta/bare"
    with Session(engine) as session:  # no verified agency: signed by the person
        edge = session.exec(select(ReuseEdge)).one()
        assert edge.evidence.startswith("forked through govcode by Dana on ")
        assert edge.declared_by_agency_id is None


def test_signed_out_people_get_the_forges_own_page_and_forms_need_csrf(world, engine):
    with live_app(world.settings) as (live, _), client(live) as c:
        page = c.get(f"/repositories/{world.tool}").text
        href = re.search(r'id="fork" href="([^"]+)"', page).group(1)
        assert href == world.fake.html_url("alberta/tool") + "/fork"
        assert c.get(f"/repositories/{world.tool}/fork").status_code == 303
        sign_up_and_confirm(c, live, _, DEV)
        assert sign_in(c, DEV).status_code == 303
        data = {"step": "fork", "owner": "ontario", "token": TOKEN, "confirm": "yes"}
        forged = c.post(f"/repositories/{world.tool}/fork", data=data)
        assert forged.status_code == 403
    assert "ontario/tool" not in world.fake.world.mapping()


def test_plain_git_hosts_get_clone_and_push_commands(world, engine):
    rec = factories.record("county", "permits", forge="git", fork_url="",
                           clone_url="https://git.county.example/permits.git")  # fmt: skip
    repo_id = factories.store(engine, rec, agency="county").repository_id
    with signed_in(world, engine, member=False) as (c, _, _):
        form = c.get(f"/repositories/{repo_id}/fork")
        commands = re.search(r'id="push-commands">([^<]+)<', form.text).group(1)
        assert "git clone https://git.county.example/permits.git permits" in commands
        assert "git push -u origin --all" in commands
        data = {"step": "fork", "owner": "ontario", "token": TOKEN, "confirm": "yes"}
        token = csrf(c, f"/repositories/{repo_id}")  # the fork page has no form here
        refused = c.post(f"/repositories/{repo_id}/fork", data={**data, "csrf_token": token})
        assert refused.status_code == 400 and "clone and push" in refused.text
        plan = c.get(f"/api/v1/repositories/{repo_id}/fork").json()
        assert (
            plan["through_govcode"] is False and "git push origin --tags" in plan["push_commands"]
        )


def _api_token(engine, scopes: list[str]) -> str:
    with session_scope(engine) as session:
        from registry.models import User

        user = session.exec(select(User).where(User.email == DEV)).one()
        _, text = tokens.create(session, audit.Actor(user=user), name="fork", scopes=scopes,
                                days=1)  # fmt: skip
        return text


def test_the_api_forks_with_a_fork_scoped_token(world, engine):
    with signed_in(world, engine) as (c, mail, _):
        plan = c.get(f"/api/v1/repositories/{world.tool}/fork").json()
        assert plan["through_govcode"] is True and plan["licence_unclear"] is False
        assert plan["licence_duties"]["expression"] == "MIT"
        url = f"/api/v1/repositories/{world.tool}/fork"
        body = {"owner": "ontario", "forge_token": TOKEN}
        wrong_scope = {"Authorization": f"Bearer {_api_token(engine, ['read'])}"}
        assert c.post(url, json=body, headers=wrong_scope).status_code == 403
        headers = {"Authorization": f"Bearer {_api_token(engine, ['fork'])}"}
        unaccepted = c.post(url, json=body, headers=headers)
        assert unaccepted.status_code == 400 and "accept_licence" in unaccepted.json()["detail"]
        made = c.post(url, json={**body, "accept_licence": True}, headers=headers)
        assert made.status_code == 201, made.text
        assert made.json()["fork"]["url"] == world.fake.html_url("ontario/tool")
        assert made.json()["notified"] is True
        assert mail.wait_for(2)[-1]["To"] == MAINTAINER
        again = c.post(url, json={**body, "accept_licence": True}, headers=headers)
        assert again.status_code == 409


def test_a_verified_agencys_member_declares_we_use_this(world, engine):
    with signed_in(world, engine) as (c, mail, _):
        page = c.get(f"/repositories/{world.tool}").text
        assert 'id="declare-use"' in page
        for _ in range(2):  # twice: one edge, one notice
            answer = _post_form(c, f"/repositories/{world.tool}/declare", {"agency": "ontario"},
                                form_page=f"/repositories/{world.tool}")  # fmt: skip
            assert answer.status_code == 303
        page = c.get(f"/repositories/{world.tool}").text
        assert "Ontario Digital Service" in page and "declared by Ontario Digital Service" in page
        message = mail.wait_for(2)[-1]
        assert message["To"] == MAINTAINER
        assert "Ontario Digital Service" in message.get_body(("plain",)).get_content()
        with Session(engine) as session:
            edge = session.exec(select(ReuseEdge)).one()
            assert edge.kind == "declared" and edge.reuser_link.endswith("/agencies/ontario")
        headers = {"Authorization": f"Bearer {_api_token(engine, ['fork'])}"}
        api = c.post(f"/api/v1/repositories/{world.bare}/declarations", json={}, headers=headers)
        assert api.status_code == 201 and api.json()["created"] is True


def test_only_members_of_a_verified_agency_declare(world, engine):
    with signed_in(world, engine, member=False) as (c, _, _):
        assert 'id="declare-use"' not in c.get(f"/repositories/{world.tool}").text
        answer = _post_form(c, f"/repositories/{world.tool}/declare", {"agency": "ontario"},
                                form_page=f"/repositories/{world.tool}")  # fmt: skip
        assert answer.status_code == 403
    with Session(engine) as session:
        assert session.exec(select(ReuseEdge)).all() == []


def test_a_token_is_kept_encrypted_only_when_asked_and_forgotten_on_request(world, engine):
    from registry.models import ForgeCredential
    from registry.token_box import TokenBox

    key = SecretStr(TokenBox.new_key())
    world.settings = world.settings.model_copy(update={"forge_token_key": key})
    with signed_in(world, engine, member=False) as (c, _, _):
        assert _fork(c, world.bare, confirm_unclear="yes").status_code == 201  # not asked
        with Session(engine) as session:
            assert session.exec(select(ForgeCredential)).all() == []
        world.fake.remove_repo("ontario/bare")

        assert _fork(c, world.tool, remember="yes").status_code == 201
        with Session(engine) as session:
            kept = session.exec(select(ForgeCredential)).one()
            assert TOKEN not in kept.sealed and kept.hint == TOKEN[-4:]
        form = c.get(f"/repositories/{world.bare}/fork").text
        assert f"it ends in {TOKEN[-4:]}" in form and 'id="forget-token"' in form

        again = _fork(c, world.bare, token="", confirm_unclear="yes")  # the kept one is used
        assert again.status_code == 201, again.text
        assert world.fake.world.repo("ontario/bare").parent == "alberta/bare"

        forgot = _post_form(c, f"/repositories/{world.bare}/fork", {"step": "forget"})
        assert forgot.status_code == 200 and 'id="forget-token"' not in forgot.text
        with Session(engine) as session:
            assert session.exec(select(ForgeCredential)).all() == []
        refused = _fork(c, world.tool, token="")
        assert refused.status_code == 400 and "give a GitHub token" in refused.text


def test_tokens_are_never_kept_without_a_key(world, engine):
    with signed_in(world, engine, member=False) as (c, _, _):
        assert 'name="remember"' not in c.get(f"/repositories/{world.tool}/fork").text
        refused = _fork(c, world.tool, remember="yes")
        assert refused.status_code == 400 and "keeps no forge tokens" in refused.text
    assert "ontario/tool" not in world.fake.world.mapping()


def test_the_api_forks_a_gitlab_project_into_a_group(settings, engine, tmp_path):
    from localforge.gitlab import FakeGitLab
    from registry.models import User

    with FakeGitLab(tmp_path / "gl") as gl:
        mit = demo_world.licence_text("MIT", "Alberta Health Services")
        gl.add_project("alberta/health", "tool", files={"LICENSE": mit, "app.py": "x = 1\n"},
                       licence_key="mit")  # fmt: skip
        gl.add_group("ontario/digital")
        gl.add_person("glpat-ontario", "ontario")  # the group and its subgroups
        gl.fork_delay = 0.2
        s = settings.model_copy(update={"allow_http_hosts": [gl.host], "queue_immediate": True,
                                        "fork_poll_seconds": 0.05})  # fmt: skip
        source_id = factories.source(engine, "gitlab", "alberta", api_url=gl.url)
        crawl_source(engine, CrawlContext.from_settings(s), source_id)
        with Session(engine) as session:
            repo_id = session.exec(select(Repository)).one().id
        with live_app(s) as (live, mail), client(live) as c:
            sign_up_and_confirm(c, live, mail, DEV)
            with session_scope(engine) as session:
                user = session.exec(select(User).where(User.email == DEV)).one()
                _, text = tokens.create(session, audit.Actor(user=user), name="f",
                                        scopes=["fork"], days=1)  # fmt: skip
            made = c.post(
                f"/api/v1/repositories/{repo_id}/fork",
                json={"owner": "ontario/digital", "forge_token": "glpat-ontario",
                      "accept_licence": True},
                headers={"Authorization": f"Bearer {text}"},
            )  # fmt: skip
            assert made.status_code == 201, made.text
            assert made.json()["fork"]["url"] == f"{gl.url}/ontario/digital/tool"
            refused = c.post(
                f"/api/v1/repositories/{repo_id}/fork",
                json={"owner": "quebec", "forge_token": "glpat-ontario", "accept_licence": True},
                headers={"Authorization": f"Bearer {text}"},
            )
            assert refused.status_code == 404  # no such namespace on this GitLab
    with Session(engine) as session:
        edge = session.exec(select(ReuseEdge)).one()
        assert edge.kind == "declared" and edge.reuser_url.endswith("/ontario/digital/tool")
