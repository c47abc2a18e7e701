"""Choose the forge for a source and hold what every crawl stage needs (from settings)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from crawlers.base import HostFacts, RepoRef
from crawlers.git import GitCache, GitTree, read_git_facts
from registry.errors import BadRequest
from registry.settings import Settings
from registry.urlpolicy import check_git_url, check_url


@dataclass
class CrawlContext:
    settings: Settings
    git_cache: GitCache

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

    def read_git_facts(self, path: Path, *, now):
        return read_git_facts(path, now=now)

    def open_tree(self, path: Path, commit: str) -> GitTree:
        return GitTree(
            path,
            commit,
            max_blob_bytes=self.settings.max_blob_bytes,
            max_files=self.settings.max_tree_files,
        )


class GitUrlForge:
    """Any git URL, with no API: the source's locator is the repository's URL."""

    kind = "git"

    def __init__(self, url_check: Callable[[str], str]) -> None:
        self._check = url_check

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        url = self._check(owner)
        yield git_ref(url), HostFacts()

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        return []

    def fork_url(self, ref: RepoRef) -> str:
        return ""


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

        return GitHubForge(
            api_url=api_url or s.github_api_url,
            token=s.github_token.get_secret_value() if s.github_token else None,
            timeout=s.http_timeout,
            requests_per_second=s.requests_per_second,
            url_check=ctx.url_check,
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
    raise BadRequest(f"unknown source kind {kind!r}")
