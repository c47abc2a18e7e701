"""``/api/v1/repositories/{id}`` says what the repository page says (issue 8 item 7)."""

from __future__ import annotations

import html

import httpx
import pytest

from registry.db import session_scope
from registry.services import repositories
from tests import factories
from tests.conftest import LiveServer

MISMATCH = "publiccode.yml declares GPL-3.0-only but the file headers say GPL-3.0-or-later"
EVIDENCE = {
    "source": "file",
    "path": "LICENSE",
    "spdx": "GPL-3.0-or-later",
    "confidence": 0.97,
    "detail": "LICENSE matches GPL-3.0 with the or-later notice",
}
SIGNAL = {
    "name": "releases",
    "value": "12",
    "points": 0.8,
    "weight": 2.0,
    "explanation": "12 releases in two years",
}
PUBLICCODE = {
    "version": "0.4",
    "valid": False,
    "name": "covid",
    "problems": [
        {"key": "legal.license", "message": "not an SPDX id", "line": 7, "severity": "error"}
    ],
}


@pytest.fixture
def world(settings, engine):
    upstream = factories.record(
        "ahs",
        "covid-self-assessment",
        licence="GPL-3.0-or-later",
        licence_evidence=[EVIDENCE],
        licence_mismatches=[MISMATCH],
        maturity_signals=[SIGNAL],
        truncated=True,
        publiccode=PUBLICCODE,
    )
    copy = factories.record("ods", "covid-ontario")
    copy.reuse = [factories.fork_claim(copy, upstream)]
    ids = {
        "upstream": factories.store(engine, upstream, agency="ahs").repository_id,
        "copy": factories.store(engine, copy, agency="ods").repository_id,
    }
    with session_scope(engine) as session:  # a later crawl failed: the last good record stays
        repositories.record_failure(
            session,
            html_url=upstream.html_url,
            error="clone timed out after 300 s",
            now=factories.NOW,
        )
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        yield client, ids


def test_the_detail_carries_reuse_both_ways_evidence_signals_truncation_and_errors(world):
    client, ids = world
    up = client.get(f"/api/v1/repositories/{ids['upstream']}").json()
    copy = client.get(f"/api/v1/repositories/{ids['copy']}").json()
    [edge] = up["reused_by"]
    assert edge["kind"] == "fork" and edge["direction"] == "reused_by"
    assert edge["repository_id"] == ids["copy"] and edge["name"] == "ods/covid-ontario"
    assert edge["evidence"] == "test" and edge["confidence"] == 1.0
    [back] = copy["reuses"]
    assert back["direction"] == "reuses" and back["repository_id"] == ids["upstream"]
    assert back["url"] == "github.example/ahs/covid-self-assessment"
    assert up["reuses"] == [] and copy["reused_by"] == []
    assert up["licence_evidence"] == [EVIDENCE] and up["licence_mismatches"] == [MISMATCH]
    assert up["maturity_signals"] == [SIGNAL]
    assert up["truncated"] is True and copy["truncated"] is False
    assert up["crawl_error"] == "clone timed out after 300 s" and copy["crawl_error"] is None
    assert up["publiccode"] == {
        "version": "0.4",
        "valid": False,
        "problems": [
            {"key": "legal.license", "message": "not an SPDX id", "line": 7, "severity": "error"}
        ],
        "contacts": [],
    }
    assert copy["publiccode"] is None


def test_what_the_page_shows_the_api_shows(world):
    client, ids = world
    page = html.unescape(client.get(f"/repositories/{ids['upstream']}").text)
    body = client.get(f"/api/v1/repositories/{ids['upstream']}").json()
    shown = [
        MISMATCH,
        EVIDENCE["detail"],
        SIGNAL["explanation"],
        "ods/covid-ontario",
        "clone timed out after 300 s",
        "not an SPDX id",
    ]
    for text in shown:
        assert text in page and text in str(body), text
    assert "more files than govcode reads" in page and body["truncated"] is True


def test_the_openapi_document_describes_the_detail(world):
    client, ids = world
    doc = client.get("/api/v1/openapi.json").json()
    path = doc["paths"]["/api/v1/repositories/{id}"]["get"]["responses"]["200"]
    ref = path["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    body = client.get(f"/api/v1/repositories/{ids['upstream']}").json()
    assert set(body) == set(schema["properties"])
    assert set(schema["required"]) <= set(body)
    for name in ("ReuseEdgePublic", "LicenceEvidencePublic", "MaturitySignalPublic"):
        assert name in doc["components"]["schemas"]
    edge = doc["components"]["schemas"]["ReuseEdgePublic"]["properties"]
    assert {"kind", "direction", "evidence", "confidence"} <= set(edge)
