"""The Forge protocol and the values that cross from crawling into analysis and storage."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from registry.analysis.tree import Tree
from registry.errors import BadRequest
from registry.source_kinds import GIT

if TYPE_CHECKING:
    from crawlers.context import CrawlContext
    from crawlers.forges.proof import Proof
    from registry.settings import Settings


@dataclass(frozen=True)
class RepoRef:
    """Where a repository lives: enough to clone it and to link to it."""

    forge: str  # the ``SourceKind`` name of its host: "github", "gitlab", "git"
    owner: str
    name: str
    clone_url: str
    html_url: str
    forge_id: str | None = None  # the forge's own id, when it has one
    error: str | None = None  # why this listed entry cannot be crawled (nothing is fetched)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class ForgeRelease:
    """A release the forge publishes: the tag it names, its title, notes and page."""

    tag: str
    title: str = ""
    notes: str = ""
    url: str = ""
    published_at: datetime | None = None


@dataclass
class HostFacts:
    """What the forge says about a repository (empty for plain git)."""

    description: str = ""
    topics: list[str] = field(default_factory=list)
    homepage: str = ""
    default_branch: str = ""
    stars: int = 0
    forks_count: int = 0
    open_issues: int = 0
    archived: bool = False
    is_fork: bool = False
    is_template: bool = False
    is_mirror: bool = False
    disabled: bool = False
    releases: int | None = None  # published releases, when the forge says
    release_list: list[ForgeRelease] = field(default_factory=list)  # newest first, when read
    parent_url: str | None = None  # html_url of the repository this one was forked from
    licence_spdx: str | None = None  # the forge's own licence answer
    created_at: datetime | None = None
    pushed_at: datetime | None = None


@dataclass(frozen=True)
class TagFact:
    """One tag as git holds it: its short name (as in ``GitFacts.tags``), the object it
    names (the commit, for an annotated tag the commit it points at), its date (the
    tagger's for an annotated tag, else the commit's; 0 when it has none) and an annotated
    tag's message ("" for a lightweight tag)."""

    name: str
    commit: str
    stamp: int
    message: str = ""


TAG_MESSAGE_CAP = 4000
_SIGNATURES = (b"-----BEGIN PGP SIGNATURE-----", b"-----BEGIN SSH SIGNATURE-----",
               b"-----BEGIN SIGNED MESSAGE-----")  # fmt: skip


def tag_message(raw: bytes) -> str:
    """An annotated tag's message without its signature block, trimmed and capped."""
    cut = min((i for i in (raw.find(s) for s in _SIGNATURES) if i >= 0), default=len(raw))
    return raw[:cut].decode("utf-8", "replace").strip()[:TAG_MESSAGE_CAP]


@dataclass(frozen=True)
class GitFacts:
    """What the git history says."""

    head: str
    default_branch: str
    root_commits: tuple[str, ...]
    first_commit_at: datetime | None
    last_commit_at: datetime | None
    commits_90d: int
    commits_365d: int
    contributors: int  # distinct author e-mails over the whole history (capped walk)
    tags: tuple[str, ...]
    # Newest commits first, as (sha, committer UNIX time, author key): provenance's
    # evidence of who reused whom. ``history_complete``: the sample is the whole history.
    history: tuple[tuple[str, int, str], ...] = ()
    history_complete: bool = False
    head_tree: str = ""  # the head commit's tree (a Software Heritage directory id)
    commit_weeks: tuple[int, ...] = ()  # commits in each of the last 52 weeks, oldest first
    last_commit_subject: str = ""  # the head commit's subject line, as `git log %s` gives it
    tag_facts: tuple[TagFact, ...] = ()  # every tag, in the order of ``tags``


SUBJECT_CAP = 500


def commit_subject(message: str) -> str:
    """A commit message's subject as git's ``%s`` spells it: the first paragraph on one
    line (its lines joined by spaces), capped."""
    lines = []
    for line in message.strip().splitlines():
        if not line.strip():
            break
        lines.append(line.strip())
    return " ".join(lines)[:SUBJECT_CAP]


WEEK_SECONDS = 7 * 24 * 3600


