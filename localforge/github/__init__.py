"""FakeGitHub: a real HTTP server on 127.0.0.1 that stands in for github.com in tests.

It answers the REST v3 subset PyGithub uses (under ``/api/v3``, the GitHub Enterprise
layout, so ``github.Github(base_url=fake.api_url)`` talks to it), clones over git smart
HTTP (``/git/{owner}/{name}.git``), and the html pages a user is sent to. It behaves like
GitHub where crawlers can go wrong: ETags and 304s that do not spend the budget, a rate
limit that runs out, injected failures, and a log of every request so tests and
benchmarks can count API calls.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from localforge.github.auth import FakeAuth
from localforge.github.handler import GitHubHandler
from localforge.github.payloads import Urls, owner_json
from localforge.github.routes import NOT_FOUND, Answer
from localforge.github.world import FakeOwner, FakeRepo, World

RATE_WINDOW = 3600


@dataclass(frozen=True)
class Logged:
    """One request as the fake saw it; ``counted`` means it spent the API budget."""

    method: str
    path: str
    query: str
    status: int
    counted: bool
    kind: str  # "api" | "git" | "html"


@dataclass
class Fault:
    """An answer forced on the next ``times`` requests under ``prefix``."""

    prefix: str
    status: int
    times: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds the answer waits; with status 0 the answer is the normal one


class FakeGitHub:
    """A started/stopped (context manager) fake of github.com with a world to shape."""

    def __init__(self, root: Path | None = None, *, rate_limit: int = 5000) -> None:
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="fakegithub-")) if root is None else root
        self.world = World(self.root)
        self.requests: list[Logged] = []
        self.limit = self.remaining = rate_limit
        self.reset_at = int(time.time()) + RATE_WINDOW
        self.retry_after: int | None = None
        self._faults: list[Fault] = []
        self.auth = FakeAuth()  # open until a token or an app is registered
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.connections: set[socket.socket] = set()
        self.urls = Urls("http://127.0.0.1:0")
        self.fork_delay = 0.3  # seconds between a fork's 202 and the fork existing
        self._fork_timers: list[threading.Timer] = []

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        server = ThreadingHTTPServer(("127.0.0.1", 0), GitHubHandler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self.urls = Urls(f"http://127.0.0.1:{server.server_address[1]}")
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open keep-alive connections, and wait until they are closed."""
        for timer in self._fork_timers:
            timer.cancel()
            timer.join()
        if self._server is not None:
            self._server.shutdown()
            with self.lock:
                for conn in list(self.connections):
                    with contextlib.suppress(OSError):
                        conn.shutdown(socket.SHUT_RDWR)
            deadline = time.monotonic() + 5
            while self.connections and time.monotonic() < deadline:
                time.sleep(0.01)
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = None
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.urls.base

    @property
    def api_url(self) -> str:
        return self.urls.api

    def clone_url(self, full_name: str) -> str:
        return self.urls.clone(self.world.repo(full_name))

    def html_url(self, full_name: str) -> str:
        return f"{self.urls.base}/{self.world.repo(full_name).full_name}"

    # -- shaping the world ---------------------------------------------------------------
    def add_org(
        self, login: str, name: str = "", kind: str = "Organization", **kw: Any
    ) -> FakeOwner:
        return self.world.add_owner(login, name=name, kind=kind, **kw)

    def add_user(self, login: str, name: str = "", **kw: Any) -> FakeOwner:
        return self.world.add_owner(login, name=name, kind="User", **kw)

    def add_repo(self, owner: str, name: str, files: dict | None = None, **kw: Any) -> FakeRepo:
        """A repository with ``files`` (a README by default); see ``World.add_repo``."""
        return self.world.add_repo(owner, name, files or {"README.md": f"# {name}\n"}, **kw)

    def fork(self, full_name: str, new_owner: str, name: str | None = None) -> FakeRepo:
        return self.world.fork(full_name, new_owner, name)

    def push(self, full_name: str, files: dict, **kw: Any) -> str:
        return self.world.push(full_name, files, **kw)

    def update_repo(self, full_name: str, **facts: Any) -> FakeRepo:
        return self.world.update(full_name, **facts)

    def remove_repo(self, full_name: str) -> None:
        self.world.remove_repo(full_name)

    # -- behaviour knobs -----------------------------------------------------------------
    def set_rate_limit(
        self,
        remaining: int,
        *,
        limit: int | None = None,
        reset_at: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Set the budget; when it runs out, API calls get 403 until ``reset_at`` passes."""
        with self.lock:
            self.limit = limit if limit is not None else max(self.limit, remaining)
            self.remaining = remaining
            self.reset_at = reset_at if reset_at is not None else int(time.time()) + RATE_WINDOW
            self.retry_after = retry_after

    def fail_next(
        self,
        path_prefix: str,
        status: int = 500,
        times: int = 1,
        *,
        message: str = "Server Error",
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``times`` requests whose path starts with ``path_prefix`` get ``status``.

        Prefixes are full request paths (``/api/v3/orgs/acme``, ``/git/acme/x.git``); a
        prefix without ``/api/v3``, ``/git/`` is also tried below ``/api/v3``.
        """
        with self.lock:
            self._faults.append(Fault(path_prefix, status, times, message, dict(headers or {})))

    def delay_next(self, path_prefix: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` requests under ``path_prefix`` answer normally, ``seconds`` late
        (a slow or stuck server, for client timeouts)."""
        with self.lock:
            self._faults.append(Fault(path_prefix, 0, times, "", {}, seconds))

    def add_person(self, token: str, *orgs: str) -> None:
        """A person's token that may create repositories (forks) in ``orgs``."""
        self.auth.add_person(token, *orgs)

    def start_fork(self, source: str, org: str, name: object, rights: set[str]) -> Answer:
        """What ``POST /repos/{source}/forks`` answers: GitHub's refusals, or 202 with the
        fork-to-be while the fork is made in the background."""
        world = self.world
        with world.lock:
            repo = world.repos.get(source.lower())
            owner = world.owners.get(org.lower())
            if repo is None or owner is None or owner.kind != "Organization":
                return Answer(404, NOT_FOUND)
            if owner.login.lower() not in rights:
                message = f"You must be a member of {owner.login} who may create repositories"
                return Answer(403, {"message": message})
            fork_name = name if isinstance(name, str) and name else repo.name
            full_name = f"{owner.login}/{fork_name}"
            existing = world.repos.get(full_name.lower())
            if existing is not None and existing.parent != repo.full_name:
                error = {"resource": "Repository", "field": "name", "code": "custom"}
                error["message"] = "name already exists on this account"
                return Answer(422, {"message": "Validation Failed", "errors": [error]})
            body = {
                "name": fork_name,
                "full_name": full_name,
                "owner": owner_json(self.urls, owner),
                "fork": True,
                "html_url": f"{self.urls.base}/{full_name}",
                "url": f"{self.urls.api}/repos/{full_name}",
                "clone_url": f"{self.urls.base}/git/{full_name}.git",
                "default_branch": repo.default_branch,
            }
            if existing is not None:  # already forked there: GitHub answers with that fork
                return Answer(202, body)
        timer = threading.Timer(self.fork_delay, self._finish_fork, (repo.full_name, owner.login,
                                                                    fork_name))  # fmt: skip
        timer.daemon = True
        self._fork_timers.append(timer)
        timer.start()
        return Answer(202, body)

    def _finish_fork(self, source: str, owner: str, name: str) -> None:
        with contextlib.suppress(KeyError, ValueError):  # removed or made meanwhile
            self.world.fork(source, owner, name)

    def require_token(self, token: str) -> None:
        """From now on API calls need a known token (this one, or one minted for an app)."""
        self.auth.add_token(token)

    def register_app(self, app_id: int, public_key_pem: str, installation_id: int) -> None:
        """A GitHub App installed with ``installation_id``; API calls now need a token."""
        self.auth.add_app(app_id, public_key_pem, installation_id)

    def api_calls(self, prefix: str = "") -> list[Logged]:
        """The requests that spent API budget, optionally under a path prefix."""
        with self.lock:
            return [r for r in self.requests if r.counted and r.path.startswith(prefix)]

    def requests_to(self, prefix: str) -> list[Logged]:
        """Every logged request (spent budget or not) whose path starts with ``prefix``."""
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def clear_log(self) -> None:
        with self.lock:
            self.requests.clear()

    # -- used by the handler -------------------------------------------------------------
    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                prefixes = [fault.prefix]
                if not fault.prefix.startswith(("/api/v3", "/git/")):
                    prefixes.append("/api/v3" + fault.prefix)
                if any(path.startswith(p) for p in prefixes):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def log(
        self, method: str, path: str, query: str, status: int, counted: bool, kind: str
    ) -> None:
        with self.lock:
            self.requests.append(Logged(method, path, query, status, counted, kind))

    def budget_left(self) -> bool:
        with self.lock:
            if time.time() >= self.reset_at:
                self.remaining = self.limit
                self.reset_at = int(time.time()) + RATE_WINDOW
            return self.remaining > 0

    def spend(self) -> bool:
        with self.lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def rate_headers(self) -> dict[str, str]:
        with self.lock:
            return {
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(self.remaining, 0)),
                "X-RateLimit-Reset": str(self.reset_at),
                "X-RateLimit-Used": str(self.limit - max(self.remaining, 0)),
                "X-RateLimit-Resource": "core",
            }


def counted_paths(log: Iterable[Logged]) -> list[str]:
    """The API paths that spent budget, in order: handy in assertions and benchmarks."""
    return [entry.path for entry in log if entry.counted]
