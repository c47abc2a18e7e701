"""A real HTTP webhook receiver on loopback that checks signatures on its own.

The signature is recomputed here with ``hmac`` directly, never with registry.notify,
so a bug in the sender's signing cannot hide behind the same bug in the check.
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

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.received: list[ReceivedWebhook] = []
        self._changed = threading.Condition()
        self._failures: list[int] = []
        self._stalls: list[float] = []
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

    def expected_signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()

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
        signature = headers.get("x-govcode-signature", "")
        valid = hmac.compare_digest(self.expected_signature(body).encode(), signature.encode())
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        with self._changed:
            status = self._failures.pop(0) if self._failures else (204 if valid else 401)
            stall = self._stalls.pop(0) if self._stalls else 0.0
            self.received.append(ReceivedWebhook(path, headers, body, parsed, valid, status))
            self._changed.notify_all()
        return status, stall

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
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
