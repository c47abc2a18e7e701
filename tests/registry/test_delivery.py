"""The notify stage end to end: outbox → SMTP and signed webhooks, retried until
acknowledged, each delivery claimed by one pass only."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.models import Delivery, Subscription
from registry.services import deliveries, subscriptions
from tests.factories import NOW, fork_claim, record, store
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver

SECRET = "s3cret"
MAIL_TO = "m@ahs.example"


@pytest.fixture
def receivers(settings):
    with MailReceiver() as mail, WebhookReceiver(SECRET) as hook:
        s = settings.model_copy(
            update={
                "smtp_host": mail.host,
                "smtp_port": mail.port,
                "allow_http_hosts": [hook.url.split("/")[2]],
            }
        )
        yield s, mail, hook


def _events(engine, hook_url: str | None, *, reusers: int = 1) -> int:
    """A subscribed repository reused ``reusers`` times; returns its id."""
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session:
        subscriptions.subscribe(session, repository_id=repo_id, channel="email", address=MAIL_TO)
        if hook_url:
            subscriptions.subscribe(session, repository_id=repo_id, channel="webhook",
                                    address=hook_url, secret=SECRET)  # fmt: skip
    target.reuse = [
        fork_claim(f"https://github.example/ontario-{n}/tool", target) for n in range(reusers)
    ]
    assert len(store(engine, target).event_ids) == reusers
    return repo_id


def test_a_failing_webhook_is_retried_later_and_mail_is_not_sent_twice(engine, receivers):
    s, mail, hook = receivers
    _events(engine, hook.url)
    hook.fail_next(1, status=503)
    senders = Senders.from_settings(s)
    assert deliver_pending(engine, s, senders, now=NOW) == {"delivered": 1, "failed": 1}
    assert len(mail.wait_for(1)) == 1
    # Too early (a retry waits at least a second): nothing is due.
    assert deliver_pending(engine, s, senders, now=NOW + timedelta(seconds=0.5)) == {
        "delivered": 0, "failed": 0}  # fmt: skip
    assert deliver_pending(engine, s, senders, now=NOW + timedelta(minutes=5)) == {
        "delivered": 1, "failed": 0}  # fmt: skip
    assert [r.status for r in hook.received] == [503, 204]
    assert hook.received[-1].valid
    assert hook.received[0].headers["x-govcode-delivery"] == hook.received[1].headers[
        "x-govcode-delivery"]  # fmt: skip
    assert len(mail.messages) == 1
    with Session(engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} == {"delivered"}
        assert {d.lease_token for d in session.exec(select(Delivery))} == {None}


def test_a_refused_webhook_url_is_not_retried(engine, receivers):
    s, _mail, hook = receivers
    _events(engine, "http://10.0.0.1/hook")  # private address: refused by the URL policy
    deliver_pending(engine, s, Senders.from_settings(s), now=NOW)
    with Session(engine) as session:
        hook_delivery = session.exec(
            select(Delivery)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Subscription.channel == "webhook")
        ).one()
        assert hook_delivery.status == "failed" and "URL policy" in hook_delivery.last_error
    assert hook.received == []


def test_a_retried_mail_carries_the_same_message_id(engine, receivers):
    s, mail, _hook = receivers
    _events(engine, None, reusers=2)
    mail.fail_data_next(1)  # the server reads the first message, then answers 451
    senders = Senders.from_settings(s)
    assert deliver_pending(engine, s, senders, now=NOW) == {"delivered": 1, "failed": 1}
    assert deliver_pending(engine, s, senders, now=NOW + timedelta(minutes=5)) == {
        "delivered": 1, "failed": 0}  # fmt: skip
    first, second, retry = (m["Message-ID"] for m in mail.wait_for(3))
    assert retry == first and second != first
    assert first.startswith("<govcode.reuse.") and first.endswith("@govcode.invalid>")


@pytest.mark.timeout(120)
def test_two_passes_at_once_never_send_the_same_notice_twice(engine, receivers):
    s, mail, hook = receivers
    _events(engine, hook.url, reusers=6)
    for _ in range(6):
        hook.stall_next(1, seconds=0.15)  # keep both passes busy at the same time
    start = threading.Barrier(2)
    counts: list[dict[str, int]] = []

    def one_pass() -> None:
        start.wait()
        counts.append(deliver_pending(engine, s, Senders.from_settings(s), now=NOW))

    passes = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in passes:
        thread.start()
    for thread in passes:
        thread.join(timeout=60)
    assert len(counts) == 2
    assert sum(c["delivered"] for c in counts) == 12 and sum(c["failed"] for c in counts) == 0
    keys = [r.headers["x-govcode-delivery"] for r in hook.wait_for(6)]
    ids = [m["Message-ID"] for m in mail.wait_for(6)]
    assert len(keys) == len(set(keys)) == 6 and len(hook.received) == 6
    assert len(ids) == len(set(ids)) == 6 and len(mail.messages) == 6
    with Session(engine) as session:
        assert [d.status for d in session.exec(select(Delivery))] == ["delivered"] * 12


def test_a_claim_is_exclusive_until_its_lease_runs_out(engine):
    _events(engine, "https://hooks.example/x", reusers=2)
    with session_scope(engine) as session:
        for event_id in deliveries.undispatched(session):
            deliveries.dispatch(session, event_id=event_id, now=NOW)
    with session_scope(engine) as session:
        first = deliveries.claim(session, token="a" * 32, now=NOW, lease_seconds=60, limit=3)
    assert len(first) == 3
    with session_scope(engine) as session:
        second = deliveries.claim(session, token="b" * 32, now=NOW, lease_seconds=60, limit=10)
    assert len(second) == 1  # only the one nobody holds
    assert not {d.delivery_id for d in first} & {d.delivery_id for d in second}
    later = NOW + timedelta(seconds=61)
    with session_scope(engine) as session:
        taken_over = deliveries.claim(session, token="c" * 32, now=later, lease_seconds=60,
                                      limit=10)  # fmt: skip
    assert {d.delivery_id for d in taken_over} == {d.delivery_id for d in first + second}
    lost = first[0].delivery_id
    with session_scope(engine) as session:
        assert not deliveries.renew(session, delivery_id=lost, token="a" * 32, now=later,
                                    lease_seconds=60)  # fmt: skip
        assert not deliveries.mark_delivered(session, delivery_id=lost, now=later, token="a" * 32)
        assert deliveries.mark_delivered(session, delivery_id=lost, now=later, token="c" * 32)
    with Session(engine) as session:
        done = session.get(Delivery, lost)
        assert done.status == "delivered" and done.lease_token is None and done.attempts == 1


def test_a_subscription_on_a_channel_without_sender_records_why(engine, receivers):
    s, mail, _hook = receivers
    repo_id = _events(engine, None)
    with session_scope(engine) as session:  # e.g. a channel whose module was removed
        session.add(Subscription(repository_id=repo_id, channel="pager", address="+1555"))
    assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW) == {
        "delivered": 1, "failed": 1}  # fmt: skip
    assert len(mail.wait_for(1)) == 1
    with Session(engine) as session:
        failed = session.exec(select(Delivery).where(Delivery.status == "failed")).one()
        assert "no sender for the 'pager' channel" in failed.last_error
