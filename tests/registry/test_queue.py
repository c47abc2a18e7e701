"""Crawl and delivery as queued tasks, on the embedded SQLite queue and on real Redis."""

from __future__ import annotations

import os
import uuid

import pytest
from huey import RedisHuey
from sqlmodel import Session, select

from crawlers.tasks import register
from registry.models import CrawlRun, Repository
from registry.queue import make_huey
from tests import factories

REDIS_URL = os.environ.get("GOVCODE_TEST_REDIS_URL", "")


def _redis_reachable() -> str | None:
    if not REDIS_URL:
        return "GOVCODE_TEST_REDIS_URL is not set"
    import redis

    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError as exc:
        return f"no Redis at {REDIS_URL}: {exc}"
    return None


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def queued_settings(request, settings, fake_github):
    if request.param == "redis":
        reason = _redis_reachable()
        if reason:
            pytest.skip(reason)
        update = {"queue_url": REDIS_URL, "queue_name": f"govcode-test-{uuid.uuid4().hex[:8]}"}
    else:
        update = {}
    fake_github.add_org("ahs", name="Alberta Health Services")
    fake_github.add_repo("ahs", "tool", {"README.md": "# tool\n", "main.py": "print(1)\n"})
    return settings.model_copy(
        update={
            **update,
            "github_api_url": fake_github.api_url,
            "allow_http_hosts": [fake_github.base_url.removeprefix("http://")],
        }
    )


def test_a_queued_crawl_runs_on_a_worker(queued_settings, engine):
    s = queued_settings
    source_id = factories.source(
        engine, "github", "ahs", api_url=s.github_api_url, slug="ahs", name="AHS"
    )
    producer = register(make_huey(s), s)  # e.g. `govcode crawl github ahs --queue`
    producer.crawl_source(source_id)
    assert producer.huey.pending_count() == 1

    worker = register(make_huey(s), s)  # another process, same settings
    try:
        task = worker.huey.dequeue()
        assert task is not None and task.name == "crawl_source"
        worker.huey.execute(task)
        assert worker.huey.pending_count() == 0
        with Session(engine) as session:
            assert [r.full_name for r in session.exec(select(Repository))] == ["ahs/tool"]
            run = session.exec(select(CrawlRun)).one()
            assert (run.status, run.new) == ("finished", 1)
    finally:
        worker.huey.flush()


# What a queued message names its task by: huey writes the task's module path and name.
# Work queued by an earlier release carries these; renaming a task or moving it to another
# module would strand that work (the worker answers "not found in TaskRegistry").
QUEUED_NAMES = {
    "crawl_source": "crawlers.tasks.crawl_source",
    "deliver": "crawlers.tasks.deliver",
    "sweep": "crawlers.tasks.sweep_outbox",
    "recrawl": "crawlers.tasks.recrawl_due",
    "crawl_scheduled": "crawlers.tasks.crawl_scheduled",
    "digest": "crawlers.tasks.daily_digest",
}


def test_queued_work_keeps_its_task_names(queued_settings):
    s = queued_settings
    producer = register(make_huey(s), s)
    worker = register(make_huey(s), s)  # a worker of the new release, started afterwards
    try:
        for field, name in QUEUED_NAMES.items():
            task = getattr(producer, field)
            task(1) if field in ("crawl_source", "crawl_scheduled") else task()
            (data,) = producer.huey.storage.enqueued_items()
            assert producer.huey.serializer.deserialize(data).name == name
            queued = worker.huey.dequeue()  # the worker finds the task the message names
            assert queued is not None and type(queued) is getattr(worker, field).task_class
    finally:
        producer.huey.flush()
        for huey in (producer.huey, worker.huey):
            if isinstance(huey, RedisHuey):  # let go of its connections now, not at exit
                huey.storage.conn.connection_pool.disconnect()
