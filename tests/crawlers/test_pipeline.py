"""The crawl pipeline against the local GitHub: stages, failures, safety, re-crawls."""

from __future__ import annotations

import shutil

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.db import session_scope
from registry.errors import UnsafeURLError
from registry.models import CrawlRun, Repository
from registry.services import agencies
from tests import factories


@pytest.fixture
def world(fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    for name in ("alpha", "beta", "gamma"):
        fake_github.add_repo("ahs", name, {"README.md": f"# {name}\n", f"{name}.py": "x = 1\n"})
    return fake_github


def _source(engine, fake) -> int:
    return factories.source(engine, "github", "ahs", api_url=fake.api_url, slug="ahs", name="AHS")


def _ctx(settings, fake) -> CrawlContext:
    allowed = settings.model_copy(
        update={"allow_http_hosts": [fake.base_url.removeprefix("http://")]}
    )
    return CrawlContext.from_settings(allowed)


def test_one_broken_repository_never_stops_the_crawl(settings, engine, world):
    shutil.rmtree(world.world.repo("ahs/beta").bare_path)  # its clone will fail
    summary = crawl_source(engine, _ctx(settings, world), _source(engine, world))
    assert summary.counts["new"] == 2 and summary.counts["failed"] == 1
    assert summary.status == "finished"
    with Session(engine) as session:
        names = sorted(r.name for r in session.exec(select(Repository)))
        assert names == ["alpha", "gamma"]
        run = session.exec(select(CrawlRun)).one()
        assert run.failed == 1 and run.errors[0]["repository"].endswith("/ahs/beta")
        assert run.errors[0]["error"]


def test_recrawl_of_an_unchanged_organisation_changes_nothing(settings, engine, world):
    ctx, source = _ctx(settings, world), _source(engine, world)
    first = crawl_source(engine, ctx, source)
    assert first.counts["new"] == 3
    counted = [r for r in world.requests if r.counted]
    # the organisation, one page, and each repository's releases
    assert first.counts["requests"] == len(counted) == 2 + 3
    again = crawl_source(engine, ctx, source)
    assert again.counts["unchanged"] == 3 and again.changed_ids == []
    world.push("ahs/gamma", {"gamma.py": "x = 2\n"})
    third = crawl_source(engine, ctx, source)
    assert third.counts["changed"] == 1 and third.counts["unchanged"] == 2


def test_loopback_is_refused_unless_allow_listed_and_no_request_is_made(settings, engine, world):
    world.clear_log()
    summary = crawl_source(engine, CrawlContext.from_settings(settings), _source(engine, world))
    assert summary.status == "failed" and "127.0.0.1" in summary.message
    assert world.requests == []
    with pytest.raises(UnsafeURLError):
        CrawlContext.from_settings(settings).url_check(world.api_url)


def test_a_listing_failure_is_recorded_on_the_run(settings, engine, world):
    with session_scope(engine) as session:
        agency = agencies.ensure_agency(session, slug="nobody", name="Nobody")
        source = agencies.ensure_source(
            session, agency=agency, kind="github", locator="no-such-org",
            api_url=world.api_url,
        ).id  # fmt: skip
    summary = crawl_source(engine, _ctx(settings, world), source)
    assert summary.status == "failed" and "not found" in summary.message
    with Session(engine) as session:
        assert session.exec(select(CrawlRun)).one().status == "failed"
