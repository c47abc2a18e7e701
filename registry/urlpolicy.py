"""The URL policy: what a URL a user typed must pass before anything touches the network.

Refusing is cheap and a request to the wrong place is not (cloud metadata endpoints, the
registry's own admin ports, a git transport that runs a command). So the rules are strict
and checked on the *resolved* addresses: ``https://0x7f.1/`` or a DNS name that points at
10.0.0.1 fail exactly like ``https://127.0.0.1/``. The only way through for plain http or a
loopback/private address is an operator's ``allow_http_hosts`` entry (tests, local demos).

A host name is normalised once, here (UTS #46 with IDNA 2008, the ``idna`` package): the
name that is checked, resolved and pinned is the name the returned URL carries, so no later
client can map ``straße.example`` to a different host (IDNA 2003 says ``strasse.example``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna

from registry.errors import UnsafeURLError
from registry.i18n import N_

Resolver = Callable[[str, int], list[str]]
_DEFAULT_PORTS = {"https": 443, "http": 80}
_GIT_SCHEMES_REFUSED = ("ext::", "fd::")


@dataclass(frozen=True)
class CheckedURL:
    """A URL that passed, with what was learnt checking it (so callers can pin DNS)."""

    url: str  # to fetch: as given, but with ``host`` for a non-ASCII or dot-ended name
    host: str  # normalised: lower case, IDNA 2008 A-labels, IP literals in their short form
    port: int
    addresses: tuple[str, ...]  # what to connect to (allow-listed hosts: whatever they resolve to)
    allow_listed: bool = False


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURLError(
            N_("host %(host)r does not resolve: %(exc)s"), host=host, exc=exc
        ) from None
    return sorted({str(info[4][0]) for info in infos})


def link_url(url: str | None, *, max_length: int = 2000) -> str | None:
    """``url`` if it may become a live link (``href``): http or https with a host, no
    whitespace or control characters a browser would strip to read another scheme, at most
    ``max_length`` characters. ``None`` for anything else (``javascript:``, ``data:``…).
    Every page, feed and message builds its links from stored URLs through this."""
    if not url or len(url) > max_length or any(_unsafe_character(ch) for ch in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return url


def check_url(
    url: str, *, allow_http_hosts: Collection[str] = (), resolve: Resolver | None = None
) -> str:
    """The URL to fetch if ``url`` may be fetched (``url`` itself, or with a non-ASCII or
    dot-ended host in its normalised form); raise ``UnsafeURLError`` saying why not."""
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
        raise UnsafeURLError(N_("ref %(ref)r is empty or looks like an option"), ref=ref)
    return ref


def inspect_git_url(
    url: str, *, allow_http_hosts: Collection[str] = (), resolve: Resolver | None = None
) -> CheckedURL:
    """Like ``check_git_url`` but returns the host, port and the addresses that passed."""
    _refuse_option_or_characters(url)
    lowered = url.lower()
    if lowered.startswith(_GIT_SCHEMES_REFUSED) or "::" in lowered.split("/", 1)[0]:
        raise UnsafeURLError(
            N_("git transport helpers (transport::address) are refused: %(url)r"), url=url
        )
    if "://" not in url:
        raise UnsafeURLError(N_("scp-like or relative git addresses are refused: %(url)r"), url=url)
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
        raise UnsafeURLError(
            N_("URL %(url)r cannot be parsed: %(exc)s"), url=url, exc=exc
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise UnsafeURLError(
            N_("only https URLs are allowed, not %(scheme)s scheme: %(url)r"),
            scheme=scheme or "no",
            url=url,
        )
    if "@" in parts.netloc:
        raise UnsafeURLError(N_("URLs with user names or passwords are refused: %(url)r"), url=url)
    if "%" in parts.netloc or "\\" in parts.netloc:
        raise UnsafeURLError(
            N_("percent-encoding, zone ids or backslashes in the host: %(url)r"), url=url
        )
    written = (parts.hostname or "").rstrip(".")
    if not written:
        raise UnsafeURLError(N_("URL %(url)r has no host"), url=url)
    host = normalise_host(written)
    port = port if port is not None else _DEFAULT_PORTS[scheme]
    if not written.isascii() or (parts.hostname or "").endswith("."):
        url = _with_host(parts, host)  # what connects must be the name that was checked
    allowed = _allow_listed(host, port, allow_http_hosts)
    if not allowed and scheme != "https":
        raise UnsafeURLError(
            N_("plain http is only allowed to allow-listed hosts: %(url)r"), url=url
        )
    addresses = _literal(host) or (resolve or system_resolve)(host, port)
    if not addresses:
        raise UnsafeURLError(N_("host %(host)r does not resolve"), host=host)
    if not allowed:
        for address in addresses:
            _refuse_address(address, host)
    return CheckedURL(url, host, port, tuple(addresses), allowed)


def normalise_host(host: str) -> str:
    """The one spelling of a host name that is checked, resolved and connected to.

    IP literals in their short form; names lower-cased and mapped with UTS #46 to IDNA 2008
    A-labels (``straße`` -> ``xn--strae-oqa``, never IDNA 2003's ``strasse``). ASCII labels are
    kept as written (DNS allows ``_``); a malformed ``xn--`` label is refused.
    """
    host = host.rstrip(".")
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    try:
        if host.isascii():
            for label in host.split("."):
                if label[:4].lower() == "xn--":
                    idna.decode(label)
            return host.lower()
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise UnsafeURLError(
            N_("host %(host)r is not a valid domain name: %(exc)s"), host=host, exc=exc
        ) from None


def _literal(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return []


def _with_host(parts, host: str) -> str:  # type: ignore[no-untyped-def]
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _refuse_option_or_characters(url: str) -> None:
    _refuse_characters(url, "URL")
    if url.startswith("-"):
        raise UnsafeURLError(N_("URL %(url)r looks like a command-line option"), url=url)


def _unsafe_character(ch: str) -> bool:
    return ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F


def _refuse_characters(value: str, what: str) -> None:
    if any(_unsafe_character(ch) for ch in value):
        raise UnsafeURLError(
            N_("%(what)s %(value)r contains whitespace or control characters"),
            what=what,
            value=value,
        )


def _allow_listed(host: str, port: int, allowed: Collection[str]) -> bool:
    wanted = {host, f"{host}:{port}", f"[{host}]:{port}"}
    return any(_entry(entry) in wanted for entry in allowed)


def _entry(entry: str) -> str:
    """An allow-list entry (``host`` or ``host:port``) with its host normalised like a URL's."""
    entry = entry.strip()
    host, sep, port = entry.rpartition(":") if not entry.endswith("]") else ("", "", "")
    if not sep or not port.isdigit() or (":" in host and not host.endswith("]")):
        host, sep, port = entry, "", ""
    try:
        normal = normalise_host(host)
    except UnsafeURLError:
        return entry.lower()
    shown = f"[{normal}]" if ":" in normal and sep else normal
    return f"{shown}{sep}{port}"


def _refuse_address(address: str, host: str) -> None:
    """Refuse every address that is not plainly a public unicast one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        raise UnsafeURLError(
            N_("host %(host)r resolved to a non-address %(address)r"), host=host, address=address
        ) from None
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
                N_(
                    "host %(host)r resolves to %(address)s, a loopback, private, link-local, "
                    "multicast or reserved address"
                ),
                host=host,
                address=address,
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
