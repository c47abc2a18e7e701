"""Read inventories from a local file or the web, and publiccode.yml URL lists into records.

A URL here is one a user typed or an inventory listed, so every request, and every
redirect hop, goes through the pinned client (registry/pinned_http.py): the URL policy
first, connections only to the addresses it approved, and one total deadline per request
(``inventory_deadline``) however slowly a server trickles. Bodies are capped while they
stream, so a huge or endless answer costs at most ``inventory_max_bytes``. Local paths are
for the operator's own files (the CLI), never for URLs found inside an inventory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from crawlers.inventories.entries import (
    AgencyEntry,
    InventoryError,
    InventoryImport,
    SourceEntry,
    merge_agencies,
    slug,
)
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml, mapping, text
from registry.analysis.metadata.publiccode import parse_publiccode
from registry.errors import CrawlError, GovcodeError
from registry.pinned_http import pinned_client
from registry.settings import Settings
from registry.source_kinds import GIT

Fetch = Callable[[str], bytes]
MAX_REDIRECTS = 5
_IPA_URN = "urn:x-italian-pa:"


def fetch_url(
    url: str,
    *,
    allow_http_hosts: list[str] | tuple[str, ...] = (),
    max_bytes: int = 20_000_000,
    timeout: float = 20.0,
    deadline: float = 60.0,
    client: httpx.Client | None = None,
) -> bytes:
    """The body of a 200 answer to GET ``url``; UnsafeURLError before any refused request,
    CrawlError for anything else that goes wrong. A ``client`` you pass in must be one of
    ``inventory_client``'s (its transport is what applies the URL policy)."""
    own = client is None
    client = client or pinned_client(
        allow_http_hosts=allow_http_hosts, timeout=timeout, deadline=deadline
    )
    try:
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream("GET", url, follow_redirects=False) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise CrawlError(f"{url} answered HTTP {response.status_code}")
                return _capped(response, url, max_bytes)
        raise CrawlError(f"{url}: more than {MAX_REDIRECTS} redirects")
    except httpx.HTTPError as exc:
        raise CrawlError(f"{url} could not be fetched: {type(exc).__name__}: {exc}") from None
    finally:
        if own:
            client.close()


def _capped(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise CrawlError(f"{url} is larger than {max_bytes} bytes")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise CrawlError(f"{url} is larger than {max_bytes} bytes")
    return bytes(body)


def inventory_client(settings: Settings) -> httpx.Client:
    """A pinned client with the allow-list, timeout and deadline from settings (to share
    connections across many fetches; close it when done)."""
    return pinned_client(
        allow_http_hosts=settings.allow_http_hosts,
        timeout=settings.http_timeout,
        deadline=settings.inventory_deadline,
    )


def url_fetcher(settings: Settings, client: httpx.Client | None = None) -> Fetch:
    """``fetch_url`` with the limits and the allow-list from settings."""

    def fetch(url: str) -> bytes:
        return fetch_url(
            url,
            allow_http_hosts=settings.allow_http_hosts,
            max_bytes=settings.inventory_max_bytes,
            timeout=settings.http_timeout,
            deadline=settings.inventory_deadline,
            client=client,
        )

    return fetch


def read_inventory(location: str, settings: Settings) -> bytes:
    """An inventory's bytes from a URL (anything with ``://``: the policy decides) or a
    local file the operator named."""
    if "://" in location:
        return url_fetcher(settings)(location)
    path = Path(location)
    try:
        if path.stat().st_size > settings.inventory_max_bytes:
            raise InventoryError(f"{location} is larger than {settings.inventory_max_bytes} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise InventoryError(f"{location} cannot be read: {exc.strerror or exc}") from None


def publiccode_agency(data: bytes, where: str) -> tuple[AgencyEntry, bool]:
    """The agency and repository a publiccode.yml names, and whether the file names the
    organisation itself (else the repository's owner path stands in); InventoryError when
    it names no repository."""
    code = parse_publiccode(data, source=where)
    if not code.readable:
        first = code.problems[0].message if code.problems else "unreadable"
        raise InventoryError(f"{where}: {first}")
    repo_url = (code.url or "").strip().rstrip("/")
    parts = urlsplit(repo_url)
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        raise InventoryError(f"{where}: no http(s) url for the repository ({code.url!r})")
    ipa = _ipa_code(data)
    owner = f"{parts.hostname}/{parts.path.strip('/').split('/')[0]}".rstrip("/")
    name = code.repo_owner or ipa or owner
    key = f"it-ipa:{ipa.lower()}" if ipa else f"publiccode:{slug(code.repo_owner or owner)}"
    source = SourceEntry(GIT.name, repo_url, parts.hostname)
    ids = {"ipa": ipa.lower()} if ipa else {}
    record = AgencyEntry(key, name, "IT" if ipa else None, None, None, (source,), {}, ids)
    return record, code.repo_owner is not None


def _ipa_code(data: bytes) -> str | None:
    """The Italian public administration code: ``it.riuso.codiceIPA`` or the org URN."""
    try:
        doc = mapping(load_yaml(data, "publiccode.yml"))
    except MetadataError:
        return None
    national = mapping(doc.get("it")) or mapping(doc.get("IT"))
    found = text(mapping(national.get("riuso")).get("codiceIPA"))
    uri = text(mapping(doc.get("organisation")).get("uri")) or ""
    if not found and uri.lower().startswith(_IPA_URN):
        found = uri[len(_IPA_URN) :]
    return found if found and slug(found) else None


def read_publiccode_list(urls: list[str], fetch: Fetch, *, max_urls: int) -> InventoryImport:
    """Fetch each publiccode.yml (sequentially, at most ``max_urls``): one agency per
    organisation, its repositories as ``git`` sources; broken files are problems."""
    found: list[tuple[AgencyEntry, bool]] = []
    problems: list[str] = []
    if len(urls) > max_urls:
        problems.append(f"{len(urls) - max_urls} URLs past the first {max_urls} skipped")
    for url in urls[:max_urls]:
        try:
            found.append(publiccode_agency(fetch(url), url))
        except GovcodeError as exc:  # refused, unreachable, too big or unreadable
            problems.append(str(exc) if url in str(exc) else f"{url}: {exc}")
    found.sort(key=lambda pair: not pair[1])  # files that name their organisation name it
    return InventoryImport(tuple(merge_agencies(r for r, _ in found)), tuple(problems))
