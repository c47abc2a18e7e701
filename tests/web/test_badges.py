"""A repository's badge: an SVG a README can embed, with its words for screen readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from tests import factories
from tests.conftest import LiveServer
from web.routes.badges import badge_text

SVG = "{http://www.w3.org/2000/svg}"


def test_the_badge_names_maturity_and_reuse(settings, engine):
    f = factories
    tool = f.record("ahs", "covid-tool", maturity_level="stable")
    f.store(engine, tool)
    for reuser in ("ontario", "quebec"):
        fork = f.record(reuser, "covid-tool")
        fork.reuse = [f.fork_claim(fork, tool)]
        f.store(engine, fork)
    f.store(engine, f.record("city", "lonely", maturity_level="concept"))
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        reused = client.get("/badge/ahs/covid-tool.svg")
        lonely = client.get("/badge/city/lonely.svg")
        missing = client.get("/badge/nobody/nothing.svg")
        page = client.get("/repositories/1").text
    assert reused.status_code == 200 and reused.headers["content-type"] == "image/svg+xml"
    assert "max-age" in reused.headers["cache-control"]
    svg = ET.fromstring(reused.content)  # well-formed XML
    assert svg.get("aria-label") == "govcode: stable · reused 2 times"
    assert svg.find(f"{SVG}title").text == "govcode: stable · reused 2 times"
    assert ET.fromstring(lonely.content).get("aria-label") == "govcode: concept"
    assert missing.status_code == 404
    assert f"[![govcode]({live.url}/badge/ahs/covid-tool.svg)]({live.url}/repositories/1)" in page


def test_badge_words():
    assert badge_text("beta", 0) == "beta"
    assert badge_text("beta", 1) == "beta · reused once"
    assert badge_text("stable", 12) == "stable · reused 12 times"
