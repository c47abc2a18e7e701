"""The Starlette application factory. The lifespan holds the engine and the search index."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

from registry.db import make_engine
from registry.errors import GovcodeError
from registry.notify.mailer import mailer_from_settings
from registry.search import SearchIndex
from registry.search.sync import sync
from registry.settings import Settings
from registry.urlpolicy import link_url
from web import auth, errors
from web.routes import (
    accounts,
    agency_admin,
    agency_signup,
    api,
    api_accounts,
    badges,
    exports,
    feeds,
    pages,
    subscribe,
    tokens,
)
from web.security import SecurityHeaders

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


class GovcodeApp(Starlette):
    """Starlette with the security headers outside everything, even the 500 handler."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings)
        index = SearchIndex(settings.resolved_index_dir)
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
    templates.env.globals["csrf_field"] = auth.csrf_field
    templates.env.filters["link_url"] = link_url  # the only way a stored URL becomes an href
    app = GovcodeApp(
        routes=[
            *pages.routes(),
            *api.routes(),
            *feeds.routes(),
            *accounts.routes(),
            *tokens.routes(),
            *agency_admin.routes(),
            *agency_signup.routes(),
            *subscribe.routes(),
            *api_accounts.routes(),
            *badges.routes(),
            *exports.routes(),
            Route("/healthz", pages.health),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        lifespan=lifespan,
        middleware=[_session_middleware(settings)],
        exception_handlers={GovcodeError: errors.handle, 404: errors.not_found},
    )
    app.state.settings = settings
    app.state.templates = templates
    app.state.mailer = mailer_from_settings(settings)
    return app


def _session_middleware(settings: Settings) -> Middleware:
    """Signed session cookies: HttpOnly and SameSite=Lax always, Secure over https."""
    return Middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=auth.COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
