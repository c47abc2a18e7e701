"""A local GitLab: the REST v4 subset python-gitlab uses, and git over smart HTTP.

Tests shape a small world (``localforge.gitlab.world``: groups with subgroups, users,
projects with real git repositories, forks) and point the real python-gitlab client and the
real git at it over 127.0.0.1. It paginates the way GitLab does (``X-*`` headers plus
``Link``), answers ``If-None-Match`` with 304, counts a rate-limit budget (API only) and can
inject failures and stalls, and logs every request (``kind`` "api" or "git") so tests can
count what the clients really did.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from localforge.git_http import read_body, serve_git
from localforge.gitlab.world import GitLabWorld


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it."""

    method: str
    path: str  # decoded path, no query
    query: dict[str, str]
    headers: dict[str, str]
    status: int
    kind: str = "api"  # "api" | "git"


@dataclass
class _Fault:
    prefix: str
    status: int
    times: int
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FakeGitLab(GitLabWorld):
    """A threaded GitLab server on 127.0.0.1 (use as a context manager); git data lives
    under ``root`` (a temporary folder, removed on exit, when not given)."""

    def __init__(
        self, root: Path | None = None, *, rate_limit: int | None = None, rate_reset_in: int = 60
    ) -> None:
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="fakegitlab-")) if root is None else root
        super().__init__(self.root)
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._budget = self._limit = rate_limit
        self._reset_in = rate_reset_in
        self.people: dict[str, set[str]] = {}  # token -> namespaces it may create projects in
        self.fork_delay = 0.3  # seconds a fork stays "scheduled" before it is copied
        self._fork_timers: list[threading.Timer] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeGitLab:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for timer in self._fork_timers:
            timer.cancel()
            timer.join()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def host(self) -> str:  # 127.0.0.1:PORT, what a URL policy allow-lists
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def fail_next(
        self, prefix: str, status: int, times: int = 1, *, headers: dict[str, str] | None = None
    ) -> None:
        """Answer ``status`` to the next ``times`` requests whose decoded path starts with
        ``prefix``; python-gitlab uses numeric ids once it has them (``/api/v4/groups/7``)."""
        with self._lock:
            self._faults.append(_Fault(prefix, status, times, headers=dict(headers or {})))

    def stall_next(self, prefix: str, seconds: float, times: int = 1) -> None:
        """Sleep ``seconds`` before answering the next ``times`` matching requests."""
        with self._lock:
            self._faults.append(_Fault(prefix, 0, times, delay=seconds))

    def set_rate_limit(self, budget: int | None, reset_in: int = 60) -> None:
        """Allow ``budget`` more requests, then answer 429 until the window resets."""
        with self._lock:
            self._budget = self._limit = budget
            self._reset_in = reset_in

    def add_person(self, token: str, *namespaces: str) -> None:
        """A person's token (sent as ``PRIVATE-TOKEN``) that may create projects in
        ``namespaces`` (groups with their subgroups, or user names)."""
        with self._lock:
            self.people.setdefault(token, set()).update(namespaces)

    def fork_api(self, segments: list[str], headers: Any, body: bytes) -> tuple[int, Any]:
        """Answer ``POST /api/v4/projects/:id/fork`` as GitLab does."""
        if len(segments) != 3 or segments[0] != "projects" or segments[2] != "fork":
            return 404, {"error": "404 Not Found"}
        token = headers.get("PRIVATE-TOKEN") or ""
        if not token and headers.get("Authorization", "").startswith("Bearer "):
            token = headers["Authorization"].removeprefix("Bearer ").strip()
        with self._lock:
            rights = self.people.get(token)
        if rights is None:
            return 401, {"message": "401 Unauthorized"}
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        if not isinstance(data, dict):
            return 400, {"error": "the body is not a JSON object"}
        with self._lock:
            status, payload, project = self.start_fork(segments[1], data, set(rights))
        if project is not None:
            timer = threading.Timer(self.fork_delay, self._finish, (project,))
            timer.daemon = True
            self._fork_timers.append(timer)
            timer.start()
        return status, payload

    def _finish(self, project: Any) -> None:
        with self._lock:
            self.finish_fork(project)

    def requests_to(self, prefix: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def requests_of(self, kind: str) -> list[LoggedRequest]:
        """Every logged request of one kind: "api" or "git"."""
        with self._lock:
            return [r for r in self.requests if r.kind == kind]

    def clone_url(self, full_path: str) -> str:
        return f"{self.url}/{full_path}.git"

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and path.startswith(fault.prefix):
                    fault.times -= 1
                    return fault
        return None

    def _rate_headers(self) -> tuple[bool, dict[str, str]]:
        """Spend one request of the budget; return (allowed, RateLimit-* headers)."""
        with self._lock:
            if self._limit is None:
                return True, {}
            reset = int(time.time()) + self._reset_in
            allowed = (self._budget or 0) > 0
            self._budget = left = (self._budget or 0) - allowed
            headers = {"RateLimit-Limit": str(self._limit), "RateLimit-Remaining": str(left)}
            headers |= {
                "RateLimit-Observed": str(self._limit - left),
                "RateLimit-Reset": str(reset),
            }
            if not allowed:
                headers["Retry-After"] = str(self._reset_in)
            return allowed, headers

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)


