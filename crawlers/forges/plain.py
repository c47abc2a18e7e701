"""Sources with no forge API: one git URL, or a published list of git URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawlers.base import ForgeBase, HostFacts, RepoRef
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml
from registry.errors import CrawlError, UnsafeURLError
from registry.source_kinds import GIT

if TYPE_CHECKING:
    from crawlers.context import CrawlContext


class GitUrlForge(ForgeBase):
    """Any git URL, with no API: the source's locator is the repository's URL."""

    kind = GIT.name

    def __init__(self, url_check: Callable[[str], str]) -> None:
        self._check = url_check

    @classmethod
    def from_context(cls, ctx: CrawlContext, api_url: str) -> GitUrlForge:
        return cls(ctx.git_url_check)

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        url = self._check(owner)
        yield git_ref(url), HostFacts()


class GitListForge(ForgeBase):
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

    kind = GIT.name

    @classmethod
    def from_context(cls, ctx: CrawlContext, api_url: str) -> GitListForge:
        from crawlers.inventories.fetch import url_fetcher

        s = ctx.settings
        return cls(url_fetcher(s), ctx.git_url_check, max_urls=s.inventory_max_urls)

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        for url in parse_git_list(self._fetch(owner))[: self.max_urls]:
            try:
                yield git_ref(self._check(url)), HostFacts()
            except UnsafeURLError:
                yield RepoRef(GIT.name, "refused", url[:200], url, url), HostFacts()


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
        forge=GIT.name,
        owner=f"{host}/{owner}" if owner else host,
        name=name or host,
        clone_url=url,
        html_url=f"{parts.scheme}://{host}/{path}",
    )
