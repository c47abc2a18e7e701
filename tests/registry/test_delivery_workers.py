"""Never lost, never doubled, with worker processes for real: `govcode notify deliver
--watch` processes against a real webhook receiver on loopback that keeps an idempotent
view (the first valid, acknowledged POST of each delivery id)."""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from crawlers.tasks import register
from registry.models import Delivery, DeliveryAttempt
from registry.queue import make_huey
from tests.fakes.webhooks import WebhookReceiver
from tests.registry.test_queue import _redis_reachable
from tests.registry.workers import (
    HUEY_CONSUMER,
    Worker,
    reused_repository,
    wait_until,
    worker_env,
)

SECRET = "worker-test-secret"


@pytest.fixture
def hook():
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


def _all_delivered(engine, n: int) -> bool:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        statuses = session.exec(select(Delivery.status)).all()
    return len(statuses) == n and set(statuses) == {"delivered"}


def _leases_ran_out(engine) -> bool:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with Session(engine) as session:
        until = session.exec(select(Delivery.leased_until)).all()
    return all(u is None or u <= now for u in until)


def _attempts(engine) -> list[DeliveryAttempt]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(DeliveryAttempt).order_by(col(DeliveryAttempt.id))))


@pytest.mark.timeout(90)
def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_nothing(
    engine, settings, hook, tmp_path
):
    keys = reused_repository(engine, hook.url, SECRET, reusers=4)
    env = worker_env(settings.database_url, tmp_path / "var", hook.url)
    hook.hold_next(1)  # the first POST stays unanswered: the worker is mid-delivery
    first = Worker(env, tmp_path / "first.log")
    try:
        hook.wait_held(1, timeout=30)
        first.kill()
    finally:
        first.stop()
    hook.release()  # the receiver acts on the orphaned POST; nobody hears its answer
    assert not _all_delivered(engine, 4)
    second = Worker(env, tmp_path / "second.log")
    try:
        view = hook.wait_view(keys, timeout=40)  # after the dead worker's lease runs out
        wait_until(lambda: _all_delivered(engine, 4), 20, "every delivery recorded")
    finally:
        second.stop()
    assert set(view) == keys  # every event reached the receiver, each once in its view
    assert all(got.valid for got in view.values())
    by_key = [r.headers["x-govcode-delivery"] for r in hook.received]
    assert sorted(set(by_key)) == sorted(keys)
    (repeated,) = [k for k in keys if by_key.count(k) > 1]  # the one sent before the kill
    assert by_key.count(repeated) == 2 and hook.repeats == [repeated]
    # The second worker logged its tries; the killed one could log nothing.
    assert len(_attempts(engine)) == 4 and all(a.ok for a in _attempts(engine))


@pytest.mark.timeout(90)
def test_errors_then_timeouts_then_recovery_deliver_everything_within_the_budget(
    engine, settings, hook, tmp_path
):
    keys = reused_repository(engine, hook.url, SECRET, reusers=3)
    hook.then(4, status=500)
    hook.then(3, stall=3.5)  # longer than the worker's 3 s timeout: the POST times out
    env = worker_env(settings.database_url, tmp_path / "var", hook.url)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        view = hook.wait_view(keys, timeout=60)
        wait_until(lambda: _all_delivered(engine, 3), 20, "every delivery recorded")
    finally:
        worker.stop()
    assert set(view) == keys
    attempts = _attempts(engine)
    failures = [a for a in attempts if not a.ok]
    assert [a.status_code for a in failures if a.status_code] == [500] * 4
    timeouts = [a for a in failures if a.status_code is None]
    assert len(timeouts) == 3
    assert all(re.search("timed out|deadline", a.error or "") for a in timeouts)
    assert sum(a.ok for a in attempts) == 3
    with Session(engine) as session:
        budget = int(env["GOVCODE_DELIVERY_MAX_ATTEMPTS"])
        assert all(d.attempts <= budget for d in session.exec(select(Delivery)))
        for delivery in session.exec(select(Delivery)):
            mine = [a for a in attempts if a.delivery_id == delivery.id]
            times = [a.attempted_at for a in mine]
            assert times == sorted(times) and mine[-1].ok and all(not a.ok for a in mine[:-1])


@pytest.mark.timeout(90)
def test_two_workers_at_once_send_nothing_twice(engine, settings, hook, tmp_path):
    keys = reused_repository(engine, hook.url, SECRET, reusers=8)
    hook.then(8, stall=0.3)  # every POST takes a while, so both workers are busy at once
    env = worker_env(
        settings.database_url, tmp_path / "var", hook.url, GOVCODE_DELIVERY_BATCH_SIZE="1"
    )
    workers = [Worker(env, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        view = hook.wait_view(keys, timeout=40)
        wait_until(lambda: _all_delivered(engine, 8), 20, "every delivery recorded")
    finally:
        for worker in workers:
            worker.stop()
    assert set(view) == keys
    sent = [r.headers["x-govcode-delivery"] for r in hook.received]
    assert len(sent) == len(set(sent)) == 8 and hook.repeats == []
    assert len(_attempts(engine)) == 8


@pytest.mark.timeout(90)
@pytest.mark.parametrize("queue", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_huey_consumer_killed_mid_delivery_loses_nothing(engine, settings, hook, tmp_path, queue):
    """The queued path: `govcode worker` runs the deliver task a crawl queues; killed
    mid-send, a new consumer and the next queued pass deliver everything, once each."""
    extra = {}
    if queue == "redis":
        reason = _redis_reachable()
        if reason:
            pytest.skip(reason)
        extra = {"GOVCODE_QUEUE_URL": os.environ["GOVCODE_TEST_REDIS_URL"],
                 "GOVCODE_QUEUE_NAME": f"govcode-test-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    keys = reused_repository(engine, hook.url, SECRET, reusers=3)
    env = worker_env(settings.database_url, tmp_path / "var", hook.url, **extra)
    producer_settings = settings.model_copy(
        update={"var_dir": tmp_path / "var", "queue_url": extra.get("GOVCODE_QUEUE_URL", ""),
                "queue_name": extra.get("GOVCODE_QUEUE_NAME", "govcode")}
    )  # fmt: skip
    producer = register(make_huey(producer_settings), producer_settings)
    hook.hold_next(1)
    producer.deliver()  # what a crawl that found reuse queues
    first = Worker(env, tmp_path / "first.log", HUEY_CONSUMER)
    try:
        hook.wait_held(1, timeout=30)
        first.kill()
    finally:
        first.stop()
    hook.release()
    # The next crawl's pass (or the minutely sweep) takes up what the dead pass held,
    # once its lease has run out.
    wait_until(lambda: _leases_ran_out(engine), 20, "the killed pass's leases running out")
    second = Worker(env, tmp_path / "second.log", HUEY_CONSUMER)
    try:
        producer.deliver()
        view = hook.wait_view(keys, timeout=40)
        wait_until(lambda: _all_delivered(engine, 3), 20, "every delivery recorded")
        if not set(view) >= keys:
            pytest.fail(second.output())
    finally:
        second.stop()
        producer.huey.flush()  # leave no keys behind on a shared Redis
    assert set(view) == keys and len(hook.repeats) <= 1
    sent = [r.headers["x-govcode-delivery"] for r in hook.received]
    assert sorted(set(sent)) == sorted(keys)
