"""GitHubForge against FakeGitHub: facts on every page, conditional re-crawls that cost
nothing, a cache that never crosses credentials, and GitHub App authentication."""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.forges import forge_for
from crawlers.forges.github import GitHubForge
from crawlers.forges.github.cache import HttpCacheConfig
from crawlers.pipeline import crawl_source
from localforge.github import FakeGitHub
from localforge.github.auth import make_app_key
from registry.errors import CrawlError
from registry.models import Repository
from tests import factories

T0 = datetime(2022, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def acme(fake_github: FakeGitHub) -> FakeGitHub:
    """Five repositories of one organisation (one disabled, one a mirror, one with
    releases and a fork elsewhere) and a user account."""
    fake = fake_github
    fake.add_org("acme", name="Acme Health")
    fake.add_org("other")
    fake.add_repo(
        "acme",
        "tool",
        {"README.md": "# tool\n", "LICENSE": "MIT License\n"},
        description="The tool",
        topics=["health", "covid"],
        homepage="https://tool.example.gov",
        licence_spdx="MIT",
        stars=7,
        open_issues=2,
        tags=["v1.0", "v1.1"],
        releases=["v1.0", "v1.1"],
        created_at=T0,
        commit_date=T0 + timedelta(days=3),
    )
    fake.add_repo("acme", "template", is_template=True, archived=True)
    fake.add_repo("acme", "mirror", mirror_url="https://git.example.gov/acme/mirror.git")
    fake.add_repo("acme", "gone", disabled=True)
    fake.add_repo("acme", "plain")
    fake.fork("acme/tool", "other")
    return fake


def _forge(fake: FakeGitHub, tmp_path, **kw) -> GitHubForge:
    kw.setdefault("http_cache", HttpCacheConfig(sqlite_path=tmp_path / "http-cache.sqlite"))
    kw.setdefault("requests_per_second", 0)
    return GitHubForge(api_url=fake.api_url, **kw)


def _listing(forge: GitHubForge, owner: str = "acme") -> dict:
    try:
        return {ref.name: (ref, facts) for ref, facts in forge.list_repositories(owner)}
    finally:
        forge.close()


def test_lists_every_page_with_every_fact_and_skips_disabled(acme, tmp_path):
    forge = _forge(acme, tmp_path, per_page=2)
    found = _listing(forge)
    assert sorted(found) == ["mirror", "plain", "template", "tool"]
    assert forge.skipped_disabled == ["acme/gone"]
    pages = [r.query for r in acme.requests_to("/api/v3/orgs/acme/repos")]
    assert len(pages) == 3  # five repositories, two a page (the disabled one is listed too)
    ref, tool = found["tool"]
    assert ref.clone_url == acme.clone_url("acme/tool") and ref.html_url.endswith("/acme/tool")
    assert (tool.description, tool.topics, tool.homepage) == (
        "The tool",
        ["health", "covid"],
        "https://tool.example.gov",
    )
    assert (tool.stars, tool.forks_count, tool.open_issues, tool.releases) == (7, 1, 2, 2)
    assert (tool.licence_spdx, tool.default_branch) == ("MIT", "main")
    assert tool.created_at == T0 and tool.pushed_at == T0 + timedelta(days=3)
    assert not (tool.archived or tool.is_template or tool.is_mirror or tool.disabled)
    template, mirror = found["template"][1], found["mirror"][1]
    assert template.is_template and template.archived and template.releases == 0
    assert mirror.is_mirror and not found["plain"][1].is_mirror
    assert forge.requests_spent == len(acme.api_calls())


def test_forks_and_user_accounts(acme, tmp_path):
    acme.add_user("jane")
    acme.add_repo("jane", "dotfiles")
    acme.fork("acme/tool", "jane", "tool-copy")
    forge = _forge(acme, tmp_path)
    tool = next(ref for ref, _ in forge.list_repositories("acme") if ref.name == "tool")
    assert sorted(f.full_name for f in forge.forks(tool)) == ["jane/tool-copy", "other/tool"]
    found = _listing(forge, "jane")
    assert sorted(found) == ["dotfiles", "tool-copy"]
    copy = found["tool-copy"][1]
    assert copy.is_fork and copy.parent_url == acme.html_url("acme/tool")


def test_unchanged_relisting_spends_nothing_and_a_change_is_never_served_stale(acme, tmp_path):
    for attempt in ("first", "again"):
        acme.clear_log()
        forge = _forge(acme, tmp_path)  # a new process each time: only the cache is shared
        tool = _listing(forge)["tool"][0]
        forks = forge.forks(tool)
        assert [f.full_name for f in forks] == ["other/tool"]
        if attempt == "first":
            assert 0 < len(acme.api_calls()) <= 3 * 4
    assert acme.api_calls() == [] and forge.requests_spent == 0
    assert {r.status for r in acme.requests_to("/api/v3")} == {304}
    acme.update_repo("acme/plain", description="now described", topics=["new"])
    acme.clear_log()
    third = _forge(acme, tmp_path)
    plain = _listing(third)["plain"][1]
    assert (plain.description, plain.topics) == ("now described", ["new"])
    assert [r.path for r in acme.api_calls()] == ["/api/v3/orgs/acme/repos"]


def test_the_cache_never_crosses_tokens_and_never_stores_them(acme, tmp_path):
    acme.require_token("token-aaa-secret")
    acme.require_token("token-bbb-secret")
    _listing(_forge(acme, tmp_path, token="token-aaa-secret"))
    acme.clear_log()
    _listing(_forge(acme, tmp_path, token="token-bbb-secret"))
    assert acme.api_calls() and 304 not in {r.status for r in acme.requests_to("/api/v3")}
    acme.clear_log()
    _listing(_forge(acme, tmp_path, token="token-aaa-secret"))
    assert acme.api_calls() == []  # GitHub says Vary: Authorization; still revalidated
    with pytest.raises(CrawlError, match="401"):
        _listing(_forge(acme, tmp_path))  # no token: refused, not served from the cache
    data = (tmp_path / "http-cache.sqlite").read_bytes()
    with sqlite3.connect(tmp_path / "http-cache.sqlite") as db:
        rows = db.execute("select count(*) from responses").fetchone()[0]
    assert rows > 0 and b"token-aaa" not in data and b"token-bbb" not in data


def test_a_github_app_installation_authenticates_with_a_signed_jwt(acme, tmp_path, settings):
    private, public = make_app_key()
    acme.register_app(4242, public, installation_id=77)
    key_file = tmp_path / "app.pem"
    key_file.write_text(private)
    s = settings.model_copy(
        update={
            "github_api_url": acme.api_url,
            "allow_http_hosts": [acme.base_url.removeprefix("http://")],
            "github_app_id": 4242,
            "github_app_private_key": SecretStr(str(key_file)),  # a path, or the PEM itself
            "github_app_installation_id": 77,
        }
    )
    forge = forge_for("github", acme.api_url, CrawlContext.from_settings(s))
    assert "tool" in _listing(forge)
    assert [(app, inst) for app, inst, _ in acme.auth.minted] == [(4242, 77)]
    assert (s.var_dir / "http-cache.sqlite").exists()
    wrong, _ = make_app_key()  # a key GitHub does not know for this app
    impostor = _forge(acme, tmp_path, app_id=4242, app_private_key=wrong, app_installation_id=77)
    with pytest.raises(CrawlError):
        _listing(impostor)
    assert len(acme.auth.minted) == 1
    with pytest.raises(CrawlError, match="app id, a private key and an installation id"):
        _forge(acme, tmp_path, app_id=4242)


def _source(engine, fake: FakeGitHub) -> int:
    return factories.source(
        engine, "github", "acme", api_url=fake.api_url, slug="acme", name="Acme"
    )


def test_crawl_budget_first_at_most_3_a_repository_then_zero(acme, settings, engine):
    s = settings.model_copy(update={"allow_http_hosts": [acme.base_url.removeprefix("http://")]})
    ctx, source = CrawlContext.from_settings(s), _source(engine, acme)
    first = crawl_source(engine, ctx, source)
    assert first.counts["new"] == 4 and first.counts["failed"] == 0
    counted = len(acme.api_calls())
    assert counted == first.counts["requests"] and counted <= 3 * 4
    acme.clear_log()
    again = crawl_source(engine, ctx, source)
    assert again.counts["unchanged"] == 4
    assert acme.api_calls() == [] and again.counts["requests"] == 0
    with Session(engine) as session:
        tool = session.exec(select(Repository).where(Repository.name == "tool")).one()
        assert tool.description == "The tool"


REDIS_URL = os.environ.get("GOVCODE_TEST_REDIS_URL", "")


@pytest.mark.redis
def test_workers_on_many_machines_share_a_redis_cache(acme):
    if not REDIS_URL:
        pytest.skip("GOVCODE_TEST_REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    prefix = f"govcode-test-{uuid.uuid4().hex[:8]}"
    config = HttpCacheConfig(redis_url=REDIS_URL, redis_prefix=prefix)
    try:
        _listing(GitHubForge(api_url=acme.api_url, http_cache=config, requests_per_second=0))
        acme.clear_log()
        _listing(GitHubForge(api_url=acme.api_url, http_cache=config, requests_per_second=0))
        assert acme.api_calls() == [] and acme.requests_to("/api/v3")
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
