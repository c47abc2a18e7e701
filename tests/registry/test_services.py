"""Storage services on the real database: upserts, the reuse graph and the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from registry.db import session_scope
from registry.models import Delivery, Event, IndexChange, LicenceEvidence, ReuseEdge, Subscription
from registry.services import deliveries, repositories, reuse, subscriptions
from tests import factories
from tests.factories import NOW, fork_claim, record, store


def test_store_reports_new_changed_unchanged_and_logs_index_changes(engine):
    rec = record(
        "ahs",
        "tool",
        licence_evidence=[
            {"source": "file", "path": "LICENSE", "spdx": "MIT", "confidence": 1.0, "detail": "MIT"}
        ],
    )
    assert store(engine, rec).status == "new"
    assert store(engine, rec).status == "unchanged"
    rec.stars = 5
    assert store(engine, rec).status == "changed"
    with Session(engine) as session:
        assert len(session.exec(select(IndexChange)).all()) == 2  # unchanged wrote none
        assert len(session.exec(select(LicenceEvidence)).all()) == 1  # replaced, not appended


def test_a_failed_crawl_keeps_the_last_good_record(engine):
    rec = record("ahs", "tool", description="good")
    repo_id = store(engine, rec).repository_id
    with session_scope(engine) as session:
        repositories.record_failure(session, html_url=rec.html_url, error="boom", now=NOW)
    with Session(engine) as session:
        repo = repositories.get(session, repo_id)
        assert repo.description == "good" and repo.crawl_error == "boom"


def test_fork_edge_writes_one_event_in_the_same_transaction(engine):
    target = record("ahs", "tool")
    store(engine, target)
    fork_url = "https://github.example/ontario/tool"
    target.reuse = [fork_claim(fork_url, target)]
    result = store(engine, target)
    assert len(result.event_ids) == 1
    # The same claim again (next crawl) is not news.
    target.stars += 1
    assert store(engine, target).event_ids == ()
    with Session(engine) as session:
        event = session.get(Event, result.event_ids[0])
        assert event.payload["kind"] == "fork"
        assert event.payload["reuser_name"] == "ontario/tool"


def test_edge_to_a_repository_not_yet_crawled_notifies_once_it_is(engine):
    reuser = record("ontario", "tool")
    target_url = "https://github.example/ahs/original"
    reuser.reuse = [fork_claim(reuser, target_url)]
    assert store(engine, reuser).event_ids == ()  # target unknown: pending edge
    result = store(engine, record("ahs", "original"))
    assert len(result.event_ids) == 1
    with Session(engine) as session:
        edge = session.exec(select(ReuseEdge)).one()
        assert edge.target_repository_id == result.repository_id
        assert edge.reuser_repository_id is not None
        assert [e.kind for e in reuse.reused_by(session, result.repository_id)] == ["fork"]


def test_urls_are_compared_normalised(engine):
    target = record("AHS", "Tool")
    store(engine, target)
    reuser = record("ontario", "tool")
    reuser.reuse = [fork_claim(reuser, "https://GITHUB.example/ahs/tool.git/")]
    assert len(store(engine, reuser).event_ids) == 1


def test_dispatch_is_idempotent_and_failures_back_off(engine):
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session:
        subscriptions.subscribe(
            session, repository_id=repo_id, channel="email", address="m@ahs.example"
        )
        subscriptions.subscribe(
            session, repository_id=repo_id, channel="webhook", address="https://hooks.example/x"
        )
    target.reuse = [fork_claim("https://github.example/on/tool", target)]
    event_id = store(engine, target).event_ids[0]
    with session_scope(engine) as session:
        assert len(deliveries.dispatch(session, event_id=event_id, now=NOW)) == 2
        assert deliveries.dispatch(session, event_id=event_id, now=NOW) == []
        assert deliveries.undispatched(session) == []
    with session_scope(engine) as session:
        due = deliveries.due(session, now=NOW)
        assert {d.channel for d in due} == {"email", "webhook"}
        hook = next(d for d in due if d.channel == "webhook")
        deliveries.mark_failed(
            session,
            delivery_id=hook.delivery_id,
            error="HTTP 500",
            now=NOW,
            retryable=True,
            max_attempts=3,
        )
    with session_scope(engine) as session:
        assert {d.channel for d in deliveries.due(session, now=NOW)} == {"email"}
        later = NOW + timedelta(seconds=31)
        assert {d.channel for d in deliveries.due(session, now=later)} == {"email", "webhook"}
        for _ in range(2):
            deliveries.mark_failed(
                session,
                delivery_id=hook.delivery_id,
                error="HTTP 500",
                now=later,
                retryable=True,
                max_attempts=3,
            )
    with Session(engine) as session:
        d = session.get(Delivery, hook.delivery_id)
        assert d.status == "failed" and d.attempts == 3


def test_subscription_needs_a_declared_pushing_channel_and_a_valid_address(engine):
    import pytest

    from registry.errors import BadRequest

    repo_id = store(engine, record("ahs", "tool")).repository_id
    refused = [
        {"channel": "slack", "address": "#covid"},  # not declared (yet)
        {"channel": "atom", "address": "https://x.example/feed"},  # pulled, not subscribed
        {"channel": "email", "address": "x\r\nBcc: y@z"},
        {"channel": "email", "address": "m@ahs.example", "secret": "no secrets for mail"},
        {"channel": "webhook", "address": "javascript:alert(1)"},
    ]
    for kwargs in refused:
        with session_scope(engine) as session, pytest.raises(BadRequest):
            subscriptions.subscribe(session, repository_id=repo_id, **kwargs)
    with session_scope(engine) as session, pytest.raises(BadRequest):
        subscriptions.subscribe(session, channel="email", address="m@ahs.example")  # no target
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []


def test_subscribing_twice_is_one_subscription_and_webhooks_get_a_secret(engine):
    repo_id = store(engine, record("ahs", "tool")).repository_id
    with session_scope(engine) as session:
        mail = subscriptions.subscribe(
            session, repository_id=repo_id, channel="email", address="m@AHS.example"
        )
        again = subscriptions.subscribe(
            session, repository_id=repo_id, channel="email", address="m@ahs.example"
        )
        hook = subscriptions.subscribe(
            session, repository_id=repo_id, channel="webhook", address="https://hooks.example/x"
        )
    assert again.id == mail.id and mail.address == "m@ahs.example" and mail.secret is None
    assert hook.channel == "webhook" and len(hook.secret or "") == 64


def test_find_by_name_and_url(engine):
    repo_id = store(engine, record("ahs", "tool")).repository_id
    with Session(engine) as session:
        assert repositories.find(session, "ahs/tool").id == repo_id
        assert repositories.find(session, "https://github.example/ahs/tool.git").id == repo_id
        assert repositories.find(session, str(repo_id)).id == repo_id


_ = factories
