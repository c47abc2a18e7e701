"""What every inventory importer returns: agencies with their sources, keyed for idempotence.

Keys are stable slugs derived from the inventory's own identifiers (a GitHub login, an ORE
administration code, a code.gov acronym), so importing the same list twice, or two copies
of it, yields the same keys and the store can upsert instead of duplicating.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from registry.analysis.metadata.errors import MetadataError
from registry.source_kinds import GIT, by_host, canonical_locator, source_kind

_SCHEMES = frozenset({"http", "https", "git", "ssh"})


class InventoryError(MetadataError):
    """An inventory (a list of agencies, sources or repositories) could not be read at all.

    A MetadataError too: an unreadable code.json index is both.
    """

    title = "Unreadable inventory"


@dataclass(frozen=True)
class SourceEntry:
    """A place to crawl: a GitHub organisation, a GitLab group, a git URL or an inventory URL."""

    kind: str  # a ``registry.source_kinds`` name
    locator: str  # org login, group path, or URL
    host: str  # "github.com", "gitlab.com", or the URL's host

    @property
    def key(self) -> str:
        """Equal for the same place however it was spelt (logins are case-insensitive)."""
        locator = canonical_locator(source_kind(self.kind), self.locator)
        return f"{self.kind}:{self.host.lower()}:{locator}"


@dataclass(frozen=True)
class AgencyEntry:
    key: str  # stable slug: "gh:alberta-health", "ore:tbs-sct", "us-codegov:nasa"
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2 when known
    level: str | None = None  # "federal", "state", "municipal"… as the inventory says
    homepage: str | None = None
    sources: tuple[SourceEntry, ...] = ()
    names: dict[str, str] = field(default_factory=dict, hash=False)  # {"en": …, "fr": …}
    # What other registries call it: ``registry.identifiers`` scheme -> value.
    identifiers: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class InventoryImport:
    agencies: tuple[AgencyEntry, ...]
    problems: tuple[str, ...] = ()


def slug(value: str) -> str:
    """Lower-case ASCII letters, digits and single dashes."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _split(url: str) -> tuple[str, list[str]] | None:
    """(host, path segments) of an http(s)/git/ssh URL, or None for anything else."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in _SCHEMES or not host or any(c in host for c in " \\"):
        return None
    host = host.removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[-1].endswith(".git"):
        segments[-1] = segments[-1][:-4]
    return host, [s for s in segments if s]


def source_from_url(url: str, *, group: bool | None = None) -> SourceEntry | None:
    """The source a URL names: an org/group page, or else the repository itself.

    ``group`` says what a GitLab URL with several segments is, when the inventory knows;
    without it, a one-segment GitLab path is a group and longer ones a repository.
    """
    split = _split(url)
    if split is None or not split[1]:
        return None
    host, segments = split
    kind = by_host(host)  # a forge on its public host, as the table of source kinds says
    form = kind.locator_form if kind else ""
    if kind and form == "login" and len(segments) == 1:
        return SourceEntry(kind.name, segments[0], host)
    if kind and form == "group-path" and (group or (group is None and len(segments) == 1)):
        return SourceEntry(kind.name, "/".join(segments), host)
    return SourceEntry(GIT.name, f"{_web_origin(url, host)}/{'/'.join(segments)}", host)


def _web_origin(url: str, host: str) -> str:
    """scheme://host[:port] to crawl a repository URL by: an http(s) URL keeps its scheme and
    port (http is for allow-listed hosts); git:// and ssh:// are fetched over https."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"https://{host}"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def owner_source(repository_url: str) -> SourceEntry | None:
    """The organisation or group that holds a repository on a forge's public host (GitHub,
    GitLab.com: the table of source kinds' ``default_host``)."""
    split = _split(repository_url)
    if split is None:
        return None
    host, segments = split
    kind = by_host(host)
    if kind is None or len(segments) < 2:
        return None
    if kind.locator_form == "login":
        return SourceEntry(kind.name, segments[0], host)
    if kind.locator_form == "group-path":
        return SourceEntry(kind.name, "/".join(segments[:-1]), host)
    return None


def unique_sources(sources: Iterable[SourceEntry | None]) -> tuple[SourceEntry, ...]:
    found: dict[str, SourceEntry] = {}
    for source in sources:
        if source is not None:
            found.setdefault(source.key, source)
    return tuple(found.values())


def merge_agencies(records: Iterable[AgencyEntry]) -> list[AgencyEntry]:
    """One record per key, first seen first; later records fill gaps and add sources.

    Put the most authoritative inventory first: its name and fields win.
    """
    merged: dict[str, AgencyEntry] = {}
    for record in records:
        seen = merged.get(record.key)
        if seen is None:
            merged[record.key] = record
            continue
        merged[record.key] = replace(
            seen,
            country=seen.country or record.country,
            level=seen.level or record.level,
            homepage=seen.homepage or record.homepage,
            sources=unique_sources((*seen.sources, *record.sources)),
            names={**record.names, **seen.names},
            identifiers={**record.identifiers, **seen.identifiers},
        )
    return list(merged.values())
