"""A living reuse graph, crawled for real: Alberta's tool on the local GitHub, Ontario's fork
of it, crawled through the pipeline again after each change.

- a fork deleted ends its edge (kept, shown as past reuse); a fork made again re-opens it;
  a fork listing that fails ends nothing;
- the reuser hears of its source: a new tag (e-mailed over real SMTP, with links to both
  repositories), a release whose notes name a CVE, a licence change, archiving; the first
  crawl of a source with tags tells nobody anything.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

import httpx
import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from localforge.gitlab import FakeGitLab
from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.models import Event, Repository, RepositoryVersion, ReuseEdge
from registry.services import subscriptions
from tests import factories
from tests.conftest import LiveServer
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver

MAIL_TO = "maintainers@ontario.example"
SECRET = "hook-secret"
TOOL = "ahs/covid-check"
FORK = "ontario/covid-check"
ATOM = "{http://www.w3.org/2005/Atom}"


def _package(licence: str) -> str:
    return json.dumps({"name": "covid-check", "version": "1.0.0", "license": licence})


@pytest.fixture
def world(fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    fake_github.add_org("ontario", name="Ontario Digital Service")
    files = {"README.md": "# COVID-19 self-assessment\n", "check.js": "export const a = 1;\n",
             "package.json": _package("MIT")}  # fmt: skip
    fake_github.add_repo("ahs", "covid-check", files, tags=["v1.0"], releases=["v1.0"])
    fake_github.fork(TOOL, "ontario")
    return fake_github


@pytest.fixture
def crawl(settings, engine, world):
    """``crawl("ahs")`` crawls that organisation's source through the pipeline."""
    allowed = settings.model_copy(
        update={"allow_http_hosts": [world.base_url.removeprefix("http://")]}
    )
    ctx = CrawlContext.from_settings(allowed)
    sources = {
        org: factories.source(engine, "github", org, api_url=world.api_url, slug=org, name=name)
        for org, name in (("ahs", "Alberta Health Services"), ("ontario", "Ontario Digital"))
    }

    def run(org: str):
        return crawl_source(engine, ctx, sources[org])

    return run


def _repo(engine, full_name: str) -> Repository:
    with Session(engine) as session:
        return session.exec(select(Repository).where(Repository.full_name == full_name)).one()


def _fork_edge(engine) -> ReuseEdge:
    with Session(engine) as session:
        return session.exec(select(ReuseEdge).where(ReuseEdge.kind == "fork")).one()


def _news(engine) -> list[Event]:
    with Session(engine) as session:
        rows = session.exec(select(Event).where(Event.kind.startswith("source."))).all()  # type: ignore[attr-defined]
        return sorted(rows, key=lambda e: e.id or 0)


def test_a_deleted_fork_ends_its_edge_and_a_new_one_reopens_it(engine, crawl, world):
    crawl("ahs")
    crawl("ontario")
    edge = _fork_edge(engine)
    assert edge.ended_at is None and edge.last_confirmed_at > edge.first_seen_at  # re-found
    first_seen = edge.first_seen_at
    world.remove_repo(FORK)
    summary = crawl("ahs")
    assert summary.counts["changed"] == 1  # the forge now counts no fork
    edge = _fork_edge(engine)
    assert edge.ended_at is not None  # ended, not deleted
    assert edge.first_seen_at == first_seen
    world.fork(TOOL, "ontario")
    crawl("ahs")
    edge = _fork_edge(engine)
    assert edge.ended_at is None and edge.first_seen_at == first_seen
    assert edge.last_confirmed_at > first_seen
    with Session(engine) as session:  # told once, when it was first seen
        assert len(session.exec(select(Event).where(Event.kind == "reuse.detected")).all()) == 1


def test_a_fork_listing_that_fails_ends_nothing(engine, crawl, world):
    crawl("ahs")
    crawl("ontario")
    world.push(TOOL, {"check.js": "export const a = 2;\n"})  # changed: analysed again
    world.fail_next(f"/repos/{TOOL}/forks", status=502, times=10)
    summary = crawl("ahs")
    assert summary.counts["failed"] == 1
    assert _fork_edge(engine).ended_at is None


