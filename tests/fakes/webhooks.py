"""A real HTTP webhook receiver on loopback that checks signatures on its own.

The signature (``t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``, one ``v1`` per
secret during a rotation) is recomputed here with ``hmac`` directly, never with
registry.notify, so a bug in the sender's signing cannot hide behind the same bug in the
check. Like a careful real receiver it refuses stale timestamps and keeps an idempotent
view: the first valid, acknowledged POST of each ``X-Govcode-Delivery`` id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any
    valid: bool
    status: int


class WebhookReceiver:
    """``with WebhookReceiver(secret) as hook:`` then POST to ``hook.url``.

    Answers 204 to a valid signature and 401 otherwise; ``fail_next(n, status)`` makes
    the next ``n`` requests fail with ``status`` and ``stall_next(n, seconds)`` makes
    them wait before answering (for timeouts). Every POST is recorded in ``received``.
    """

    def __init__(self, secret: str | list[str], *, tolerance: float = 300.0) -> None:
        self.secrets = [secret] if isinstance(secret, str) else list(secret)
        self.secret = self.secrets[0]
        self.tolerance = tolerance
        self.received: list[ReceivedWebhook] = []
        # delivery id -> the first valid POST answered 2xx (what a receiver acts on)
        self.view: dict[str, ReceivedWebhook] = {}
        self.repeats: list[str] = []  # delivery ids seen again after they were acted on
        self._held = 0
        self._hold = 0
        self._released = threading.Event()
        self._changed = threading.Condition()
        self._failures: list[int] = []
        self._stalls: list[float] = []
        self._plan: list[tuple[int | None, float]] = []
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/govcode"

    def fail_next(self, n: int, status: int = 500) -> None:
        with self._changed:
            self._failures.extend([status] * n)

    def stall_next(self, n: int, seconds: float) -> None:
        with self._changed:
            self._stalls.extend([seconds] * n)

    def then(self, n: int, *, status: int | None = None, stall: float = 0.0) -> None:
        """Queue the answers to the next ``n`` requests after those already queued: this
        status (or the normal one) after stalling ``stall`` seconds. Scripts a sequence
        like "500 three times, then too slow twice, then well"."""
        with self._changed:
            self._plan.extend([(status, stall)] * n)

    def answer_normally(self) -> None:
        """Forget every queued failure, stall and scripted answer."""
        with self._changed:
            self._failures.clear()
            self._stalls.clear()
            self._plan.clear()

    def hold_next(self, n: int) -> None:
        """Keep the next ``n`` requests waiting, unanswered, until ``release()``."""
        with self._changed:
            self._hold += n
            self._released.clear()

    def release(self) -> None:
        self._released.set()

    def wait_held(self, n: int = 1, timeout: float = 10.0) -> None:
        """Block until ``n`` requests are being held."""
        self._wait(lambda: self._held >= n, timeout, f"{n} held requests")

    def signature_valid(self, body: bytes, header: str, now: float | None = None) -> bool:
        timestamp, signatures = None, []
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            if name == "t" and value.isdigit():
                timestamp = int(value)
            elif name == "v1":
                signatures.append(value)
        now = time.time() if now is None else now
        if timestamp is None or abs(now - timestamp) > self.tolerance:
            return False
        signed = f"{timestamp}.".encode() + body
        expected = [
            hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
            for secret in self.secrets
        ]
        return any(hmac.compare_digest(e, got.encode()) for e in expected for got in signatures)

    def _wait(self, ready, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        with self._changed:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {what} after {timeout}s")
                self._changed.wait(left)

    def wait_view(self, ids: set[str] | int, timeout: float = 10.0) -> dict[str, ReceivedWebhook]:
        """Block until the idempotent view holds these delivery ids (or this many)."""
        if isinstance(ids, int):
            count = ids
            self._wait(lambda: len(self.view) >= count, timeout, f"{count} delivered ids")
        else:
            self._wait(lambda: ids <= set(self.view), timeout, f"delivered ids {sorted(ids)}")
        return dict(self.view)

    def start(self) -> WebhookReceiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_for(self, n: int, timeout: float = 5.0) -> list[ReceivedWebhook]:
        """Block until at least ``n`` POSTs arrived; raise ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.received) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.received)} of {n} webhooks after {timeout}s")
                self._changed.wait(left)
            return list(self.received)

    def _take(self, body: bytes, path: str, headers: dict[str, str]) -> tuple[int, float]:
        """Record one POST and decide its answer (status, seconds to stall first)."""
        valid = self.signature_valid(body, headers.get("x-govcode-signature", ""))
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        with self._changed:
            normal = 204 if valid else 401
            if self._plan:
                planned, stall = self._plan.pop(0)
                status = normal if planned is None else planned
            else:
                status = self._failures.pop(0) if self._failures else normal
                stall = self._stalls.pop(0) if self._stalls else 0.0
            got = ReceivedWebhook(path, headers, body, parsed, valid, status)
            self.received.append(got)
            key = headers.get("x-govcode-delivery", "")
            if valid and 200 <= status < 300:
                if key in self.view:
                    self.repeats.append(key)
                else:
                    self.view[key] = got
            self._changed.notify_all()
        return status, stall

    def _wait_released(self) -> bool:
        """Hold this request if asked to; False when the receiver closes meanwhile."""
        with self._changed:
            if self._hold <= 0:
                return True
            self._hold -= 1
            self._held += 1
            self._changed.notify_all()
        while not self._released.wait(0.05):
            if self._closing.is_set():
                return False
        return True

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                if not receiver._wait_released():
                    return
                status, stall = receiver._take(body, self.path, headers)
                if stall and receiver._closing.wait(stall):
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        return Handler
