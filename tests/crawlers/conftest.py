"""Fixtures of the crawler tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawlers.gitserver import GitServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[GitServer]:
    """git's own smart-HTTP backend on loopback, serving repositories from a folder."""
    root = tmp_path / "served"
    root.mkdir()
    srv = GitServer(root)
    srv.thread.start()
    yield srv
    srv.release.set()  # let any request a test held back finish
    srv.httpd.shutdown()
    srv.httpd.server_close()
