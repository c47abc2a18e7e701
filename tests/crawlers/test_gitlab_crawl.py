"""GitLab end to end: the real python-gitlab and the real git against a local GitLab, through
the pipeline and through the CLI, into the database and onto the repository page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from localforge.gitlab import FakeGitLab
from registry.demo_world import licence_text
from registry.models import (
    CrawlRun,
    Event,
    LicenceEvidence,
    Repository,
    RepositoryLanguage,
    ReuseEdge,
)
from tests import factories
from tests.conftest import LiveServer
from tests.story_helpers import govcode

MIT = licence_text("MIT", "Alberta Health Services", 2024)

TOOL = "gov/health/covid/self-assessment"


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[FakeGitLab]:
    """A group with nested subgroups, an archived project, and a fork in another group."""
    root = tmp_path / "fake-gitlab"
    root.mkdir()
    with FakeGitLab(root) as fake:
        fake.add_project(
            "gov/health/covid",
            "self-assessment",
            files={"LICENSE": MIT, "README.md": "# Self assessment\n", "app.py": "x = 1\n" * 50},
            licence_key="mit",
            languages={"Ruby": 100.0},  # GitLab's guess; our own analysis decides
            description="COVID-19 self-assessment",
        )
        fake.add_project(
            "gov/transport", "old-map", files={"map.js": "var m = 1;\n"}, archived=True
        )
        fake.add_project("gov", "tool", files={"tool.go": "package main\n"})
        fake.add_project("ontario", "self-assessment", forked_from=TOOL)
        yield fake


def _settings(settings, fake: FakeGitLab):
    return settings.model_copy(update={"allow_http_hosts": [fake.host]})


def _source(engine, fake: FakeGitLab, group: str = "gov") -> int:
    return factories.source(
        engine, "gitlab", group, api_url=fake.url, slug="ahs", name="Alberta Health Services"
    )


def test_a_group_with_nested_subgroups_is_crawled_end_to_end(settings, engine, gitlab):
    ctx = CrawlContext.from_settings(_settings(settings, gitlab))
    summary = crawl_source(engine, ctx, _source(engine, gitlab))

    assert summary.status == "finished", summary.message
    assert summary.counts["new"] == 3 and summary.counts["failed"] == 0, summary.errors
    assert summary.counts["requests"] == len(gitlab.requests_of("api")) > 0
    assert gitlab.requests_of("git"), "the repositories were cloned over smart HTTP"
    with Session(engine) as session:
        repos = {r.full_name: r for r in session.exec(select(Repository))}
        assert set(repos) == {TOOL, "gov/transport/old-map", "gov/tool"}  # not the fork
        tool = repos[TOOL]
        assert tool.forge == "gitlab" and tool.licence == "MIT"
        assert tool.fork_url == f"{gitlab.url}/{TOOL}/-/forks/new"
        evidence = session.exec(
            select(LicenceEvidence).where(LicenceEvidence.repository_id == tool.id)
        ).all()
        assert {e.source for e in evidence} >= {"forge"}  # the forge's licence, declared
        assert any(e.path == "LICENSE" and e.spdx == "MIT" for e in evidence)  # the file
        languages = session.exec(
            select(RepositoryLanguage).where(RepositoryLanguage.repository_id == tool.id)
        ).all()
        assert [lang.language for lang in languages] == ["Python"]
        assert repos["gov/transport/old-map"].archived and not tool.archived
        edge = session.exec(select(ReuseEdge)).one()
        assert edge.kind == "fork" and edge.target_repository_id == tool.id
        assert edge.reuser_url.endswith("/ontario/self-assessment")
        event = session.exec(select(Event)).one()
        assert event.reuse_edge_id == edge.id and event.repository_id == tool.id
        assert summary.event_ids == [event.id]


def test_the_repository_page_links_to_gitlabs_fork_page(settings, engine, gitlab):
    live_settings = _settings(settings, gitlab)
    crawl_source(engine, CrawlContext.from_settings(live_settings), _source(engine, gitlab))
    with Session(engine) as session:
        tool = session.exec(select(Repository).where(Repository.full_name == TOOL)).one()
    with LiveServer(live_settings) as server:
        page = httpx.get(f"{server.url}/repositories/{tool.id}").text
    assert f'href="{gitlab.url}/{TOOL}/-/forks/new"' in page
    assert "ontario/self-assessment" in page  # the fork, listed as reuse


def test_one_broken_project_is_recorded_and_the_group_crawl_goes_on(settings, engine, gitlab):
    gitlab.fail_next("/gov/transport/old-map.git/", 500, times=10)
    ctx = CrawlContext.from_settings(_settings(settings, gitlab))
    summary = crawl_source(engine, ctx, _source(engine, gitlab))
    assert summary.counts["new"] == 2 and summary.counts["failed"] == 1
    assert summary.errors[0]["repository"] == f"{gitlab.url}/gov/transport/old-map"
    with Session(engine) as session:
        run = session.exec(select(CrawlRun)).one()
        assert run.failed == 1 and run.errors == summary.errors


def test_the_cli_crawls_a_gitlab_group_then_skips_it_unchanged(
    monkeypatch, settings, engine, gitlab
):
    s = _settings(settings, gitlab)
    out = govcode(monkeypatch, s, "crawl", "gitlab", "gov", "--url", gitlab.url)
    assert "crawl run 1: finished" in out
    fetched = len(gitlab.requests_of("git"))
    assert fetched > 0

    govcode(monkeypatch, s, "crawl", "gitlab", "gov", "--url", gitlab.url)
    assert len(gitlab.requests_of("git")) == fetched  # nothing changed: no git fetch at all

    gitlab.push("gov/tool", {"more.go": "package main\n\nfunc f() {}\n"})
    gitlab.update_project("gov/transport/old-map", archived=False)  # unarchived, no push
    govcode(monkeypatch, s, "crawl", "gitlab", "gov", "--url", gitlab.url)
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [(r.new, r.changed, r.unchanged) for r in runs] == [(3, 0, 0), (0, 0, 3), (0, 2, 1)]
        assert all(r.requests > 0 for r in runs)
        old_map = session.exec(select(Repository).where(Repository.name == "old-map")).one()
        assert not old_map.archived

    before = len(gitlab.requests_of("git"))
    govcode(monkeypatch, s, "crawl", "gitlab", "gov", "--url", gitlab.url, "--full")
    assert len(gitlab.requests_of("git")) > before  # a full crawl fetches every repository
    with Session(engine) as session:
        last = session.exec(select(CrawlRun).order_by(CrawlRun.id.desc())).first()  # type: ignore[union-attr]
        assert last is not None and (last.new, last.changed, last.unchanged) == (0, 0, 3)
