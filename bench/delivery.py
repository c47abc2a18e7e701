"""Delivery benchmark: signed webhooks delivered per second by delivery passes, each try
logged, against a receiver on loopback that answers 204 at once.

    python -m bench.delivery --events 500 [--workers 2] [--database-url URL]

Stores one repository with one webhook subscription and ``--events`` reuse events in a
fresh database (a temporary SQLite file unless ``--database-url`` names an empty
PostgreSQL database), then times ``--workers`` delivery passes running at once in threads
until every delivery is acknowledged. Prints deliveries per second and checks that the
receiver saw each delivery id once.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from registry import migrate
from registry.db import make_engine, session_scope
from registry.delivery import Senders, deliver_pending
from registry.services import agencies, repositories, subscriptions
from registry.services.records import RepositoryRecord, ReuseClaim
from registry.settings import Settings


class _Receiver:
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    receiver.seen[self.headers.get("X-Govcode-Delivery", "")] += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def _record(owner: str, name: str) -> RepositoryRecord:
    url = f"https://github.example/{owner}/{name}"
    return RepositoryRecord(
        forge="github", owner=owner, name=name, html_url=url, clone_url=url + ".git",
        fork_url=url + "/fork", description=name, licence="MIT", licence_status="identified",
        licence_label="MIT", languages=[("Python", 1000, 1.0)], maturity_level="beta",
        maturity_score=50,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    receiver = _Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(
            environment="test", var_dir=Path(tmp), database_url=url,
            allow_http_hosts=[receiver.url.split("/")[2]], delivery_batch_size=20,
        )  # fmt: skip
        engine = make_engine(settings)
        migrate.upgrade(engine)
        target = _record("ahs", "tool")
        with session_scope(engine) as session:
            agency = agencies.ensure_agency(session, slug="ahs", name="AHS")
            repo = repositories.store(
                session, record=target, agency_id=agency.id, source_id=None, now=datetime.now(UTC)
            )
            subscriptions.subscribe(session, repository_id=repo.repository_id,
                                    channel="webhook", address=receiver.url)  # fmt: skip
        target.reuse = [
            ReuseClaim("fork", f"https://github.example/r{n}/tool", f"r{n}/tool",
                       target.html_url, "bench")
            for n in range(args.events)
        ]  # fmt: skip
        with session_scope(engine) as session:
            repositories.store(
                session, record=target, agency_id=agency.id, source_id=None, now=datetime.now(UTC)
            )
        counts: list[dict[str, int]] = []

        def one_pass() -> None:
            with Senders.from_settings(settings) as senders:
                counts.append(deliver_pending(engine, settings, senders))

        started = time.perf_counter()
        threads = [threading.Thread(target=one_pass) for _ in range(args.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        engine.dispose()
    delivered = sum(c["delivered"] for c in counts)
    doubled = sum(1 for n in receiver.seen.values() if n > 1)
    print(f"{delivered} of {args.events} delivered by {args.workers} passes in {took:.2f} s: "
          f"{delivered / took:.0f} deliveries/s (each signed, sent and logged); "
          f"{doubled} delivery ids seen twice")  # fmt: skip
    receiver.server.shutdown()


if __name__ == "__main__":
    main()
