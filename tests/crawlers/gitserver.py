"""Test helpers: git repositories built object by object, served over smart HTTP on loopback.

GitPython writes the objects directly, so a tree can hold what a checkout could never make:
names that are not UTF-8, symlinks out of the tree, gitlinks to commits that do not exist.
``GitServer`` runs the real ``git-http-backend`` as CGI and records every request, so a test
can prove that something did *not* reach the network.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import git
from git.objects.fun import tree_to_stream
from gitdb.base import IStream

BACKEND = Path("/usr/lib/git-core/git-http-backend")
NOW = datetime(2024, 6, 1, tzinfo=UTC)
FILE, EXEC, LINK, GITLINK = 0o100644, 0o100755, 0o120000, 0o160000

# --- building repositories with GitPython -------------------------------------------------


def bare_repo(path: Path, head: str = "main") -> git.Repo:
    repo = git.Repo.init(path, bare=True)
    repo.git.symbolic_ref("HEAD", f"refs/heads/{head}")
    with repo.config_writer() as config:  # what GitHub and GitLab allow
        config.set_value("uploadpack", "allowFilter", "true")
        config.set_value("uploadpack", "allowAnySHA1InWant", "true")
    return repo


def _store(repo: git.Repo, kind: bytes, data: bytes) -> bytes:
    return repo.odb.store(IStream(kind, len(data), BytesIO(data))).binsha


def _tree(repo: git.Repo, files: dict[bytes, tuple[int, bytes]]) -> bytes:
    entries, subdirs = [], defaultdict(dict)
    for path, (mode, data) in files.items():
        head, sep, rest = path.partition(b"/")
        if sep:
            subdirs[head][rest] = (mode, data)
        else:
            sha = data if mode == GITLINK else _store(repo, b"blob", data)
            entries.append((sha, mode, head))
    entries += [(_tree(repo, sub), 0o040000, name) for name, sub in subdirs.items()]
    entries.sort(key=lambda e: e[2] + (b"/" if e[1] == 0o040000 else b""))
    stream = BytesIO()
    tree_to_stream(entries, stream.write)
    return _store(repo, b"tree", stream.getvalue())


def commit(
    repo: git.Repo,
    files: dict[bytes, tuple[int, bytes]],
    *,
    branch: str = "main",
    when: datetime = NOW,
    email: str = "dev@agency.example",
    parents: tuple[git.Commit, ...] | None = None,
) -> git.Commit:
    """Commit ``files`` (path -> (mode, bytes)) on ``branch``, on top of it unless told."""
    ref = f"refs/heads/{branch}"
    if parents is None:
        parents = (repo.commit(ref),) if ref in [r.path for r in repo.references] else ()
    tree = git.Tree(repo, _tree(repo, files))
    actor = git.Actor("Dev", email)
    stamp = when
    made = git.Commit.create_from_tree(
        repo,
        tree,
        "change",
        list(parents),
        author=actor,
        committer=actor,
        author_date=stamp,
        commit_date=stamp,
    )
    repo.git.update_ref(ref, made.hexsha)
    return made


# --- git's smart HTTP on 127.0.0.1 ---------------------------------------------------------


class GitServer:
    """git-http-backend as CGI behind a ThreadingHTTPServer; records every request."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        self.release = threading.Event()  # wakes handlers asked to hang
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._cgi(b"")

            def do_POST(self) -> None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while size := int(self.rfile.readline().strip() or b"0", 16):
                        body += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._cgi(body)

            def _cgi(self, body: bytes) -> None:
                server.requests.append(f"{self.command} {self.path}")
                path, _, query = self.path.partition("?")
                if path.startswith("/hang/"):
                    server.release.wait(30)
                    return
                env = {
                    "PATH": os.environ["PATH"],
                    "GIT_PROJECT_ROOT": str(server.root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "GIT_CONFIG_NOSYSTEM": "1",
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_ADDR": "127.0.0.1",
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                }
                out = subprocess.run([BACKEND], input=body, env=env, capture_output=True).stdout
                head, _, payload = out.partition(b"\r\n\r\n")
                headers = [line.split(b":", 1) for line in head.split(b"\r\n") if b":" in line]
                status = next((int(v.split()[0]) for k, v in headers if k == b"Status"), 200)
                self.send_response(status)
                for key, value in headers:
                    if key != b"Status":
                        self.send_header(key.decode(), value.decode().strip())
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
