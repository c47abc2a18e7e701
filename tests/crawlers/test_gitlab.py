"""GitLabForge with the real python-gitlab against a real local GitLab API server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest

from crawlers.base import Forge, RepoRef
from crawlers.forges.gitlab import GitLabForge, spdx_id
from localforge.gitlab import FakeGitLab
from registry.errors import CrawlError, RateLimited, UnsafeURLError


def allow_only(host: str) -> Callable[[str], str]:
    """A URL policy as the lead's: https anywhere, http only to the allow-listed host."""

    def check(url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme == "https" or (parts.scheme == "http" and parts.netloc == host):
            return url
        raise UnsafeURLError(f"refused {url}")

    return check


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with FakeGitLab() as server:
        yield server


@pytest.fixture
def forge(fake: FakeGitLab) -> GitLabForge:
    return GitLabForge(fake.url, per_page=50, timeout=5, url_check=allow_only(fake.host))


def test_satisfies_the_forge_protocol(forge: GitLabForge) -> None:
    as_forge: Forge = forge
    assert as_forge.kind == "gitlab"


def test_group_with_nested_subgroups_lists_every_project_once(
    fake: FakeGitLab, forge: GitLabForge
) -> None:
    homes = ["gov", "gov/health", "gov/health/covid", "gov/transport"]
    expected = set()
    for i in range(130):
        home = homes[i % len(homes)]
        fake.add_project(home, f"tool-{i}", topics=[f"t{i % 3}"], stars=i)
        expected.add(f"{home}/tool-{i}")
    fake.add_project("elsewhere", "not-ours")
    fake.add_project("gov", "secret", visibility="private")
    fake.add_project("elsewhere", "shared-in")
    fake.share_project("elsewhere/shared-in", "gov")

    listed = list(forge.list_repositories("gov"))

    names = [f"{ref.owner}/{ref.name}" for ref, _ in listed]
    assert len(names) == 130
    assert set(names) == expected
    pages = fake.requests_to(f"/api/v4/groups/{fake.add_group('gov')['id']}/projects")
    assert len(pages) == 3  # 50 + 50 + 30, following Link: rel="next"
    assert all(r.query["include_subgroups"] == "True" for r in pages)
    ref, facts = next((r, f) for r, f in listed if r.name == "tool-6")
    assert ref.forge == "gitlab"
    assert ref.owner == "gov/health/covid"
    assert ref.html_url == f"{fake.url}/gov/health/covid/tool-6"
    assert ref.clone_url == f"{fake.url}/gov/health/covid/tool-6.git"
    assert ref.forge_id is not None and ref.forge_id.isdigit()
    assert (facts.topics, facts.stars, facts.default_branch) == (["t0"], 6, "main")
    assert facts.created_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert not facts.archived and not facts.is_fork
    subtree = {f"{r.owner}/{r.name}" for r, _ in forge.list_repositories("gov/health")}
    assert subtree == {n for n in expected if n.startswith("gov/health/")}


def test_user_namespace_is_listed_when_no_group_has_that_name(
    fake: FakeGitLab, forge: GitLabForge
) -> None:
    fake.add_user("jdoe")
    fake.add_project("jdoe", "dotfiles", description="mine")
    fake.add_project("gov", "other")

    listed = list(forge.list_repositories("jdoe"))

    assert [(ref.full_name, facts.description) for ref, facts in listed] == [
        ("jdoe/dotfiles", "mine")
    ]


def test_fork_knows_its_parent_and_parent_lists_its_forks(
    fake: FakeGitLab, forge: GitLabForge
) -> None:
    upstream = fake.add_project("alberta/health", "covid-self-assessment")
    fake.add_project(
        "ontario", "covid-self-assessment", forked_from=upstream["path_with_namespace"]
    )

    ((fork_ref, fork_facts),) = forge.list_repositories("ontario")
    assert fork_facts.is_fork
    assert fork_facts.parent_url == upstream["web_url"]

    ((parent_ref, parent_facts),) = forge.list_repositories("alberta")
    assert parent_facts.forks_count == 1
    assert not parent_facts.is_fork
    assert forge.forks(parent_ref) == [fork_ref]
    assert forge.forks(fork_ref) == []
    assert forge.fork_url(parent_ref) == f"{upstream['web_url']}/-/forks/new"


def test_licence_and_languages(fake: FakeGitLab, forge: GitLabForge) -> None:
    keys = {"mit": "MIT", "gpl-3.0": "GPL-3.0-only", "eupl-1.2": "EUPL-1.2", "other": None}
    for key in keys:
        fake.add_project("gov", f"lic-{key}", licence_key=key)
    fake.add_project("gov", "unlicensed", languages={"Python": 81.25, "Shell": 18.75})

    listed = dict((ref.name, (ref, facts)) for ref, facts in forge.list_repositories("gov"))

    for key, spdx in keys.items():
        assert listed[f"lic-{key}"][1].licence_spdx == spdx
    assert listed["unlicensed"][1].licence_spdx is None
    licence_gets = [r for r in fake.requests if r.query.get("license", "").lower() == "true"]
    assert len(licence_gets) == 5  # the list does not carry licences: one GET each
    ref = listed["unlicensed"][0]
    assert forge.languages(ref) == {"Python": 81.25, "Shell": 18.75}
    assert forge.languages(listed["lic-mit"][0]) == {}


def test_spdx_id_maps_licensee_keys() -> None:
    assert spdx_id("apache-2.0") == "Apache-2.0"
    assert spdx_id("LGPL-2.1") == "LGPL-2.1-only"
    assert spdx_id("bsd-3-clause") == "BSD-3-Clause"
    assert spdx_id(None) is None
    assert spdx_id("not-a-licence") is None


def test_archived_projects_are_listed_and_flagged(fake: FakeGitLab, forge: GitLabForge) -> None:
    fake.add_project("gov", "old", archived=True)
    fake.add_project("gov", "new")

    flags = {ref.name: facts.archived for ref, facts in forge.list_repositories("gov")}

    assert flags == {"old": True, "new": False}


def test_server_errors_are_retried_then_succeed(fake: FakeGitLab, forge: GitLabForge) -> None:
    fake.add_project("gov", "app")
    projects = f"/api/v4/groups/{fake.add_group('gov')['id']}/projects"
    fake.fail_next(projects, 500, times=2)

    listed = list(forge.list_repositories("gov"))

    assert [ref.name for ref, _ in listed] == ["app"]
    statuses = [r.status for r in fake.requests_to(projects)]
    assert statuses == [500, 500, 200]


def test_persistent_server_errors_end_as_a_crawl_error(fake: FakeGitLab) -> None:
    forge = GitLabForge(fake.url, max_retries=2, url_check=allow_only(fake.host))
    fake.add_project("gov", "app")
    fake.fail_next("/api/v4/groups/gov", 503, times=10)

    with pytest.raises(CrawlError, match=r"HTTP 503") as caught:
        list(forge.list_repositories("gov"))

    assert not isinstance(caught.value, RateLimited)
    assert len(fake.requests_to("/api/v4/groups/gov")) == 3  # one try and two retries


def test_timeouts_are_retried(fake: FakeGitLab) -> None:
    forge = GitLabForge(fake.url, timeout=0.3, url_check=allow_only(fake.host))
    fake.add_project("gov", "app")
    projects = f"/api/v4/groups/{fake.add_group('gov')['id']}/projects"
    fake.stall_next(projects, 0.8)

    assert [ref.name for ref, _ in forge.list_repositories("gov")] == ["app"]
    deadline = time.monotonic() + 3  # the stalled request is logged when it finally answers
    while len(fake.requests_to(projects)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(fake.requests_to(projects)) == 2


def test_rate_limit_becomes_rate_limited_with_its_reset_time(
    fake: FakeGitLab, forge: GitLabForge
) -> None:
    fake.add_project("gov", "app")
    fake.set_rate_limit(1, reset_in=120)  # the group GET passes, the project list is refused
    started = time.time()

    with pytest.raises(RateLimited, match="rate limit") as caught:
        list(forge.list_repositories("gov"))

    assert time.time() - started < 2  # raised, not slept through
    assert caught.value.reset_at is not None
    assert started + 118 <= caught.value.reset_at <= time.time() + 121
    assert [r.status for r in fake.requests] == [200, 429]


def test_refused_instance_url_makes_no_request(fake: FakeGitLab) -> None:
    other_name = fake.url.replace("127.0.0.1", "localhost")  # same server, not allow-listed

    with pytest.raises(UnsafeURLError):
        GitLabForge(other_name, url_check=allow_only(fake.host))

    assert fake.requests == []


def test_redirect_to_a_refused_host_is_not_followed(fake: FakeGitLab, forge: GitLabForge) -> None:
    fake.add_project("gov", "app")
    elsewhere = fake.url.replace("127.0.0.1", "localhost") + "/api/v4/groups/gov"
    fake.fail_next("/api/v4/groups/gov", 302, headers={"Location": elsewhere})

    with pytest.raises(CrawlError, match=r"redirected to refused http://localhost"):
        list(forge.list_repositories("gov"))

    assert [r.status for r in fake.requests] == [302]


def test_missing_group_or_user_is_a_clear_crawl_error(fake: FakeGitLab, forge: GitLabForge) -> None:
    fake.add_project("gov", "app")

    with pytest.raises(CrawlError, match=r"no group or user 'nobody-here'"):
        list(forge.list_repositories("nobody-here"))
    with pytest.raises(CrawlError, match=r"languages of gov/ghost: not found"):
        forge.languages(RepoRef("gitlab", "gov", "ghost", f"{fake.url}/gov/ghost.git", fake.url))


def test_fake_answers_if_none_match_with_304(fake: FakeGitLab) -> None:
    fake.add_group("gov/health")
    url = f"{fake.url}/api/v4/groups/gov%2Fhealth"
    with urlopen(url, timeout=5) as first:
        etag = first.headers["ETag"]
        assert first.status == 200 and etag
    with pytest.raises(HTTPError) as caught:  # urllib raises on 304
        urlopen(Request(url, headers={"If-None-Match": etag}), timeout=5)
    assert caught.value.code == 304
    caught.value.close()
