"""GitHub organisations and users through PyGithub (any API base URL: github.com or GHES).

Every request goes through ``github_http`` (rate limits, bounded retries) and a cache that
always revalidates (``github_cache``), so a re-crawl of an unchanged organisation spends
nothing. Authentication is a token or a GitHub App installation.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from github import Auth, Github, GithubException, RateLimitExceededException, UnknownObjectException
from github.PaginatedList import PaginatedList
from github.Repository import Repository as GhRepository

from crawlers.base import ForgeRelease, HostFacts, RepoRef
from crawlers.forges.entries import entry
from crawlers.forges.github.cache import (
    HttpCacheConfig,
    credential_namespace,
    open_cached_session,
    token_credential,
)
from crawlers.forges.github.fork_errors import fork_errors
from crawlers.forges.github.http import GitHubAdapter, RateBudget, bounded_retry, plug_session
from crawlers.forges.proof import PROOF_FILE, Proof, get_json, lines
from registry.errors import Conflict, CrawlError, RateLimited
from registry.source_kinds import GITHUB

if TYPE_CHECKING:
    from crawlers.context import CrawlContext
    from registry.settings import Settings

log = logging.getLogger(__name__)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def read_private_key(value: str) -> str:
    """A GitHub App key given as PEM text or as the path of a PEM file."""
    if value.lstrip().startswith("-----BEGIN"):
        return value
    return Path(value).expanduser().read_text()


def make_auth(
    *,
    token: str | None = None,
    app_id: int | None = None,
    app_private_key: str | None = None,
    app_installation_id: int | None = None,
) -> tuple[Auth.Auth | None, str]:
    """PyGithub auth plus a non-secret credential name (the cache namespace): an App
    installation when all three app settings are given, else the token, else anonymous."""
    if app_id is not None and app_private_key and app_installation_id is not None:
        app = Auth.AppAuth(app_id, read_private_key(app_private_key))
        return app.get_installation_auth(app_installation_id), (
            f"app:{app_id}:installation:{app_installation_id}"
        )
    if app_id is not None or app_installation_id is not None:
        raise CrawlError("a GitHub App needs an app id, a private key and an installation id")
    return (Auth.Token(token) if token else None), token_credential(token)


class GitHubForge:
    kind = GITHUB.name

    @classmethod
    def prove(
        cls, settings: Settings, *, locator: str, api_url: str, token: str, website: str | None
    ) -> Proof:
        """The token in ``govcode.txt`` of the owner's ``.github`` repository, or as a topic of
        one of its repositories: only the organisation's owners can put it in either. The
        agency's website is no proof for an organisation anyone may name after it."""
        headers = {"Accept": "application/vnd.github+json"}
        if settings.github_token:
            headers["Authorization"] = f"Bearer {settings.github_token.get_secret_value()}"
        api = (api_url or settings.github_api_url).rstrip("/")
        owner = quote(locator, safe="")
        file = get_json(settings, f"{api}/repos/{owner}/.github/contents/{PROOF_FILE}", headers)
        if isinstance(file, dict) and file.get("encoding") == "base64":
            try:
                if token in lines(base64.b64decode(str(file.get("content", "")))):
                    return Proof(True, f"{locator}/.github/{PROOF_FILE}")
            except (binascii.Error, ValueError):
                pass
        for kind in ("orgs", "users"):
            repos = get_json(settings, f"{api}/{kind}/{owner}/repos?per_page=100", headers)
            if isinstance(repos, list):
                for repo in repos:
                    if isinstance(repo, dict) and token in (repo.get("topics") or []):
                        return Proof(True, f"topic of {repo.get('full_name', locator)}")
                break
        return Proof(
            False, f"{locator}/.github/{PROOF_FILE} and the topics of {locator}'s repositories"
        )

    @classmethod
    def from_context(cls, ctx: CrawlContext, api_url: str) -> GitHubForge:
        s = ctx.settings
        key = s.github_app_private_key
        return cls(
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

    @classmethod
    def for_person(
        cls, settings: Settings, api_url: str, token: str, url_check: Callable[[str], str]
    ) -> GitHubForge:
        """A forge acting with a person's own token (a fork): nothing cached or shared."""
        return cls(
            api_url=api_url or settings.github_api_url,
            token=token,
            timeout=settings.http_timeout,
            requests_per_second=0,
            url_check=url_check,
            max_rate_sleep=0,
        )

    def __init__(
        self,
        *,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        app_id: int | None = None,
        app_private_key: str | None = None,
        app_installation_id: int | None = None,
        timeout: float = 20.0,
        per_page: int = 100,
        requests_per_second: float = 10.0,
        url_check: Callable[[str], str] | None = None,
        http_cache: HttpCacheConfig | None = None,
        max_rate_sleep: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        if url_check is not None:
            url_check(api_url)  # refused before any request is made
        api_url = api_url.rstrip("/")
        auth, credential = make_auth(
            token=token,
            app_id=app_id,
            app_private_key=app_private_key,
            app_installation_id=app_installation_id,
        )
        self.budget = RateBudget(max_sleep=max_rate_sleep)
        self._session = open_cached_session(http_cache, credential_namespace(api_url, credential))
        adapter = GitHubAdapter(self.budget, bounded_retry(retries, backoff))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._gh = Github(
            auth=auth,
            base_url=api_url,
            timeout=max(1, round(timeout)),
            per_page=per_page,
            retry=None,  # retries live in our adapter; PyGithub's own would sleep on 403s
            seconds_between_requests=1.0 / requests_per_second if requests_per_second else None,
            user_agent="govcode",
        )
        plug_session(self._gh, self._session)
        self.skipped_disabled: list[str] = []  # disabled repositories: listed, never cloned

    def close(self) -> None:
        self._gh.close()
        self._session.close()

    @property
    def requests_spent(self) -> int:
        """Requests GitHub counted against the budget (a 304 Not Modified is free)."""
        return self.budget.spent

    @property
    def rate_limited_until(self) -> float | None:
        """The UNIX time GitHub may be asked again, once a crawl stopped for its limit."""
        return self.budget.limited_until

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        with _errors(f"listing {owner}"):
            account = self._gh.get_user(owner)  # /users/{login} answers for orgs too
            if account.type == "Organization":
                url, params = f"/orgs/{account.login}/repos", {"type": "public"}
            else:
                url, params = f"/users/{account.login}/repos", {"type": "owner"}
            for repo in PaginatedList(GhRepository, self._gh.requester, url, params):
                if repo.private:
                    continue
                if repo.disabled:
                    self.skipped_disabled.append(repo.full_name)
                    log.warning(
                        "skipping %s: disabled on GitHub, it cannot be cloned", repo.html_url
                    )
                    continue
                yield entry(
                    GITHUB.name,
                    repo.html_url,
                    lambda r=repo: self._entry(r),
                    forge_errors=(GithubException, OSError),
                )

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        with _errors(f"listing forks of {ref.full_name}"):
            url = f"/repos/{ref.full_name}/forks"
            forks = PaginatedList(GhRepository, self._gh.requester, url, None)
            return [self._ref(fork) for fork in forks]

    def fork_url(self, ref: RepoRef) -> str:
        return ref.html_url.rstrip("/") + "/fork"

    def releases(self, ref: RepoRef) -> Sequence[ForgeRelease]:
        return []  # the listing read them already (``HostFacts.release_list``)

    def fork(self, ref: RepoRef, owner: str, *, wait: float, poll: float) -> RepoRef:
        """``POST /repos/{o}/{r}/forks`` into the organisation ``owner``; GitHub answers 202
        at once and makes the fork in the background, so poll until it exists."""
        target = f"{owner}/{ref.name}"
        with fork_errors(ref.full_name, owner):
            if self._exists(target):
                raise Conflict(f"{target} already exists on GitHub; remove or rename it first")
            _, data = self._gh.requester.requestJsonAndCheck(
                "POST", f"/repos/{ref.full_name}/forks", input={"organization": owner}
            )
            full_name = str((data or {}).get("full_name") or target)
            deadline = time.monotonic() + wait
            while True:
                repo = self._repository(full_name)
                if repo is not None:
                    return self._ref(repo)
                if time.monotonic() >= deadline:
                    raise CrawlError(
                        f"GitHub accepted the fork of {ref.full_name} into {owner} but it did"
                        f" not appear within {wait:g}s; look for it on GitHub later"
                    )
                time.sleep(poll)

    def _repository(self, full_name: str) -> GhRepository | None:
        try:
            return self._gh.get_repo(full_name)
        except UnknownObjectException:
            return None

    def _exists(self, full_name: str) -> bool:
        return self._repository(full_name) is not None

    def _releases(self, repo: GhRepository) -> list[dict] | None:
        """Published releases, from the first page of 100 (enough to tell none, some, many,
        and to read the newest ones' notes)."""
        try:
            _, data = self._gh.requester.requestJsonAndCheck(
                "GET", f"{repo.url}/releases", parameters={"per_page": 100}
            )
        except (GithubException, OSError) as exc:  # optional fact: never fails the listing
            log.info("no release count for %s: %s", repo.full_name, exc)
            return None
        return data if isinstance(data, list) else None

    def _entry(self, repo: GhRepository) -> tuple[RepoRef, HostFacts]:
        facts = self._facts(repo)
        releases = self._releases(repo)
        if releases is not None:
            facts.releases = len(releases)
            facts.release_list = [r for r in map(release_of, releases) if r is not None]
        return self._ref(repo), facts

    @staticmethod
    def _ref(repo: GhRepository) -> RepoRef:
        return RepoRef(
            forge=GITHUB.name,
            owner=repo.owner.login,
            name=repo.name,
            clone_url=repo.clone_url,
            html_url=repo.html_url,
            forge_id=str(repo.id),
        )

    @staticmethod
    def _facts(repo: GhRepository) -> HostFacts:
        # Attributes only: ``raw_data`` would fetch each repository again to "complete" it.
        spdx = repo.license.spdx_id if repo.license else None
        parent_url = None
        if repo.fork:  # list answers carry no parent: one GET per fork (free once cached)
            parent_url = repo.parent.html_url if repo.parent else None
        return HostFacts(
            description=repo.description or "",
            topics=list(repo.topics or []),
            homepage=repo.homepage or "",
            default_branch=repo.default_branch or "",
            stars=repo.stargazers_count or 0,
            forks_count=repo.forks_count or 0,
            open_issues=repo.open_issues_count or 0,
            archived=bool(repo.archived),
            is_fork=bool(repo.fork),
            is_template=bool(repo.is_template),
            is_mirror=bool(repo.mirror_url),
            disabled=bool(repo.disabled),
            parent_url=parent_url,
            licence_spdx=spdx if spdx and spdx != "NOASSERTION" else None,
            created_at=_aware(repo.created_at),
            pushed_at=_aware(repo.pushed_at),
        )


def release_of(data: object) -> ForgeRelease | None:
    """A published (not draft) release from GitHub's JSON; None for anything else."""
    if not isinstance(data, dict) or data.get("draft") or not isinstance(data.get("tag_name"), str):
        return None
    published = data.get("published_at") or data.get("created_at")
    try:
        when = datetime.fromisoformat(published) if isinstance(published, str) else None
    except ValueError:
        when = None
    return ForgeRelease(
        tag=data["tag_name"],
        title=str(data.get("name") or "")[:300],
        notes=str(data.get("body") or "")[:4000],
        url=str(data.get("html_url") or ""),
        published_at=_aware(when),
    )


class _errors:
    """Turn PyGithub's exceptions into ours, with the action in the message."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or isinstance(exc, RateLimited):
            return False
        if isinstance(exc, RateLimitExceededException):
            headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
            reset = headers.get("x-ratelimit-reset")
            raise RateLimited(
                f"GitHub rate limit reached while {self.action}",
                reset_at=float(reset) if reset else None,
            ) from exc
        if isinstance(exc, UnknownObjectException):
            raise CrawlError(f"not found on GitHub while {self.action}") from exc
        if isinstance(exc, GithubException):
            raise CrawlError(f"GitHub answered {exc.status} while {self.action}") from exc
        if isinstance(exc, OSError):
            raise CrawlError(f"network error while {self.action}: {exc}") from exc
        return False
