"""Saved-search Atom feeds: /feeds/search.atom?<the search page's query> lists the new
repositories matching that search, newest first; the results page links to it."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

import httpx
import pytest

from tests import factories as f
from tests.conftest import LiveServer

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(body: bytes) -> list[str]:
    root = ElementTree.fromstring(body)
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


@pytest.fixture
def world(settings, engine):
    covid = {"description": "COVID-19 self assessment", "topics": ["covid"]}
    # govcode first sees them in this order (first_seen_at is the time of the first store)
    f.store(engine, f.record("ahs", "covid-old", **covid), agency="ahs", country="ca")
    f.store(engine, f.record("gds", "covid-uk", **covid), agency="gds", country="gb")
    f.store(engine, f.record("ahs", "covid-new", **covid, languages=[("Go", 10, 1.0)]),
            agency="ahs", country="ca")  # fmt: skip
    f.store(engine, f.record("gds", "payments", description="Pay for things"), agency="gds",
            country="gb")  # fmt: skip
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as c:
        live.wait_indexed(lambda: live.app.state.index.count() == 4)
        yield live, c


@pytest.fixture
def client(world):
    return world[1]


def test_a_search_feed_lists_its_new_matches_newest_first(client):
    r = client.get("/feeds/search.atom", params={"q": "covid"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    assert _entries(r.content) == ["Ahs: ahs/covid-new", "Gds: gds/covid-uk", "Ahs: ahs/covid-old"]
    only_ca = client.get("/feeds/search.atom", params={"q": "covid", "country": "ca"})
    assert _entries(only_ca.content) == ["Ahs: ahs/covid-new", "Ahs: ahs/covid-old"]
    go = client.get("/feeds/search.atom", params=[("q", "covid"), ("language", "Go")])
    assert _entries(go.content) == ["Ahs: ahs/covid-new"]
    everything = client.get("/feeds/search.atom")
    assert _entries(everything.content)[0] == "Gds: gds/payments"
    assert len(_entries(everything.content)) == 4
    root = ElementTree.fromstring(only_ca.content)
    alternate = [e.get("href") for e in root.iter(f"{ATOM}link") if e.get("rel") == "alternate"]
    assert alternate[0].endswith("/?q=covid&country=ca")  # the search page itself


def test_the_results_page_links_to_its_feed(client):
    page = client.get("/", params=[("q", "covid"), ("country", "ca"), ("page", "1")]).text
    links = {html.unescape(h) for h in re.findall(r'href="(/feeds/search\.atom[^"]*)"', page)}
    assert links == {"/feeds/search.atom?q=covid&country=ca"}  # in <head> and in the page
    assert "Follow this search (Atom)" in page
    followed = client.get(links.pop())
    assert _entries(followed.content) == ["Ahs: ahs/covid-new", "Ahs: ahs/covid-old"]


def test_a_feed_reader_gets_304_until_something_new_is_indexed(world, engine):
    live, client = world
    first = client.get("/feeds/search.atom", params={"q": "covid"})
    tag = first.headers["etag"]
    again = client.get("/feeds/search.atom", params={"q": "covid"}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    f.store(engine, f.record("cds", "covid-alert", description="COVID exposure notification"),
            agency="cds", country="ca")  # fmt: skip

    def fresh() -> bool:
        r = client.get("/feeds/search.atom", params={"q": "covid"}, headers={"If-None-Match": tag})
        return r.status_code == 200 and _entries(r.content)[0] == "Cds: cds/covid-alert"

    live.wait_indexed(fresh)


def test_the_api_gives_the_same_feed(client):
    body = client.get("/api/v1/repositories", params={"q": "covid", "country": "ca",
                                                       "per_page": "1"}).json()  # fmt: skip
    assert body["feed_url"] == f"{client.base_url}/feeds/search.atom?q=covid&country=ca"


def test_any_query_text_makes_a_well_formed_feed(client):
    r = client.get("/feeds/search.atom", params={"q": "covid\x01\x1b <&> \ud7ff"})
    assert r.status_code == 200
    root = ElementTree.fromstring(r.content)
    assert "<&>" in (root.findtext(f"{ATOM}title") or "")


def test_a_bad_search_is_refused_clearly(client):
    r = client.get("/feeds/search.atom", params={"sort": "sideways"})
    assert r.status_code == 400 and "sort must be" in r.text
