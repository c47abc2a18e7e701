"""A code.json inventory crawled as a source: its git repositories, with the inventory's facts."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.forges.codejson import is_git_url
from crawlers.pipeline import crawl_source
from registry.models import Repository
from tests import factories
from tests.fakes.static_http import StaticServer


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/nasa/fprime", True),
        ("https://gitlab.example.gov/group/app.git", True),
        ("https://gitlab.agency.gov/group/app", True),
        ("https://software.nasa.gov/software/ARC-1234", False),
        ("https://github.com/nasa/fprime/blob/main/README.md", False),
    ],
)
def test_which_repository_urls_are_git(url, expected):
    assert is_git_url(url) is expected


def test_code_json_inventory_is_crawled(settings, engine, fake_github):
    fake_github.add_org("nasa")
    fake_github.add_repo("nasa", "fprime", {"README.md": "# F Prime\n", "main.cpp": "int x;\n"})
    inventory = {
        "version": "2.0.0",
        "agency": "NASA",
        "measurementType": {"method": "projects"},
        "releases": [
            {"name": "F Prime", "repositoryURL": fake_github.clone_url("nasa/fprime"),
             "description": "Flight software framework", "tags": ["Flight", "Framework"],
             "permissions": {"licenses": [{"name": "Apache-2.0"}], "usageType": "openSource"},
             "laborHours": 0, "contact": {"email": "x@nasa.gov"}},
            {"name": "Closed tool", "repositoryURL": "https://software.nasa.gov/software/X-1",
             "description": "not git", "permissions": {"licenses": None, "usageType": "x"},
             "laborHours": 0, "contact": {"email": "x@nasa.gov"}, "tags": []},
        ],
    }  # fmt: skip
    with StaticServer({"/code.json": json.dumps(inventory).encode()}) as web:
        s = settings.model_copy(update={"allow_http_hosts": [
            web.host, fake_github.base_url.removeprefix("http://")]})  # fmt: skip
        source = factories.source(
            engine, "code-json", web.url("/code.json"), slug="nasa", name="NASA"
        )
        summary = crawl_source(engine, CrawlContext.from_settings(s), source)
    assert summary.status == "finished" and summary.counts["new"] == 1, summary
    with Session(engine) as session:
        repo = session.exec(select(Repository)).one()
        assert repo.description == "Flight software framework"
        assert repo.topics == ["flight", "framework"]
        assert repo.licence == "Apache-2.0"  # declared by the inventory: no LICENSE file
