"""The notify stage end to end: outbox → SMTP and signed webhooks, retried until acknowledged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.models import Delivery
from registry.services import subscriptions
from tests.factories import NOW, fork_claim, record, store
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver

SECRET = "s3cret"


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


def _event(engine, hook_url: str) -> None:
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session:
        subscriptions.subscribe(session, repository_id=repo_id, email="m@ahs.example",
                                webhook_url=hook_url, webhook_secret=SECRET)  # fmt: skip
    target.reuse = [fork_claim("https://github.example/ontario/tool", target)]
    store(engine, target)


def test_a_failing_webhook_is_retried_later_and_mail_is_not_sent_twice(engine, receivers):
    s, mail, hook = receivers
    _event(engine, hook.url)
    hook.fail_next(1, status=503)
    senders = Senders.from_settings(s)
    assert deliver_pending(engine, s, senders, now=NOW) == {"delivered": 1, "failed": 1}
    assert len(mail.wait_for(1)) == 1
    # Too early: nothing is due.
    assert deliver_pending(engine, s, senders, now=NOW + timedelta(seconds=5)) == {
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


def test_a_refused_webhook_url_is_not_retried(engine, receivers):
    s, _mail, hook = receivers
    _event(engine, "http://10.0.0.1/hook")  # private address: refused by the URL policy
    deliver_pending(engine, s, Senders.from_settings(s), now=NOW)
    with Session(engine) as session:
        hook_delivery = session.exec(select(Delivery).where(Delivery.channel == "webhook")).one()
        assert hook_delivery.status == "failed" and "URL policy" in hook_delivery.last_error
    assert hook.received == []
