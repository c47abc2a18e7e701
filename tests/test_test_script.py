"""scripts/test: every pass runs and is reported with its counts, whatever came before."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "run_tests.py"

PYTEST_INI = """[pytest]
markers =
    redis: needs Redis
    browser: needs a browser
"""


def runner():
    spec = importlib.util.spec_from_file_location("govcode_run_tests", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("govcode_run_tests", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def project(root: Path, tests: str) -> Path:
    root.mkdir()
    (root / "pytest.ini").write_text(PYTEST_INI)
    (root / "ruff.toml").write_text("")  # ruff's defaults, not a parent folder's
    (root / "test_things.py").write_text(tests)
    return root


@pytest.fixture(autouse=True)
def no_postgres(monkeypatch):
    monkeypatch.setenv("GOVCODE_TEST_PG_ADMIN_URL", "postgresql://nobody@127.0.0.1:9/postgres")
    monkeypatch.delenv("GOVCODE_TEST_DATABASE_URL", raising=False)


def test_a_failing_pass_does_not_hide_the_later_ones(tmp_path, capfd):
    root = project(tmp_path / "p", """import pytest


def test_ok():
    pass


def test_broken():
    assert 1 == 2


@pytest.mark.browser
def test_in_a_browser():
    pass
""")  # fmt: skip
    code = runner().run_passes(root, sys.executable, ["-q"])
    summary = capfd.readouterr().out.split("== summary\n", 1)[1].splitlines()
    assert code == 1
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in summary}
    assert rows["SQLite"] == ["FAILED", "1 passed, 1 failed (exit 1)"]
    assert rows["PostgreSQL"][0] == "ok" and rows["PostgreSQL"][1].startswith("skipped: no ")
    assert rows["Redis"] == ["ok", "no tests selected"]  # pytest's exit 5 is not a failure
    assert rows["browser"] == ["ok", "1 passed"]  # ran, after the failure
    assert list(rows) == ["ruff", "SQLite", "PostgreSQL", "Redis", "browser"]


def test_all_passes_green_exit_zero(tmp_path, capfd):
    root = project(tmp_path / "q", """import pytest


def test_ok():
    pass


@pytest.mark.redis
def test_queue():
    pytest.skip("no Redis here")
""")  # fmt: skip
    assert runner().run_passes(root, sys.executable, []) == 0
    out = capfd.readouterr().out
    assert "Redis       ok      1 skipped" in out and "SQLite      ok      1 passed" in out
