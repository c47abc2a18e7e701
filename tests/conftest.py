"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL in CI), settings
that point every stage at local servers, and a live app on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from registry import migrate
from registry.db import make_engine
from registry.settings import Settings

pytest_plugins = ["tests.fakes.plugin"]

PG_URL = os.environ.get("GOVCODE_TEST_DATABASE_URL", "")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# -- no network beyond this machine ------------------------------------------------------
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address) -> None:  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise OSError(f"tests may not connect to {host!r}: only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


# -- databases -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """SQLite: one migrated file copied per test. PostgreSQL: migrated once, truncated per test."""
    if PG_URL:
        engine = make_engine(Settings(database_url=PG_URL))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        migrate.upgrade(engine)
        engine.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(_template_db: Path | str, tmp_path: Path) -> str:
    if isinstance(_template_db, str):
        engine = make_engine(Settings(database_url=_template_db))
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _template_db
    path = tmp_path / "govcode.db"
    shutil.copy(_template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        var_dir=tmp_path / "var",
        database_url=database_url,
        index_sync_interval=0.1,
        search_engine=os.environ.get("GOVCODE_TEST_SEARCH_ENGINE", "tantivy"),
        requests_per_second=0,
        web_gc_freeze=False,  # many apps start in one test process: freezing each would keep
        # every earlier one's garbage
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings)
    yield eng
    eng.dispose()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


# -- a live app ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The real app under uvicorn on a thread, on 127.0.0.1."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from web.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings.model_copy(update={"base_url": self.url})
        self.app = create_app(self.settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def wait_indexed(self, predicate, timeout: float = 10.0) -> None:
        """Wait until the app's index follower has caught up enough for ``predicate()``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError("the index did not catch up in time")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, run only the tests that touch the database."""
    if PG_URL and os.environ.get("GOVCODE_TEST_ONLY_DB"):
        keep = [i for i in items if "database_url" in getattr(i, "fixturenames", ())]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
