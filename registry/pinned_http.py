"""Outgoing HTTP that goes only where the URL policy said, and within one total deadline.

``pinned_client()`` is the one way govcode builds an httpx client for URLs it was given
(inventories, webhooks). Its transport runs the URL policy on every request, itself: the
addresses the policy approved are the only ones its network backend connects to, so a DNS
answer that changes between the check and the connection (rebinding) is never used, while
the Host header, TLS SNI and certificate check keep the name. A request also gets a total
deadline: every connect, read and write is bounded by what is left of it, so a server that
trickles a header line every few seconds cannot hold a connection past it.

httpx has no public hook for a network backend, so the transport swaps the connection pool
its ``HTTPTransport`` builds for one with ours (tests/test_pinned_http.py proves it pins).
"""

from __future__ import annotations

import contextvars
import ssl
import time
import typing
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

import httpcore
import httpx

from registry.urlpolicy import Resolver, inspect_url, normalise_host


@dataclass(frozen=True)
class _Approval:
    host: str
    port: int
    addresses: tuple[str, ...]
    deadline: float  # time.monotonic() by which the whole request must be done


_CURRENT: contextvars.ContextVar[_Approval | None] = contextvars.ContextVar(
    "govcode_http_approval", default=None
)


def _left(what: str) -> float:
    """Seconds left of the current request's deadline; the matching timeout once none are."""
    approval = _CURRENT.get()
    if approval is None:
        raise httpcore.ConnectError("no request approved by the URL policy is in progress")
    left = approval.deadline - time.monotonic()
    if left <= 0:
        error = {"read": httpcore.ReadTimeout, "write": httpcore.WriteTimeout}
        raise error.get(what, httpcore.ConnectTimeout)("the request's total deadline passed")
    return left


def _bounded(timeout: float | None, what: str) -> float:
    left = _left(what)
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, "read"))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, "write"))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, "connect"))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects a request's host only to the addresses approved for it, in that order."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        approval = _CURRENT.get()
        if approval is None or (normalise_host(host), port) != (approval.host, approval.port):
            raise httpcore.ConnectError(f"{host}:{port} was not approved by the URL policy")
        errors = []
        for address in approval.addresses:
            try:
                stream = self._inner.connect_tcp(
                    address, port, _bounded(timeout, "connect"), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                errors.append(f"{address}: {exc}")
                continue
            return _DeadlineStream(stream)
        raise httpcore.ConnectError(f"cannot connect to {host}:{port} ({'; '.join(errors)})")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never used for outgoing requests")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineBody(httpx.SyncByteStream):
    """The response body, read under the deadline of the request that produced it."""

    def __init__(self, inner: httpx.SyncByteStream, approval: _Approval) -> None:
        self._inner, self._approval = inner, approval

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            token = _CURRENT.set(self._approval)
            try:
                chunk = next(chunks, None)
            finally:
                _CURRENT.reset(token)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._inner.close()


class PolicyTransport(httpx.HTTPTransport):
    """An httpx transport that checks each request's URL and connects only where it may."""

    def __init__(
        self,
        *,
        allow_http_hosts: Collection[str] = (),
        deadline: float,
        resolve: Resolver | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        super().__init__(verify=verify, trust_env=False)
        self.allow_http_hosts = tuple(allow_http_hosts)
        self.deadline = deadline
        self.resolve = resolve
        limits = httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """UnsafeURLError (before any connection) when the policy refuses the URL."""
        checked = inspect_url(
            str(request.url), allow_http_hosts=self.allow_http_hosts, resolve=self.resolve
        )
        approval = _Approval(
            checked.host, checked.port, checked.addresses, time.monotonic() + self.deadline
        )
        token = _CURRENT.set(approval)
        try:
            response = super().handle_request(request)
        finally:
            _CURRENT.reset(token)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_DeadlineBody(response.stream, approval),
            extensions=response.extensions,
        )


def pinned_client(
    *,
    allow_http_hosts: Collection[str] = (),
    timeout: float,
    deadline: float,
    resolve: Resolver | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    """An httpx client for URLs from outside: the URL policy on every request (redirects
    are not followed, so each hop is a new, checked request), connections pinned to the
    approved addresses, ``timeout`` per network operation and ``deadline`` per request."""
    transport = PolicyTransport(
        allow_http_hosts=allow_http_hosts, deadline=deadline, resolve=resolve, verify=verify
    )
    return httpx.Client(
        transport=transport, follow_redirects=False, trust_env=False, timeout=timeout
    )
