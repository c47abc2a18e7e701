"""A local GitLab REST v4 server: the subset python-gitlab uses to list, inspect and fork.

Tests shape a small world (groups with subgroups, users, projects, forks) and point the real
python-gitlab client at it over 127.0.0.1. It paginates the way GitLab does (``X-*`` headers
plus ``Link``), answers ``If-None-Match`` with 304, counts a rate-limit budget and can inject
failures and stalls, and logs every request so tests can count what the client really did.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it."""

    method: str
    path: str  # decoded path, no query
    query: dict[str, str]
    headers: dict[str, str]
    status: int


@dataclass
class _Fault:
    prefix: str
    status: int
    times: int
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_STAMPS = ("created_at", "last_activity_at")


@dataclass
class _Project:
    id: int
    namespace: str  # group full path or username
    kind: str  # "group" | "user"
    path: str
    name: str
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    licence_key: str | None = None
    languages: dict[str, float] = field(default_factory=dict)
    archived: bool = False
    forked_from: int | None = None
    visibility: str = "public"
    stars: int = 0
    open_issues: int = 0
    default_branch: str = "main"
    created_at: datetime = _EPOCH
    last_activity_at: datetime = _EPOCH
    shared_with: list[str] = field(default_factory=list)

    @property
    def full_path(self) -> str:
        return f"{self.namespace}/{self.path}"


