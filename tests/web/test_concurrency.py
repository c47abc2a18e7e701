"""Request handlers never block the event loop: two slow searches run at the same time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests import factories
from tests.conftest import LiveServer


class MeetingIndex:
    """The app's index, except that each search waits (up to 10 s) until a second search is
    under way too: if the server ran searches one after another, the first would give up."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self._barrier = threading.Barrier(2, timeout=10)

    def search(self, request):
        self._barrier.wait()  # BrokenBarrierError (so a 500) unless both searches overlap
        return self._inner.search(request)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_two_slow_searches_overlap(settings, engine):
    factories.store(engine, factories.record("ahs", "covid-tool", description="covid"))
    with LiveServer(settings) as live:
        live.app.state.index = MeetingIndex(live.app.state.index)
        with httpx.Client(base_url=live.url, timeout=30) as client, ThreadPoolExecutor(2) as pool:
            page = pool.submit(client.get, "/", params={"q": "covid"})
            api = pool.submit(client.get, "/api/v1/repositories", params={"q": "covid"})
            assert page.result().status_code == 200
            assert api.result().status_code == 200


def test_no_route_handler_is_a_coroutine(settings):
    """Every handler does blocking work (SQL, the index, templates): as a plain ``def`` it
    runs in Starlette's thread pool; an ``async def`` one would hold the event loop."""
    import inspect

    from starlette.routing import Mount, Route

    from web.app import create_app

    def routes(table):  # type: ignore[no-untyped-def]
        for route in table:
            if isinstance(route, Mount):
                yield from routes(route.routes or [])
            elif isinstance(route, Route):
                yield route

    found = list(routes(create_app(settings).routes))
    assert len(found) > 50  # the app's pages and API, not an empty table
    assert [r.path for r in found if inspect.iscoroutinefunction(r.endpoint)] == []


class CountingIndex:
    """The app's index, counting the searches under way at once (each takes 0.2 s)."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.now = self.most = 0

    def search(self, request):
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.2)
            return self._inner.search(request)
        finally:
            with self._lock:
                self.now -= 1

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_a_worker_handles_web_threads_requests_at_once(settings, engine):
    """GOVCODE_WEB_THREADS bounds the requests a worker runs at once; the others wait their
    turn and are all answered."""
    factories.store(engine, factories.record("ahs", "covid-tool", description="covid"))
    with LiveServer(settings.model_copy(update={"web_threads": 2})) as live:
        counting = live.app.state.index = CountingIndex(live.app.state.index)
        with httpx.Client(base_url=live.url, timeout=30) as client, ThreadPoolExecutor(6) as pool:
            asked = [
                pool.submit(client.get, "/api/v1/repositories", params={"q": f"covid {i}"})
                for i in range(6)
            ]
            assert [a.result().status_code for a in asked] == [200] * 6
    assert counting.most == 2


def test_a_worker_freezes_what_it_holds_at_startup(tmp_path):
    """``GOVCODE_WEB_GC_FREEZE`` (on unless turned off): after the app starts, what it holds
    is out of the garbage collector's reach; off, nothing is frozen."""
    script = (
        "import asyncio, gc, sys\n"
        "from registry import migrate\n"
        "from registry.db import make_engine\n"
        "from registry.settings import Settings\n"
        "from web.app import create_app\n"
        "s = Settings(environment='test', var_dir=sys.argv[1], web_gc_freeze=sys.argv[2] == 'on')\n"
        "migrate.upgrade(make_engine(s))\n"
        "app = create_app(s)\n"
        "async def main():\n"
        "    async with app.router.lifespan_context(app):\n"
        "        print(gc.get_freeze_count())\n"
        "asyncio.run(main())\n"
    )
    root = Path(__file__).resolve().parents[2]
    counts = {}
    for mode in ("on", "off"):
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / mode), mode],
            cwd=root, capture_output=True, text=True, timeout=120, check=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("GOVCODE_")},
        )  # fmt: skip
        counts[mode] = int(done.stdout.split()[-1])
    assert counts["off"] == 0
    assert counts["on"] > 10_000  # the modules, the app and the searcher: many objects
