"""govcode notify rotate-secret / resume: the new secret once, dry runs change nothing,
clear one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from registry.db import session_scope
from registry.models import Subscription
from registry.services import subscriptions
from tests.factories import record, store
from tests.story_helpers import govcode
from tests.test_cli import invoke

SECRET = "cli-secret-0123456789abcdef"


def _webhook(engine) -> int:  # type: ignore[no-untyped-def]
    repo_id = store(engine, record("ahs", "tool")).repository_id
    with session_scope(engine) as session:
        sub = subscriptions.subscribe(
            session, repository_id=repo_id, channel="webhook",
            address="https://hooks.ahs.example/govcode", secret=SECRET,
        )  # fmt: skip
        return sub.id  # type: ignore[return-value]


def test_rotate_secret_keeps_the_old_one_for_the_overlap(monkeypatch, settings, engine):
    sub_id = _webhook(engine)
    out = govcode(monkeypatch, settings, "notify", "rotate-secret", str(sub_id), "--dry-run")
    assert f"would give subscription {sub_id} a new secret" in out
    with Session(engine) as session:
        assert session.get(Subscription, sub_id).secret == SECRET
    out = govcode(monkeypatch, settings, "notify", "rotate-secret", str(sub_id),
                  "--overlap-hours", "6")  # fmt: skip
    new = out.split("new signing secret: ")[1].split()[0]
    assert "stays valid until" in out
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub.secret == new and sub.previous_secret == SECRET
        hours = (sub.previous_secret_until - datetime.now(UTC)).total_seconds() / 3600
        assert 5.9 < hours <= 6
    out = govcode(monkeypatch, settings, "notify", "rotate-secret", str(sub_id),
                  "--overlap-hours", "0")  # fmt: skip
    assert "no longer valid" in out
    with Session(engine) as session:
        assert session.get(Subscription, sub_id).previous_secret is None


def test_rotate_and_resume_refusals_are_one_line(monkeypatch, settings, engine):
    sub_id = _webhook(engine)
    missing = invoke(monkeypatch, settings, "notify", "rotate-secret", "999")
    assert missing.exit_code != 0 and "no subscription 999" in missing.stderr
    assert missing.stderr.count("\n") == 1
    short = invoke(monkeypatch, settings, "notify", "rotate-secret", str(sub_id),
                   "--secret", "short")  # fmt: skip
    assert short.exit_code != 0 and "16 to 200 characters" in short.stderr
    stopped = invoke(monkeypatch, settings, "notify", "resume", str(sub_id))
    assert stopped.exit_code == 0  # active already: nothing to do
    with session_scope(engine) as session:
        session.get(Subscription, sub_id).active = False
    stopped = invoke(monkeypatch, settings, "notify", "resume", str(sub_id))
    assert stopped.exit_code != 0 and "stopped, not paused" in stopped.stderr


def test_resume_a_paused_subscription(monkeypatch, settings, engine):
    sub_id = _webhook(engine)
    with session_scope(engine) as session:
        sub = session.get(Subscription, sub_id)
        sub.active, sub.paused_at, sub.paused_reason = False, datetime.now(UTC), "failing"
    out = govcode(monkeypatch, settings, "notify", "resume", str(sub_id), "--dry-run")
    assert f"would resume subscription {sub_id}" in out
    with Session(engine) as session:
        assert not session.get(Subscription, sub_id).active
    out = govcode(monkeypatch, settings, "notify", "resume", str(sub_id))
    assert f"subscription {sub_id} is active" in out
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub.active and sub.paused_at is None and sub.paused_reason is None


def test_log_and_redeliver_from_the_command_line(monkeypatch, settings, engine):
    from tests.fakes.webhooks import WebhookReceiver
    from tests.registry.workers import reused_repository

    with WebhookReceiver(SECRET) as hook:
        s = settings.model_copy(update={"allow_http_hosts": [hook.url.split("/")[2]]})
        keys = reused_repository(engine, hook.url, SECRET, reusers=1)
        hook.fail_next(1, status=500)
        govcode(monkeypatch, s, "notify", "deliver")
        (key,) = keys
        sub_id = key.split("-")[1]
        out = govcode(monkeypatch, s, "notify", "log", sub_id)
        assert f"subscription {sub_id}: webhook {hook.url} (active)" in out
        assert f"({key}) reuse.detected: pending" in out and " 500 " in out and "HTTP 500" in out
        delivery_id = out.split("delivery ")[1].split()[0]
        out = govcode(monkeypatch, s, "notify", "redeliver", sub_id, delivery_id)
        assert "sent again at the next pass" in out
        govcode(monkeypatch, s, "notify", "deliver")
        assert [r.headers["x-govcode-delivery"] for r in hook.wait_for(2)] == [key, key]
        out = govcode(monkeypatch, s, "notify", "log", sub_id)
        assert f"({key}) reuse.detected: delivered" in out and "204" in out
        assert "redelivery" in out
        missing = invoke(monkeypatch, s, "notify", "redeliver", sub_id, "999")
        assert missing.exit_code != 0 and "no delivery 999" in missing.stderr
