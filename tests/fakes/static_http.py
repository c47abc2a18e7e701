"""A tiny web server on 127.0.0.1 serving fixed bodies and redirects, logging every request.

Inventories and URL lists are fetched over HTTP; tests serve them from here so the real
client code runs, and the log proves what was (and was not) requested.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StaticServer:
    """``files`` maps a path (``/list.json``) to its body; ``redirects`` to a Location."""

    def __init__(
        self, files: dict[str, bytes] | None = None, redirects: dict[str, str] | None = None
    ) -> None:
        self.files = dict(files or {})
        self.redirects = dict(redirects or {})
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, as ``allow_http_hosts`` wants it."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path in outer.redirects:
                    self.send_response(302)
                    self.send_header("Location", outer.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = outer.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                body = body if body is not None else b"not found\n"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
