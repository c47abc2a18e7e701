"""GitHub organisations and users through PyGithub (any API base URL: github.com or GHES)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from github import Auth, Github, GithubException, RateLimitExceededException, UnknownObjectException
from github.Repository import Repository as GhRepository
from urllib3.util.retry import Retry

from crawlers.base import HostFacts, RepoRef
from registry.errors import CrawlError, RateLimited


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class GitHubForge:
    kind = "github"

    def __init__(
        self,
        *,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        timeout: float = 20.0,
        per_page: int = 100,
        requests_per_second: float = 10.0,
        url_check: Callable[[str], str] | None = None,
    ) -> None:
        if url_check is not None:
            url_check(api_url)  # refused before any request is made
        retry = Retry(
            total=3,
            backoff_factor=0.5,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        self._gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url.rstrip("/"),
            timeout=int(timeout),
            per_page=per_page,
            retry=retry,
            seconds_between_requests=1.0 / requests_per_second if requests_per_second else None,
            user_agent="govcode",
        )
        self._first_remaining: int | None = None

    def close(self) -> None:
        self._gh.close()

    @property
    def requests_spent(self) -> int:
        """Rate-limited requests spent since the first answer, as GitHub's headers count them
        (answers of 304 Not Modified are free, as on GitHub)."""
        remaining = self._gh.requester.rate_limiting[0]
        if self._first_remaining is None or remaining < 0:
            return 0
        return max(0, self._first_remaining + 1 - remaining)

    def _note_first_answer(self) -> None:
        if self._first_remaining is None:
            remaining = self._gh.requester.rate_limiting[0]
            self._first_remaining = remaining if remaining >= 0 else None

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        with _errors(f"listing {owner}"):
            try:
                entity = self._gh.get_organization(owner)
                self._note_first_answer()
                repos = entity.get_repos(type="public")
            except UnknownObjectException:
                self._note_first_answer()
                repos = self._gh.get_user(owner).get_repos(type="owner")
            for repo in repos:
                if repo.private:
                    continue
                yield self._ref(repo), self._facts(repo)

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        with _errors(f"listing forks of {ref.full_name}"):
            repo = self._gh.withLazy(True).get_repo(ref.full_name)
            return [self._ref(fork) for fork in repo.get_forks()]

    def fork_url(self, ref: RepoRef) -> str:
        return ref.html_url.rstrip("/") + "/fork"

    @staticmethod
    def _ref(repo: GhRepository) -> RepoRef:
        return RepoRef(
            forge="github",
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
        if repo.fork:  # list answers carry no parent: one GET per fork
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
            parent_url=parent_url,
            licence_spdx=spdx if spdx and spdx != "NOASSERTION" else None,
            created_at=_aware(repo.created_at),
            pushed_at=_aware(repo.pushed_at),
        )


class _errors:
    """Turn PyGithub's exceptions into ours, with the action in the message."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            return False
        if isinstance(exc, RateLimitExceededException):
            reset = (exc.headers or {}).get("x-ratelimit-reset") or (exc.headers or {}).get(
                "X-RateLimit-Reset"
            )
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
