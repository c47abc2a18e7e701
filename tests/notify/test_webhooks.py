"""Webhooks: signed POSTs to a real receiver on loopback; failures come back as results,
and no receiver holds a request past its total deadline."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from registry.errors import BadRequest, UnsafeURLError
from registry.notify import (
    Channel,
    Outgoing,
    ReuseNotice,
    WebhookChannel,
    encode_body,
    sign,
    verify,
)
from tests.fakes.slow import SlowLorisReceiver
from tests.fakes.webhooks import WebhookReceiver

SECRET = "s3cret-for-tests"
LOOPBACK = ["127.0.0.1"]  # the URL policy's allow-list: the receivers listen there


def make_notice(**changes: object) -> ReuseNotice:
    fields: dict[str, object] = {
        "event_id": 7,
        "kind": "based_on",
        "created_at": datetime(2024, 6, 2, 12, 0, tzinfo=UTC),
        "repository_name": "alberta-health-services/covid-self-assessment",
        "repository_url": "https://govcode.example/r/1",
        "repository_html_url": "https://github.com/alberta-health-services/covid-self-assessment",
        "reuser_name": "ontario-digital-service/covid-self-assessment",
        "reuser_url": "https://github.com/ontario-digital-service/covid-self-assessment",
        "reuser_agency": "Ontario Digital Service",
        "summary": "Based on it: Ontario Digital Service (publiccode.yml isBasedOn)",
    }
    fields.update(changes)
    return ReuseNotice(**fields)  # type: ignore[arg-type]


def out(url: str, key: str = "d", secret: str = SECRET, **notice: object) -> Outgoing:
    return Outgoing(notice=make_notice(**notice), address=url, key=key, secret=secret)


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def sender() -> Iterator[WebhookChannel]:
    with WebhookChannel(timeout=5.0, allow_http_hosts=LOOPBACK) as channel:
        yield channel


def test_post_arrives_signed_with_headers_and_body(
    hook: WebhookReceiver, sender: WebhookChannel
) -> None:
    notice = make_notice(reuser_name="ontario/δοκιμή")
    result = sender.send(Outgoing(notice, address=hook.url, key="delivery-1", secret=SECRET))
    (got,) = hook.wait_for(1)
    assert result.ok and result.status == 204 and result.error is None
    assert got.valid
    assert got.headers["x-govcode-event"] == "reuse.detected"
    assert got.headers["x-govcode-delivery"] == "delivery-1"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"].startswith("govcode")
    assert got.json == notice.to_json()
    assert got.json["reuser"]["name"] == "ontario/δοκιμή"
    assert got.json["created_at"] == "2024-06-02T12:00:00+00:00"
    assert got.json["event"] == "reuse.detected" and got.json["kind"] == "based_on"
    assert isinstance(sender, Channel)


def test_wrong_secret_is_rejected_and_not_retryable(
    hook: WebhookReceiver, sender: WebhookChannel
) -> None:
    result = sender.send(out(hook.url, secret="not-the-secret"))
    (got,) = hook.wait_for(1)
    assert not got.valid
    assert (result.ok, result.status, result.retryable) == (False, 401, False)


def test_sign_matches_independent_hmac_and_verify_catches_tampering() -> None:
    body = encode_body(make_notice())
    t = 1_717_329_600
    digest = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    header = sign(SECRET, body, timestamp=t)
    assert header == f"t={t},v1={digest}"
    assert verify(SECRET, body, header, now=t)
    assert verify([SECRET], body, header, now=t + 299)
    tampered = body.replace(b'"based_on"', b'"fork"')
    assert tampered != body
    assert not verify(SECRET, tampered, header, now=t)
    assert not verify("other", body, header, now=t)
    assert not verify(SECRET, body, None, now=t)
    assert not verify(SECRET, body, "", now=t)
    assert not verify(SECRET, body, f"v1={digest}", now=t)  # no timestamp
    assert not verify(SECRET, body, f"t={t + 1},v1={digest}", now=t)  # timestamp altered
    assert not verify([], body, header, now=t)
    assert json.loads(body) == make_notice().to_json()


def test_an_old_or_future_signature_is_refused_as_a_replay() -> None:
    body = encode_body(make_notice())
    t = 1_717_329_600
    header = sign(SECRET, body, timestamp=t)
    assert verify(SECRET, body, header, now=t + 300)
    assert not verify(SECRET, body, header, now=t + 301)
    assert not verify(SECRET, body, header, now=t - 301)  # from the future
    assert verify(SECRET, body, header, now=t + 3000, tolerance=3600)


def test_during_a_rotation_either_secret_verifies() -> None:
    body = encode_body(make_notice())
    t = 1_717_329_600
    header = sign(["new-secret", "old-secret"], body, timestamp=t)
    assert header.count("v1=") == 2 and header.startswith(f"t={t},v1=")
    assert verify("new-secret", body, header, now=t)
    assert verify("old-secret", body, header, now=t)
    assert verify(["unrelated", "old-secret"], body, header, now=t)
    assert not verify("unrelated", body, header, now=t)


def test_a_rotating_subscription_is_sent_signed_with_both_secrets() -> None:
    with WebhookReceiver("old-secret") as old, WebhookReceiver("new-secret") as new:
        with WebhookChannel(timeout=5.0, allow_http_hosts=LOOPBACK) as channel:
            for receiver in (old, new):
                outgoing = Outgoing(
                    make_notice(), address=receiver.url, key="d-7", secret="new-secret",
                    previous_secret="old-secret",
                )  # fmt: skip
                assert channel.send(outgoing).ok
        assert old.wait_for(1)[0].valid and new.wait_for(1)[0].valid


def test_the_signature_carries_the_senders_clock_so_a_stale_one_is_refused(
    hook: WebhookReceiver,
) -> None:
    stale = WebhookChannel(timeout=5.0, allow_http_hosts=LOOPBACK, clock=lambda: time.time() - 900)
    with stale:
        result = stale.send(out(hook.url))
    (got,) = hook.wait_for(1)
    assert not got.valid and (result.ok, result.status) == (False, 401)


def test_server_error_is_a_retryable_result_then_success(
    hook: WebhookReceiver, sender: WebhookChannel
) -> None:
    hook.fail_next(1, status=500)
    first = sender.send(out(hook.url, key="d-1"))
    second = sender.send(out(hook.url, key="d-1"))
    assert (first.ok, first.status, first.retryable) == (False, 500, True)
    assert first.error is not None and first.error.startswith("HTTP 500")
    assert second.ok and second.status == 204
    assert [r.headers["x-govcode-delivery"] for r in hook.wait_for(2)] == ["d-1", "d-1"]


@pytest.mark.parametrize(
    ("status", "retryable"), [(429, True), (503, True), (404, False), (410, False), (302, False)]
)
def test_status_classes(
    hook: WebhookReceiver, sender: WebhookChannel, status: int, retryable: bool
) -> None:
    hook.fail_next(1, status=status)
    result = sender.send(out(hook.url))
    assert (result.ok, result.status, result.retryable) == (False, status, retryable)


def test_timeout_is_a_retryable_result(hook: WebhookReceiver) -> None:
    hook.stall_next(1, seconds=3.0)
    result = WebhookChannel(timeout=0.3, allow_http_hosts=LOOPBACK).send(out(hook.url))
    assert not result.ok and result.retryable and result.status is None
    assert result.error is not None and "timed out" in result.error
    assert result.elapsed < 2.0
    assert len(hook.wait_for(1)) == 1


def test_connection_refused_is_a_retryable_result(sender: WebhookChannel) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = sender.send(out(f"http://127.0.0.1:{port}/hook"))
    assert not result.ok and result.retryable and result.status is None


def test_url_policy_refusal_sends_nothing(hook: WebhookReceiver) -> None:
    seen: list[str] = []

    def refuse_loopback(url: str) -> str:
        seen.append(url)
        raise UnsafeURLError("loopback addresses are not allowed")

    guarded = WebhookChannel(timeout=5.0, url_check=refuse_loopback, allow_http_hosts=LOOPBACK)
    assert guarded.preflight(hook.url) is not None and "URL policy" in guarded.preflight(hook.url)
    seen.clear()
    result = guarded.send(out(hook.url))
    assert seen == [hook.url]
    assert not result.ok and not result.retryable
    assert result.error is not None and "URL policy" in result.error
    assert hook.received == []


def test_url_policy_may_rewrite_the_target(hook: WebhookReceiver) -> None:
    guarded = WebhookChannel(timeout=5.0, url_check=lambda url: hook.url, allow_http_hosts=LOOPBACK)
    result = guarded.send(out("https://hooks.example/x"))
    assert result.ok
    assert hook.wait_for(1)[0].path == "/hooks/govcode"


def test_a_receiver_that_trickles_its_headers_is_cut_off_at_the_deadline() -> None:
    """One header line every two seconds: each read is well inside the 5-second timeout,
    so only a total deadline stops the request (it would otherwise last 40 s)."""
    with SlowLorisReceiver(interval=2.0, lines=20) as slow:
        channel = WebhookChannel(timeout=5.0, deadline=3.0, allow_http_hosts=LOOPBACK)
        started = time.monotonic()
        result = channel.send(out(slow.url))
        took = time.monotonic() - started
        assert slow.requests == 1 and slow.sent_lines >= 1  # the receiver was trickling
    assert took < 4.5
    assert not result.ok and result.retryable and result.status is None
    assert result.error is not None and "3s deadline" in result.error


def test_the_transport_applies_the_url_policy_itself(hook: WebhookReceiver) -> None:
    """Without an allow-list entry, loopback http is refused in the transport, even when
    no ``url_check`` ran before it."""
    with WebhookChannel(timeout=5.0) as strict:
        result = strict.send(out(hook.url))
    assert not result.ok and not result.retryable
    assert "URL policy" in (result.error or "")
    assert hook.received == []


def test_a_subscription_without_a_secret_sends_nothing(hook: WebhookReceiver) -> None:
    result = WebhookChannel(timeout=5.0, allow_http_hosts=LOOPBACK).send(out(hook.url, secret=""))
    assert not result.ok and not result.retryable and "secret" in (result.error or "")
    assert hook.received == []


@pytest.mark.parametrize(
    "address",
    [
        "ftp://hooks.example/x",
        "hooks.example/x",
        "https://user:pw@hooks.example/x",
        "https://hooks.example/x y",
        "https://hooks.example:99999/x",
        "https://",
        "https://hooks.example/" + "x" * 500,
    ],
)
def test_unusable_webhook_addresses_are_refused(address: str) -> None:
    with pytest.raises(BadRequest):
        WebhookChannel.validate_address(address)


def test_a_usable_webhook_address_is_kept_as_typed() -> None:
    url = "https://hooks.ahs.example:8443/govcode?team=covid"
    assert WebhookChannel.validate_address(url) == url
