"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests."""

from __future__ import annotations

import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def _free_port() -> int:
    # aiosmtpd pings its own port to know it is up, so it cannot listen on port 0.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, receiver: MailReceiver) -> None:
        self.receiver = receiver

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        refusal = self.receiver.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        self.receiver._record(message, envelope.mail_from, list(envelope.rcpt_tos))
        return self.receiver._data_reply()


class MailReceiver:
    """``with MailReceiver() as mail:`` then send to ``mail.host:mail.port``.

    ``messages`` are parsed with ``policy.default``; ``envelopes`` holds
    (mail_from, rcpt_tos) for each, in the same order. ``refuse`` maps a recipient
    address to the SMTP reply that refuses it (``"550 5.1.1 no such user"``);
    ``fail_data_next(n, reply)`` records the next ``n`` messages but answers their DATA
    with ``reply`` (a server that fails after reading the message).
    """

    def __init__(self, *, refuse: dict[str, str] | None = None) -> None:
        self.refuse = dict(refuse or {})
        self.host = HOST
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None
        self._data_failures: list[str] = []

    def fail_data_next(self, n: int, reply: str = "451 4.3.0 try again later") -> None:
        with self._changed:
            self._data_failures.extend([reply] * n)

    def _data_reply(self) -> str:
        with self._changed:
            if self._data_failures:
                return self._data_failures.pop(0)
        return "250 Message accepted for delivery"

    def _record(self, message: EmailMessage, mail_from: str, rcpt_tos: list[str]) -> None:
        with self._changed:
            self.messages.append(message)
            self.envelopes.append((mail_from, rcpt_tos))
            self._changed.notify_all()

    def start(self) -> MailReceiver:
        for _ in range(5):
            self.port = _free_port()
            controller = Controller(_Handler(self), hostname=HOST, port=self.port)
            try:
                controller.start()
            except OSError:  # someone took the port between probe and bind
                continue
            self._controller = controller
            return self
        raise RuntimeError("no free port for the SMTP receiver")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_for(self, n: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Block until at least ``n`` messages arrived; raise ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.messages)} of {n} messages after {timeout}s")
                self._changed.wait(left)
            return list(self.messages)
