"""The fake GitHub behaves like GitHub for the real clients we use: PyGithub, git, httpx."""

from __future__ import annotations

import gzip
import http.client
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import github
import httpx
import pytest
from github import GithubException, RateLimitExceededException, UnknownObjectException

from localforge.github import FakeGitHub
from localforge.repos import RepoFactory, Step, make_history

T0 = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)


def client(fake: FakeGitHub, per_page: int = 30, token: str | None = None) -> github.Github:
    """PyGithub without retries or its 0.25 s pacing, so answers surface at once."""
    return github.Github(
        auth=github.Auth.Token(token) if token else None,
        base_url=fake.api_url,
        per_page=per_page,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


@pytest.fixture
def acme(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_org("acme", name="Acme Health")
    for i in range(5):
        fake_github.add_repo(
            "acme",
            f"tool-{i}",
            {"README.md": f"# tool {i}\n", "LICENSE": "MIT License\n"},
            description=f"Tool number {i}",
            topics=["health", f"t{i}"],
            licence_spdx="MIT",
            homepage=f"https://tool{i}.example.gov",
            language="Python",
            created_at=T0 + timedelta(days=i),
            commit_date=T0 + timedelta(days=i, hours=1),
            archived=i == 4,
        )
    return fake_github


def test_pygithub_lists_an_org_across_pages_with_every_field(acme: FakeGitHub) -> None:
    gh = client(acme, per_page=2)
    try:
        repos = list(gh.get_organization("acme").get_repos())
        pages = [r.query for r in acme.requests if r.path == "/api/v3/orgs/acme/repos"]
        # newest first, as GitHub sorts an organisation's repositories by default
        assert [r.name for r in repos] == [f"tool-{i}" for i in (4, 3, 2, 1, 0)]
        assert len(pages) == 3 and "page=3" in pages[-1]
        before = len(acme.requests)
        r = repos[-1]
        facts = (
            r.id,
            r.node_id,
            r.full_name,
            r.owner.login,
            r.owner.type,
            r.private,
            r.html_url,
            r.description,
            r.fork,
            r.url,
            r.clone_url,
            r.homepage,
            r.stargazers_count,
            r.forks_count,
            r.open_issues_count,
            r.default_branch,
            r.topics,
            r.archived,
            r.is_template,
            r.license.spdx_id,
            r.created_at,
            r.updated_at,
            r.pushed_at,
            r.size,
            r.language,
            r.visibility,
        )
        assert len(acme.requests) == before, "list items must carry every field"
        assert r.owner.type == "Organization" and r.license.spdx_id == "MIT"
        assert r.topics == ["health", "t0"] and r.homepage == "https://tool0.example.gov"
        assert r.created_at == T0 and r.pushed_at == T0 + timedelta(hours=1)
        assert r.clone_url == acme.clone_url("acme/tool-0")
        assert r.html_url == f"{acme.base_url}/acme/tool-0"
        assert repos[0].archived and not r.archived and facts
    finally:
        gh.close()


def test_link_headers_name_first_prev_next_last(acme: FakeGitHub) -> None:
    url = f"{acme.api_url}/orgs/acme/repos"
    first = httpx.get(url, params={"per_page": 2})
    middle = httpx.get(url, params={"per_page": 2, "page": 2})
    last = httpx.get(url, params={"per_page": 2, "page": 3})
    assert set(first.links) == {"next", "last"}
    assert set(middle.links) == {"first", "prev", "next", "last"}
    assert set(last.links) == {"first", "prev"}
    assert "page=3" in middle.links["next"]["url"] and "page=1" in middle.links["prev"]["url"]
    assert len(last.json()) == 1 and len(first.json()) == 2


def test_conditional_requests_get_304_without_spending_budget(acme: FakeGitHub) -> None:
    gh = client(acme)
    try:
        repo = gh.get_repo("acme/tool-1")
        spent = len(acme.api_calls())
        assert repo.update() is False  # If-None-Match matched: nothing changed
        last = acme.requests[-1]
        assert (last.path, last.status, last.counted) == ("/api/v3/repos/acme/tool-1", 304, False)
        assert len(acme.api_calls()) == spent
        old_pushed = repo.pushed_at
        acme.push("acme/tool-1", {"NEWS.md": "more\n"}, message="news")
        assert repo.update() is True and repo.pushed_at > old_pushed
        assert acme.requests[-1].status == 200 and acme.requests[-1].counted
    finally:
        gh.close()


def test_etag_follows_the_data(acme: FakeGitHub) -> None:
    url = f"{acme.api_url}/repos/acme/tool-2"
    one, two = httpx.get(url), httpx.get(url)
    assert one.headers["ETag"] == two.headers["ETag"]
    acme.update_repo("acme/tool-2", description="Renamed tool")
    three = httpx.get(url, headers={"If-None-Match": one.headers["ETag"]})
    assert three.status_code == 200 and three.headers["ETag"] != one.headers["ETag"]
    four = httpx.get(url, headers={"If-None-Match": f"W/{three.headers['ETag']}"})
    assert four.status_code == 304 and four.content == b""
    assert four.headers["X-RateLimit-Remaining"] == three.headers["X-RateLimit-Remaining"]


def test_spent_budget_raises_rate_limit_exceeded(acme: FakeGitHub) -> None:
    acme.set_rate_limit(2, retry_after=7)
    gh = client(acme)
    try:
        gh.get_repo("acme/tool-0")
        gh.get_repo("acme/tool-1")
        with pytest.raises(RateLimitExceededException) as caught:
            gh.get_repo("acme/tool-2")
        assert caught.value.status == 403
        assert caught.value.headers["x-ratelimit-remaining"] == "0"
        assert caught.value.headers["retry-after"] == "7"
        assert not acme.requests[-1].counted
        assert gh.get_rate_limit().resources.core.remaining == 0  # free, as on GitHub
        acme.set_rate_limit(0, reset_at=int(time.time()) - 1)  # the window has passed
        assert gh.get_repo("acme/tool-2").name == "tool-2"
        assert acme.remaining == acme.limit - 1
    finally:
        gh.close()


def test_injected_faults_then_recovery(acme: FakeGitHub, tmp_path: Path) -> None:
    acme.fail_next("/orgs/acme", status=502, times=2)
    gh = client(acme)
    try:
        for _ in range(2):
            with pytest.raises(GithubException) as caught:
                gh.get_organization("acme")
            assert caught.value.status == 502
        assert gh.get_organization("acme").name == "Acme Health"
    finally:
        gh.close()
    acme.fail_next("/git/acme/tool-0.git", status=503)
    with pytest.raises(git.GitCommandError):
        git.Repo.clone_from(acme.clone_url("acme/tool-0"), tmp_path / "x", bare=True)
    assert git.Repo.clone_from(acme.clone_url("acme/tool-0"), tmp_path / "y", bare=True)
    statuses = [(r.kind, r.status) for r in acme.requests if r.status >= 500]
    assert statuses == [("api", 502), ("api", 502), ("git", 503)]


def test_users_licences_contents_tags_releases(fake_github: FakeGitHub) -> None:
    fake_github.add_user("ada", name="Ada")
    fake_github.add_repo(
        "ada",
        "notes",
        {"README.md": "n", "docs/a.txt": b"\x00bin"},
        tags=["v1.0"],
        releases=["v1.0"],
    )
    gh = client(fake_github)
    try:
        user = gh.get_user("ada")
        assert user.type == "User" and [r.name for r in user.get_repos()] == ["notes"]
        with pytest.raises(UnknownObjectException):
            gh.get_organization("ada")
        repo = gh.get_repo("ada/notes")
        assert repo.license is None
        with pytest.raises(UnknownObjectException):
            repo.get_license()
        assert repo.get_contents("docs/a.txt").decoded_content == b"\x00bin"
        assert sorted(c.path for c in repo.get_contents("")) == ["README.md", "docs"]
        with pytest.raises(UnknownObjectException):
            repo.get_contents("missing.txt")
        assert [t.name for t in repo.get_tags()] == ["v1.0"]
        assert [r.tag_name for r in repo.get_releases()] == ["v1.0"]
    finally:
        gh.close()


def _missing_objects(repo: git.Repo) -> set[str]:
    out = repo.git.rev_list("--objects", "--all", "--missing=print")
    return {line[1:] for line in out.splitlines() if line.startswith("?")}


def test_blobless_clone_then_fetch_sees_a_push(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_org("acme")
    big, small = "x" * 5000, "small\n"
    fake_github.add_repo("acme", "app", {"big.txt": big, "small.txt": small})
    clone = git.Repo.clone_from(
        fake_github.clone_url("acme/app"),
        tmp_path / "app.git",
        bare=True,
        multi_options=["--filter=blob:limit=1000"],
    )
    try:
        tree = clone.head.commit.tree
        assert _missing_objects(clone) == {tree["big.txt"].hexsha}
        assert clone.git.cat_file("-p", tree["big.txt"].hexsha) == big  # lazy fetch over HTTP
        new_head = fake_github.push("acme/app", {"small.txt": "changed\n"}, message="change")
        clone.git.fetch("origin", "+refs/heads/*:refs/heads/*")
        assert clone.head.commit.hexsha == new_head
        assert clone.head.commit.message.strip() == "change"
        assert all(r.kind == "git" and not r.counted for r in fake_github.requests)
    finally:
        clone.close()


def test_fork_shares_history_and_names_its_parent(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_org("alberta")
    fake_github.add_org("ontario")
    fake_github.add_repo("alberta", "covid", {"index.js": "x"}, licence_spdx="MIT")
    fake_github.fork("alberta/covid", "ontario")
    gh = client(fake_github)
    try:
        fork = gh.get_repo("ontario/covid")
        assert fork.fork and fork.parent.full_name == "alberta/covid"
        assert fork.source.full_name == "alberta/covid"
        source = gh.get_repo("alberta/covid")
        assert source.forks_count == 1 and source.parent is None
        assert [f.full_name for f in source.get_forks()] == ["ontario/covid"]
    finally:
        gh.close()
    roots = []
    for name in ("alberta/covid", "ontario/covid"):
        repo = git.Repo.clone_from(fake_github.clone_url(name), tmp_path / name, bare=True)
        roots.append(repo.git.rev_list("--max-parents=0", "HEAD"))
        repo.close()
    assert roots[0] == roots[1]


def test_fork_over_the_api_and_the_html_pages(fake_github: FakeGitHub) -> None:
    fake_github.add_org("alberta")
    fake_github.add_org("ontario")
    fake_github.add_repo("alberta", "covid", description="Self assessment")
    fake_github.add_person("ghp_person", "ontario")  # forking needs a token with rights there
    fake_github.fork_delay = 0.0
    anonymous = httpx.post(f"{fake_github.api_url}/repos/alberta/covid/forks", json={})
    assert anonymous.status_code == 401
    gh = client(fake_github, token="ghp_person")
    try:
        made = gh.get_repo("alberta/covid").create_fork(organization="ontario")
        assert made.full_name == "ontario/covid"  # 202: made in the background
        deadline = time.monotonic() + 10
        while "ontario/covid" not in fake_github.world.mapping() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gh.get_repo("ontario/covid").parent.full_name == "alberta/covid"
    finally:
        gh.close()
    page = httpx.get(f"{fake_github.base_url}/alberta/covid/fork")
    assert page.status_code == 200 and "Create a new fork of alberta/covid" in page.text
    assert "Self assessment" in httpx.get(fake_github.html_url("alberta/covid")).text
    assert httpx.get(f"{fake_github.base_url}/alberta/nothing").status_code == 404
    fake_github.remove_repo("ontario/covid")
    assert httpx.get(f"{fake_github.api_url}/repos/ontario/covid").status_code == 404
    assert httpx.get(f"{fake_github.api_url}/repos/alberta/covid").json()["forks_count"] == 0


def _pkt(line: str) -> bytes:
    return f"{len(line) + 4:04x}{line}".encode()


def test_git_endpoint_accepts_gzip_chunked_bodies(fake_github: FakeGitHub) -> None:
    fake_github.add_org("acme")
    fake_github.add_repo("acme", "app", default_branch="trunk")
    head = git.Repo(fake_github.world.repo("acme/app").bare_path).head.commit.hexsha
    body = gzip.compress(_pkt("command=ls-refs\n") + b"0001" + b"0000")
    conn = http.client.HTTPConnection("127.0.0.1", int(fake_github.base_url.rsplit(":", 1)[1]))
    try:
        headers = {
            "Content-Type": "application/x-git-upload-pack-request",
            "Content-Encoding": "gzip",
            "Git-Protocol": "version=2",
        }
        conn.request(
            "POST",
            "/git/acme/app.git/git-upload-pack",
            body=iter([body]),
            headers=headers,
            encode_chunked=True,
        )
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    assert response.status == 200
    assert f"{head} refs/heads/trunk".encode() in answer


def test_repository_factory_sets_dates_authors_tags(repo_factory: RepoFactory) -> None:
    when = datetime(2019, 6, 1, 9, 30, tzinfo=UTC)
    repo = repo_factory(
        {"a/b.txt": "hi"},
        date=when,
        tags=["v0.1"],
        symlinks={"l": "a/b.txt"},
        author=("Bea", "bea@example.gov"),
    )
    head = repo.head.commit
    assert head.authored_datetime == when and head.committed_datetime == when
    assert head.author.email == "bea@example.gov" and repo.tags[0].name == "v0.1"
    assert head.tree["l"].mode == 0o120000
    dates = [when + timedelta(days=30 * i) for i in range(4)]
    busy = repo_factory.activity(dates, authors=[("A", "a@x.gov"), ("B", "b@x.gov")])
    commits = list(busy.iter_commits())
    assert [c.committed_datetime for c in reversed(commits)] == dates
    assert {c.author.email for c in commits} == {"a@x.gov", "b@x.gov"}


def test_history_with_deletions(tmp_path: Path) -> None:
    repo = make_history(
        tmp_path / "h",
        [
            Step({"a.txt": "1", "b.txt": "2"}, date=datetime(2020, 1, 1, tzinfo=UTC)),
            Step({}, delete=["b.txt"], date=datetime(2020, 2, 1, tzinfo=UTC), tags=["v1"]),
        ],
    )
    assert [b.path for b in repo.head.commit.tree.blobs] == ["a.txt"]
    assert repo.tags["v1"].commit == repo.head.commit
    assert len(list(repo.iter_commits())) == 2


def test_stop_closes_idle_keep_alive_connections(tmp_path: Path) -> None:
    fake = FakeGitHub(tmp_path / "gh").start()
    conn = http.client.HTTPConnection("127.0.0.1", int(fake.base_url.rsplit(":", 1)[1]))
    try:
        conn.request("GET", "/api/v3/rate_limit")
        assert conn.getresponse().read() and fake.connections  # kept alive, idle
        fake.stop()
        assert not fake.connections
        with pytest.raises((httpx.TransportError, OSError, http.client.HTTPException)):
            conn.request("GET", "/api/v3/rate_limit")
            conn.getresponse()
    finally:
        conn.close()
