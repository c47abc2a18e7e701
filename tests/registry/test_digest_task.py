"""The daily digest runs as a Huey periodic task on the worker: every hour, one mail per
address per day."""

from __future__ import annotations

from datetime import UTC, datetime

from crawlers.tasks import register
from registry.db import session_scope
from registry.queue import make_huey
from registry.services import subscriptions
from tests.factories import fork_claim, record, store
from tests.fakes.mail import MailReceiver


def test_the_worker_sends_the_daily_digest_once(settings, engine):
    target = record("ahs", "tool")
    repo_id = store(engine, target, agency="ahs").repository_id
    with session_scope(engine) as session:
        subscriptions.subscribe(session, channel="email", address="d@ahs.example.org",
                                repository_id=repo_id, frequency="daily")  # fmt: skip
    target.reuse = [fork_claim("https://github.example/ontario/tool", target)]
    store(engine, target, agency="ahs", now=datetime.now(UTC))
    with MailReceiver() as mail:
        s = settings.model_copy(update={"smtp_host": mail.host, "smtp_port": mail.port})
        tasks = register(make_huey(s), s)
        assert tasks.digest.task_class().validate_datetime(datetime(2026, 12, 1, 10, 23))
        assert not tasks.digest.task_class().validate_datetime(datetime(2026, 12, 1, 10, 24))
        first = tasks.digest.call_local()
        assert (first["sent"], first["failed"]) == (1, 0)
        assert tasks.digest.call_local()["sent"] == 0  # the same day: nothing more
        [digest] = mail.wait_for(1)
        assert digest["To"] == "d@ahs.example.org"
        assert "ontario/tool" in digest.get_body(("plain",)).get_content()