class _World:
    """The groups, users and projects the fake serves, and how each endpoint reads them."""

    url: str  # given by the server

    def __init__(self) -> None:
        self._next_id = 0
        self._groups: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._projects: list[_Project] = []

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_group(self, full_path: str, name: str | None = None) -> dict[str, Any]:
        """Add a group and, implicitly, its missing parents (``gov/health/covid``)."""
        if full_path in self._groups:
            return self._groups[full_path]
        parent_path, _, path = full_path.rpartition("/")
        parent = self.add_group(parent_path) if parent_path else None
        group: dict[str, Any] = {"id": self._new_id(), "name": name or path, "path": path}
        group |= {"full_path": full_path, "parent_id": parent["id"] if parent else None}
        group |= {"visibility": "public", "web_url": f"{self.url}/groups/{full_path}"}
        self._groups[full_path] = group
        return self._groups[full_path]

    def add_user(self, username: str, name: str | None = None) -> dict[str, Any]:
        user = {"id": self._new_id(), "username": username, "name": name or username}
        user |= {"state": "active", "web_url": f"{self.url}/{username}"}
        self._users[username] = user
        return user

    def add_project(
        self, namespace: str, name: str, *, forked_from: str | None = None, **attrs: Any
    ) -> dict[str, Any]:
        """Add a project under a group (made with its parents) or an existing user. ``attrs``
        are typed ``_Project`` fields (description, topics, licence_key, languages, archived,
        visibility, stars, ...); ``forked_from`` is the upstream's ``path_with_namespace``."""
        kind = "user" if namespace in self._users else "group"
        if kind == "group":
            self.add_group(namespace)
        attrs.setdefault("path", name.lower().replace(" ", "-"))
        project = _Project(self._new_id(), namespace, kind, name=name, **attrs)
        if forked_from is not None:
            upstream = self._project(forked_from)
            assert upstream is not None, f"no upstream {forked_from}"
            project.forked_from = upstream.id
        self._projects.append(project)
        return self._render(project, licence=False)

    def share_project(self, project: str, group: str) -> None:
        """Share a project with another group (GitLab lists it there unless with_shared=false)."""
        found = self._project(project)
        assert found is not None
        found.shared_with.append(group)

    def _group(self, ident: str) -> dict[str, Any] | None:
        if ident.isdigit():
            return next((g for g in self._groups.values() if g["id"] == int(ident)), None)
        return self._groups.get(ident)

    def _project(self, ident: str) -> _Project | None:
        key = (lambda p: str(p.id)) if ident.isdigit() else (lambda p: p.full_path)
        return next((p for p in self._projects if key(p) == ident), None)

    def _render(self, p: _Project, *, licence: bool) -> dict[str, Any]:
        web_url = f"{self.url}/{p.full_path}"
        ns_url = f"{self.url}/groups/{p.namespace}" if p.kind == "group" else self.url
        stamp = {k: getattr(p, k).isoformat().replace("+00:00", "Z") for k in _STAMPS}
        data: dict[str, Any] = stamp | {"id": p.id, "description": p.description}
        data |= {"name": p.name, "name_with_namespace": f"{p.namespace} / {p.name}"}
        data |= {"path": p.path, "path_with_namespace": p.full_path, "web_url": web_url}
        data |= {"default_branch": p.default_branch, "topics": p.topics, "tag_list": p.topics}
        data |= {"http_url_to_repo": f"{web_url}.git", "ssh_url_to_repo": f"git@x:{p.full_path}"}
        data |= {"star_count": p.stars, "open_issues_count": p.open_issues}
        data |= {"forks_count": sum(1 for q in self._projects if q.forked_from == p.id)}
        data |= {"archived": p.archived, "visibility": p.visibility}
        ns_name = p.namespace.rpartition("/")[2]
        data["namespace"] = {"name": ns_name, "path": ns_name, "full_path": p.namespace}
        data["namespace"] |= {"kind": p.kind, "web_url": ns_url}
        if p.licence_key:
            data["license_url"] = f"{web_url}/-/blob/{p.default_branch}/LICENSE"
        if p.forked_from is not None:
            upstream = self._project(str(p.forked_from))
            assert upstream is not None
            data["forked_from_project"] = {
                k: v for k, v in self._render(upstream, licence=False).items() if k != "namespace"
            }
        if licence:
            key = p.licence_key
            about = {"nickname": None, "html_url": None, "source_url": None}
            data["license"] = key and {"key": key, "name": key.upper()} | about
        return data

    def _list(self, projects: list[_Project], query: dict[str, str]) -> list[dict[str, Any]]:
        if "archived" in query:
            projects = [p for p in projects if p.archived == _flag(query, "archived")]
        if "visibility" in query:
            projects = [p for p in projects if p.visibility == query["visibility"]]
        projects = sorted(projects, key=lambda p: p.id, reverse=query.get("sort") != "asc")
        return [self._render(p, licence=False) for p in projects]

    def route(
        self, seg: list[str], query: dict[str, str]
    ) -> tuple[int, Any, list[Any] | None] | None:
        """Answer ``GET /api/v4/<seg...>``: (status, payload, items to paginate) or None."""
        if seg[:1] == ["groups"] and len(seg) >= 2:
            group = self._group(seg[1])
            if group is None:
                return 404, {"message": "404 Group Not Found"}, None
            if len(seg) == 2:
                return 200, group, None
            if seg[2:] == ["subgroups"]:
                children = [g for g in self._groups.values() if g["parent_id"] == group["id"]]
                return 200, None, children
            if seg[2:] == ["projects"]:
                path = group["full_path"]
                sub = _flag(query, "include_subgroups")
                shared = _flag(query, "with_shared", "true")
                keep = (lambda ns: ns == path or ns.startswith(path + "/")) if sub else path.__eq__
                chosen = [p for p in self._projects if p.kind == "group" and keep(p.namespace)]
                chosen += [p for p in self._projects if shared and path in p.shared_with]
                return 200, None, self._list(chosen, query)
        if seg == ["users"]:
            name = query.get("username")
            return 200, None, [u for u in self._users.values() if name in (None, u["username"])]
        if seg[:1] == ["users"] and len(seg) == 3 and seg[2] == "projects":
            user = next((u for u in self._users.values() if str(u["id"]) == seg[1]), None)
            if user is None:
                return 404, {"message": "404 User Not Found"}, None
            name = user["username"]
            chosen = [p for p in self._projects if p.kind == "user" and p.namespace == name]
            return 200, None, self._list(chosen, query)
        if seg[:1] == ["projects"] and len(seg) >= 2:
            project = self._project(seg[1])
            if project is None:
                return 404, {"message": "404 Project Not Found"}, None
            if len(seg) == 2:
                licence = _flag(query, "license")
                return 200, self._render(project, licence=licence), None
            if seg[2:] == ["forks"]:
                forks = [p for p in self._projects if p.forked_from == project.id]
                return 200, None, self._list(forks, query)
            if seg[2:] == ["languages"]:
                return 200, dict(project.languages), None
        return None


class FakeGitLab(_World):
    """A threaded GitLab API server on 127.0.0.1 (use as a context manager)."""

    def __init__(self, *, rate_limit: int | None = None, rate_reset_in: int = 60) -> None:
        super().__init__()
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._budget = self._limit = rate_limit
        self._reset_in = rate_reset_in
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeGitLab:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

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

    def requests_to(self, prefix: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

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
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            status, body, headers = self._answer(split.path, path, query)
            fake._log(LoggedRequest("GET", path, query, dict(self.headers.items()), status))
            self._send(status, body, headers)

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


def _flag(query: dict[str, str], name: str, default: str = "false") -> bool:
    """GitLab's boolean parameters: python-gitlab sends ``True``; curl users send ``1``."""
    return query.get(name, default).lower() in ("true", "1", "yes", "t", "on")


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
