"""Exports other catalogues can read, streamed, and feeds of new repositories."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from registry.services import exports
from tests import factories
from tests.conftest import LiveServer

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "code-json" / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def catalogue(engine):
    f = factories
    contacts = {"contacts": [{"name": "Dr A", "email": "maintainer@ahs.example"}]}
    f.store(engine, f.record("ahs", "covid", licence="MIT", topics=["covid", "health"],
                             publiccode=contacts,
                             languages=[("JavaScript", 900, 0.9), ("CSS", 100, 0.1)],
                             maturity_level="stable"), agency="ahs", country="CA")  # fmt: skip
    f.store(engine, f.record("ahs", "internal", licence=None, licence_status="none"),
            agency="ahs", country="CA", now=f.NOW + timedelta(days=1))  # fmt: skip
    f.store(engine, f.record("gds", "frontend", licence="MIT AND OGL-UK-3.0",
                             homepage="javascript:alert(1)", archived=True),
            agency="gds", country="GB", now=f.NOW + timedelta(days=2))  # fmt: skip
    return engine


def test_catalogue_reads_in_batches_in_id_order(catalogue):
    with Session(catalogue) as session:
        rows = list(exports.catalogue(session, batch=2))
        canada = list(exports.catalogue(session, country="ca", batch=1))
    assert [r.repo.name for r in rows] == ["covid", "internal", "frontend"]
    assert rows[0].languages[0] == ("JavaScript", 900, 0.9)
    assert [r.repo.name for r in canada] == ["covid", "internal"]


def test_code_json_is_valid_version_two_for_the_catalogue_and_per_agency(settings, catalogue):
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        whole = client.get("/export/code.json")
        ahs = client.get("/agencies/ahs/code.json").json()
        missing = client.get("/agencies/nobody/code.json")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("application/json")
    doc = whole.json()
    assert doc["version"] == "2.0.0" and len(doc["releases"]) == 3
    covid, internal, frontend = doc["releases"]
    assert covid["permissions"] == {"licenses": [{"name": "MIT",
        "URL": "https://spdx.org/licenses/MIT.html"}], "usageType": "openSource"}  # fmt: skip
    assert covid["status"] == "Production" and covid["languages"] == ["JavaScript", "CSS"]
    assert covid["contact"]["email"] == "maintainer@ahs.example"  # publiccode.yml's contact
    assert internal["contact"]["email"] == settings.contact_email  # nobody named: ours
    assert internal["permissions"] == {"licenses": None, "usageType": "governmentWideReuse"}
    assert frontend["status"] == "Archival" and "homepageURL" not in frontend  # not a web URL
    assert [r["name"] for r in ahs["releases"]] == ["covid", "internal"]
    assert missing.status_code == 404
    schema_file = SCHEMAS / "gsa-code-gov-data" / "schema-2.0.0.json"
    if not schema_file.exists():
        pytest.skip("../shared/data is absent: the schema check needs it")
    import jsonschema

    schema = json.loads(schema_file.read_text())
    checker = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    for document in (doc, ahs):
        errors = [f"{list(e.path)}: {e.message}" for e in checker.iter_errors(document)]
        assert errors == []


def test_csv_and_json_lines_carry_the_same_rows(settings, catalogue):
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        table = client.get("/export/repositories.csv")
        lines = client.get("/export/repositories.jsonl", params={"country": "GB"})
        bad = client.get("/export/repositories.csv", params={"country": "Canada"})
    assert table.headers["content-disposition"] == 'attachment; filename="repositories.csv"'
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [r["full_name"] for r in rows] == ["ahs/covid", "ahs/internal", "gds/frontend"]
    assert rows[0]["topics"] == "covid;health" and rows[0]["country"] == "CA"
    (only,) = [json.loads(line) for line in lines.text.splitlines()]
    assert only["full_name"] == "gds/frontend" and only["archived"] is True
    assert only["languages"] == [{"language": "Python", "bytes": 1000, "share": 1.0}]
    assert bad.status_code == 400 and "ISO 3166-1 alpha-2" in bad.text


def test_new_repositories_feed_newest_first_per_scope(settings, catalogue):
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        everything = ET.fromstring(client.get("/feeds/new.atom").content)
        canada = ET.fromstring(client.get("/feeds/new.atom", params={"country": "CA"}).content)
        agency = client.get("/feeds/new.atom", params={"agency": "nobody"})
    titles = [e.find(f"{ATOM}title").text for e in everything.iter(f"{ATOM}entry")]
    assert [t.split(": ")[1] for t in titles] == ["gds/frontend", "ahs/internal", "ahs/covid"]
    assert len(list(canada.iter(f"{ATOM}entry"))) == 2
    assert agency.status_code == 404
