"""A code.json inventory (US code.gov, schema 1.0 to 2.0, or a per-repository file) as a
source: each release with a git repository URL becomes a repository to crawl, carrying
what the inventory says of it (description, tags, homepage, a single declared licence)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawlers.base import ForgeBase, HostFacts, RepoRef
from crawlers.forges.plain import git_ref
from registry.analysis.licence import normalise_expression
from registry.analysis.metadata.codejson import CodeJsonRelease, parse_code_json
from registry.analysis.metadata.errors import MetadataError
from registry.errors import CrawlError, UnsafeURLError
from registry.source_kinds import GIT

if TYPE_CHECKING:
    from crawlers.context import CrawlContext

# Hosts whose repository pages are also clone URLs; other URLs must end in ".git".
GIT_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "git.sr.ht")


def is_git_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.path.rstrip("/").endswith(".git"):
        return True
    in_repo = parts.path.strip("/").count("/") == 1  # owner/name, not a file page
    return in_repo and (host in GIT_HOSTS or host.startswith(("gitlab.", "git.")))


class CodeJsonForge(ForgeBase):
    kind = GIT.name

    def __init__(
        self, fetch: Callable[[str], bytes], git_check: Callable[[str], str], *, max_urls: int
    ) -> None:
        self._fetch = fetch
        self._check = git_check
        self.max_urls = max_urls
        self.skipped: list[str] = []  # releases with no crawlable git URL

    @classmethod
    def from_context(cls, ctx: CrawlContext, api_url: str) -> CodeJsonForge:
        from crawlers.inventories.fetch import url_fetcher

        s = ctx.settings
        return cls(url_fetcher(s), ctx.git_url_check, max_urls=s.inventory_max_urls)

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        try:
            inventory = parse_code_json(self._fetch(owner))
        except MetadataError as exc:
            raise CrawlError(f"code.json at {owner}: {exc}") from None
        seen: set[str] = set()
        for release in inventory.releases:
            url = (release.repository_url or "").strip()
            if not url or not is_git_url(url):
                self.skipped.append(release.name)
                continue
            if url in seen or len(seen) >= self.max_urls:
                continue
            seen.add(url)
            try:
                yield git_ref(self._check(url)), facts_of(release)
            except UnsafeURLError:
                yield RepoRef(GIT.name, "refused", url[:200], url, url), HostFacts()


def facts_of(release: CodeJsonRelease) -> HostFacts:
    licences = {normalise_expression(x) for x in release.licences} - {None}
    return HostFacts(
        description=release.description[:2000],
        topics=[t.lower() for t in release.tags][:30],
        homepage=release.homepage_url or "",
        licence_spdx=licences.pop() if len(licences) == 1 else None,
    )
