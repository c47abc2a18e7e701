"""Signed webhook delivery.

Each POST carries the JSON body of the event and an ``X-Govcode-Signature`` header,
``sha256=<hex HMAC-SHA256(secret, body)>``, so receivers can check it came from us and
was not altered. HTTP failures never raise: the sender returns a ``WebhookResult`` and
the delivery worker decides, from ``retryable``, whether to try again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import httpx

from registry.errors import GovcodeError
from registry.notify.messages import REUSE_EVENT, ReuseNotice
from registry.pinned_http import pinned_client

SIGNATURE_PREFIX = "sha256="
USER_AGENT = "govcode-webhooks/1"
_ERROR_SNIPPET = 200
# Timeouts, rate limits and server-side failures may pass; other refusals will repeat.
_RETRYABLE_STATUS = frozenset({408, 425, 429})


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=<hex digest>``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body``; compared in constant time."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())


def encode_body(notice: ReuseNotice) -> bytes:
    """The exact bytes that are signed and sent (compact, sorted keys, UTF-8)."""
    return json.dumps(
        notice.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")


@dataclass(frozen=True)
class WebhookResult:
    ok: bool
    status: int | None = None
    error: str | None = None
    retryable: bool = False
    elapsed: float = 0.0


@runtime_checkable
class WebhookSender(Protocol):
    def send(
        self, url: str, secret: str, notice: ReuseNotice, *, delivery_id: str
    ) -> WebhookResult:
        """POST the signed notice to ``url``; report the outcome, never raise for HTTP."""


class HttpxWebhookSender:
    """Webhooks over httpx; no redirects, no proxies from the environment, a hard timeout.

    ``url_check`` is the URL policy (it returns the URL to use or raises); it runs before
    every request because subscribers type these URLs. With ``allow_http_hosts`` (what
    ``Senders.from_settings`` passes) the client made here is the pinned one: the policy runs
    again in its transport, it connects only to the addresses that passed, and ``timeout`` is
    the total deadline of a POST. A client you pass in is yours to close; one made here is
    closed by ``close()``.
    """

    def __init__(
        self,
        *,
        timeout: float,
        client: httpx.Client | None = None,
        url_check: Callable[[str], str] | None = None,
        allow_http_hosts: Collection[str] | None = None,
    ) -> None:
        self.timeout = timeout
        self.url_check = url_check
        self._owns_client = client is None
        if client is None and allow_http_hosts is not None:
            client = pinned_client(
                allow_http_hosts=allow_http_hosts, timeout=timeout, deadline=timeout
            )
        # trust_env=False: an environment proxy would reach hosts the URL policy never saw.
        self.client = client or httpx.Client(follow_redirects=False, trust_env=False)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> HttpxWebhookSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(
        self, url: str, secret: str, notice: ReuseNotice, *, delivery_id: str
    ) -> WebhookResult:
        try:
            target = self.url_check(url) if self.url_check else url
        except GovcodeError as exc:
            return WebhookResult(ok=False, error=f"refused by URL policy: {exc}")
        body = encode_body(notice)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Govcode-Event": REUSE_EVENT,
            "X-Govcode-Delivery": delivery_id,
            "X-Govcode-Signature": sign(secret, body),
        }
        started = time.monotonic()
        try:
            return self._post(target, body, headers, started)
        except httpx.TimeoutException as exc:
            error = f"timed out after {self.timeout:g}s ({type(exc).__name__})"
            return WebhookResult(ok=False, error=error, retryable=True, elapsed=_since(started))
        except httpx.TransportError as exc:
            error = f"{type(exc).__name__}: {exc}"
            return WebhookResult(ok=False, error=error, retryable=True, elapsed=_since(started))
        except httpx.InvalidURL as exc:
            return WebhookResult(ok=False, error=f"invalid URL: {exc}", elapsed=_since(started))
        except GovcodeError as exc:  # the pinned transport's own check of the URL
            error = f"refused by URL policy: {exc}"
            return WebhookResult(ok=False, error=error, elapsed=_since(started))

    def _post(
        self, url: str, body: bytes, headers: dict[str, str], started: float
    ) -> WebhookResult:
        # Streamed so a hostile receiver cannot make us read a huge answer.
        with self.client.stream(
            "POST", url, content=body, headers=headers, timeout=self.timeout
        ) as response:
            status = response.status_code
            if 200 <= status < 300:
                return WebhookResult(ok=True, status=status, elapsed=_since(started))
            snippet = _read_snippet(response)
        retryable = status >= 500 or status in _RETRYABLE_STATUS
        error = f"HTTP {status}" + (f": {snippet}" if snippet else "")
        return WebhookResult(
            ok=False, status=status, error=error, retryable=retryable, elapsed=_since(started)
        )


def _read_snippet(response: httpx.Response) -> str:
    chunk = b""
    for part in response.iter_bytes():
        chunk += part
        if len(chunk) >= _ERROR_SNIPPET:
            break
    return " ".join(chunk[:_ERROR_SNIPPET].decode("utf-8", "replace").split())


def _since(started: float) -> float:
    return round(time.monotonic() - started, 4)