def _handler_for(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms ACK stall

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            split = urlsplit(self.path)
            path = unquote(split.path)
            if ".git/" in path and not path.startswith("/api/"):
                self._git(path, split.query, b"")
                return
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            status, body, headers = self._answer(split.path, path, query)
            fake._log(LoggedRequest("GET", path, query, dict(self.headers.items()), status))
            self._send(status, body, headers)

        def do_POST(self) -> None:  # git's upload-pack, and the fork API
            split = urlsplit(self.path)
            body = read_body(self)
            path = unquote(split.path)
            if not split.path.startswith("/api/v4/"):
                self._git(path, split.query, body)
                return
            allowed, headers = fake._rate_headers()
            if allowed:
                segments = [unquote(s) for s in split.path.split("/")[3:]]
                status, payload = fake.fork_api(segments, self.headers, body)
            else:
                status, payload = 429, {"message": "429 Too Many Requests"}
            fake._log(LoggedRequest("POST", path, {}, dict(self.headers.items()), status))
            self._send(status, _json(payload), headers)

        def _git(self, path: str, query: str, body: bytes) -> None:
            """Smart HTTP from the bare repositories under ``git_root`` (faults apply)."""
            fault = fake._take_fault(path)
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.status:
                status = fault.status
                self._send(status, _json({"message": f"{status} injected"}), {})
            else:
                status = serve_git(self, fake.git_root, path, query, body)
            fake._log(LoggedRequest(self.command, path, {}, dict(self.headers), status, "git"))

        def _answer(
            self, raw_path: str, path: str, query: dict[str, str]
        ) -> tuple[int, bytes, dict[str, str]]:
            fault = fake._take_fault(path)
            if fault and fault.delay:
                time.sleep(fault.delay)
            allowed, headers = fake._rate_headers()
            if not allowed:
                return 429, _json({"message": "429 Too Many Requests"}), headers
            if fault and fault.status:
                headers.update(fault.headers)
                return fault.status, _json({"message": f"{fault.status} injected"}), headers
            segments = [unquote(s) for s in raw_path.split("/")[3:]]  # after /api/v4
            if not raw_path.startswith("/api/v4/"):
                return 404, _json({"error": "404 Not Found"}), headers
            found = fake.route(segments, query)
            if found is None:
                return 404, _json({"error": "404 Not Found"}), headers
            status, payload, items = found
            if items is not None:
                payload, paging = _paginate(items, query, fake.url + quote(path, safe="/"))
                headers.update(paging)
            body = _json(payload)
            etag = 'W/"' + hashlib.sha1(body).hexdigest() + '"'
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                return 304, b"", headers
            return status, body, headers

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                if status != 304:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test)

    return Handler


def _json(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def _paginate(
    items: list[Any], query: dict[str, str], url: str
) -> tuple[list[Any], dict[str, str]]:
    """Slice ``items`` the way GitLab's offset pagination does, with its headers."""
    per_page = max(1, min(100, int(query.get("per_page", "20"))))
    page = max(1, int(query.get("page", "1")))
    pages = max(1, -(-len(items) // per_page))
    headers = {"X-Total": str(len(items)), "X-Total-Pages": str(pages), "X-Page": str(page)}
    headers["X-Per-Page"] = str(per_page)
    headers["X-Next-Page"] = str(page + 1) if page < pages else ""
    headers["X-Prev-Page"] = str(page - 1) if page > 1 else ""

    def link(n: int, rel: str) -> str:
        return f'<{url}?{urlencode({**query, "page": n, "per_page": per_page})}>; rel="{rel}"'

    links = [link(1, "first"), link(pages, "last")]
    if page < pages:
        links.insert(0, link(page + 1, "next"))
    if page > 1:
        links.insert(0, link(page - 1, "prev"))
    headers["Link"] = ", ".join(links)
    start = (page - 1) * per_page
    return items[start : start + per_page], headers
