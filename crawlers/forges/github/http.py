"""The HTTP layer under PyGithub: a cached session, GitHub's rate limits, bounded retries.

PyGithub sends every request through a connection object; we give it one whose
``requests`` session is ours (``github_cache``), mounted with ``GitHubAdapter``. The adapter
sees each answer off the wire (before the cache turns a 304 back into the stored 200), so
it knows GitHub's real budget and counts only the requests GitHub counts.

Rate limits are obeyed, never hammered: when ``X-RateLimit-Remaining`` is 0, or an answer
is a primary (403/429, remaining 0) or secondary (``Retry-After``, or "secondary rate
limit") refusal, we sleep if the wait is at most ``max_sleep`` and try once more, else
raise ``RateLimited(reset_at=…)`` for the caller (the queued task) to come back later.
5xx answers and timeouts of GETs are retried by urllib3 with a bounded exponential backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from github import Github
from github.Requester import HTTPRequestsConnectionClass
from requests import PreparedRequest, Response, Session
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from registry.errors import RateLimited

log = logging.getLogger(__name__)

SECONDARY_WAIT = 60.0  # GitHub's advice when a secondary limit gives no Retry-After
RETRY_STATUSES = (500, 502, 503, 504)


def bounded_retry(retries: int = 3, backoff: float = 0.5, backoff_max: float = 30.0) -> Retry:
    """Retry GETs on 5xx, connection errors and read timeouts; never on 403/429."""
    return Retry(
        total=retries,
        backoff_factor=backoff,
        backoff_max=backoff_max,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=False,  # a 429's Retry-After is the budget's business
        raise_on_status=False,  # the last 5xx answer reaches PyGithub, which raises
    )


class RateBudget:
    """What GitHub last said about our budget, and the decision to wait or to stop."""

    def __init__(
        self,
        *,
        max_sleep: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_sleep = max_sleep
        self._sleep, self._clock = sleep, clock
        self.remaining: int | None = None
        self.reset_at: float | None = None
        self.spent = 0  # answers GitHub counted (a 304 is free, so is a refusal)
        self.slept = 0.0
        self.limited_until: float | None = None  # set when we gave up waiting

    def before_request(self, what: str) -> None:
        """Wait for (or refuse) a request when the last answer said the budget is spent."""
        if self.remaining == 0 and self.reset_at is not None and self.reset_at > self._clock():
            self.wait_until(self.reset_at, what)
            self.remaining = None  # the window has turned; the next answer says more

    def observe(self, response: Response) -> float | None:
        """Record an answer's budget headers; return when to retry if it was a refusal."""
        headers = response.headers
        remaining, reset = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset")
        if remaining is not None:
            self.remaining = int(float(remaining))
        if reset is not None:
            self.reset_at = float(reset)
        refused = _refusal_until(response, self._clock(), self.reset_at, self.remaining)
        if refused is None and response.status_code != 304:
            self.spent += 1
        return refused

    def wait_until(self, until: float, what: str) -> None:
        """Sleep until ``until`` if that is near; otherwise stop with ``RateLimited``."""
        wait = until - self._clock()
        if wait > self.max_sleep:
            self.limited_until = until
            raise RateLimited(
                f"GitHub rate limit reached while {what}; it resets in {wait:.0f}s",
                reset_at=until,
            )
        if wait > 0:
            log.info("GitHub rate limit: sleeping %.1fs before %s", wait, what)
            self._sleep(wait + 0.5)  # reset times are whole seconds
            self.slept += wait + 0.5


def _refusal_until(
    response: Response, now: float, reset_at: float | None, remaining: int | None
) -> float | None:
    """If GitHub refused for rate limiting, when it may be asked again; else None."""
    if response.status_code not in (403, 429):
        return None
    retry_after = response.headers.get("Retry-After")
    if retry_after is not None and retry_after.strip().isdigit():
        return now + int(retry_after)
    if remaining == 0 and reset_at is not None:
        return max(reset_at, now)
    if "secondary rate limit" in response.text.lower() or response.status_code == 429:
        return now + SECONDARY_WAIT
    return None  # a plain 403 (forbidden): PyGithub reports it


class GitHubAdapter(HTTPAdapter):
    """``requests`` adapter that obeys GitHub's budget around urllib3's bounded retries."""

    def __init__(self, budget: RateBudget, retry: Retry, pool_size: int = 10) -> None:
        super().__init__(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
        self.budget = budget

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        what = f"{request.method} {urlsplit(request.url or '').path}"
        self.budget.before_request(what)
        response = super().send(request, **kwargs)
        until = self.budget.observe(response)
        if until is not None:  # refused: wait once if that is near, then ask once more
            response.close()
            self.budget.wait_until(until, what)
            response = super().send(request, **kwargs)
            until = self.budget.observe(response)
            if until is not None:
                self.budget.limited_until = until
                raise RateLimited(f"GitHub rate limit reached while {what}", reset_at=until)
        _drop_credential_vary(response)
        return response


def _drop_credential_vary(response: Response) -> None:
    """GitHub answers ``Vary: Authorization, Cookie``; our cache keys already carry the
    credential (and we send no cookies), and requests-cache would otherwise refuse every
    stored answer because it strips ``Authorization`` from what it stores."""
    vary = response.headers.get("Vary")
    if vary:
        kept = [
            v.strip()
            for v in vary.split(",")
            if v.strip().lower() not in {"authorization", "cookie"}
        ]
        if kept:
            response.headers["Vary"] = ", ".join(kept)
        else:
            del response.headers["Vary"]


class SessionConnection(HTTPRequestsConnectionClass):
    """PyGithub's connection interface over a session we own (cached, budgeted)."""

    def __init__(
        self,
        session: Session,
        protocol: str,
        host: str,
        port: int | None = None,
        *,
        timeout: int | None = None,
        verify: bool | str = True,
        **_: Any,
    ) -> None:
        self.session = session
        self.protocol, self.host = protocol, host
        self.port = port or (443 if protocol == "https" else 80)
        self.timeout, self.verify = timeout, verify

    def close(self) -> None:
        """The forge closes the shared session, not each connection."""


def plug_session(gh: Github, session: Session) -> None:
    """Route every request ``gh`` makes through ``session``.

    PyGithub has no public hook for a per-client session (``injectConnectionClasses`` is
    process-wide and turns off connection reuse), so this sets the requester's connection
    factory; ``tests/crawlers/test_github.py`` fails loudly if a PyGithub release renames it.
    """
    requester = gh.requester
    scheme = urlsplit(requester.base_url).scheme
    attribute = "_Requester__connectionClass"
    if not hasattr(requester, attribute):
        raise RuntimeError("this PyGithub has no per-requester connection class")
    setattr(requester, attribute, partial(SessionConnection, session, scheme))
