"""The README's "Using it" works right after `make demo`, exactly as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

CHECKOUT = Path(__file__).resolve().parents[1]


def after_demo_block() -> list[str]:
    """The commands of the first shell block under "## Using it", comments dropped."""
    readme = (CHECKOUT / "README.md").read_text()
    section = readme.split("\n## Using it\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture
def newcomer(tmp_path):
    """A folder laid out as a checkout after `make demo`, and a shell without govcode."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("the suite is not running from a virtual environment like make's .venv")
    (tmp_path / ".venv").symlink_to(sys.prefix)
    venv_bin = str(Path(sys.prefix) / "bin")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVCODE_", "VIRTUAL_ENV"))}
    env.update(PATH=path, COLUMNS="80")
    demo = subprocess.run(
        [str(Path(venv_bin) / "govcode"), "demo", "--no-serve"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    return tmp_path, env


def test_using_it_works_right_after_the_demo(newcomer):
    folder, env = newcomer
    lines = after_demo_block()
    assert lines[0] == ". .venv/bin/activate" and lines[-1] == "govcode serve"
    outputs = []
    for line in lines[1:-1]:
        script = f"set -e\n{lines[0]}\n{line}\n"
        done = subprocess.run(["bash", "-c", script], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
    joined = "\n".join(outputs)
    assert "Alberta Health Services" in joined and "finished (2 new" in joined
    assert "subscription" in joined and "would remove source 6" in joined

    port = free_port()  # the README's 8000 may be taken on this machine: same command
    server = subprocess.Popen(["bash", "-c", f"{lines[0]}\nexec {lines[-1]}"], cwd=folder,
                              env={**env, "GOVCODE_PORT": str(port)})  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                found = httpx.get(f"http://127.0.0.1:{port}/api/v1/repositories?q=covid")
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert found.status_code == 200 and found.json()["total"] >= 1
    finally:
        server.terminate()
        server.wait(timeout=30)
