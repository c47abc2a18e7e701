"""The URL policy: what a URL a user typed must pass before anything touches the network.

Refusing is cheap and a request to the wrong place is not (cloud metadata endpoints, the
registry's own admin ports, a git transport that runs a command). So the rules are strict
and checked on the *resolved* addresses: ``https://0x7f.1/`` or a DNS name that points at
10.0.0.1 fail exactly like ``https://127.0.0.1/``. The only way through for plain http or a
loopback/private address is an operator's ``allow_http_hosts`` entry (tests, local demos).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from registry.errors import UnsafeURLError

Resolver = Callable[[str, int], list[str]]
_DEFAULT_PORTS = {"https": 443, "http": 80}
_GIT_SCHEMES_REFUSED = ("ext::", "fd::")


@dataclass(frozen=True)
class CheckedURL:
    """A URL that passed, with what was learnt checking it (so callers can pin DNS)."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]  # empty when the host was allow-listed


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURLError(f"host {host!r} does not resolve: {exc}") from None
    return sorted({str(info[4][0]) for info in infos})


def check_url(
    url: str, *, allow_http_hosts: Collection[str] = (), resolve: Resolver | None = None
) -> str:
    """Return ``url`` unchanged if it may be fetched; raise ``UnsafeURLError`` saying why not."""
    return inspect_url(url, allow_http_hosts=allow_http_hosts, resolve=resolve).url


def check_git_url(
    url: str, *, allow_http_hosts: Collection[str] = (), resolve: Resolver | None = None
) -> str:
    """``check_url`` plus git's own spellings of other transports (``ext::``, scp-like)."""
    return inspect_git_url(url, allow_http_hosts=allow_http_hosts, resolve=resolve).url


def check_git_ref(ref: str) -> str:
    """A branch, tag or commit name that git cannot mistake for an option."""
    _refuse_characters(ref, "ref")
    if not ref or ref.startswith("-"):
        raise UnsafeURLError(f"ref {ref!r} is empty or looks like an option")
    return ref


def inspect_git_url(
    url: str, *, allow_http_hosts: Collection[str] = (), resolve: Resolver | None = None
) -> CheckedURL:
    """Like ``check_git_url`` but returns the host, port and the addresses that passed."""
    _refuse_option_or_characters(url)
    lowered = url.lower()
    if lowered.startswith(_GIT_SCHEMES_REFUSED) or "::" in lowered.split("/", 1)[0]:
        raise UnsafeURLError(f"git transport helpers (transport::address) are refused: {url!r}")
    if "://" not in url:
        raise UnsafeURLError(f"scp-like or relative git addresses are refused: {url!r}")
    return inspect_url(url, allow_http_hosts=allow_http_hosts, resolve=resolve)


def inspect_url(
    url: str, *, allow_http_hosts: Collection[str] = (), resolve: Resolver | None = None
) -> CheckedURL:
    """Like ``check_url`` but returns the host, port and the addresses that passed."""
    _refuse_option_or_characters(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"URL {url!r} cannot be parsed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UnsafeURLError(f"only https URLs are allowed, not {scheme or 'no'} scheme: {url!r}")
    if "@" in parts.netloc:
        raise UnsafeURLError(f"URLs with user names or passwords are refused: {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURLError(f"URL {url!r} has no host")
    port = port if port is not None else _DEFAULT_PORTS[scheme]
    if _allow_listed(host, port, allow_http_hosts):
        return CheckedURL(url, host, port, ())
    if scheme != "https":
        raise UnsafeURLError(f"plain http is only allowed to allow-listed hosts: {url!r}")
    if "%" in host or "\\" in parts.netloc:
        raise UnsafeURLError(f"percent-encoding, zone ids or backslashes in the host: {url!r}")
    ascii_host = _ascii_host(host)
    addresses = (resolve or system_resolve)(ascii_host, port)
    if not addresses:
        raise UnsafeURLError(f"host {host!r} does not resolve")
    for address in addresses:
        _refuse_address(address, host)
    return CheckedURL(url, ascii_host, port, tuple(addresses))


def _refuse_option_or_characters(url: str) -> None:
    _refuse_characters(url, "URL")
    if url.startswith("-"):
        raise UnsafeURLError(f"URL {url!r} looks like a command-line option")


def _refuse_characters(value: str, what: str) -> None:
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise UnsafeURLError(f"{what} {value!r} contains whitespace or control characters")


def _ascii_host(host: str) -> str:
    """IP literals as they are; names in IDNA form (what DNS and git will see)."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeURLError(f"host {host!r} is not a valid domain name") from None


def _allow_listed(host: str, port: int, allowed: Collection[str]) -> bool:
    host = host.lower()
    wanted = {host, f"{host}:{port}", f"[{host}]:{port}"}
    return any(entry.strip().lower() in wanted for entry in allowed)


def _refuse_address(address: str, host: str) -> None:
    """Refuse every address that is not plainly a public unicast one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise UnsafeURLError(f"host {host!r} resolved to a non-address {address!r}") from None
    embedded = _embedded_ipv4(ip)
    for candidate in (ip, *embedded):
        if (
            not candidate.is_global
            or candidate.is_multicast
            or candidate.is_private
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_reserved
            or candidate.is_unspecified
        ):
            raise UnsafeURLError(
                f"host {host!r} resolves to {address}, a loopback, private, link-local, "
                "multicast or reserved address"
            )


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list:
    """IPv4 addresses hidden inside an IPv6 one (mapped, 6to4, Teredo, NAT64 well-known)."""
    if ip.version == 4:
        return []
    assert isinstance(ip, ipaddress.IPv6Address)
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        found.append(ip.teredo[1])
    if ip in ipaddress.IPv6Network("64:ff9b::/96"):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found
