"""What every crawl stage needs, built once from settings: the git cache, the readers, the
URL policy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from crawlers.base import GitFacts
from crawlers.git.cache import GitCache
from crawlers.git.cli import GitTree
from crawlers.git.cli_facts import read_git_facts
from crawlers.git.libgit2 import Pygit2Tree, ReaderUnavailable, read_git_facts_pygit2
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

    @property
    def git_url_check(self) -> Callable[[str], str]:
        return partial(check_git_url, allow_http_hosts=self.settings.allow_http_hosts)
