"""The home, results, agency, country and licence pages, each checked against its API twin:
the same counts, the same repositories, the chips and sort a person relies on."""

from __future__ import annotations

import re

import httpx
import pytest

from registry.db import session_scope
from registry.services import repositories, reuse
from tests import factories as f
from tests.conftest import LiveServer


@pytest.fixture
def live(settings, engine):
    original = f.record("ahs", "covid-self-assessment", description="COVID-19 self assessment",
                        maturity_level="stable", stars=40)  # fmt: skip
    f.store(engine, original, agency="ahs", country="ca")
    fork = f.record("ods", "covid-self-assessment", description="COVID-19 self assessment",
                    is_fork=True, parent_url=original.html_url, licence="Apache-2.0",
                    licence_label="Apache-2.0", stars=3)  # fmt: skip
    f.store(engine, fork, agency="ods", country="ca")
    f.store(engine, f.record("ahs", "covid-old", description="COVID-19 old tool", archived=True),
            agency="ahs", country="ca")  # fmt: skip
    for i in range(25):
        f.store(engine, f.record(f"town-{i:02d}", f"permits-{i:02d}", stars=i,
                description="building permits"), agency=f"town-{i:02d}", country="gb")  # fmt: skip
    with session_scope(engine) as session:
        reuser = repositories.find(session, "ods/covid-self-assessment")
        reuse.record_claims(session, repository=reuser, claims=[f.fork_claim(fork, original)],
                            now=f.NOW)  # fmt: skip
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as c:
        server.wait_indexed(lambda: c.get("/api/v1/repositories").json()["total"] == 28)
        yield c


def test_home_shows_the_counts_newest_and_most_reused_from_the_api(live):
    stats = live.get("/api/v1/stats").json()
    assert (stats["repositories"], stats["agencies"], stats["countries"]) == (28, 27, 2)
    assert stats["reuse_edges"] == 1
    assert stats["most_reused"][0]["repository"]["full_name"] == "ahs/covid-self-assessment"
    assert stats["most_reused"][0]["times_reused"] == 1
    page = live.get("/").text
    assert 'role="search"' in page
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert counts == {"repositories": "28", "agencies": "27", "countries": "2", "reuse_edges": "1"}
    recent = [i["full_name"] for i in stats["recently_added"]]
    assert len(recent) == 8 and all(name in page for name in recent)
    assert "reused by 1 repository" in page


