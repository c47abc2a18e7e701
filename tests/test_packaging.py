"""govcode works from an installed wheel, outside any checkout: the demo world and the
local forge it needs ship inside the package."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment holding govcode's wheel (built from this checkout) and
    nothing else of the project; its dependencies are this environment's, on a path line."""
    where = tmp_path_factory.mktemp("installed")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         str(ROOT), "-w", str(where / "dist")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    venv.create(where / "venv", with_pip=False)
    python = where / "venv" / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "govcode_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next((where / "dist").glob("govcode-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return where


def test_the_demo_runs_from_an_installed_wheel(installed):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCODE_")}
    env["COLUMNS"] = "80"
    out = subprocess.run(
        [str(installed / "venv" / "bin" / "govcode"), "demo", "--no-serve",
         "--var-dir", str(installed / "var")],
        cwd=installed, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    with sqlite3.connect(installed / "var" / "govcode.db") as db:
        runs = db.execute("SELECT status, failed FROM crawlrun").fetchall()
        names = {n for (n,) in db.execute("SELECT full_name FROM repository")}
    assert runs and all(run == ("finished", 0) for run in runs)
    assert "alberta-health-services/covid-self-assessment" in names
    location = subprocess.run(
        [str(installed / "venv" / "bin" / "python"), "-c",
         "import localforge, registry; print(localforge.__file__); print(registry.__file__)"],
        cwd=installed, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(ROOT) not in location  # the installed copy ran, not this checkout


def test_the_installed_wheel_speaks_french(installed):
    """The catalogues are package data, compiled in memory: nothing to build at install."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCODE_")}
    out = subprocess.run(
        [str(installed / "venv" / "bin" / "python"), "-c",
         "from registry import i18n; print(i18n.available(), i18n.LOCALE_DIR);"
         "print(i18n.translations('fr').gettext('Find public-sector code to reuse'))"],
        cwd=installed, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "('en', " in out and "'fr'" in out and str(ROOT) not in out
    assert "Trouver du code public à réutiliser" in out
