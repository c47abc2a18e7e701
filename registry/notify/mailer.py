"""Mail transports behind one small Protocol, chosen by settings.

The e-mail channel (``registry.notify.mail``) hands each message to a ``Mailer``: SMTP in
production, the console in development (``GOVCODE_SMTP_HOST`` empty) and a list in tests.
A transport never raises for an ordinary failure: it returns a ``SendResult`` whose
``retryable`` says whether trying again later can help (SMTP 4xx, a server that is down).
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import sys
import threading
import time
from email.message import EmailMessage
from typing import Protocol, TextIO, runtime_checkable

from registry.notify.base import SendResult
from registry.settings import Settings


@runtime_checkable
class Mailer(Protocol):
    def send(self, message: EmailMessage) -> SendResult:
        """Hand the message over for delivery and say how it went."""
        ...


class SmtpMailer:
    """Plain SMTP (optionally STARTTLS and login); one connection per message.

    ``timeout`` bounds each network operation; ``deadline`` bounds the whole hand-over:
    a server that trickles its replies has its connection cut when the deadline passes.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
        deadline: float | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else 6 * timeout

    def send(self, message: EmailMessage) -> SendResult:
        started = time.monotonic()
        smtp = smtplib.SMTP(timeout=self.timeout)  # connected below, under the watchdog
        # What SMTP(host) would have remembered: STARTTLS checks the certificate against it.
        smtp._host = self.host  # type: ignore[attr-defined]
        with _Watchdog(smtp, self.deadline) as watchdog:
            try:
                with smtp:
                    smtp.connect(self.host, self.port)
                    if self.starttls:
                        smtp.starttls(context=ssl.create_default_context())
                    if self.user:
                        smtp.login(self.user, self.password or "")
                    refused = smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                return _failed(
                    f"recipients refused: {exc.recipients}", started, retryable=_temporary(*codes)
                )
            except smtplib.SMTPResponseException as exc:
                return _failed(
                    f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                    started,
                    retryable=_temporary(exc.smtp_code),
                    status=exc.smtp_code,
                )
            except (smtplib.SMTPException, OSError) as exc:
                if watchdog.fired.is_set():
                    error = (
                        f"SMTP {self.host}:{self.port}: cut off at the {self.deadline:g}s deadline"
                    )
                    return _failed(error, started, retryable=True)
                return _failed(f"SMTP {self.host}:{self.port}: {exc}", started, retryable=True)
        if refused:
            # Some recipients took it: retrying would send duplicates to them.
            return _failed(f"some recipients refused: {refused}", started, retryable=False)
        return SendResult(ok=True, elapsed=round(time.monotonic() - started, 4))


class _Watchdog:
    """Shuts the SMTP socket down once ``seconds`` have passed, which wakes a blocked read;
    until the socket exists (connecting) it keeps looking for it."""

    def __init__(self, smtp: smtplib.SMTP, seconds: float) -> None:
        self.smtp = smtp
        self.seconds = seconds
        self.done = threading.Event()
        self.fired = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="govcode-smtp", daemon=True)

    def __enter__(self) -> _Watchdog:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        if self.done.wait(self.seconds):
            return
        self.fired.set()
        while not self.done.is_set():
            sock = self.smtp.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)
                return
            self.done.wait(0.05)


def _failed(
    error: str, started: float, *, retryable: bool, status: int | None = None
) -> SendResult:
    elapsed = round(time.monotonic() - started, 4)
    return SendResult(ok=False, status=status, error=error, retryable=retryable, elapsed=elapsed)


def _temporary(*codes: int) -> bool:
    """SMTP 4xx replies are temporary; 5xx ones will fail the same way next time."""
    return any(400 <= code < 500 for code in codes)


class ConsoleMailer:
    """Development mailer: prints each message's headers and plain-text part to a stream
    (the whole MIME source with ``raw=True``)."""

    def __init__(self, stream: TextIO | None = None, *, raw: bool = False) -> None:
        self.stream = stream
        self.raw = raw

    def send(self, message: EmailMessage) -> SendResult:
        stream = self.stream or sys.stdout
        if self.raw:
            stream.write(message.as_string())
        else:
            for name in ("From", "To", "Subject", "Date"):
                stream.write(f"{name}: {message.get(name, '')}\n")
            body = message.get_body(("plain",))
            stream.write("\n" + (body.get_content() if body is not None else "") + "\n")
        stream.write("-" * 72 + "\n")
        stream.flush()
        return SendResult(ok=True)


class NullMailer:
    """Keeps every message in ``sent``; for tests and dry runs."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(ok=True)


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when ``smtp_host`` is set, otherwise the console."""
    if not settings.smtp_host:
        return ConsoleMailer()
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        user=settings.smtp_user or None,
        password=password,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
        deadline=settings.smtp_deadline,
    )
