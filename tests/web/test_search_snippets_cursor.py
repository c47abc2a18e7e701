"""Highlighted snippets and cursor pagination, over HTTP against the live app."""

from __future__ import annotations

import httpx
import pytest

from tests import factories as f
from tests.conftest import LiveServer


@pytest.fixture
def client(settings, engine):
    f.store(
        engine,
        f.record(
            "ahs",
            "covid-self-assessment",
            description='COVID-19 self assessment <script>alert("x")</script>',
            readme_excerpt="A tool for the pandemic",
            readme_text="A tool for the pandemic, and its long README",
            stars=100,
        ),
        agency="ahs",
    )
    for i in range(7):
        f.store(engine, f.record("gds", f"service-{i:02d}", description="a service", stars=i),
                agency="gds")  # fmt: skip
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as c:

        def store(*args, **kw) -> None:  # and wait until search sees it
            f.store(engine, *args, **kw)
            live.wait_indexed(lambda: c.get("/api/v1/repositories").json()["total"] == 9)

        c.store = store  # type: ignore[attr-defined]
        yield c


def test_the_api_and_the_page_mark_the_matched_words_escaped(client):
    body = client.get("/api/v1/repositories", params={"q": "covid"}).json()
    item = body["items"][0]
    assert item["highlight"]["description"] == (
        "<mark>COVID</mark>-19 self assessment &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )
    assert item["highlight"]["readme_excerpt"] is None
    readme = client.get("/api/v1/repositories", params={"q": "pandemic"}).json()["items"][0]
    assert readme["highlight"] == {
        "description": None,
        "readme_excerpt": "A tool for the <mark>pandemic</mark>",
    }
    page = client.get("/", params={"q": "covid"}).text
    assert "<mark>COVID</mark>-19 self assessment &lt;script&gt;" in page
    assert "<script>alert" not in page
    assert "<mark>" not in client.get("/", params={"sort": "stars"}).text  # no words, no marks


def test_the_api_pages_by_cursor_stably_under_inserts(client):
    params = {"q": "service", "sort": "stars", "per_page": 3}
    first = client.get("/api/v1/repositories", params=params).json()
    assert [i["name"] for i in first["items"]] == ["service-06", "service-05", "service-04"]
    client.store(f.record("gds", "service-new", description="a service", stars=50), agency="gds")
    second = client.get("/api/v1/repositories", params={**params, "cursor": first["next_cursor"]})
    assert second.status_code == 200
    body = second.json()
    assert [i["name"] for i in body["items"]] == ["service-03", "service-02", "service-01"]
    assert body["total"] == 8 and body["next_cursor"]
    last = client.get("/api/v1/repositories", params={**params, "cursor": body["next_cursor"]})
    assert [i["name"] for i in last.json()["items"]] == ["service-00"]
    assert last.json()["next_cursor"] is None
    other = client.get("/api/v1/repositories", params={"q": "x", "cursor": body["next_cursor"]})
    assert other.status_code == 400 and "another search" in other.json()["detail"]
    broken = client.get("/api/v1/repositories", params={**params, "cursor": "nonsense"})
    assert broken.status_code == 400 and "cursor" in broken.json()["detail"]
    assert broken.json()["invalid_params"][0]["name"] == "cursor"  # the problem names it


def test_openapi_describes_cursors_and_highlights(client):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/repositories"]["get"]
    assert "cursor" in {p["name"] for p in op["parameters"]}
    page = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("/RepositoryPage")
    body = doc["components"]["schemas"]["RepositoryPage"]["properties"]
    assert "next_cursor" in body
    assert body["items"]["items"]["$ref"].endswith("/RepositoryHit")
    hit = doc["components"]["schemas"]["RepositoryHit"]["properties"]
    assert "highlight" in hit
