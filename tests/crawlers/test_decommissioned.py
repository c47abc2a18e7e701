"""A repository whose last commit says it was decommissioned reads as obsolete, through the
real pipeline: the crawl records the head commit's subject, search ranks the repository
below live code of equal relevance, and its page and search result say so."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.models import Repository
from tests import factories
from tests.conftest import LiveServer

README = "# COVID exposure notifications\n\nNotifies people of COVID exposure in the region.\n"


def test_a_decommissioned_last_commit_makes_the_repository_obsolete(settings, engine, fake_github):
    fake_github.add_org("health", name="Health Agency")
    for name in ("exposure-old", "exposure-app"):
        fake_github.add_repo("health", name, {"README.md": README},
                             description="COVID exposure notifications")  # fmt: skip
    message = "Decommissioned: the service was shut down in 2023\n\nSee NOTICE.md"
    fake_github.push("health/exposure-old", {"NOTICE.md": "Replaced.\n"}, message=message)
    source = factories.source(engine, "github", "health", api_url=fake_github.api_url,
                              slug="health", name="Health Agency")  # fmt: skip
    s = settings.model_copy(
        update={"allow_http_hosts": [fake_github.base_url.removeprefix("http://")]}
    )
    summary = crawl_source(engine, CrawlContext.from_settings(s), source)
    assert summary.counts["failed"] == 0, summary.errors
    with Session(engine) as session:
        old = session.exec(select(Repository).where(Repository.name == "exposure-old")).one()
        live = session.exec(select(Repository).where(Repository.name == "exposure-app")).one()
    assert old.extra_metadata["last_commit_message"].startswith("Decommissioned: the service")
    assert live.extra_metadata["last_commit_message"] != old.extra_metadata["last_commit_message"]
    with LiveServer(s) as live_server, httpx.Client(base_url=live_server.url, timeout=30) as client:
        live_server.wait_indexed(
            lambda: (
                client.get("/api/v1/repositories", params={"q": "exposure"}).json()["total"] == 2
            )
        )
        found = client.get("/api/v1/repositories", params={"q": "covid exposure"}).json()
        page = client.get(f"/repositories/{old.id}").text
        results = client.get("/", params={"q": "covid exposure"}).text
    assert [i["name"] for i in found["items"]] == ["exposure-app", "exposure-old"]
    assert "This repository is obsolete." in page
    assert 'class="badge obsolete"' in results