def commit_weeks(stamps: Iterable[float], now: datetime, weeks: int = 52) -> tuple[int, ...]:
    """Commits per week over the last ``weeks`` weeks ending at ``now``, oldest week first."""
    end = now.timestamp()
    counts = [0] * weeks
    for stamp in stamps:
        age = int((end - stamp) // WEEK_SECONDS)
        if 0 <= age < weeks:
            counts[weeks - 1 - age] += 1
    return tuple(counts)


class RepoTree(Tree, Protocol):
    """A repository's files as a crawl reads them: a ``Tree`` that may have been sampled
    and holds a reader to close when analysis is done."""

    truncated: bool  # sampled because it exceeded max_tree_files

    def close(self) -> None:
        """Stop the reader (a git process, a libgit2 handle) now, not at collection."""


@dataclass
class RepoSnapshot:
    """Host facts plus a tree reader: everything analysis may look at."""

    ref: RepoRef
    facts: HostFacts
    git: GitFacts
    tree: RepoTree
    truncated: bool = False  # tree sampled because it exceeded max_tree_files
    # Past commits whose files provenance sketches (roots first, then a sample of history),
    # and how to open one of them (None: HEAD is all there is to read).
    past_commits: tuple[str, ...] = ()
    open_commit: Callable[[str], RepoTree] | None = None


class Forge(Protocol):
    """One code host. Implementations never touch the database or the web.

    Every capability is declared here; a forge without one inherits ``ForgeBase``'s answer
    (no forks, no fork page, no requests counted, nothing to close), so the pipeline never
    probes a forge for what it can do.
    """

    kind: str  # ``registry.source_kinds.SourceKind.name`` of the host its repositories live on

    @classmethod
    def from_context(cls, ctx: CrawlContext, api_url: str) -> Forge:
        """The forge a crawl uses (``crawlers.forges.forge_for``), on ``api_url`` or the
        kind's default API, with the operator's credentials from the settings."""

    @classmethod
    def for_person(
        cls, settings: Settings, api_url: str, token: str, url_check: Callable[[str], str]
    ) -> Forge:
        """A forge acting with a person's own token, to ``fork``; only kinds with
        ``has_fork_api`` have one."""

    @property
    def requests_spent(self) -> int:
        """API requests this forge has made (answers the host counted against us)."""

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        """Every public repository of an organisation, group or user."""

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        """The repositories forked from ``ref``."""

    def fork_url(self, ref: RepoRef) -> str:
        """The forge's own page where a signed-in user forks ``ref`` ("" where none)."""

    def releases(self, ref: RepoRef) -> Sequence[ForgeRelease]:
        """The newest releases with their notes, for a forge whose listing does not carry
        them (``HostFacts.release_list``); optional: [] when they cannot be read."""

    def fork(self, ref: RepoRef, owner: str, *, wait: float, poll: float) -> RepoRef:
        """Fork ``ref`` into the organisation or group ``owner`` with the credentials the
        forge was built with, and wait (up to ``wait`` seconds, asking every ``poll``) until
        the fork exists; the new fork. Only kinds with ``has_fork_api`` can."""

    @classmethod
    def prove(
        cls, settings: Settings, *, locator: str, api_url: str, token: str, website: str | None
    ) -> Proof:
        """Whether ``token`` is where only an owner of the source ``locator`` could put it
        (ownership proof, ``crawlers.forges.proof``); a class method, so no crawl is set up."""

    def close(self) -> None:
        """Release connections; the forge is not used again."""


class ForgeBase:
    """What a forge that lacks a capability answers: a host with no API."""

    kind = GIT.name

    @classmethod
    def for_person(
        cls, settings: Settings, api_url: str, token: str, url_check: Callable[[str], str]
    ) -> Forge:
        raise BadRequest("this host has no API to fork through; clone and push instead")

    @property
    def requests_spent(self) -> int:
        return 0

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        return []

    def fork_url(self, ref: RepoRef) -> str:
        return ""

    def releases(self, ref: RepoRef) -> Sequence[ForgeRelease]:
        return []

    def fork(self, ref: RepoRef, owner: str, *, wait: float, poll: float) -> RepoRef:
        raise BadRequest("this host has no API to fork through; clone and push instead")

    @classmethod
    def prove(
        cls, settings: Settings, *, locator: str, api_url: str, token: str, website: str | None
    ) -> Proof:
        """A source named by a URL: the line in the agency's website's
        ``/.well-known/govcode.txt``, when the source lives on that website's domain."""
        from crawlers.forges.proof import well_known

        return well_known(settings, locator, website, token)

    def close(self) -> None:
        return None