def test_results_show_origins_archived_chips_and_where_you_are(live):
    body = live.get("/api/v1/repositories", params={"q": "covid"}).json()
    items = {i["full_name"]: i for i in body["items"]}
    origin = items["ods/covid-self-assessment"]["origins"]
    assert [(o["kind"], o["name"], o["url"]) for o in origin] == [
        ("fork", "ahs/covid-self-assessment", "github.example/ahs/covid-self-assessment")
    ]
    assert origin[0]["repository_id"] == items["ahs/covid-self-assessment"]["id"]
    assert items["ahs/covid-old"]["status"] == "archived"
    assert items["ahs/covid-old"]["highlight"]["description"] == "<mark>COVID</mark>-19 old tool"
    assert "snippet" not in items["ahs/covid-old"]  # one way to show matches: the highlight

    page = live.get("/", params={"q": "covid", "sort": "stars", "licence": "MIT"}).text
    assert page.count('class="badge archived"') == 1
    assert "<mark>COVID</mark>-19 old tool" in page
    chips = re.findall(r'<a class="chip" href="([^"]+)"', page)
    assert chips == ["/?q=covid&amp;sort=stars"]  # removing the one filter keeps the sort
    # the facet form carries the sort too, so applying filters keeps it
    form = page.split('class="facets"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="sort" value="stars">' in form

    unfiltered = live.get("/", params={"q": "covid"}).text
    assert "Forked from" in unfiltered
    origin_link = f'href="/repositories/{items["ahs/covid-self-assessment"]["id"]}"'
    assert f"{origin_link}>ahs/covid-self-assessment</a>" in unfiltered

    second = live.get("/", params={"q": "permits", "page": 2}).text
    assert "Results 21–25 of 25 · page 2 of 2" in second
    assert "<details" in second


def test_agency_page_shows_reuse_both_ways_and_its_sources(live):
    ahs = live.get("/api/v1/agencies/ahs").json()
    assert [r["full_name"] for r in ahs["repositories"]] == [
        "ahs/covid-old", "ahs/covid-self-assessment"
    ]  # fmt: skip
    assert [(e["kind"], e["other_name"]) for e in ahs["reuse_given"]] == [
        ("fork", "ods/covid-self-assessment")
    ]
    assert ahs["reuse_received"] == []
    ods = live.get("/api/v1/agencies/ods").json()
    assert [e["repository"] for e in ods["reuse_received"]] == ["ods/covid-self-assessment"]
    page = live.get("/agencies/ahs").text
    given = page.split('class="reuse-given"', 1)[1].split("</ul>", 1)[0]
    assert "ods/covid-self-assessment" in given and "forked" in given
    assert live.get("/api/v1/agencies/nobody").status_code == 404


def test_country_and_licence_pages_list_what_the_api_lists(live):
    ca = live.get("/api/v1/countries/ca").json()
    assert [a["slug"] for a in ca["agencies"]] == ["ahs", "ods"]
    assert ca["repositories"]["total"] == 3 and ca["name"] == "Canada"
    page = live.get("/countries/CA").text
    assert "<h1>Canada</h1>" in page
    assert all(i["full_name"] in page for i in ca["repositories"]["items"])
    assert live.get("/countries/ZZ").status_code == 404
    assert live.get("/countries/FR").status_code == 404  # a country with nothing listed
    assert {c["code"] for c in live.get("/api/v1/countries").json()} == {"CA", "GB"}

    apache = live.get("/api/v1/licences/Apache-2.0").json()
    assert apache["repositories"]["total"] == 1
    conditions = {d["tag"] for d in apache["duties"]["options"][0]["conditions"]}
    assert "document-changes" in conditions
    page = live.get("/licences/Apache-2.0").text
    assert "What the licence asks of you" in page and "ods/covid-self-assessment" in page
    mit = live.get("/licences/MIT", params={"page": 2}).text
    assert "Results 21–27 of 27 · page 2 of 2" in mit
    assert live.get("/licences/Not-A-Licence").status_code == 404
    assert live.get("/api/v1/licences/MIT", params={"page": "x"}).status_code == 400


def test_the_catalogue_answers_match_their_openapi_schemas(live):
    import jsonschema

    doc = live.get("/api/v1/openapi.json").json()
    ids = {i["full_name"]: i["id"] for i in live.get("/api/v1/repositories").json()["items"]}
    assert ids
    for path, template in [
        ("/api/v1/stats", "/api/v1/stats"),
        ("/api/v1/agencies/ahs", "/api/v1/agencies/{slug}"),
        ("/api/v1/countries", "/api/v1/countries"),
        ("/api/v1/countries/GB", "/api/v1/countries/{code}"),
        ("/api/v1/licences/MIT", "/api/v1/licences/{spdx}"),
        ("/api/v1/licences/none", "/api/v1/licences/{spdx}"),
    ]:
        content = doc["paths"][template]["get"]["responses"]["200"]["content"]
        schema = {**content["application/json"]["schema"], "components": doc["components"]}
        jsonschema.validate(live.get(path).json(), schema)


def test_odd_names_in_paths_are_404s_or_pages_never_errors(live):
    odd = ["(", "MIT AND", "MIT OR (", "%00", "é", "x" * 300, "LicenseRef-Crown", "none", "NONE"]
    for value in odd:
        for prefix in ("/licences/", "/api/v1/licences/", "/countries/", "/api/v1/countries/",
                       "/agencies/", "/api/v1/agencies/"):  # fmt: skip
            response = live.get(prefix + value)
            assert response.status_code in (200, 404), (prefix, value, response.status_code)
            if prefix.startswith("/api/") and response.status_code == 404:
                assert response.headers["content-type"].startswith("application/problem+json")


def test_the_home_page_costs_the_same_queries_for_a_small_and_a_large_catalogue(settings, engine):
    from tests.web.test_query_counts import QueryCounter

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            rec = f.record(f"town-{i:02d}", f"permits-{i:02d}", readme_source="x" * 10_000)
            f.store(engine, rec, agency=f"town-{i:02d}", country="gb")

    add(0, 2)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as c:
        counter = QueryCounter(server.app.state.engine)
        few = counter.during(lambda: c.get("/"))
        add(2, 20)
        many = counter.during(lambda: c.get("/"))
        assert c.get("/api/v1/stats").json()["repositories"] == 22
    assert len(many) == len(few)
    assert not any("readme_source" in s for s in many)
