"""The delivery log, redelivery, full-jitter backoff, pausing a failing subscription and
rotating a webhook secret: through the real delivery pass, a real webhook receiver on
loopback and a real SMTP server."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from registry.db import session_scope
from registry.delivery import Senders, deliver_pending, full_jitter
from registry.errors import BadRequest, Conflict, NotFound
from registry.models import Delivery, DeliveryAttempt, Subscription, User
from registry.services import deliveries, subscriptions
from tests.factories import NOW, fork_claim, record, store
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver

SECRET = "log-test-secret-0123456789"


@pytest.fixture
def hook():
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def mail():
    with MailReceiver() as receiver:
        yield receiver


@pytest.fixture
def s(settings, hook, mail):
    return settings.model_copy(
        update={
            "smtp_host": mail.host,
            "smtp_port": mail.port,
            "allow_http_hosts": [hook.url.split("/")[2]],
            "webhook_timeout": 2.0,
            "webhook_deadline": 3.0,
        }
    )


def _subscribed(engine, url: str, *, reusers: int = 1, owner: str | None = None) -> int:  # type: ignore[no-untyped-def]
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session:
        user_id = None
        if owner:
            user = User(email=owner, display_name="Owner", password_hash="x")
            session.add(user)
            session.flush()
            user_id = user.id
        sub = subscriptions.subscribe(
            session, repository_id=repo_id, channel="webhook", address=url, secret=SECRET
        )
        sub.user_id = user_id
        sub_id = sub.id
    target.reuse = [
        fork_claim(f"https://github.example/on-{n}/tool", target) for n in range(reusers)
    ]
    store(engine, target)
    return sub_id  # type: ignore[return-value]


def _log(engine, sub_id: int):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return deliveries.log(session, subscription_id=sub_id)


def test_full_jitter_stays_under_a_doubling_capped_ceiling_and_spreads():
    rng = random.Random(7)
    for attempts in range(1, 12):
        ceiling = min(600.0, 30.0 * 2 ** (attempts - 1))
        waits = [full_jitter(attempts, base=30, cap=600, rng=rng) for _ in range(200)]
        assert all(1.0 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > ceiling / 3  # spread over the range, not one value
    assert full_jitter(10_000, base=30, cap=600, rng=rng) <= 600  # no overflow


def test_every_attempt_is_logged_with_status_latency_and_error(engine, s, hook):
    sub_id = _subscribed(engine, hook.url)
    hook.fail_next(1, status=503)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
        deliver_pending(engine, s, senders, now=NOW + timedelta(minutes=5))
    (entry,) = _log(engine, sub_id)
    assert entry.status == "delivered" and entry.key == hook.received[0].headers[
        "x-govcode-delivery"]  # fmt: skip
    assert entry.event_kind == "reuse.detected"
    newest, oldest = entry.history
    assert (oldest.ok, oldest.status_code, oldest.redelivery) == (False, 503, False)
    assert oldest.error is not None and oldest.error.startswith("HTTP 503")
    assert (newest.ok, newest.status_code, newest.error) == (True, 204, None)
    assert newest.attempted_at > oldest.attempted_at
    assert all(a.latency_ms >= 0 for a in entry.history)


def test_a_timeout_is_logged_without_a_status(engine, s, hook):
    sub_id = _subscribed(engine, hook.url)
    hook.stall_next(1, seconds=4.0)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
    (attempt,) = _log(engine, sub_id)[0].history
    assert attempt.status_code is None and not attempt.ok
    assert attempt.latency_ms >= 1000
    assert "timed out" in (attempt.error or "") or "deadline" in (attempt.error or "")


def test_redelivery_makes_a_new_attempt_with_the_same_delivery_id(engine, s, hook):
    sub_id = _subscribed(engine, hook.url)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
        (entry,) = _log(engine, sub_id)
        with session_scope(engine) as session:
            deliveries.redeliver(
                session, subscription_id=sub_id, delivery_id=entry.id, now=NOW + timedelta(hours=1)
            )
        assert deliver_pending(engine, s, senders, now=NOW + timedelta(hours=1)) == {
            "delivered": 1, "failed": 0}  # fmt: skip
    first, again = hook.wait_for(2)
    assert first.headers["x-govcode-delivery"] == again.headers["x-govcode-delivery"] == entry.key
    assert again.valid and hook.repeats == [entry.key]  # the receiver can tell a repeat
    (entry,) = _log(engine, sub_id)
    assert [a.redelivery for a in entry.history] == [True, False]
    assert entry.status == "delivered"
    with session_scope(engine) as session, pytest.raises(NotFound):
        deliveries.redeliver(session, subscription_id=sub_id + 1, delivery_id=entry.id, now=NOW)


def test_a_given_up_delivery_can_be_redelivered_with_a_fresh_budget(engine, s, hook):
    s = s.model_copy(update={"delivery_max_attempts": 2})
    sub_id = _subscribed(engine, hook.url)
    hook.fail_next(2, status=500)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
        deliver_pending(engine, s, senders, now=NOW + timedelta(hours=1))
        (entry,) = _log(engine, sub_id)
        assert entry.status == "failed" and len(entry.history) == 2  # budget spent
        assert deliver_pending(engine, s, senders, now=NOW + timedelta(days=1)) == {
            "delivered": 0, "failed": 0}  # fmt: skip
        with session_scope(engine) as session:
            deliveries.redeliver(session, subscription_id=sub_id, delivery_id=entry.id, now=NOW)
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=1))
    (entry,) = _log(engine, sub_id)
    assert entry.status == "delivered" and len(entry.history) == 3


def test_a_subscription_failing_for_days_is_paused_its_owner_told_and_nothing_lost(
    engine, s, hook, mail
):
    s = s.model_copy(update={"delivery_pause_after_days": 3.0, "delivery_max_attempts": 100})
    sub_id = _subscribed(engine, hook.url, reusers=2, owner="owner@ahs.example")
    hook.fail_next(1000, status=500)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=2))
        with Session(engine) as session:
            assert session.get(Subscription, sub_id).active  # failing, not for long enough
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=3, minutes=1))
        with Session(engine) as session:
            sub = session.get(Subscription, sub_id)
            assert not sub.active and sub.paused_at is not None
            assert "every delivery failed for 3.0 days" in sub.paused_reason
            assert "HTTP 500" in sub.paused_reason
        (told,) = mail.wait_for(1)
        assert told["To"] == "owner@ahs.example"
        assert "paused" in told["Subject"]
        body = told.get_body(("plain",)).get_content()
        assert f"/account/subscriptions/{sub_id}/log" in body and hook.url in body
        # Paused: nothing is sent, nothing given up; the deliveries wait.
        tries = len(hook.received)
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=5))
        assert len(hook.received) == tries
        with Session(engine) as session:
            assert {d.status for d in session.exec(select(Delivery))} == {"pending"}
            subscriptions.resume(session, session.get(Subscription, sub_id), now=NOW)
            session.commit()
        hook.answer_normally()  # the receiver is fixed
        assert deliver_pending(engine, s, senders, now=NOW + timedelta(days=5)) == {
            "delivered": 2, "failed": 0}  # fmt: skip
    assert len(mail.messages) == 1  # told once
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub.active and sub.paused_at is None and sub.failing_since is None


def test_a_success_ends_the_run_of_failures(engine, s, hook):
    s = s.model_copy(update={"delivery_pause_after_days": 3.0})
    sub_id = _subscribed(engine, hook.url, reusers=2)
    hook.fail_next(1, status=500)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)  # one fails, one succeeds
        with Session(engine) as session:
            assert session.get(Subscription, sub_id).failing_since is None
        hook.fail_next(5, status=500)
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=4))
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub.active and sub.failing_since == NOW + timedelta(days=4)


def test_a_rotated_secret_signs_with_both_until_the_overlap_ends(engine, s, hook):
    """``hook`` knows only the old secret; ``fresh`` only the new one."""
    sub_id = _subscribed(engine, hook.url, reusers=1)
    with session_scope(engine) as session:
        sub = session.get(Subscription, sub_id)
        turn = subscriptions.rotate_secret(session, sub, now=NOW, overlap_hours=24)
    assert turn.previous_valid_until == NOW + timedelta(hours=24)
    with WebhookReceiver(turn.secret) as fresh, Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW + timedelta(hours=1))
        (during,) = hook.wait_for(1)
        signature = during.headers["x-govcode-signature"]
        assert during.valid and signature.count("v1=") == 2
        assert fresh.signature_valid(during.body, signature)
        # After the overlap only the new secret signs: the old one no longer verifies.
        target = record("ahs", "tool")
        target.reuse = [fork_claim("https://github.example/late/tool", target)]
        store(engine, target)
        deliver_pending(engine, s, senders, now=NOW + timedelta(hours=25))
    after = hook.wait_for(2)[-1]
    signature = after.headers["x-govcode-signature"]
    assert not after.valid and signature.count("v1=") == 1
    assert fresh.signature_valid(after.body, signature)


def test_rotation_refusals(engine, hook):
    sub_id = _subscribed(engine, hook.url)
    with session_scope(engine) as session:
        sub = session.get(Subscription, sub_id)
        with pytest.raises(BadRequest, match="16 to 200"):
            subscriptions.rotate_secret(session, sub, now=NOW, overlap_hours=1, secret="short")
        with pytest.raises(BadRequest, match="current one"):
            subscriptions.rotate_secret(session, sub, now=NOW, overlap_hours=1, secret=SECRET)
        turn = subscriptions.rotate_secret(session, sub, now=NOW, overlap_hours=0)
        assert turn.previous_valid_until is None and sub.previous_secret is None
        mail_sub = subscriptions.subscribe(
            session, repository_id=sub.repository_id, channel="email", address="a@b.example"
        )
        with pytest.raises(BadRequest, match="no signing secret"):
            subscriptions.rotate_secret(session, mail_sub, now=NOW, overlap_hours=1)


def test_attempts_go_with_their_delivery(engine, s, hook):
    sub_id = _subscribed(engine, hook.url)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
    assert len(_log(engine, sub_id)[0].history) == 1
    with session_scope(engine) as session:
        session.delete(session.exec(select(Delivery)).one())
    with Session(engine) as session:
        assert session.exec(select(col(DeliveryAttempt.id))).all() == []


def test_a_delivery_being_sent_is_not_redelivered_meanwhile(engine, hook):
    sub_id = _subscribed(engine, hook.url)
    with session_scope(engine) as session:
        for event_id in deliveries.undispatched(session):
            deliveries.dispatch(session, event_id=event_id, now=NOW)
    with session_scope(engine) as session:
        (held,) = deliveries.claim(session, token="a" * 32, now=NOW, lease_seconds=60, limit=5)
    with session_scope(engine) as session, pytest.raises(Conflict, match="being sent"):
        deliveries.redeliver(session, subscription_id=sub_id, delivery_id=held.delivery_id, now=NOW)
    with session_scope(engine) as session:  # once the lease is over, it may be
        deliveries.redeliver(session, subscription_id=sub_id, delivery_id=held.delivery_id,
                             now=NOW + timedelta(minutes=2))  # fmt: skip


def test_a_stopping_pass_finishes_its_send_and_hands_back_the_rest(engine, s, hook):
    _subscribed(engine, hook.url, reusers=3)
    stop = threading.Event()
    hook.hold_next(1)
    counts: list[dict[str, int]] = []

    def one_pass() -> None:
        with Senders.from_settings(s) as senders:
            counts.append(deliver_pending(engine, s, senders, now=NOW, stop=stop))

    worker = threading.Thread(target=one_pass)
    worker.start()
    hook.wait_held(1)
    stop.set()  # e.g. SIGTERM to `govcode notify deliver --watch`
    hook.release()
    worker.join(timeout=30)
    assert counts == [{"delivered": 1, "failed": 0}]
    with Session(engine) as session:
        waiting = session.exec(select(Delivery).where(Delivery.status == "pending")).all()
        assert len(waiting) == 2 and {d.lease_token for d in waiting} == {None}
    with Senders.from_settings(s) as senders:  # another pass need not wait for a lease
        assert deliver_pending(engine, s, senders, now=NOW) == {"delivered": 2, "failed": 0}
    assert len(hook.view) == 3 and hook.repeats == []


def test_the_log_pages_back_and_filters_by_status(engine, s, hook):
    from registry.services import delivery_log

    sub_id = _subscribed(engine, hook.url, reusers=5, owner="pager@ahs.example")
    hook.fail_next(2, status=410)  # gone: not retried, so those two are given up
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
    with Session(engine) as session:
        owner = session.exec(select(User).where(User.email == "pager@ahs.example")).one()
        first = delivery_log.page(session, owner, sub_id, limit=2)
        second = delivery_log.page(session, owner, sub_id, limit=2, before=first.next_before)
        last = delivery_log.page(session, owner, sub_id, limit=2, before=second.next_before)
        ids = [d.id for p in (first, second, last) for d in p.deliveries]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
        assert last.next_before is None and len(last.deliveries) == 1
        failed = delivery_log.page(session, owner, sub_id, status="failed")
        assert [d.status for d in failed.deliveries] == ["failed", "failed"]
        assert delivery_log.page(session, owner, sub_id, limit=-3).deliveries  # clamped
        assert failed.to_json()["subscription"]["follows"] == "ahs/tool"
        with pytest.raises(BadRequest):
            delivery_log.page(session, owner, sub_id, status="lost")
        stranger = User(email="x@y.example", display_name="X", password_hash="x", id=999)
        with pytest.raises(NotFound):
            delivery_log.page(session, stranger, sub_id)


def test_resuming_sends_again_what_was_given_up_while_failing(engine, s, hook):
    s = s.model_copy(update={"delivery_pause_after_days": 3.0, "delivery_max_attempts": 2})
    sub_id = _subscribed(engine, hook.url, reusers=2, owner="owner@ahs.example")
    hook.fail_next(1000, status=500)
    with Senders.from_settings(s) as senders:
        deliver_pending(engine, s, senders, now=NOW)
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=1))  # budget spent
        with Session(engine) as session:
            assert {d.status for d in session.exec(select(Delivery))} == {"failed"}
        target = record("ahs", "tool")  # a later event, still failing: now it is paused
        target.reuse = [fork_claim("https://github.example/late/tool", target)]
        store(engine, target)
        deliver_pending(engine, s, senders, now=NOW + timedelta(days=3, hours=1))
        with session_scope(engine) as session:
            sub = session.get(Subscription, sub_id)
            assert not sub.active and sub.paused_at is not None
            subscriptions.resume(session, sub, now=NOW + timedelta(days=4))
        hook.answer_normally()
        assert deliver_pending(engine, s, senders, now=NOW + timedelta(days=4)) == {
            "delivered": 3, "failed": 0}  # fmt: skip
    assert len(hook.view) == 3
