"""The Starlette application factory. The lifespan holds the engine and the search index."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from registry.db import make_engine
from registry.errors import GovcodeError
from registry.search import SearchIndex, open_index
from registry.search.sync import sync
from registry.settings import Settings
from web import errors
from web.routes import api, feeds, pages

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


class IndexFollower:
    """Keeps this node's index in step with the database, on a background thread."""

    def __init__(self, engine: Engine, index: SearchIndex, interval: float) -> None:
        self.engine, self.index, self.interval = engine, index, interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="index-sync", daemon=True)

    def sync_now(self) -> int:
        with self._lock:
            written = sync(self.engine, self.index)
            if written:
                self.index.refresh()
            return written

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sync_now()
            except Exception:  # keep following; the next tick retries
                log.exception("index sync failed")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings)
        index = open_index(settings)
        follower = IndexFollower(engine, index, settings.index_sync_interval)
        follower.sync_now()
        follower.start()
        app.state.engine, app.state.index, app.state.follower = engine, index, follower
        try:
            yield
        finally:
            follower.stop()
            engine.dispose()

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["settings"] = settings
    app = Starlette(
        routes=[
            *pages.routes(),
            *api.routes(),
            *feeds.routes(),
            Route("/healthz", pages.health),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        lifespan=lifespan,
        exception_handlers={GovcodeError: errors.handle, 404: errors.not_found},
    )
    app.state.settings = settings
    app.state.templates = templates
    return app
