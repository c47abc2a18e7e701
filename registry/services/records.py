"""Plain values the crawl pipeline hands to the services (no ORM objects cross this line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit


def normalise_url(url: str) -> str:
    """A repository URL in one comparable form: host and path, lower case, no .git or slash."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/").lower()
    return f"{host}{path}"


@dataclass(frozen=True)
class ReuseClaim:
    """``reuser_url`` reuses ``target_url``; one end is the repository being stored."""

    kind: str  # fork | based_on | dependency | shared_history | copied
    reuser_url: str
    reuser_name: str
    target_url: str
    evidence: str = ""


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
    readme_excerpt: str = ""
    readme_text: str = ""
    readme_path: str | None = None
    readme_source: str = ""  # as written (capped), for the page to render
    readme_markup: str = ""  # "markdown" | "text"
    root_commits: list[str] = field(default_factory=list)
    head_commit: str = ""
    head_tree: str = ""
    commit_weeks: list[int] = field(default_factory=list)  # last 52 weeks, oldest first
    forge_created_at: datetime | None = None
    pushed_at: datetime | None = None
    last_commit_at: datetime | None = None
    reuse: list[ReuseClaim] = field(default_factory=list)

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
