"""Plain values the crawl pipeline hands to the services (no ORM objects cross this line)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from registry.errors import UnsafeURLError
from registry.urlpolicy import normalise_host

# Loopback spellings that always name the machine doing the crawl, so keying them as one
# host never merges two different servers (the port still tells servers apart). Names that
# merely resolve to the same address (virtual hosts, CDNs) are never merged: that is DNS's
# answer today, not the repository's identity.
_LOOPBACK = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1", "ip6-localhost"})
_DEFAULT_PORTS = {"https": 443, "http": 80, "ssh": 22, "git": 9418}
_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?!//)(?P<path>.*)$")


def normalise_url(url: str) -> str:
    """A repository URL in its one comparable form: ``host[:port]/path``, the key every
    repository and reuse edge is stored under. The one place that decides when two
    spellings name one repository: scheme, user, query and fragment dropped; host in lower
    spelt as the URL policy checks and connects to it (``urlpolicy.normalise_host``: lower
    case, UTS #46 / IDNA 2008 A-labels, IP literals in their short form), without ``www.``
    or a trailing dot; the scheme's default port dropped; loopback names as ``localhost``;
    path in lower case without ``.git`` or trailing slashes."""
    url = url.strip()
    scp = _SCP.match(url) if "://" not in url else None
    if scp:  # git@host:owner/repo.git, as git itself reads it
        url = f"ssh://{scp['host']}/{scp['path']}"
    elif "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - a malformed IPv6 host raises here
    except ValueError:  # unparsable (a refused entry): compare it as written
        return url.lower()
    host = _host(parts.hostname or "").removeprefix("www.")
    if host in _LOOPBACK:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    try:
        port: int | str | None = parts.port
    except ValueError:  # out of range: no server listens there; keep it as written
        port = parts.netloc.rpartition(":")[2]
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/").lower()
    path = path.removesuffix(".git").rstrip("/")
    return f"{host}{path}"


def _host(name: str) -> str:
    """The host as the crawl reaches it: ``straße.example`` and ``xn--strae-oqa.example`` are
    one server, ``0:0:0:0:0:0:0:1`` is ``::1``; a name IDNA refuses is compared as written."""
    try:
        return normalise_host(name)
    except UnsafeURLError:
        return name.lower().rstrip(".")


@dataclass(frozen=True)
class ReuseClaim:
    """``reuser_url`` reuses ``target_url``; one end is the repository being stored."""

    kind: str  # fork | based_on | dependency | shared_history | copied
    reuser_url: str
    reuser_name: str
    target_url: str
    evidence: str = ""
    direction: str = "known"  # known | unknown (shared history whose source is not known)


@dataclass(frozen=True)
class VersionFact:
    """A tag or release the crawl found: git's tag, and the forge's release of it if any."""

    tag: str
    commit: str = ""
    published_at: datetime | None = None
    title: str = ""
    notes: str = ""  # the release's notes, else the annotated tag's message
    url: str = ""  # the forge's release page


# What a crawl looked at again, so that the reuse edges it no longer found can be ended
# (``reuse.end_missing``): edges it did not look for are never touched.
EXAMINED_FORKS = "forks"  # the forge listed this repository's forks, in full
EXAMINED_PARENT = "parent"  # the forge said whether this repository is a fork, and of what
EXAMINED_DECLARED = "declared"  # the metadata that declares isBasedOn was read
EXAMINED_CONTENTS = "contents"  # the whole tree was read (packages, files): not sampled
EXAMINED = (EXAMINED_FORKS, EXAMINED_PARENT, EXAMINED_DECLARED, EXAMINED_CONTENTS)


@dataclass
class RepositoryRecord:
    forge: str
    owner: str
    name: str
    html_url: str
    clone_url: str
    fork_url: str = ""
    forge_id: str | None = None
    description: str = ""
    homepage: str = ""
    topics: list[str] = field(default_factory=list)
    default_branch: str = ""
    stars: int = 0
    forks_count: int = 0
    open_issues: int = 0
    releases: int = 0
    archived: bool = False
    is_fork: bool = False
    is_template: bool = False
    is_mirror: bool = False
    parent_url: str | None = None
    licence: str | None = None
    licence_status: str = "none"
    licence_label: str = "none"
    licence_evidence: list[dict[str, Any]] = field(default_factory=list)
    licence_mismatches: list[str] = field(default_factory=list)
    languages: list[tuple[str, int, float]] = field(default_factory=list)
    maturity_level: str = "development"
    maturity_score: int = 0
    maturity_signals: list[dict[str, Any]] = field(default_factory=list)
    development_status: str | None = None
    publiccode: dict[str, Any] = field(default_factory=dict)
    extra_metadata: dict[str, Any] = field(default_factory=dict)
    truncated: bool = False
    # (ecosystem, name, role "published"|"dependency", version spec)
    packages: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    fingerprints: list[tuple[str, str]] = field(default_factory=list)  # (path, fingerprint)
    # near-duplicate sketches: (path, in a root commit, MinHash values); analysis/sketches.py
    sketches: list[tuple[str, bool, list[int]]] = field(default_factory=list)
    readme_excerpt: str = ""
    readme_text: str = ""
    readme_path: str | None = None
    readme_source: str = ""  # as written (capped), for the page to render
    readme_markup: str = ""  # "markdown" | "text"
    root_commits: list[str] = field(default_factory=list)
    # newest commits first: (sha, committer UNIX time, author key); see analysis/lineage.py
    history: list[tuple[str, int, str]] = field(default_factory=list)
    history_complete: bool = False
    head_commit: str = ""
    head_tree: str = ""
    commit_weeks: list[int] = field(default_factory=list)  # last 52 weeks, oldest first
    forge_created_at: datetime | None = None
    pushed_at: datetime | None = None
    last_commit_at: datetime | None = None
    reuse: list[ReuseClaim] = field(default_factory=list)
    reuse_examined: list[str] = field(default_factory=list)  # names in EXAMINED
    versions: list[VersionFact] = field(default_factory=list)  # newest first (capped)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def primary_language(self) -> str | None:
        return self.languages[0][0] if self.languages else None


@dataclass(frozen=True)
class StoreResult:
    repository_id: int
    status: str  # new | changed | unchanged
    event_ids: tuple[int, ...] = ()
