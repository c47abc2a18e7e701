"""govcode sources list / remove, agencies remove, crawl all, and dry runs that write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from registry.cli.main import app
from registry.models import Agency, CrawlRun, Repository, Source, Subscription
from registry.search import SearchIndex, SearchRequest
from tests.story_helpers import govcode, settings_env


@pytest.fixture
def city(monkeypatch, settings, fake_github):
    """Two crawled git URLs of one agency, one of another, and a subscription."""
    fake_github.add_org("city")
    fake_github.add_org("county")
    for owner, name in (("city", "permits"), ("city", "parking"), ("county", "roads")):
        fake_github.add_repo(owner, name, {"README.md": f"# {name.title()}\n\nShared {name}.\n"})
    s = settings.model_copy(
        update={"allow_http_hosts": [fake_github.base_url.removeprefix("http://")]}
    )
    for full, agency in (("city/permits", "City"), ("city/parking", "City"),
                         ("county/roads", "County")):  # fmt: skip
        govcode(monkeypatch, s, "crawl", "git", fake_github.clone_url(full), "--agency", agency)
    govcode(monkeypatch, s, "subscribe", "1", "--email", "dev@city.example")  # city/permits
    return s


def cells(line: str) -> list[str]:
    """The cells of one row of a rich table."""
    return [c.strip() for c in line.strip().strip("│").split("│")]


def counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.name: session.exec(select(func.count()).select_from(t)).one()
            for t in SQLModel.metadata.sorted_tables
        }


def test_sources_list_shows_kind_agency_and_last_run(monkeypatch, city, fake_github):
    out = govcode(monkeypatch, city, "sources", "list")
    rows = [line for line in out.splitlines() if fake_github.base_url in line]
    assert len(rows) == 3
    assert all(cells(r)[1] == "git" and "finished (1 new, 0 changed, 0 unchanged, 0 failed)" in r
               for r in rows)  # fmt: skip
    assert "city/permits" in rows[0] and " city " in rows[0] and " county " in rows[2]
    assert [cells(r)[0] for r in rows] == ["1", "2", "3"]


def test_crawl_all_crawls_every_source_with_one_summary(monkeypatch, city, fake_github):
    fake_github.push("county/roads", {"roads.py": "print('roads')\n"})
    out = govcode(monkeypatch, city, "crawl", "all")
    assert "crawl of 3 sources" in out
    total = cells(next(line for line in out.splitlines() if " all " in line))
    assert total[:6] == ["all", "", "", "0", "1", "2"]  # 0 new, 1 changed, 2 unchanged
    out = govcode(monkeypatch, city, "sources", "list")
    assert out.count("finished (0 new, 0 changed, 1 unchanged, 0 failed)") == 2
    assert "finished (0 new, 1 changed, 0 unchanged, 0 failed)" in out


def test_crawl_all_queue_and_dry_run(monkeypatch, city, engine):
    from registry.queue import make_huey

    before = counts(engine)
    out = govcode(monkeypatch, city, "crawl", "all", "--dry-run")
    assert [line.split(":")[0] for line in out.splitlines()] == [
        f"would crawl source {n}" for n in (1, 2, 3)
    ]
    out = govcode(monkeypatch, city, "crawl", "source", "2", "--dry-run")
    assert out.startswith("would crawl source 2: git ") and "'city'" in out
    assert counts(engine) == before
    out = govcode(monkeypatch, city, "crawl", "all", "--queue")
    assert out.count("queued crawl of source") == 3
    assert make_huey(city).pending_count() == 3
    assert counts(engine) == before  # queued, not run


def test_remove_a_source_and_an_agency_with_dry_runs(monkeypatch, city, engine):
    index = SearchIndex(city.resolved_index_dir)
    assert index.search(SearchRequest(text="shared")).total == 3
    before = counts(engine)
    out = govcode(monkeypatch, city, "sources", "remove", "1", "--dry-run")
    assert out.strip() == (
        "would remove source 1: 1 crawl runs, 1 repositories, 1 sources, 1 subscriptions"
    )
    assert counts(engine) == before
    out = govcode(monkeypatch, city, "sources", "remove", "1")
    assert out.startswith("removed source 1: ")
    with Session(engine) as session:
        assert session.get(Source, 1) is None
        assert [r.name for r in session.exec(select(Repository)).all()] == ["parking", "roads"]
        assert session.exec(select(Subscription)).all() == []
        assert {r.source_id for r in session.exec(select(CrawlRun)).all()} == {2, 3}
    govcode(monkeypatch, city, "index", "sync")
    index.refresh()
    assert index.search(SearchRequest(text="shared")).total == 2  # the index follows

    out = govcode(monkeypatch, city, "agencies", "remove", "city", "--dry-run")
    assert "would remove agency city: 1 agencies" in out and "1 repositories" in out
    govcode(monkeypatch, city, "agencies", "remove", "city")
    with Session(engine) as session:
        assert [a.slug for a in session.exec(select(Agency)).all()] == ["county"]
        assert [s.id for s in session.exec(select(Source)).all()] == [3]
    for args in (["sources", "remove", "1"], ["agencies", "remove", "city"]):
        for key, value in settings_env(city).items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2 and result.stderr.startswith("govcode: not found: ")


# Commands that write nothing, or run until stopped (their work is each command above).
READ_ONLY = {
    "agencies list",
    "sources list",
    "sources kinds",
    "db current",
    "notify channels",
    "notify log",
    "serve",
    "worker",
    "demo",
}


def _commands(group, prefix: str = ""):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer may ship its own click)
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_command_that_writes_has_a_dry_run():
    import typer.main

    root = typer.main.get_command(app)
    missing = [
        name
        for name, command in _commands(root)
        if name not in READ_ONLY and "--dry-run" not in {o for p in command.params for o in p.opts}
    ]
    assert missing == []


DRY_RUNS = [
    ["crawl", "source", "1", "--dry-run"],
    ["crawl", "all", "--dry-run"],
    ["index", "rebuild", "--dry-run"],
    ["index", "sync", "--dry-run"],
    ["notify", "deliver", "--dry-run"],
    ["db", "upgrade", "--dry-run"],
    ["sources", "remove", "2", "--dry-run"],
    ["agencies", "remove", "county", "--dry-run"],
    ["agencies", "add", "Town", "--country", "fr", "--dry-run"],
    ["subscribe", "3", "--email", "x@county.example", "--dry-run"],
]


def test_dry_runs_write_nothing(monkeypatch, city, engine, fake_github):
    fake_github.push("county/roads", {"new.py": "x = 1\n"})  # a real crawl would change it
    before = counts(engine)
    index_files = sorted(p.name for p in city.resolved_index_dir.iterdir())
    for args in DRY_RUNS:
        out = govcode(monkeypatch, city, *args)
        assert "would" in out or "nothing to apply" in out, (args, out)
    assert counts(engine) == before
    assert sorted(p.name for p in city.resolved_index_dir.iterdir()) == index_files
    out = govcode(monkeypatch, city, "notify", "deliver", "--dry-run")
    assert "would dispatch 0 new events" in out
    out = govcode(monkeypatch, city, "index", "rebuild", "--dry-run")
    assert out.startswith("would index 3 repositories")


def test_sources_add_takes_every_kind_of_the_table_and_refuses_clearly(
    monkeypatch, settings, engine
):
    settings = settings.model_copy(update={"allow_http_hosts": ["localhost:8080"]})
    out = govcode(monkeypatch, settings, "sources", "add", "github", "AlbertaHealth",
                  "--agency", "Alberta Health Services")  # fmt: skip
    assert out.startswith("source 1: github albertahealth for alberta-health-services")
    govcode(monkeypatch, settings, "sources", "add", "code-json",
            "http://localhost:8080/code.json", "--agency", "US Example")  # fmt: skip
    dry = govcode(monkeypatch, settings, "sources", "add", "gitlab", "gov/health", "--agency",
                  "Health", "--dry-run")  # fmt: skip
    assert dry.startswith("would register gitlab 'gov/health'")
    with Session(engine) as session:
        rows = [(s.kind, s.locator) for s in session.exec(select(Source).order_by(Source.id))]
    assert rows == [
        ("github", "albertahealth"),
        ("code-json", "http://localhost:8080/code.json"),
    ]
    runner = CliRunner()
    for args, why in (
        (["gitea", "org"], "unknown source kind 'gitea'"),
        (["github", "not a login"], "is not a GitHub organisation login"),
        (["git", "file:///etc/passwd"], "file"),
        (["git-list", "https://127.0.0.1/list.json"], "127.0.0.1"),
    ):
        result = runner.invoke(app, ["sources", "add", *args, "--agency", "X"])
        assert result.exit_code == 2 and why in result.output, (args, result.output)
    with Session(engine) as session:
        assert len(session.exec(select(Source)).all()) == 2  # nothing more was registered
    kinds = govcode(monkeypatch, settings, "sources", "kinds")
    assert all(name in kinds for name in ("github", "gitlab", "git-list", "code-json"))