def test_the_first_crawl_of_a_source_with_tags_tells_nobody(engine, crawl, world):
    crawl("ontario")  # the fork first: its edge waits for the source to be crawled
    crawl("ahs")
    with Session(engine) as session:
        versions = session.exec(select(RepositoryVersion)).all()
    assert {v.tag for v in versions} >= {"v1.0"}
    assert _news(engine) == []


def test_a_new_tag_is_mailed_to_the_reusers_subscribers(settings, engine, crawl, world):
    crawl("ahs")
    crawl("ontario")
    fork = _repo(engine, FORK)
    tool = _repo(engine, TOOL)
    with MailReceiver() as mail, WebhookReceiver(SECRET) as hook:
        with session_scope(engine) as session:
            subscriptions.subscribe(session, repository_id=fork.id, channel="email",
                                    address=MAIL_TO)  # fmt: skip
            subscriptions.subscribe(session, repository_id=fork.id, channel="webhook",
                                    address=hook.url, secret=SECRET)  # fmt: skip
        world.push(TOOL, {"check.js": "export const a = 2;\n"}, tags=["v1.1"])
        crawl("ahs")
        [event] = _news(engine)
        assert event.kind == "source.released" and event.repository_id == fork.id
        assert event.payload["version"]["tag"] == "v1.1"
        s = settings.model_copy(update={"smtp_host": mail.host, "smtp_port": mail.port,
                                        "allow_http_hosts": [hook.url.split("/")[2]]})  # fmt: skip
        assert deliver_pending(engine, s, Senders.from_settings(s)) == {
            "delivered": 2, "failed": 0}  # fmt: skip
        [message] = mail.wait_for(1)
        hook.wait_for(1)
    assert message["To"] == MAIL_TO and message["X-Govcode-Event"] == "source.released"
    assert "v1.1" in message["Subject"] and TOOL in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    base = settings.base_url.rstrip("/")
    assert f"{base}/repositories/{tool.id}" in text  # the source
    assert f"{base}/repositories/{fork.id}" in text  # the reuser
    assert f"Your repository {FORK} reuses {TOOL}" in text
    [received] = hook.received
    assert received.valid and received.headers["x-govcode-event"] == "source.released"
    body = json.loads(received.body)
    assert body["source"]["name"] == TOOL and body["repository"]["name"] == FORK
    assert body["version"]["tag"] == "v1.1" and body["reuse_kinds"] == ["fork"]
    crawl("ahs")  # nothing new: nobody is told twice
    assert len(_news(engine)) == 1


def test_a_release_fixing_a_cve_a_licence_change_and_archiving_reach_the_reuser(
    settings, engine, crawl, world
):
    crawl("ahs")
    crawl("ontario")
    fork = _repo(engine, FORK)
    notes = "Fixes CVE-2026-12345: the score could be forged."
    world.push(TOOL, {"check.js": "export const a = 3;\n"}, tags=["v1.2"])
    world.update_repo(TOOL, releases=["v1.0", "v1.2"], release_notes={"v1.2": notes})
    crawl("ahs")
    [fix] = _news(engine)
    assert fix.kind == "source.security_fix" and fix.repository_id == fork.id
    assert fix.payload["advisories"] == ["CVE-2026-12345"]
    assert fix.payload["version"]["url"].endswith("/releases/tag/v1.2")
    assert "security fix (CVE-2026-12345)" in fix.payload["summary"]

    world.push(TOOL, {"package.json": _package("Apache-2.0")})
    crawl("ahs")
    licence = _news(engine)[-1]
    assert licence.kind == "source.licence_changed"
    assert licence.payload["licence"] == {"from": "MIT", "to": "Apache-2.0"}

    world.update_repo(TOOL, archived=True)
    crawl("ahs")
    archived = _news(engine)[-1]
    assert archived.kind == "source.archived" and archived.repository_id == fork.id
    assert len(_news(engine)) == 3

    # The reuser's Atom feed carries the same news (a pull channel: nothing to deliver).
    tool = _repo(engine, TOOL)
    with LiveServer(settings) as live:
        feed = httpx.get(f"{live.url}/repositories/{fork.id}/feed.atom", timeout=10)
        detail = httpx.get(f"{live.url}/api/v1/repositories/{tool.id}", timeout=10).json()
        page = httpx.get(f"{live.url}/repositories/{tool.id}", timeout=10).text
    # The source's versions, as its reusers were told of them: in the API and on the page.
    newest = detail["versions"][0]
    assert newest["tag"] == "v1.2" and newest["security_fix"] is True
    assert newest["advisories"] == ["CVE-2026-12345"]
    assert {v["tag"] for v in detail["versions"]} == {"v1.0", "v1.2"}
    listed = page.split('<ul class="versions">', 1)[1].split("</ul>", 1)[0]
    assert 'data-tag="v1.2"' in listed and "security fix: CVE-2026-12345" in listed
    root = ElementTree.fromstring(feed.content)
    terms = [c.get("term") for c in root.iter(f"{ATOM}category")]
    assert terms == ["source.archived", "source.licence_changed", "source.security_fix"]
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert any(href.endswith("/releases/tag/v1.2") for href in links)


