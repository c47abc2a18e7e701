"""The per-repository time budget: a slow repository is recorded as failed, keeps its last
good record, and the crawl goes on to the next one."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from crawlers.budget import CHECK_EVERY, Deadline, DeadlineTree
from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.analysis.languages import analyse_languages
from registry.analysis.tree import MemoryTree
from registry.errors import CrawlError
from registry.models import CrawlRun, Repository
from tests import factories


class Clock:
    """A clock the test moves by hand (the deadline's only dependency on time)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reads_stop_once_the_deadline_has_passed() -> None:
    clock = Clock()
    tree = DeadlineTree(
        MemoryTree({"a.py": "x = 1\n", "b.h": "int f(void);\n"}), Deadline(2, clock=clock)
    )
    assert tree.read("a.py") == b"x = 1\n" and len(tree.entries()) == 2
    clock.now += 2.5
    with pytest.raises(CrawlError, match=r"^over its time budget of 2 s$"):
        tree.read("a.py")
    with pytest.raises(CrawlError):
        tree.entries()


def test_an_analyser_walking_entries_is_stopped_mid_walk() -> None:
    clock = Clock()
    files = {f"f{i}.py": "x = 1\n" for i in range(CHECK_EVERY * 4)}
    deadline = Deadline(0.25, clock=clock)
    tree = DeadlineTree(MemoryTree(files), deadline)
    entries = tree.entries()
    walked = 0
    with pytest.raises(CrawlError, match=r"0\.25 s"):
        for _ in entries:
            walked += 1
            if walked == CHECK_EVERY + 1:
                clock.now += 1  # the budget runs out during the walk
    assert walked == CHECK_EVERY * 2  # stopped at the next check, not at the end
    assert analyse_languages(DeadlineTree(MemoryTree(files), Deadline(60))).shares  # in time


@pytest.fixture
def world(fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    fake_github.add_repo("ahs", "alpha", {"README.md": "# alpha\n", "alpha.py": "x = 1\n"})
    fake_github.add_repo("ahs", "beta", {"README.md": "# beta\n", "beta.py": "y = 1\n"})
    return fake_github


def _source(engine, fake) -> int:
    return factories.source(engine, "github", "ahs", api_url=fake.api_url, slug="ahs", name="AHS")


def _ctx(settings, fake, **update) -> CrawlContext:
    update["allow_http_hosts"] = [fake.base_url.removeprefix("http://")]
    return CrawlContext.from_settings(settings.model_copy(update=update))


def test_a_repository_over_its_budget_fails_and_the_crawl_goes_on(settings, engine, world):
    source = _source(engine, world)
    first = crawl_source(engine, _ctx(settings, world), source)
    assert first.counts["new"] == 2
    with Session(engine) as session:
        good = session.exec(select(Repository).where(Repository.name == "alpha")).one()
        good_head, good_languages = good.head_commit, good.primary_language

    # alpha grows 2,000 MATLAB files that enry must classify by content: about 7 s of
    # analysis on an idle machine, far over the 1 s budget; beta stays small and quick
    body = "".join(f"  y{j} = x * {j} + sin(x) / {j + 1};\n" for j in range(100))
    files = {f"src/m{i % 40}/f{i}.m": f"function y = f{i}(x)\n{body}end\n" for i in range(2000)}
    world.push("ahs/alpha", files)
    world.push("ahs/beta", {"beta.py": "y = 2\n"})
    took: dict[str, float] = {}
    started = time.monotonic()

    def progress(name: str, status: str) -> None:
        nonlocal started
        took[name], started = time.monotonic() - started, time.monotonic()

    ctx = _ctx(settings, world, repo_time_budget=1.0)
    summary = crawl_source(engine, ctx, source, progress=progress)
    assert took["ahs/alpha"] < 4.0  # stopped at the deadline, not after the whole analysis

    assert summary.status == "finished"
    assert summary.counts["failed"] == 1 and summary.counts["changed"] == 1  # beta went on
    assert summary.errors == [
        {"repository": world.html_url("ahs/alpha"), "error": "over its time budget of 1 s"}
    ]
    with Session(engine) as session:
        run = session.exec(select(CrawlRun).order_by(CrawlRun.id.desc())).first()  # type: ignore[union-attr]
        assert run is not None and run.failed == 1 and run.errors == summary.errors
        alpha = session.exec(select(Repository).where(Repository.name == "alpha")).one()
        assert alpha.crawl_error == "over its time budget of 1 s"
        assert (alpha.head_commit, alpha.primary_language) == (good_head, good_languages)
        beta = session.exec(select(Repository).where(Repository.name == "beta")).one()
        assert beta.crawl_error is None and beta.last_changed_at is not None
