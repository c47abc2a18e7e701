"""Forking through the forge APIs, against the local fakes' real fork endpoints: GitHub's
202-then-poll and GitLab's ``import_status``, with a person's token and its rights."""

from __future__ import annotations

from collections.abc import Iterator

import git
import pytest

from crawlers.base import RepoRef
from crawlers.forges.github import GitHubForge
from crawlers.forges.gitlab import GitLabForge
from crawlers.forges.plain import GitUrlForge, git_ref
from localforge.github import FakeGitHub
from localforge.gitlab import FakeGitLab
from registry.errors import BadRequest, Conflict, CrawlError, Forbidden, NotFound
from tests.crawlers.test_gitlab import allow_only

TOKEN = "ghp_ontario_person"
WAIT = {"wait": 10.0, "poll": 0.05}


@pytest.fixture
def github(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_org("alberta")
    fake_github.add_org("ontario")
    fake_github.add_org("quebec")
    fake_github.add_repo("alberta", "tool", {"README.md": "# tool\n", "app.js": "go()\n"})
    fake_github.add_person(TOKEN, "ontario")
    return fake_github


def _gh(fake: FakeGitHub, token: str | None = TOKEN) -> GitHubForge:
    return GitHubForge(api_url=fake.api_url, token=token, requests_per_second=0, retries=0)


def _ref(fake: FakeGitHub, full_name: str) -> RepoRef:
    owner, name = full_name.split("/")
    return RepoRef("github", owner, name, fake.clone_url(full_name), fake.html_url(full_name))


def test_github_fork_waits_until_the_fork_exists(github, tmp_path):
    github.fork_delay = 0.4
    forge = _gh(github)
    try:
        fork = forge.fork(_ref(github, "alberta/tool"), "ontario", **WAIT)
    finally:
        forge.close()
    assert fork.full_name == "ontario/tool"
    assert fork.html_url == github.html_url("ontario/tool")
    assert github.world.repo("ontario/tool").parent == "alberta/tool"
    polls = [r for r in github.requests_to("/api/v3/repos/ontario/tool") if r.method == "GET"]
    assert polls[-1].status == 200 and any(p.status == 404 for p in polls[1:])
    clone = git.Repo.clone_from(fork.clone_url, tmp_path / "clone")  # the fork has the code
    assert (tmp_path / "clone" / "app.js").read_text() == "go()\n"
    clone.close()


@pytest.mark.parametrize(
    ("token", "owner", "error", "words"),
    [
        ("ghp_wrong", "ontario", BadRequest, "did not accept that token"),
        (None, "ontario", BadRequest, "did not accept that token"),
        (TOKEN, "quebec", Forbidden, "may not create repositories in quebec"),
        (TOKEN, "nowhere", NotFound, "organisation nowhere"),
    ],
)
def test_github_fork_refusals_are_clear(github, token, owner, error, words):
    forge = _gh(github, token)
    try:
        with pytest.raises(error, match=words):
            forge.fork(_ref(github, "alberta/tool"), owner, **WAIT)
    finally:
        forge.close()
    assert "ontario/tool" not in github.world.mapping()


def test_github_fork_refuses_a_target_that_exists(github):
    github.add_repo("ontario", "tool", {"README.md": "# ours\n"})
    forge = _gh(github)
    try:
        with pytest.raises(Conflict, match="ontario/tool already exists"):
            forge.fork(_ref(github, "alberta/tool"), "ontario", **WAIT)
    finally:
        forge.close()
    assert github.requests_to("/api/v3/repos/alberta/tool/forks") == []  # nothing was posted


def test_github_fork_that_never_appears_times_out(github):
    github.fork_delay = 30
    forge = _gh(github)
    try:
        with pytest.raises(CrawlError, match="did not appear"):
            forge.fork(_ref(github, "alberta/tool"), "ontario", wait=0.3, poll=0.05)
    finally:
        forge.close()


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab() as fake:
        fake.add_project("alberta", "tool", files={"README.md": "# tool\n", "app.js": "go()\n"})
        fake.add_group("ontario")
        fake.add_group("quebec")
        fake.add_person("glpat-ontario", "ontario")
        yield fake


def _gl(fake: FakeGitLab, token: str | None = "glpat-ontario") -> GitLabForge:
    return GitLabForge(fake.url, token=token, timeout=5, url_check=allow_only(fake.host))


def _gl_ref(fake: FakeGitLab) -> RepoRef:
    return RepoRef("gitlab", "alberta", "tool", fake.clone_url("alberta/tool"), "")


def test_gitlab_fork_polls_import_status(gitlab, tmp_path):
    gitlab.fork_delay = 0.4
    forge = _gl(gitlab)
    try:
        fork = forge.fork(_gl_ref(gitlab), "ontario", **WAIT)
    finally:
        forge.close()
    assert fork.full_name == "ontario/tool"
    assert fork.html_url == f"{gitlab.url}/ontario/tool"
    posts = [r for r in gitlab.requests if r.method == "POST"]
    assert [p.path for p in posts] == ["/api/v4/projects/alberta/tool/fork"]
    assert posts[0].status == 201
    assert len([r for r in gitlab.requests if r.path.endswith(f"/{fork.forge_id}")]) >= 2
    clone = git.Repo.clone_from(fork.clone_url, tmp_path / "clone")
    assert (tmp_path / "clone" / "app.js").read_text() == "go()\n"
    clone.close()


@pytest.mark.parametrize(
    ("token", "owner", "error", "words"),
    [
        ("glpat-wrong", "ontario", BadRequest, "did not accept that token"),
        ("glpat-ontario", "quebec", Forbidden, "may not create projects in quebec"),
        ("glpat-ontario", "nowhere", NotFound, "namespace nowhere"),
    ],
)
def test_gitlab_fork_refusals_are_clear(gitlab, token, owner, error, words):
    forge = _gl(gitlab, token)
    try:
        with pytest.raises(error, match=words):
            forge.fork(_gl_ref(gitlab), owner, **WAIT)
    finally:
        forge.close()


def test_gitlab_fork_refuses_a_taken_path(gitlab):
    gitlab.add_project("ontario", "tool", files={"README.md": "# ours\n"})
    forge = _gl(gitlab)
    try:
        with pytest.raises(Conflict, match="already has a project of that name"):
            forge.fork(_gl_ref(gitlab), "ontario", **WAIT)
    finally:
        forge.close()


def test_plain_git_hosts_cannot_fork():
    forge = GitUrlForge(lambda url: url)
    with pytest.raises(BadRequest, match="clone and push"):
        forge.fork(git_ref("https://git.example.gov/a/tool.git"), "ontario", **WAIT)
