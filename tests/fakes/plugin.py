"""Pytest fixtures for the fake forge and the repository factory.

Register with ``pytest_plugins = ["tests.fakes.plugin"]``. Each test gets its own server
and folders, so tests never share rate-limit budgets, request logs or repositories.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localforge.github import FakeGitHub
from localforge.repos import RepoFactory


@pytest.fixture
def fake_github(tmp_path: Path) -> Iterator[FakeGitHub]:
    """A started FakeGitHub on 127.0.0.1 whose repositories live under ``tmp_path``."""
    root = tmp_path / "fake-github"
    root.mkdir()
    with FakeGitHub(root) as fake:
        yield fake


@pytest.fixture
def repo_factory(tmp_path: Path) -> RepoFactory:
    """Makes real git repositories (``factory(files, date=..., ...)``) under ``tmp_path``."""
    root = tmp_path / "repos"
    root.mkdir()
    return RepoFactory(root)
