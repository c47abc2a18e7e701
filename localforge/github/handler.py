"""The HTTP side of FakeGitHub: one request in, one GitHub-like answer out.

Routes requests to git smart HTTP, the REST API (with ETags, rate limits and faults) or
the html pages, and records each in the fake's request log as its answer starts.
"""

from __future__ import annotations

import hashlib
import html
import json
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from localforge.git_http import read_body, serve_git
from localforge.github.auth import BAD_CREDENTIALS
from localforge.github.routes import NOT_FOUND, Answer, Request, rate_limit_json, route

if TYPE_CHECKING:
    from localforge.github import FakeGitHub

# GitHub's own Vary on API answers: a cache must not hand one credential's answer to another.
API_VARY = "Accept, Authorization, Cookie, X-GitHub-OTP"
DOCS = "https://docs.github.com/rest/repos/forks#create-a-fork"
RATE_LIMIT_MESSAGE = (
    "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
    "requests get a higher rate limit. Check out the documentation for more details.)"
)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Weak comparison, as If-None-Match asks for (``W/`` prefixes are ignored)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag.removeprefix("W/") in tags


class GitHubHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeGitHub/1.0"
    timeout = 30
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    # What the request log records; set per request by ``_dispatch``.
    _path, _query, _kind, _counted = "", "", "html", False

    @property
    def fake(self) -> FakeGitHub:
        return self.server.fake  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        with self.fake.lock:
            self.fake.connections.add(self.connection)

    def finish(self) -> None:
        """Close the socket here, before the fake's ``stop`` stops waiting for it."""
        try:
            super().finish()
        finally:
            self.connection.close()
            with self.fake.lock:
                self.fake.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is ``FakeGitHub.requests``."""

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(read_body(self))

    def send_response(self, code: int, message: str | None = None) -> None:
        """Log the request as its answer starts, so a client never sees an unlogged answer."""
        self.fake.log(self.command, self._path, self._query, code, self._counted, self._kind)
        super().send_response(code, message)

    def _dispatch(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        kind = "git" if path.startswith("/git/") else "api" if path.startswith("/api/") else "html"
        self._path, self._query, self._kind, self._counted = path, query, kind, False
        fault = self.fake.take_fault(path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
            if fault.status == 0:  # a late answer: the client may have given up by now
                self._late_answer(path, query, body)
                return
        if fault is not None and fault.status:
            self._send_json(fault.status, {"message": fault.message}, fault.headers)
        elif kind == "git":
            root, path_info = self.fake.world.git_root, unquote(path[len("/git") :])
            serve_git(self, root, path_info, query, body)
        elif kind == "api":
            self._api(path, query, body)
        else:
            self._html(path)

    def _late_answer(self, path: str, query: str, body: bytes) -> None:
        try:
            self._api(path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- API -------------------------------------------------------------------------------
    def _api(self, path: str, query: str, body: bytes) -> None:
        fake = self.fake
        sub = path.removeprefix("/api/v3") or "/"
        if sub.rstrip("/") == "/rate_limit":
            fake.budget_left()  # restores the budget once the window has passed
            with fake.lock:
                data = rate_limit_json(fake.limit, max(fake.remaining, 0), fake.reset_at)
            self._send_json(200, data, fake.rate_headers())
            return
        parts = sub.strip("/").split("/")
        if self.command == "POST" and parts[:2] == ["app", "installations"] and len(parts) == 4:
            self._mint(parts[2], parts[3])
            return
        if not fake.auth.allows(self.headers.get("Authorization")):
            self._send_json(401, BAD_CREDENTIALS, {})
            return
        if not fake.budget_left():
            headers = fake.rate_headers()
            if fake.retry_after is not None:
                headers["Retry-After"] = str(fake.retry_after)
            data = {"message": RATE_LIMIT_MESSAGE, "documentation_url": "https://docs.github.com"}
            self._send_json(403, data, headers)
            return
        url = f"{fake.urls.base}{path}"
        request = Request(sub, dict(parse_qsl(query)), url)
        if self.command == "POST":
            answer = self._post(sub, body)
        else:
            answer = route(fake.world, fake.urls, request)
        payload = json.dumps(answer.body).encode()
        etag = etag_of(payload)
        if self.command == "GET" and etag_matches(self.headers.get("If-None-Match"), etag):
            self.send_response(304)
            for key, value in {**fake.rate_headers(), "ETag": etag, "Vary": API_VARY}.items():
                self.send_header(key, value)
            self.end_headers()
            return
        self._counted = fake.spend()
        headers = {**answer.headers, **fake.rate_headers(), "ETag": etag, "Vary": API_VARY}
        self._send(answer.status, payload, "application/json; charset=utf-8", headers)

    def _mint(self, installation: str, action: str) -> None:
        """A GitHub App asks for an installation token with its JWT (not rate counted)."""
        if action != "access_tokens" or not installation.isdigit():
            self._send_json(404, NOT_FOUND, {})
            return
        status, data = self.fake.auth.mint(int(installation), self.headers.get("Authorization"))
        self._send_json(status, data, {})

    def _post(self, sub: str, body: bytes) -> Answer:
        """``POST /repos/{o}/{r}/forks`` with ``{"organization": ...}``: GitHub's checks, then
        202 at once; the fork appears ``fake.fork_delay`` seconds later (GitHub forks in the
        background), until then a GET of it is a 404."""
        parts = sub.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "repos" or parts[3] != "forks":
            return Answer(404, NOT_FOUND)
        status, message, orgs = self.fake.auth.person(self.headers.get("Authorization"))
        if status:
            return Answer(status, {"message": message, "documentation_url": DOCS})
        try:
            args = json.loads(body or b"{}")
        except ValueError:
            return Answer(400, {"message": "Problems parsing JSON"})
        org = args.get("organization") if isinstance(args, dict) else None
        if not isinstance(org, str) or not org:
            return Answer(422, {"message": "Validation Failed: organization is required here"})
        return self.fake.start_fork(f"{parts[1]}/{parts[2]}", org, args.get("name"), orgs)

    # -- html ------------------------------------------------------------------------------
    def _html(self, path: str) -> int:
        parts = [p for p in path.strip("/").split("/") if p]
        world, title = self.fake.world, None
        with world.lock:
            repo = world.repos.get("/".join(parts[:2]).lower()) if len(parts) >= 2 else None
            if repo is not None and len(parts) == 3 and parts[2] == "fork":
                title = f"Create a new fork of {repo.full_name}"
            elif repo is not None and len(parts) == 2:
                title = f"{repo.full_name}: {repo.description}"
            elif len(parts) == 1 and parts[0].lower() in world.owners:
                title = world.owner(parts[0]).login
        if title is None:
            return self._send(404, b"<h1>Not Found</h1>", "text/html; charset=utf-8", {})
        page = f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
        payload = page.encode()
        etag = etag_of(payload)
        if etag_matches(self.headers.get("If-None-Match"), etag):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return 304
        return self._send(200, payload, "text/html; charset=utf-8", {"ETag": etag})

    # -- plumbing --------------------------------------------------------------------------
    def _send_json(self, status: int, data: Any, headers: dict[str, str]) -> int:
        payload = json.dumps(data).encode()
        return self._send(status, payload, "application/json; charset=utf-8", headers)

    def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str]) -> int:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        return status
