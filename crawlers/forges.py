"""Choose the forge for a source and hold what every crawl stage needs (from settings)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from crawlers.base import GitFacts, HostFacts, RepoRef
from crawlers.git import GitCache, GitTree, read_git_facts
from crawlers.gitread import Pygit2Tree, ReaderUnavailable, read_git_facts_pygit2
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml
from registry.errors import BadRequest, CrawlError, UnsafeURLError
from registry.settings import Settings
from registry.urlpolicy import check_git_url, check_url

log = logging.getLogger(__name__)


@dataclass
class CrawlContext:
    settings: Settings
    git_cache: GitCache
    reader: str = "pygit2"  # "cli": git processes only (the fallback, and for comparison)

    @classmethod
    def from_settings(cls, settings: Settings) -> CrawlContext:
        cache = GitCache(
            settings.resolved_git_cache_dir,
            max_bytes=settings.git_cache_max_bytes,
            allow_http_hosts=settings.allow_http_hosts,
            timeout=settings.repo_time_budget,
            max_blob_bytes=settings.max_blob_bytes,
        )
        return cls(settings=settings, git_cache=cache)

    @property
    def url_check(self) -> Callable[[str], str]:
        return partial(check_url, allow_http_hosts=self.settings.allow_http_hosts)

    def read_git_facts(self, path: Path, *, now: datetime) -> GitFacts:
        """History facts, in-process with libgit2; the git CLI if libgit2 cannot open it."""
        if self.reader == "pygit2":
            try:
                return read_git_facts_pygit2(path, now=now)
            except ReaderUnavailable as exc:
                log.warning("reading %s with the git CLI: %s", path.name, exc)
        return read_git_facts(path, now=now)

    def open_tree(self, path: Path, commit: str) -> Pygit2Tree | GitTree:
        """The commit's files, in-process with libgit2; the git CLI if libgit2 cannot."""
        limits = {
            "max_blob_bytes": self.settings.max_blob_bytes,
            "max_files": self.settings.max_tree_files,
        }
        if self.reader == "pygit2":
            try:
                return Pygit2Tree(path, commit, **limits)
            except ReaderUnavailable as exc:
                log.warning("reading %s with the git CLI: %s", path.name, exc)
        return GitTree(path, commit, **limits)


class NoApiForge:
    """A source with no forge API behind it: nothing knows its forks or has a fork page."""

    kind = "git"

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        return []

    def fork_url(self, ref: RepoRef) -> str:
        return ""


class GitUrlForge(NoApiForge):
    """Any git URL, with no API: the source's locator is the repository's URL."""

    def __init__(self, url_check: Callable[[str], str]) -> None:
        self._check = url_check

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        url = self._check(owner)
        yield git_ref(url), HostFacts()


class GitListForge(NoApiForge):
    """A JSON or YAML list of git URLs (or of ``{url: …}`` objects) at an https URL, for hosts
    with no API we support. Every URL passes the policy here; a refused one is still yielded,
    unchanged, so the clone refuses it again (no request) and the run records it as that
    repository's error: one bad entry never stops the crawl."""

    def __init__(
        self, fetch: Callable[[str], bytes], git_check: Callable[[str], str], *, max_urls: int
    ) -> None:
        self._fetch = fetch
        self._check = git_check
        self.max_urls = max_urls

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        for url in parse_git_list(self._fetch(owner))[: self.max_urls]:
            try:
                yield git_ref(self._check(url)), HostFacts()
            except UnsafeURLError:
                yield RepoRef("git", "refused", url[:200], url, url), HostFacts()


def parse_git_list(data: bytes) -> list[str]:
    """Every entry of a URL list as a string, in order, without duplicates; nothing is
    judged here (the policy does that). CrawlError when the list cannot be read at all."""
    try:
        doc = load_yaml(data, "git URL list")  # JSON is YAML too
    except MetadataError as exc:
        raise CrawlError(str(exc)) from None
    if isinstance(doc, Mapping):
        doc = doc.get("urls") or doc.get("repositories") or doc.get("repos")
    if isinstance(doc, str):
        doc = doc.split()  # one URL a line reads as one YAML string
    if not isinstance(doc, list):
        raise CrawlError("git URL list is not a list")
    items = (item.get("url") if isinstance(item, Mapping) else item for item in doc)
    return list(dict.fromkeys(str(i).strip() for i in items if i is not None and str(i).strip()))


def git_ref(url: str) -> RepoRef:
    parts = urlsplit(url)
    path = parts.path.strip("/").removesuffix(".git")
    owner, _, name = path.rpartition("/")
    host = parts.netloc
    return RepoRef(
        forge="git",
        owner=f"{host}/{owner}" if owner else host,
        name=name or host,
        clone_url=url,
        html_url=f"{parts.scheme}://{host}/{path}",
    )


def forge_for(kind: str, api_url: str, ctx: CrawlContext):
    s = ctx.settings
    if kind == "github-org":
        from crawlers.github import GitHubForge
        from crawlers.github_cache import HttpCacheConfig

        key = s.github_app_private_key
        return GitHubForge(
            api_url=api_url or s.github_api_url,
            token=s.github_token.get_secret_value() if s.github_token else None,
            app_id=s.github_app_id,
            app_private_key=key.get_secret_value() if key else None,
            app_installation_id=s.github_app_installation_id,
            timeout=s.http_timeout,
            requests_per_second=s.requests_per_second,
            url_check=ctx.url_check,
            http_cache=HttpCacheConfig.from_settings(s),
            max_rate_sleep=s.github_rate_limit_max_sleep,
        )
    if kind == "gitlab-group":
        from crawlers.gitlab import GitLabForge

        return GitLabForge(
            api_url or s.gitlab_url,
            token=s.gitlab_token.get_secret_value() if s.gitlab_token else None,
            timeout=s.http_timeout,
            url_check=ctx.url_check,
        )
    if kind == "git-url":
        return GitUrlForge(partial(check_git_url, allow_http_hosts=s.allow_http_hosts))
    if kind == "git-list":
        from crawlers.inventory_fetch import url_fetcher

        git_check = partial(check_git_url, allow_http_hosts=s.allow_http_hosts)
        return GitListForge(url_fetcher(s), git_check, max_urls=s.inventory_max_urls)
    if kind == "code-json":
        from crawlers.codejson_forge import CodeJsonForge
        from crawlers.inventory_fetch import url_fetcher

        git_check = partial(check_git_url, allow_http_hosts=s.allow_http_hosts)
        return CodeJsonForge(url_fetcher(s), git_check, max_urls=s.inventory_max_urls)
    raise BadRequest(f"unknown source kind {kind!r}")
