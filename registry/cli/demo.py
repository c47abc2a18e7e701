"""govcode demo: build a small world of real git repositories, crawl it, serve it.

The world lives on ``localforge``, the GitHub-compatible server that ships with the package,
so the demo runs from an installed wheel; everything else is the production code path (API,
clone over HTTP, analysis, SQL, index, web).

Its data goes to the data folder every other command reads (``GOVCODE_VAR_DIR``, ``var/``
by default), so ``govcode agencies list`` or ``govcode serve`` afterwards see the demo.
The folder is rebuilt on each run, but only if it is new, empty or the demo's own: a
folder holding other data is refused, never wiped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from registry.cli.common import console
from registry.source_kinds import GITHUB

MARKER = ".govcode-demo"  # in a data folder the demo made (and may wipe again)


def _clear(var_dir: Path) -> None:
    """Empty ``var_dir`` for a new demo world, unless it holds anything but a demo."""
    from registry.errors import Conflict

    if var_dir.exists() and any(var_dir.iterdir()) and not (var_dir / MARKER).is_file():
        raise Conflict(
            f"{var_dir} holds data that is not the demo's; move it away or give the demo "
            "another folder (--var-dir or GOVCODE_VAR_DIR)"
        )
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    (var_dir / MARKER).write_text("made by `govcode demo`, which rebuilds this folder\n")


def demo(
    var_dir: Path | None = typer.Option(
        None, help="where the demo's data lives (default: GOVCODE_VAR_DIR, i.e. var/)"
    ),
    serve: bool = typer.Option(True, help="serve the site after crawling"),
    port: int = typer.Option(8000, help="port to serve on"),
) -> None:
    """Build the demo world (Alberta's COVID-19 tool, Ontario's fork, …), crawl it, serve it."""
    from crawlers.tasks import run_crawl
    from localforge.github import FakeGitHub
    from registry import demo_world
    from registry.cli.common import engine, settings
    from registry.db import session_scope
    from registry.notify.channels import EMAIL
    from registry.services import agencies, repositories, subscriptions
    from registry.settings import Settings

    var_dir = var_dir or settings().var_dir
    _clear(var_dir)
    with FakeGitHub(root=(var_dir / "forge").resolve()) as fake:
        world = demo_world.build(fake)
        host = fake.base_url.removeprefix("http://")
        s = Settings(  # everything embedded in var_dir, whatever the environment says
            var_dir=var_dir,
            database_url="",
            index_dir=None,
            git_cache_dir=None,
            http_cache_path=None,
            queue_url="",
            github_api_url=fake.api_url,
            allow_http_hosts=[host],
            base_url=f"http://127.0.0.1:{port}",
            requests_per_second=0,
        )
        with engine(s) as eng:
            for login, (name, country) in world.agencies.items():
                with session_scope(eng) as session:
                    agency = agencies.ensure_agency(session, slug=login, name=name, country=country)
                    source = agencies.ensure_source(
                        session, agency=agency, kind=GITHUB.name, locator=login,
                        api_url=fake.api_url,
                    )  # fmt: skip
                summary = run_crawl(s, source.id)  # type: ignore[arg-type]
                console.print(f"{name}: {summary.counts}")
                if login == demo_world.ALBERTA:  # its maintainer hears of Ontario's fork
                    with session_scope(eng) as session:
                        repo = repositories.find(session, demo_world.COVID)
                        subscriptions.subscribe(
                            session, repository_id=repo.id, channel=EMAIL.name,
                            address="maintainer@ahs.example",
                        )  # fmt: skip
        console.print(f"\nThe forge stand-in is at {fake.base_url}")
        console.print(f"govcode is at [bold]http://127.0.0.1:{port}/[/] — try searching 'covid'")
        console.print(
            f"Its data is in {var_dir}/: in another terminal, `. .venv/bin/activate` and try "
            "`govcode sources list` (README: Using it)",
            markup=False,
        )
        if serve:
            import uvicorn

            from web.app import create_app

            uvicorn.run(create_app(s), host="127.0.0.1", port=port, log_level="warning")
