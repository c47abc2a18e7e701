"""The webhook channel: signed POSTs with a total deadline per request.

Each POST carries the JSON body of the event and an ``X-Govcode-Signature`` header,
``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, b"<t>." + body)>``. The timestamp is part
of what is signed, so a receiver that refuses old timestamps (``verify``'s tolerance)
cannot be fed a captured request again later. While a subscription's secret is being
rotated the header carries one ``v1=`` per valid secret (the new one first), so a
receiver holding either verifies. ``X-Govcode-Delivery`` is the same on every retry of a
delivery: a receiver that remembers the ids it has handled sees each notice once.

HTTP failures never raise: the channel returns a ``SendResult`` and the delivery pass
decides, from ``retryable``, whether to try again later.

Requests go through ``registry.pinned_http``'s client: the URL policy runs again in its
transport, connections go only to the addresses it approved, and besides the timeout of
each network operation a request has a total deadline, so a receiver that trickles one
header line every few seconds cannot hold it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Collection, Iterable
from functools import partial
from urllib.parse import urlsplit

import httpx

from registry.errors import BadRequest, GovcodeError
from registry.i18n import N_
from registry.notify.base import Outgoing, SendResult
from registry.notify.messages import Notice
from registry.pinned_http import pinned_client
from registry.settings import Settings
from registry.urlpolicy import check_url

MAX_ADDRESS = 500

SIGNATURE_TOLERANCE = 300.0  # seconds a signature timestamp may be off, either way
USER_AGENT = "govcode-webhooks/1"
_ERROR_SNIPPET = 200
# Timeouts, rate limits and server-side failures may pass; other refusals will repeat.
_RETRYABLE_STATUS = frozenset({408, 425, 429})


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _as_list(secrets: str | Iterable[str]) -> list[str]:
    if isinstance(secrets, str):
        return [secrets] if secrets else []
    return [s for s in secrets if s]


def sign(secrets: str | Iterable[str], body: bytes, *, timestamp: int) -> str:
    """The ``X-Govcode-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds):
    ``t=<timestamp>,v1=<hex>``, with one ``v1=`` per secret, in the order given."""
    keys = _as_list(secrets)
    if not keys:
        raise ValueError("a webhook is signed with at least one secret")
    return ",".join([f"t={int(timestamp)}"] + [f"v1={_digest(k, timestamp, body)}" for k in keys])


def parse_signature(header: str | None) -> tuple[int | None, list[str]]:
    """The timestamp and the ``v1`` signatures in a header (unknown schemes are ignored)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secrets: str | Iterable[str],
    body: bytes,
    header: str | None,
    now: float | None = None,
    tolerance: float = SIGNATURE_TOLERANCE,
) -> bool:
    """True when ``header`` signs ``body`` with any of ``secrets`` and its timestamp is
    within ``tolerance`` seconds of ``now`` (either way), so a captured request cannot be
    replayed later; signatures are compared in constant time."""
    timestamp, signatures = parse_signature(header)
    if timestamp is None or not signatures:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = [_digest(key, timestamp, body).encode() for key in _as_list(secrets)]
    return any(hmac.compare_digest(want, got.encode()) for want in expected for got in signatures)


