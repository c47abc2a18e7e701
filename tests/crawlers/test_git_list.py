"""git-list sources: a published list of git URLs, crawled end to end over git smart HTTP."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.forges import forge_for
from crawlers.forges.plain import GitListForge, parse_git_list
from crawlers.pipeline import crawl_source
from registry.errors import CrawlError
from registry.models import CrawlRun, Repository, Source
from tests import factories
from tests.fakes.static_http import StaticServer
from tests.story_helpers import govcode


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'["https://a.gov/x.git", {"url": "https://b.gov/y"}, null, "https://a.gov/x.git"]',
         ["https://a.gov/x.git", "https://b.gov/y"]),
        (b"- https://a.gov/x\n- url: file:///etc/passwd\n- 7\n",
         ["https://a.gov/x", "file:///etc/passwd", "7"]),
        (b"repositories:\n  - https://a.gov/x\n", ["https://a.gov/x"]),
        (b"https://a.gov/x\next::sh -c id\n", ["https://a.gov/x", "ext::sh", "-c", "id"]),
    ],
)  # fmt: skip
def test_parse_git_list_keeps_every_entry_for_the_policy_to_judge(data, expected) -> None:
    assert parse_git_list(data) == expected


@pytest.mark.parametrize("data", [b"[1, 2", b'{"a": 1}', b"42", b""])
def test_parse_git_list_refuses_what_is_not_a_list(data: bytes) -> None:
    with pytest.raises(CrawlError):
        parse_git_list(data)


@pytest.fixture
def world(fake_github):
    fake_github.add_org("city", name="City of Example")
    for name in ("permits", "parking"):
        fake_github.add_repo("city", name, {"README.md": f"# {name}\n", "app.py": "x = 1\n"})
    return fake_github


def _source(engine, url: str) -> int:
    return factories.source(engine, "git-list", url, slug="city", name="City of Example")


def test_git_list_crawled_end_to_end(settings, engine, world) -> None:
    refused = ["https://10.0.0.1/city/secret.git", "file:///etc/passwd"]
    listing = [world.clone_url("city/permits"), {"url": world.clone_url("city/parking")}]
    with StaticServer({"/repos.json": json.dumps([*listing, *refused]).encode()}) as lists:
        hosts = [world.base_url.removeprefix("http://"), lists.host]
        ctx = CrawlContext.from_settings(settings.model_copy(update={"allow_http_hosts": hosts}))
        source = _source(engine, lists.url("/repos.json"))
        summary = crawl_source(engine, ctx, source)
        again = crawl_source(engine, ctx, source)
    assert summary.status == "finished" and summary.counts["new"] == 2
    assert summary.counts["failed"] == 2
    assert [e["repository"] for e in summary.errors] == refused
    assert "private" in summary.errors[0]["error"] and "https" in summary.errors[1]["error"]
    assert again.counts["unchanged"] == 2
    assert not [r for r in world.requests if "secret" in r.path]
    with Session(engine) as session:
        repos = {r.name: r for r in session.exec(select(Repository))}
        run = session.exec(select(CrawlRun).order_by(CrawlRun.id)).first()
    assert sorted(repos) == ["parking", "permits"]
    assert {r.source_id for r in repos.values()} == {source}
    assert run is not None and run.failed == 2 and len(run.errors) == 2


def test_a_refused_list_url_fails_the_run_without_a_request(settings, engine) -> None:
    with StaticServer({"/repos.json": b"[]"}) as lists:
        ctx = CrawlContext.from_settings(settings)  # the list server is not allow-listed
        summary = crawl_source(engine, ctx, _source(engine, lists.url("/repos.json")))
        assert lists.requests == []
    assert summary.status == "failed" and "127.0.0.1" in summary.message


def test_forge_for_git_list_caps_the_list(settings) -> None:
    forge = forge_for("git-list", "", CrawlContext.from_settings(settings))
    assert isinstance(forge, GitListForge)
    assert forge.max_urls == settings.inventory_max_urls
    body = json.dumps([f"https://{n}.example.gov/r.git" for n in range(5)]).encode()
    capped = GitListForge(lambda url: body, lambda url: url, max_urls=3)
    assert [ref.clone_url for ref, _ in capped.list_repositories("x")] == [
        "https://0.example.gov/r.git",
        "https://1.example.gov/r.git",
        "https://2.example.gov/r.git",
    ]


def test_crawl_list_command_dry_run_registers_nothing(monkeypatch, settings, engine) -> None:
    with StaticServer({"/repos.json": b"[]"}) as lists:
        allowed = settings.model_copy(update={"allow_http_hosts": [lists.host]})
        url = lists.url("/repos.json")
        out = govcode(monkeypatch, allowed, "crawl", "list", url, "--agency", "City", "--dry-run")
        assert lists.requests == []
    assert "git-list" in out and "City" in out
    with Session(engine) as session:
        assert session.exec(select(Source)).all() == []
