"""The JSON API and pages over HTTP against the live app."""

from __future__ import annotations

import httpx
import pytest

from tests import factories
from tests.conftest import LiveServer


@pytest.fixture
def client(settings, engine):
    f = factories
    f.store(
        engine,
        f.record(
            "ahs",
            "covid-self-assessment",
            description="COVID-19 self assessment",
            languages=[("JavaScript", 900, 0.9), ("CSS", 100, 0.1)],
            maturity_level="stable",
            stars=10,
        ),
        agency="ahs",
        country="ca",
    )
    for i in range(25):
        f.store(engine, f.record("gds", f"service-{i:02d}", description="a service", stars=i),
                agency="gds", country="gb")  # fmt: skip
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as c:
        yield c


def test_filters_facets_and_paging(client):
    params = {"country": "gb", "per_page": 10, "page": 3, "sort": "stars"}
    body = client.get("/api/v1/repositories", params=params).json()
    assert body["total"] == 25 and len(body["items"]) == 5
    assert [i["name"] for i in body["items"]] == [f"service-{i:02d}" for i in range(4, -1, -1)]
    assert {"value": "GB", "count": 25} in body["facets"]["country"]  # ?country=gb works too
    assert {"value": "CA", "count": 1} in body["facets"]["country"]  # its own filter ignored
    one = client.get("/api/v1/repositories", params={"q": "covid", "language": "CSS"}).json()
    assert [i["full_name"] for i in one["items"]] == ["ahs/covid-self-assessment"]
    item = one["items"][0]
    assert item["languages"][0] == {"language": "JavaScript", "bytes": 900, "share": 0.9}
    assert item["agency"] == "ahs" and item["page_url"].endswith(f"/repositories/{item['id']}")
    assert "readme_text" not in item and "analysis_hash" not in item  # public shape only
    assert item["licence_details"] == [{"id": "MIT", "name": "MIT License", "osi_approved": True,
        "fsf_libre": True, "deprecated": False, "current_id": "MIT",
        "licence_class": "permissive"}]  # fmt: skip
    again = client.get(f"/api/v1/repositories/{item['id']}").json()
    assert item.pop("highlight") == {  # the search's own: where the words matched
        "description": "<mark>COVID</mark>-19 self assessment",
        "readme_excerpt": None,
    }
    assert {k: v for k, v in again.items() if k in item} == item  # the detail adds to it


def test_errors_are_problem_json_for_the_api_and_html_for_people(client):
    r = client.get("/api/v1/repositories/999999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404
    bad = client.get("/api/v1/repositories", params={"per_page": "1000"})
    assert bad.status_code == 400 and "per_page" in bad.json()["detail"]
    page = client.get("/repositories/999999")
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    assert client.get("/no/such/page").status_code == 404


def test_openapi_describes_the_api(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/repositories", "/api/v1/repositories/{id}"} <= set(doc["paths"])
    props = doc["components"]["schemas"]["RepositoryPublic"]["properties"]
    assert {"licence", "languages", "maturity_level", "fork_url"} <= set(props)


def test_facets_name_countries_and_agencies(client):
    page = client.get("/", params={"q": "service"}).text
    assert "United Kingdom" in page and 'value="GB"' in page


def test_agency_pages_and_health(client):
    assert "ahs/covid-self-assessment" in client.get("/agencies/ahs").text
    assert "Gds" in client.get("/agencies").text
    assert client.get("/agencies/nobody").status_code == 404
    assert client.get("/healthz").json() == {"status": "ok", "indexed": 26}


def test_page_escapes_untrusted_text(settings, engine):
    factories.store(engine, factories.record("x", "evil", description="<script>alert(1)</script>"))
    with LiveServer(settings) as live:
        html = httpx.get(live.url + "/repositories/1").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
