"""A page of results costs the same few SQL queries whether it holds 2 hits or 20: no query
per row, and no deferred column (README texts) loaded for a hit."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import event

from tests import factories
from tests.conftest import LiveServer


class QueryCounter:
    def __init__(self, engine) -> None:
        self.statements: list[str] = []
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "index-sync":
            return  # the web node's background poller, not the request being measured
        with self._lock:
            self.statements.append(statement)

    def during(self, call):  # type: ignore[no-untyped-def]
        with self._lock:
            self.statements.clear()
        call()
        with self._lock:
            return list(self.statements)


def test_results_cost_the_same_queries_for_few_and_many_hits(settings, engine):
    for i in range(20):
        factories.store(engine, factories.record("gds", f"service-{i:02d}", description=(
            "a service" if i < 2 else "a tool"), readme_source="# big\n" + "x" * 50_000,
            readme_markup="markdown"), agency="gds")  # fmt: skip
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        live.wait_indexed(lambda: client.get("/api/v1/repositories").json()["total"] == 20)
        counter = QueryCounter(live.app.state.engine)
        for path in ("/", "/api/v1/repositories"):
            few = counter.during(lambda p=path: client.get(p, params={"q": "service"}))
            many = counter.during(lambda p=path: client.get(p, params={"per_page": 20}))
            assert len(many) == len(few), (path, len(few), len(many))
            assert not any("readme_source" in s for s in many), path
