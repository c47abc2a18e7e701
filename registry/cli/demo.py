"""govcode demo: build a small world of real git repositories, crawl it, serve it.

The world lives on ``localforge``, the GitHub-compatible server that ships with the package,
so the demo runs from an installed wheel; everything else is the production code path (API,
clone over HTTP, analysis, SQL, index, web).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from registry.cli.common import console
from registry.source_kinds import GITHUB


def demo(
    var_dir: Path = typer.Option(Path("var/demo"), help="where the demo's data lives (wiped)"),
    serve: bool = typer.Option(True, help="serve the site after crawling"),
    port: int = typer.Option(8000, help="port to serve on"),
) -> None:
    """Build the demo world (Alberta's COVID-19 tool, Ontario's fork, …), crawl it, serve it."""
    from crawlers.tasks import run_crawl
    from localforge.github import FakeGitHub
    from registry import demo_world
    from registry.cli.common import engine
    from registry.db import session_scope
    from registry.services import agencies, repositories, subscriptions
    from registry.settings import Settings

    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    with FakeGitHub(root=(var_dir / "forge").resolve()) as fake:
        world = demo_world.build(fake)
        host = fake.base_url.removeprefix("http://")
        s = Settings(
            var_dir=var_dir,
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
                            session, repository_id=repo.id, email="maintainer@ahs.example"
                        )
        console.print(f"\nThe forge stand-in is at {fake.base_url}")
        console.print(f"govcode is at [bold]http://127.0.0.1:{port}/[/] — try searching 'covid'")
        if serve:
            import uvicorn

            from web.app import create_app

            uvicorn.run(create_app(s), host="127.0.0.1", port=port, log_level="warning")
