"""A crawl process killed mid-way: its run stops claiming to be "running" once its heartbeat
is stale, on the agency page too, and says that it was interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.db import session_scope
from registry.models import CrawlRun, Repository
from registry.services import crawl_runs
from tests import factories
from tests.conftest import LiveServer
from tests.crawlers.gitserver import FILE, bare_repo, commit
from tests.fakes.static_http import StaticServer

ROOT = Path(__file__).resolve().parents[2]
CRAWL = """
import sys
from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.db import make_engine
from registry.settings import Settings

settings = Settings()
crawl_source(make_engine(settings), CrawlContext.from_settings(settings), int(sys.argv[1]))
"""


def _runs(engine) -> list[CrawlRun]:
    with Session(engine) as session:
        return list(session.exec(select(CrawlRun).order_by(CrawlRun.id)))  # type: ignore[arg-type]


def _wait(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_killed_crawl_is_marked_interrupted(settings, engine, server, tmp_path) -> None:
    commit(bare_repo(server.root / "permits.git"), {b"README.md": (FILE, b"# Permits\n")})
    # the second entry never answers: the crawl is inside it when it is killed
    listing = [server.url("permits.git"), server.url("hang/parking.git")]
    with StaticServer({"/repos.json": json.dumps(listing).encode()}) as lists:
        hosts = [f"127.0.0.1:{server.port}", lists.host]
        source = factories.source(engine, "git-list", lists.url("/repos.json"), slug="city")
        env = {**os.environ, "GOVCODE_ENVIRONMENT": "test",
               "GOVCODE_DATABASE_URL": settings.database_url,
               "GOVCODE_VAR_DIR": str(settings.var_dir),
               "GOVCODE_ALLOW_HTTP_HOSTS": json.dumps(hosts)}  # fmt: skip
        crawler = subprocess.Popen(
            [sys.executable, "-c", CRAWL, str(source)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            _wait(lambda: any("hang/" in r for r in server.requests))  # inside entry two
            os.kill(crawler.pid, signal.SIGKILL)  # the crawl process dies; git is left alone
        finally:
            crawler.wait(timeout=30)
    [run] = _runs(engine)
    assert run.status == "running"  # nothing finished it: that is the fault
    assert run.heartbeat_at is not None and run.heartbeat_at > run.started_at  # one beat
    with Session(engine) as session:
        assert [r.name for r in session.exec(select(Repository))] == ["permits"]

    stale_after = settings.crawl_stale_after
    soon = run.heartbeat_at + timedelta(seconds=stale_after / 2)
    with session_scope(engine) as session:  # not stale yet: still running
        assert crawl_runs.interrupt_stale(session, now=soon, stale_after=stale_after) == []
    later = run.heartbeat_at + timedelta(seconds=stale_after + 1)
    with session_scope(engine) as session:
        assert crawl_runs.interrupt_stale(session, now=later, stale_after=stale_after) == [run.id]
    [run] = _runs(engine)
    assert run.status == "interrupted" and run.finished_at == run.heartbeat_at
    assert "interrupted" in run.message and "not crawled" in run.message


def test_the_agency_page_shows_a_stale_run_as_interrupted(settings, engine) -> None:
    source = factories.source(engine, "git", "https://example.gov/a.git", slug="city")
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    with session_scope(engine) as session:
        stale = crawl_runs.start(session, source_id=source, now=long_ago).id
        alive = crawl_runs.start(session, source_id=source, now=datetime.now(UTC)).id
    with LiveServer(settings.model_copy(update={"crawl_stale_after": 600.0})) as app:
        page = httpx.get(f"{app.url}/agencies/city").text
    runs = {r.id: r for r in _runs(engine)}
    assert runs[stale].status == "interrupted" and runs[alive].status == "running"
    row = page.split(f'id="run-{stale}"')[1].split("</tr>")[0]
    assert '<td class="status">interrupted</td>' in row
    assert "the crawl stopped without finishing" in page


def test_a_new_crawl_of_the_source_ends_its_stale_runs(settings, engine) -> None:
    source = factories.source(engine, "git", "https://10.0.0.1/a.git", slug="city")
    with session_scope(engine) as session:
        old = crawl_runs.start(session, source_id=source, now=datetime.now(UTC) - timedelta(days=1))
    summary = crawl_source(engine, CrawlContext.from_settings(settings), source)
    runs = {r.id: r for r in _runs(engine)}
    assert runs[old.id].status == "interrupted"
    assert runs[summary.run_id].status == "failed"  # the refused URL, recorded, finished
