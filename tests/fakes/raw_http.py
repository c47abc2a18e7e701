"""A loopback HTTP/1.1 server that answers from a script, for tests of outgoing clients.

``answer(write)`` is called once per request with a function that sends raw bytes, so a
test can answer promptly, trickle a header line every so often (slow-loris), or never end
the body. The server records each request's head and which local address it arrived on
(two servers on 127.0.0.1 and 127.0.0.2 show where a client really connected), and can
speak TLS with a certificate of the test's choosing.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass

Write = Callable[[bytes], None]


def ok(body: bytes = b"ok") -> Callable[[Write], None]:
    def answer(write: Write) -> None:
        write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    return answer


@dataclass
class Seen:
    address: str  # the local address the connection arrived on
    head: str  # request line and headers

    @property
    def host_header(self) -> str:
        for line in self.head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "host":
                return value.strip()
        return ""


class RawServer:
    def __init__(
        self,
        answer: Callable[[Write], None],
        *,
        address: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.answer, self.tls = answer, tls
        self.seen: list[Seen] = []
        self._sock = socket.create_server((address, port))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            local = conn.getsockname()[0]
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            self.seen.append(Seen(local, head.split(b"\r\n\r\n")[0].decode("latin-1")))
            self.answer(conn.sendall)
        except (OSError, ssl.SSLError):
            pass  # the client hung up (as a deadline makes it do)
        finally:
            conn.close()