def test_notes_published_after_the_tag_that_name_a_fix_are_told_as_the_fix(engine, crawl, world):
    crawl("ahs")
    crawl("ontario")
    world.push(TOOL, {"check.js": "export const a = 4;\n"}, tags=["v1.3"])
    crawl("ahs")
    assert [e.kind for e in _news(engine)] == ["source.released"]
    notes = "Security: the results page no longer leaks answers (GHSA-j8r2-6x86-q33q)."
    world.update_repo(TOOL, releases=["v1.0", "v1.3"], release_notes={"v1.3": notes})
    crawl("ahs")
    assert [e.kind for e in _news(engine)] == ["source.released", "source.security_fix"]
    assert _news(engine)[-1].payload["advisories"] == ["GHSA-j8r2-6x86-q33q"]
    world.update_repo(TOOL, release_notes={"v1.3": notes + " Thanks to the reporter."})
    world.push(TOOL, {"check.js": "export const a = 5;\n"})
    crawl("ahs")  # the notes changed again, still about the same fix: not told twice
    assert len(_news(engine)) == 2


def test_a_gitlab_release_naming_a_fix_reaches_the_reusing_fork(settings, engine, tmp_path):
    """GitLab's listing carries no releases: the crawl asks for them once a tag exists."""
    root = tmp_path / "fake-gitlab"
    root.mkdir()
    with FakeGitLab(root) as gitlab:
        gitlab.add_project("gov", "tool", files={"tool.py": "x = 1\n"})
        gitlab.add_project("ontario", "tool", forked_from="gov/tool")
        ctx = CrawlContext.from_settings(
            settings.model_copy(update={"allow_http_hosts": [gitlab.host]})
        )
        gov = factories.source(engine, "gitlab", "gov", api_url=gitlab.url, slug="gov", name="Gov")
        ontario = factories.source(engine, "gitlab", "ontario", api_url=gitlab.url,
                                   slug="ontario", name="Ontario")  # fmt: skip
        crawl_source(engine, ctx, gov)
        crawl_source(engine, ctx, ontario)
        asked = [r for r in gitlab.requests if r.path.endswith("/releases")]
        assert asked == []  # no tag yet: releases are not asked for
        gitlab.push("gov/tool", {"tool.py": "x = 2\n"}, tags=["v2.0"])
        gitlab.add_release("gov/tool", "v2.0", description="Security release: fixes CVE-2026-7777.")
        crawl_source(engine, ctx, gov)
    [news] = _news(engine)
    assert news.kind == "source.security_fix" and news.payload["advisories"] == ["CVE-2026-7777"]
    assert news.payload["repository_name"] == "ontario/tool"
    assert news.payload["version"]["url"].endswith("/gov/tool/-/releases/v2.0")
