"""The search page and API as a client meets them: caching, typo notices, facet lists,
suggestions, similar repositories, archived code, the index following commits, health."""

from __future__ import annotations

import time

import httpx
import pytest

from tests import factories as f
from tests.conftest import LiveServer


@pytest.fixture
def live(settings, engine):
    f.store(
        engine,
        f.record("ahs", "covid-self-assessment", description="COVID-19 self assessment tool",
                 maturity_level="stable", topics=["covid-19"]),
        agency="ahs", country="ca",
    )  # fmt: skip
    f.store(
        engine,
        f.record("ahs", "covid-old", description="COVID-19 self assessment tool", archived=True,
                 stars=500),
        agency="ahs", country="ca",
    )  # fmt: skip
    for i in range(14):
        f.store(engine, f.record(f"town-{i:02d}", f"permits-{i}", description="building permits"),
                agency=f"town-{i:02d}", country="gb")  # fmt: skip
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as c:
        yield c, engine


def test_etag_answers_304_until_the_index_changes(live):
    client, engine = live
    first = client.get("/api/v1/repositories", params={"q": "permits"})
    tag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = client.get(
        "/api/v1/repositories", params={"q": "permits"}, headers={"If-None-Match": tag}
    )
    assert again.status_code == 304 and again.content == b""
    page = client.get("/", params={"q": "permits"})
    cond = {"If-None-Match": page.headers["etag"]}
    assert client.get("/", params={"q": "permits"}, headers=cond).status_code == 304
    # Another query is another answer.
    other = client.get(
        "/api/v1/repositories", params={"q": "covid"}, headers={"If-None-Match": tag}
    )
    assert other.status_code == 200
    # A committed change is visible within a second, and the old ETag no longer matches.
    f.store(engine, f.record("town-00", "permits-new", description="building permits again"),
            agency="town-00")  # fmt: skip
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        r = client.get("/api/v1/repositories", params={"q": "permits"},
                       headers={"If-None-Match": tag})  # fmt: skip
        if r.status_code == 200 and r.json()["total"] == 15:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the new repository was not searchable within 1 s")


def test_typos_are_corrected_on_the_page_and_in_the_api(live):
    client, _ = live
    body = client.get("/api/v1/repositories", params={"q": "permts"}).json()
    assert body["total"] == 14 and body["corrected"] == "permits"
    assert "Showing results for" in client.get("/", params={"q": "permts"}).text


def test_archived_code_is_marked_and_ranked_below_live_code(live):
    client, _ = live
    body = client.get("/api/v1/repositories", params={"q": "covid self assessment"}).json()
    assert [i["name"] for i in body["items"]] == ["covid-self-assessment", "covid-old"]
    page = client.get("/", params={"q": "covid"}).text
    assert page.count('class="badge archived"') == 1


def test_facet_lists_show_the_top_values_and_a_way_to_see_more(live):
    client, _ = live
    page = client.get("/", params={"q": "permits"}).text
    assert page.count('name="agency"') == 10
    assert 'href="/?q=permits&amp;more=agency"' in page and "Every value…" in page
    assert 'href="/?q=permits&amp;more=licence"' not in page  # one licence: all shown
    everything = client.get("/", params={"q": "permits", "more": "agency"}).text
    assert everything.count('name="agency"') == 14
    assert 'more=agency"' not in everything
    api = client.get("/api/v1/repositories", params={"q": "permits"}).json()
    assert len(api["facets"]["agency"]) == 10 and api["more_facets"] == ["agency"]
    api = client.get("/api/v1/repositories", params={"q": "permits", "more": "agency"}).json()
    assert len(api["facets"]["agency"]) == 14 and api["more_facets"] == []
    api = client.get("/api/v1/repositories", params={"q": "permits", "facet_size": 3}).json()
    assert len(api["facets"]["agency"]) == 3
    wrong = client.get("/api/v1/repositories", params={"q": "permits", "more": "nope"})
    assert wrong.status_code == 400 and "more must name a filter" in wrong.text
    assert client.get("/", params={"q": "permits", "more": "nope"}).status_code == 200


def test_suggestions_and_similar_repositories(live):
    client, _ = live
    assert "permits" in client.get("/api/v1/suggest", params={"q": "perm"}).json()["suggestions"]
    assert client.get("/api/v1/suggest", params={"q": "x" * 300}).status_code == 400
    items = client.get("/api/v1/repositories", params={"q": "covid self assessment"}).json()[
        "items"
    ]
    first = items[0]["id"]
    similar = client.get(f"/api/v1/repositories/{first}/similar").json()["items"]
    assert [i["name"] for i in similar] == ["covid-old"]
    assert "covid-old" in client.get(f"/repositories/{first}").text
    assert client.get("/api/v1/repositories/999999/similar").status_code == 404


def test_health_answers_from_memory(live):
    client, _ = live
    assert client.get("/healthz").json() == {"status": "ok", "indexed": 16}
