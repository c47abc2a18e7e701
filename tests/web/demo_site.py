"""The demo world (Alberta's COVID-19 tool, Ontario's fork, agencies in four countries)
built on a local fake GitHub and crawled the way ``govcode demo`` crawls it."""

from __future__ import annotations

from crawlers.tasks import run_crawl
from localforge.github import FakeGitHub
from registry import demo_world
from registry.db import make_engine, session_scope
from registry.services import agencies
from registry.settings import Settings
from registry.source_kinds import GITHUB


def crawl_demo_world(settings: Settings, fake: FakeGitHub) -> Settings:
    """Build the world on ``fake``, crawl every agency's organisation; the settings to serve it."""
    world = demo_world.build(fake)
    s = settings.model_copy(
        update={
            "github_api_url": fake.api_url,
            "allow_http_hosts": [fake.base_url.removeprefix("http://")],
        }
    )
    engine = make_engine(s)
    try:
        for login, (name, country) in world.agencies.items():
            with session_scope(engine) as session:
                agency = agencies.ensure_agency(session, slug=login, name=name, country=country)
                source = agencies.ensure_source(
                    session, agency=agency, kind=GITHUB.name, locator=login, api_url=fake.api_url
                )
                source_id = source.id
            assert source_id is not None
            run_crawl(s, source_id)
    finally:
        engine.dispose()
    return s
