"""One bad entry in a listing (a URL list, a code.json, a GitLab project) is recorded as that
entry's failure; the entries after it are still crawled and the run finishes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from localforge.gitlab import FakeGitLab
from registry.models import CrawlRun, Repository
from tests import factories
from tests.fakes.static_http import StaticServer

# Each of these once raised outside the per-repository guard and ended the crawl.
BAD_ENTRIES = [
    "git@github.com:city/permits.git",  # scp-like
    "ext::sh -c touch% /tmp/pwned% .git",  # git's command transport
    "ext::sh%20-c%20id%20.git",
    "https://git.example.gov:99999/city/permits.git",  # port out of range
    "https://[::1/city/permits.git",  # unparsable host
    "https://git.example.gov:port/city/permits.git",  # port that is not a number
]


@pytest.fixture
def world(fake_github):
    fake_github.add_org("city", name="City of Example")
    for name in ("permits", "parking"):
        fake_github.add_repo("city", name, {"README.md": f"# {name}\n", "app.py": "x = 1\n"})
    return fake_github


def _run(engine) -> CrawlRun:
    with Session(engine) as session:
        run = session.exec(select(CrawlRun).order_by(CrawlRun.id.desc())).first()  # type: ignore[union-attr]
        assert run is not None
        return run


def _names(engine) -> list[str]:
    with Session(engine) as session:
        return sorted(r.name for r in session.exec(select(Repository)))


def _context(settings, *hosts: str) -> CrawlContext:
    return CrawlContext.from_settings(settings.model_copy(update={"allow_http_hosts": list(hosts)}))


@pytest.mark.parametrize("bad", BAD_ENTRIES)
def test_a_bad_url_list_entry_is_recorded_and_the_crawl_goes_on(settings, engine, world, bad):
    listing = [world.clone_url("city/permits"), bad, world.clone_url("city/parking")]
    with StaticServer({"/repos.json": json.dumps(listing).encode()}) as lists:
        ctx = _context(settings, world.base_url.removeprefix("http://"), lists.host)
        source = factories.source(engine, "git-list", lists.url("/repos.json"), slug="city")
        summary = crawl_source(engine, ctx, source)
    assert summary.status == "finished", summary.message
    assert summary.counts["new"] == 2 and summary.counts["failed"] == 1
    assert summary.errors[0]["repository"] == bad
    assert _names(engine) == ["parking", "permits"]
    run = _run(engine)
    assert run.status == "finished" and run.failed == 1 and run.errors[0]["repository"] == bad


@pytest.mark.parametrize("bad", BAD_ENTRIES)
def test_a_bad_code_json_release_is_recorded_and_the_crawl_goes_on(settings, engine, world, bad):
    def release(name: str, url: str) -> dict:
        return {"name": name, "repositoryURL": url, "description": name,
                "permissions": {"licenses": [{"name": "MIT"}], "usageType": "openSource"},
                "laborHours": 0, "contact": {"email": "x@example.gov"}, "tags": []}  # fmt: skip

    inventory = {"version": "2.0.0", "agency": "City", "measurementType": {"method": "projects"},
                 "releases": [release("permits", world.clone_url("city/permits")),
                              release("bad", bad),
                              release("parking", world.clone_url("city/parking"))]}  # fmt: skip
    with StaticServer({"/code.json": json.dumps(inventory).encode()}) as web:
        ctx = _context(settings, world.base_url.removeprefix("http://"), web.host)
        source = factories.source(engine, "code-json", web.url("/code.json"), slug="city")
        summary = crawl_source(engine, ctx, source)
    assert summary.status == "finished", summary.message
    assert summary.counts["new"] == 2, summary
    assert _names(engine) == ["parking", "permits"]
    if summary.counts["failed"]:  # an address code.json cannot mean as git is skipped instead
        assert [e["repository"] for e in summary.errors] == [bad]
    assert _run(engine).status == "finished"


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[FakeGitLab]:
    root = tmp_path / "fake-gitlab"
    root.mkdir()
    with FakeGitLab(root) as fake:
        for name in ("alpha", "broken", "omega"):
            fake.add_project("gov", name, files={"README.md": f"# {name}\n"})
        yield fake


@pytest.mark.parametrize(
    "overrides",
    [
        {"web_url": "https://gitlab.example.gov:99999/gov/broken"},
        {"http_url_to_repo": "git@gitlab.example.gov:gov/broken.git"},
        {"web_url": "javascript:alert(1)"},
        {"path": None, "web_url": None},
        {"created_at": "the day before yesterday"},
    ],
)
def test_a_bad_gitlab_project_is_recorded_and_the_crawl_goes_on(
    settings, engine, gitlab, overrides
) -> None:
    project = next(p for p in gitlab._projects if p.path == "broken")
    project.overrides = overrides
    ctx = _context(settings, gitlab.host)
    source = factories.source(engine, "gitlab", "gov", api_url=gitlab.url, slug="gov")
    summary = crawl_source(engine, ctx, source)
    assert summary.status == "finished", summary.message
    assert summary.counts == {"new": 2, "changed": 0, "unchanged": 0, "failed": 1,
                              "requests": summary.counts["requests"]}  # fmt: skip
    assert _names(engine) == ["alpha", "omega"]
    assert _run(engine).status == "finished" and _run(engine).failed == 1


def test_over_long_inventory_and_publiccode_values_are_stored_bounded(
    settings, engine, world
) -> None:
    """A code.json ``homepageURL`` of 600 characters and a publiccode.yml
    ``developmentStatus`` of 40: the repository is stored, and says what was dropped."""
    publiccode = (
        'publiccodeYmlVersion: "0.4"\nname: Permits\n'
        "developmentStatus: stable-and-used-in-production-everywhere\n"
    )
    world.add_repo("city", "forms", {"README.md": "# Forms\n", "publiccode.yml": publiccode})
    homepage = "https://city.example.gov/" + "forms/" * 100
    inventory = {"version": "2.0.0", "agency": "City", "measurementType": {"method": "projects"},
                 "releases": [{"name": "forms", "repositoryURL": world.clone_url("city/forms"),
                               "homepageURL": homepage, "description": "Forms",
                               "permissions": {"licenses": [{"name": "MIT"}],
                                               "usageType": "openSource"},
                               "laborHours": 0, "contact": {"email": "x@example.gov"},
                               "tags": []}]}  # fmt: skip
    with StaticServer({"/code.json": json.dumps(inventory).encode()}) as web:
        ctx = _context(settings, world.base_url.removeprefix("http://"), web.host)
        source = factories.source(engine, "code-json", web.url("/code.json"), slug="city")
        summary = crawl_source(engine, ctx, source)
    assert summary.counts["new"] == 1 and summary.counts["failed"] == 0, summary.errors
    with Session(engine) as session:
        repo = session.exec(select(Repository)).one()
    assert repo.development_status is None and repo.homepage == ""
    problems = " ".join(repo.extra_metadata["problems"])
    assert "development_status is longer than 20" in problems
    assert "homepage is longer than 500" in problems