def encode_body(notice: Notice) -> bytes:
    """The exact bytes that are signed and sent (compact, sorted keys, UTF-8)."""
    return json.dumps(
        notice.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")


class WebhookChannel:
    """Signed webhooks: no redirects, no proxies from the environment, ``timeout`` per
    network operation and ``deadline`` per request.

    ``url_check`` is the URL policy (it returns the URL to use or raises); it runs before
    every request because subscribers type these URLs, and again, with the addresses it
    approves pinned, in the transport of the client made here (``allow_http_hosts`` is
    the policy's allow-list). A client you pass in is yours to close.
    """

    def __init__(
        self,
        *,
        timeout: float,
        deadline: float | None = None,
        url_check: Callable[[str], str] | None = None,
        allow_http_hosts: Collection[str] = (),
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.timeout = timeout
        self.clock = clock  # the signature's timestamp: the wall clock at sending
        self.deadline = deadline if deadline is not None else 2 * timeout
        self.url_check = url_check
        self._owns_client = client is None
        self.client = client or pinned_client(
            allow_http_hosts=allow_http_hosts, timeout=timeout, deadline=self.deadline
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookChannel:
        return cls(
            timeout=settings.webhook_timeout,
            deadline=settings.webhook_deadline,
            url_check=partial(check_url, allow_http_hosts=settings.allow_http_hosts),
            allow_http_hosts=settings.allow_http_hosts,
        )

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> WebhookChannel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def validate_address(address: str) -> str:
        """An absolute http(s) URL with a host and no credentials. Whether it may be reached
        is the URL policy's question, asked again before every request."""
        if len(address) > MAX_ADDRESS:
            raise BadRequest(N_("webhook URL longer than %(limit)s characters"), limit=MAX_ADDRESS)
        if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in address):
            raise BadRequest(
                N_("webhook URL with whitespace or control characters: %(address)r"),
                address=address,
            )
        try:
            parts = urlsplit(address)
            parts.port  # noqa: B018 - raises on a port out of range
        except ValueError as exc:
            raise BadRequest(N_("webhook URL cannot be parsed: %(exc)s"), exc=exc) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadRequest(
                N_("a webhook needs an absolute https URL, not %(address)r"), address=address
            )
        if "@" in parts.netloc:
            raise BadRequest(
                N_("webhook URLs with user names or passwords are refused: %(address)r"),
                address=address,
            )
        return address

    def preflight(self, address: str) -> str | None:
        try:
            if self.url_check:
                self.url_check(address)
        except GovcodeError as exc:
            return f"refused by URL policy: {exc}"
        return None

    def send(self, outgoing: Outgoing) -> SendResult:
        if not outgoing.secret:
            return SendResult(ok=False, error="the subscription has no signing secret")
        try:
            target = self.url_check(outgoing.address) if self.url_check else outgoing.address
        except GovcodeError as exc:
            return SendResult(ok=False, error=f"refused by URL policy: {exc}")
        body = encode_body(outgoing.notice)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Govcode-Event": outgoing.notice.event,
            "X-Govcode-Delivery": outgoing.key,
            "X-Govcode-Signature": sign(
                outgoing.signing_secrets, body, timestamp=int(self.clock())
            ),
        }
        started = time.monotonic()
        try:
            return self._post(target, body, headers, started)
        except httpx.TimeoutException as exc:
            if time.monotonic() - started >= self.deadline:
                error = f"no complete answer within the {self.deadline:g}s deadline"
            else:
                error = f"timed out after {self.timeout:g}s ({type(exc).__name__})"
            return SendResult(ok=False, error=error, retryable=True, elapsed=_since(started))
        except httpx.TransportError as exc:
            error = f"{type(exc).__name__}: {exc}"
            return SendResult(ok=False, error=error, retryable=True, elapsed=_since(started))
        except httpx.InvalidURL as exc:
            return SendResult(ok=False, error=f"invalid URL: {exc}", elapsed=_since(started))
        except GovcodeError as exc:  # the pinned transport's own check of the URL
            error = f"refused by URL policy: {exc}"
            return SendResult(ok=False, error=error, elapsed=_since(started))

    def _post(self, url: str, body: bytes, headers: dict[str, str], started: float) -> SendResult:
        # Streamed so a hostile receiver cannot make us read a huge answer.
        with self.client.stream("POST", url, content=body, headers=headers) as response:
            status = response.status_code
            if 200 <= status < 300:
                return SendResult(ok=True, status=status, elapsed=_since(started))
            snippet = _read_snippet(response)
        retryable = status >= 500 or status in _RETRYABLE_STATUS
        error = f"HTTP {status}" + (f": {snippet}" if snippet else "")
        return SendResult(
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
