"""The agency reads its crawls on its own page: each source's last runs, with counts and the
error of every repository that failed."""

from __future__ import annotations

import re
import shutil

import httpx

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from tests import factories
from tests.conftest import LiveServer


def test_the_agency_page_shows_its_crawl_runs_and_their_errors(settings, engine, fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    for name in ("alpha", "beta"):
        fake_github.add_repo("ahs", name, {"README.md": f"# {name}\n", f"{name}.py": "x = 1\n"})
    source = factories.source(
        engine,
        "github",
        "ahs",
        api_url=fake_github.api_url,
        slug="ahs",
        name="Alberta Health Services",
    )
    allowed = settings.model_copy(
        update={"allow_http_hosts": [fake_github.base_url.removeprefix("http://")]}
    )
    ctx = CrawlContext.from_settings(allowed)
    first = crawl_source(engine, ctx, source)
    fake_github.push("ahs/beta", {"beta.py": "x = 2\n"})
    shutil.rmtree(fake_github.world.repo("ahs/beta").bare_path)  # its fetch will fail
    second = crawl_source(engine, ctx, source)
    assert (second.counts["unchanged"], second.counts["failed"]) == (1, 1)

    with LiveServer(settings) as server:
        response = httpx.get(f"{server.url}/agencies/ahs")
    assert response.status_code == 200
    page = response.text
    rows = re.findall(r'<tr id="run-(\d+)">(.*?)</tr>', page)
    cells = {run: re.findall(r"<td(?: class=\"status\")?>(.*?)</td>", row)[1:] for run, row in rows}
    assert [run for run, _ in rows] == [str(second.run_id), str(first.run_id)]  # newest first
    assert cells == {  # status, new, changed, unchanged, failed, requests
        str(second.run_id): ["finished", "0", "0", "1", "1", str(second.counts["requests"])],
        str(first.run_id): ["finished", "2", "0", "0", "0", str(first.counts["requests"])],
    }
    error = second.errors[0]["error"]
    assert error and error in page.replace("&#39;", "'").replace("&quot;", '"')
    assert fake_github.html_url("ahs/beta") in page
