"""The unchanged fast path: a re-crawl trusts the forge's facts and fetches nothing, unless
they changed, the last crawl failed, or the crawl is full."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.models import Repository
from tests import factories


@pytest.fixture
def world(fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    for name in ("alpha", "beta", "gamma"):
        fake_github.add_repo("ahs", name, {"README.md": f"# {name}\n", f"{name}.py": "x = 1\n"})
    return fake_github


@pytest.fixture
def crawl(settings, engine, world):
    """Crawl the organisation; return the summary and the git requests it made."""
    allowed = settings.model_copy(
        update={"allow_http_hosts": [world.base_url.removeprefix("http://")]}
    )
    ctx = CrawlContext.from_settings(allowed)
    source = factories.source(
        engine, "github", "ahs", api_url=world.api_url, slug="ahs", name="AHS"
    )

    def run(*, full: bool = False):
        world.clear_log()
        summary = crawl_source(engine, ctx, source, full=full)
        fetched = {r.path.split("/")[3] for r in world.requests if r.kind == "git"}
        return summary, fetched

    return run


def test_an_unchanged_organisation_is_not_fetched_and_a_push_is_picked_up(crawl, world, engine):
    first, fetched = crawl()
    assert first.counts["new"] == 3 and fetched == {"alpha.git", "beta.git", "gamma.git"}

    again, fetched = crawl()
    assert again.counts["unchanged"] == 3 and fetched == set()  # no git request at all
    assert again.changed_ids == []

    head = world.push("ahs/gamma", {"gamma.py": "x = 2\n"})
    third, fetched = crawl()
    assert fetched == {"gamma.git"}
    assert third.counts["changed"] == 1 and third.counts["unchanged"] == 2
    with Session(engine) as session:
        gamma = session.exec(select(Repository).where(Repository.name == "gamma")).one()
        assert gamma.head_commit == head


def test_changed_forge_facts_without_a_push_are_looked_at_again(crawl, world, engine):
    crawl()
    world.update_repo("ahs/beta", archived=True, description="retired")
    summary, fetched = crawl()
    assert fetched == {"beta.git"} and summary.counts["changed"] == 1
    with Session(engine) as session:
        beta = session.exec(select(Repository).where(Repository.name == "beta")).one()
        assert beta.archived and beta.description == "retired"


def test_a_full_crawl_fetches_everything_and_a_failed_one_is_retried(crawl, world, engine):
    crawl()
    world.fail_next("/git/ahs/beta.git", 500, times=20)
    full, fetched = crawl(full=True)
    assert fetched == {"alpha.git", "beta.git", "gamma.git"}
    assert full.counts["unchanged"] == 2 and full.counts["failed"] == 1
    with Session(engine) as session:
        beta = session.exec(select(Repository).where(Repository.name == "beta")).one()
        assert beta.crawl_error  # the forge's facts are the same, but the record is in error

    while world.take_fault("/git/ahs/beta.git") is not None:
        pass  # the forge is healthy again
    retried, fetched = crawl()
    assert fetched == {"beta.git"} and retried.counts["unchanged"] == 3
    with Session(engine) as session:
        beta = session.exec(select(Repository).where(Repository.name == "beta")).one()
        assert beta.crawl_error is None
