"""The Starlette application factory. The lifespan holds the engine and the search index."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio.to_thread
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

from registry.db import make_engine
from registry.errors import GovcodeError
from registry.notify.mailer import mailer_from_settings
from registry.search import SearchIndex, open_index
from registry.search.sync import sync
from registry.settings import Settings
from registry.urlpolicy import link_url
from web import auth, descriptions, errors, follow_words, i18n, labels
from web.api_params import UnknownParameters
from web.caching import ApiConditional
from web.cors import ApiCors
from web.routes import (
    accounts,
    agency_admin,
    agency_signup,
    api,
    api_accounts,
    api_catalogue,
    api_deliveries,
    api_reuse,
    apidocs,
    badges,
    delivery_log,
    exports,
    feeds,
    fork,
    pages,
    subscribe,
    tokens,
)
from web.security import SecurityHeaders

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


class IndexFollower:
    """Keeps this node's index in step with the database, on a background thread: woken at
    once by a commit in this process, and polling the change log (one cheap query) for commits
    made elsewhere. Of the processes sharing one index folder, one writes at a time; the others
    just pick the new commits up."""

    def __init__(self, engine: Engine, index: SearchIndex, interval: float) -> None:
        self.engine, self.index, self.interval = engine, index, interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="index-sync", daemon=True)
        self.last_ok = time.monotonic()

    def sync_now(self) -> int:
        with self._lock, self._writer_turn() as mine:
            written = sync(self.engine, self.index) if mine else 0
            self.index.refresh()
            self.last_ok = time.monotonic()
            return written

    @contextlib.contextmanager
    def _writer_turn(self):
        with open(self.index.root / "sync.lock", "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def healthy(self) -> bool:
        return time.monotonic() - self.last_ok < max(60.0, 20 * self.interval)

    def _after_commit(self, session) -> None:
        if session.bind is self.engine:
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.sync_now()
            except Exception:  # keep following; the next tick retries
                log.exception("index sync failed")

    def start(self) -> None:
        event.listen(OrmSession, "after_commit", self._after_commit)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        if event.contains(OrmSession, "after_commit", self._after_commit):
            event.remove(OrmSession, "after_commit", self._after_commit)


class GovcodeApp(Starlette):
    """Starlette with the security headers outside everything, even the 500 handler."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


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
        # The thread pool every handler runs in: a few requests at a time each finish soon,
        # where forty would share the interpreter and all finish late.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        if settings.web_gc_freeze:
            # What the worker holds for its life (the app, the warm searcher, the modules)
            # leaves the collector's reach: its full collections no longer walk it, which
            # under load were the slowest requests' extra tens of milliseconds.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            follower.stop()
            engine.dispose()

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    # Interface text goes through gettext: `{{ _("...") }}` and `{% trans %}` in templates,
    # in the request's language (web/i18n.py); dates and numbers through its filters.
    i18n.install(templates.env)
    templates.env.filters["label"] = labels.label  # closed sets of values, in words
    templates.env.filters["follows"] = follow_words.follows
    templates.env.filters["channel_title"] = follow_words.channel_title
    templates.env.filters["paused_because"] = follow_words.paused_because
    templates.env.globals["localised"] = _localised
    templates.env.globals["settings"] = settings
    templates.env.globals["csrf_field"] = auth.csrf_field
    templates.env.filters["link_url"] = link_url  # the only way a stored URL becomes an href
    app = GovcodeApp(
        routes=[
            *pages.routes(),
            *api.routes(),
            *api_reuse.routes(),
            *api_catalogue.routes(),
            *apidocs.routes(),
            *feeds.routes(),
            *accounts.routes(),
            *tokens.routes(),
            *agency_admin.routes(),
            *agency_signup.routes(),
            *subscribe.routes(),
            *fork.routes(),
            *api_accounts.routes(),
            *api_deliveries.routes(),
            *delivery_log.routes(),
            *badges.routes(),
            *exports.routes(),
            Route("/healthz", pages.health),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(ApiCors),
            Middleware(ApiConditional),
            Middleware(UnknownParameters),
            _session_middleware(settings),
            Middleware(
                i18n.LanguageMiddleware, https_only=settings.base_url.startswith("https://")
            ),
        ],
        exception_handlers={
            GovcodeError: errors.handle,
            404: errors.not_found,
            HTTPException: errors.http_error,
        },
    )
    app.state.settings = settings
    app.state.templates = templates
    app.state.mailer = mailer_from_settings(settings)
    return app


def _localised(texts: dict[str, str] | None, fallback: str = "") -> descriptions.Localised:
    """``texts`` (by language tag) in the visitor's language, for templates."""
    return descriptions.in_language(texts or {}, i18n.current(), fallback=fallback)


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
