"""Webhooks: signed POSTs to a real receiver on loopback; failures come back as results."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from registry.errors import UnsafeURLError
from registry.notify import (
    HttpxWebhookSender,
    ReuseNotice,
    WebhookSender,
    encode_body,
    sign,
    verify,
)
from tests.fakes.webhooks import WebhookReceiver

SECRET = "s3cret-for-tests"


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


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def sender() -> Iterator[HttpxWebhookSender]:
    with HttpxWebhookSender(timeout=5.0) as webhook_sender:
        yield webhook_sender


def test_post_arrives_signed_with_headers_and_body(
    hook: WebhookReceiver, sender: HttpxWebhookSender
) -> None:
    notice = make_notice(reuser_name="ontario/δοκιμή")
    result = sender.send(hook.url, SECRET, notice, delivery_id="delivery-1")
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
    assert isinstance(sender, WebhookSender)


def test_wrong_secret_is_rejected_and_not_retryable(
    hook: WebhookReceiver, sender: HttpxWebhookSender
) -> None:
    result = sender.send(hook.url, "not-the-secret", make_notice(), delivery_id="d")
    (got,) = hook.wait_for(1)
    assert not got.valid
    assert (result.ok, result.status, result.retryable) == (False, 401, False)


def test_sign_matches_independent_hmac_and_verify_catches_tampering() -> None:
    body = encode_body(make_notice())
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign(SECRET, body) == expected
    assert verify(SECRET, body, expected)
    tampered = body.replace(b'"based_on"', b'"fork"')
    assert tampered != body
    assert not verify(SECRET, tampered, expected)
    assert not verify("other", body, expected)
    assert not verify(SECRET, body, None)
    assert not verify(SECRET, body, "")
    assert not verify(SECRET, body, expected.removeprefix("sha256="))
    assert json.loads(body) == make_notice().to_json()


def test_server_error_is_a_retryable_result_then_success(
    hook: WebhookReceiver, sender: HttpxWebhookSender
) -> None:
    hook.fail_next(1, status=500)
    first = sender.send(hook.url, SECRET, make_notice(), delivery_id="d-1")
    second = sender.send(hook.url, SECRET, make_notice(), delivery_id="d-1")
    assert (first.ok, first.status, first.retryable) == (False, 500, True)
    assert first.error is not None and first.error.startswith("HTTP 500")
    assert second.ok and second.status == 204
    assert [r.headers["x-govcode-delivery"] for r in hook.wait_for(2)] == ["d-1", "d-1"]


@pytest.mark.parametrize(
    ("status", "retryable"), [(429, True), (503, True), (404, False), (410, False), (302, False)]
)
def test_status_classes(
    hook: WebhookReceiver, sender: HttpxWebhookSender, status: int, retryable: bool
) -> None:
    hook.fail_next(1, status=status)
    result = sender.send(hook.url, SECRET, make_notice(), delivery_id="d")
    assert (result.ok, result.status, result.retryable) == (False, status, retryable)


def test_timeout_is_a_retryable_result(hook: WebhookReceiver) -> None:
    hook.stall_next(1, seconds=3.0)
    with HttpxWebhookSender(timeout=0.3) as quick:
        result = quick.send(hook.url, SECRET, make_notice(), delivery_id="d")
    assert not result.ok and result.retryable and result.status is None
    assert result.error is not None and "timed out" in result.error
    assert result.elapsed < 2.0
    assert len(hook.wait_for(1)) == 1


def test_connection_refused_is_a_retryable_result(sender: HttpxWebhookSender) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = sender.send(f"http://127.0.0.1:{port}/hook", SECRET, make_notice(), delivery_id="d")
    assert not result.ok and result.retryable and result.status is None


def test_url_policy_refusal_sends_nothing(hook: WebhookReceiver) -> None:
    seen: list[str] = []

    def refuse_loopback(url: str) -> str:
        seen.append(url)
        raise UnsafeURLError("loopback addresses are not allowed")

    with HttpxWebhookSender(timeout=5.0, url_check=refuse_loopback) as guarded:
        result = guarded.send(hook.url, SECRET, make_notice(), delivery_id="d")
    assert seen == [hook.url]
    assert not result.ok and not result.retryable
    assert result.error is not None and "URL policy" in result.error
    assert hook.received == []


def test_url_policy_may_rewrite_the_target(hook: WebhookReceiver) -> None:
    with HttpxWebhookSender(timeout=5.0, url_check=lambda url: hook.url) as guarded:
        result = guarded.send("https://hooks.example/x", SECRET, make_notice(), delivery_id="d")
    assert result.ok
    assert hook.wait_for(1)[0].path == "/hooks/govcode"
