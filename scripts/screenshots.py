"""Photograph the demo world's main pages (called by scripts/screenshots).

scripts/screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = [  # (file, path, width): the README shows results.png
    ("home.png", "/", 1280),
    ("results.png", "/?q=covid+self+assessment&sort=stars", 1280),
    ("repository.png", "/repositories/{covid}", 1280),
    ("results-390.png", "/?q=covid+self+assessment&licence=MIT", 390),
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("no chromium: run scripts/ensure-browser first", file=sys.stderr)
        return 1
    import httpx
    import uvicorn
    from playwright.sync_api import sync_playwright

    from registry import demo_world
    from registry.settings import Settings
    from web.app import create_app

    with tempfile.TemporaryDirectory(prefix="govcode-shots-") as scratch:
        var_dir = Path(scratch) / "var"
        govcode = ROOT / ".venv" / "bin" / "govcode"
        subprocess.run([str(govcode), "demo", "--no-serve", "--var-dir", str(var_dir)], check=True)
        port = _port()
        base = f"http://127.0.0.1:{port}"
        settings = Settings(
            var_dir=var_dir, database_url="", index_dir=None, git_cache_dir=None,
            http_cache_path=None, queue_url="", base_url=base,
        )  # fmt: skip
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            found = httpx.get(f"{base}/api/v1/repositories", params={"q": "covid"}).json()
            covid = next(i["id"] for i in found["items"] if i["full_name"] == demo_world.COVID)
            args.out.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                for name, path, width in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(base + path.format(covid=covid))
                    page.screenshot(path=str(args.out / name), full_page=width < 1000)
                    page.close()
                    print(args.out / name)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
