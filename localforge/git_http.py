"""Git smart HTTP for fake forges: run ``git http-backend`` as a CGI program.

Clones in tests must go through the same code a real forge runs (protocol v2, partial
clone filters, lazy blob fetches), so we hand the request to git itself rather than
imitate the protocol. Any ``BaseHTTPRequestHandler`` speaking HTTP/1.1 can use this.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"
CHUNK = 64 * 1024


def backend_path() -> str:
    """The ``git http-backend`` executable (Debian's path, else next to ``git --exec-path``)."""
    if os.access(HTTP_BACKEND, os.X_OK):
        return HTTP_BACKEND
    git = shutil.which("git")
    if git is None:
        raise FileNotFoundError("git is not installed")
    exec_path = subprocess.run(
        [git, "--exec-path"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return str(Path(exec_path) / "git-http-backend")


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, de-chunked and un-gzipped (git gzips large upload-pack requests)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            parts.append(handler.rfile.read(size))
            handler.rfile.readline()
        body = b"".join(parts)
    else:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    if handler.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip"):
        body = gzip.decompress(body)
    return body


def _cgi_env(handler: BaseHTTPRequestHandler, root: Path, path_info: str, query: str, length: int):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),  # keep the tester's ~/.gitconfig out of the server
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_PROJECT_ROOT": str(root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REQUEST_METHOD": handler.command,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "REMOTE_ADDR": handler.client_address[0],
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(length),
    }
    protocol = handler.headers.get("Git-Protocol")
    if protocol:
        env["HTTP_GIT_PROTOCOL"] = protocol
    return env


def serve_git(
    handler: BaseHTTPRequestHandler, root: Path, path_info: str, query: str, body: bytes
) -> int:
    """Answer one smart-HTTP request from ``git http-backend``; return the status sent.

    The CGI output is streamed to the client with chunked transfer encoding, so a large
    pack never sits in memory.
    """
    env = _cgi_env(handler, root, path_info, query, len(body))
    proc = subprocess.Popen(
        [backend_path()],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        try:
            proc.stdin.write(body)  # type: ignore[union-attr]
        except BrokenPipeError:
            pass
        finally:
            proc.stdin.close()  # type: ignore[union-attr]

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        status, headers = 200, []
        while True:
            line = proc.stdout.readline().decode("latin-1").rstrip("\r\n")
            if not line:
                break
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((key, value.strip()))
        handler.send_response(status)
        for key, value in headers:
            handler.send_header(key, value)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        while chunk := proc.stdout.read1(CHUNK):  # type: ignore[attr-defined]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")
        return status
    finally:
        proc.stdout.close()
        proc.wait()
        writer.join()
