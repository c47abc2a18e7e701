"""Slow servers on loopback: each answers a little at a time, ``interval`` seconds apart,
so every single read is quick but the whole answer takes ``lines * interval`` seconds.

``SlowLorisReceiver`` reads an HTTP request, then sends its answer one header line at a
time; ``SlowSmtpServer`` never gets to the end of its greeting."""

from __future__ import annotations

import socket
import threading
import time
from abc import ABC, abstractmethod


class _TrickleServer(ABC):
    """A loopback TCP server that answers each connection in ``_answer``, ``lines`` pieces
    ``interval`` seconds apart, until closed; one connection at a time."""

    def __init__(self, *, interval: float, lines: int) -> None:
        self.interval = interval
        self.lines = lines
        self.sent_lines = 0
        self._closing = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.host, self.port = self._listener.getsockname()[:2]

    def __enter__(self):  # type: ignore[no-untyped-def]
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                self._answer(conn)

    @abstractmethod
    def _answer(self, conn: socket.socket) -> None:
        """Answer one client, slowly."""


class SlowLorisReceiver(_TrickleServer):
    """``with SlowLorisReceiver(interval=2.0, lines=20) as slow:`` then POST to ``slow.url``.

    ``sent_lines`` counts header lines written to the current client; ``disconnected_at``
    is the ``time.monotonic()`` when the client hung up (None while it listens).
    """

    def __init__(self, *, interval: float, lines: int) -> None:
        super().__init__(interval=interval, lines=lines)
        self.requests = 0
        self.disconnected_at: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/slow"

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(65536)
            if not chunk:
                return
            request += chunk
        head, _, body = request.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length:")),
            0,
        )  # fmt: skip
        while len(body) < length:
            body += conn.recv(65536)
        self.requests += 1
        self.sent_lines = 0
        try:
            conn.sendall(b"HTTP/1.1 204 No Content\r\n")
            for n in range(self.lines):
                if self._closing.wait(self.interval):
                    return
                conn.sendall(f"X-Still-Thinking-{n}: yes\r\n".encode())
                self.sent_lines += 1
            conn.sendall(b"Content-Length: 0\r\n\r\n")
            conn.settimeout(self.interval * 2)
            conn.recv(1)  # wait for the client to hang up
        except OSError:
            pass
        self.disconnected_at = time.monotonic()


class SlowSmtpServer(_TrickleServer):
    """An SMTP server that never finishes its greeting: one ``220-`` continuation line every
    ``interval`` seconds, ``lines`` times (each read is quick; the greeting is not)."""

    def _answer(self, conn: socket.socket) -> None:
        try:
            for _ in range(self.lines):
                conn.sendall(b"220-still warming up\r\n")
                self.sent_lines += 1
                if self._closing.wait(self.interval):
                    return
            conn.sendall(b"220 ready\r\n")
        except OSError:
            pass
