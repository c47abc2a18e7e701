"""Inventories into the registry: real lists imported twice, copies, defects, dry runs, and
publiccode.yml lists fetched from a local web server through the URL policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from crawlers.inventories import AgencyEntry, SourceEntry, parse_governments_yml, parse_ore
from crawlers.inventories.fetch import fetch_url, read_publiccode_list, url_fetcher
from registry.db import session_scope
from registry.errors import CrawlError, UnsafeURLError
from registry.models import Agency, Source
from registry.services import agencies
from registry.services.inventories import count_rows, import_agencies
from registry.settings import Settings
from tests.fakes.static_http import StaticServer
from tests.story_helpers import govcode

API = {"github_api_url": "https://api.github.com", "gitlab_url": "https://gitlab.com"}


def _import(engine, records):
    with session_scope(engine) as session:
        return import_agencies(session, records, settings=Settings(environment="test", **API))


def test_governments_yml_imports_once(engine, shared_data: Path) -> None:
    data = (shared_data / "government-github" / "governments.yml").read_bytes()
    listed = {login.lower() for logins in yaml.safe_load(data).values() for login in logins or []}
    first = _import(engine, parse_governments_yml(data).agencies)
    assert (first.agencies_new, first.sources_new, first.problems) == (len(listed), 956, [])
    again = _import(engine, parse_governments_yml(data).agencies)
    assert (again.agencies_new, again.agencies_updated, again.sources_new) == (0, 0, 0)
    assert again.sources_existing == 956
    with Session(engine) as session:
        assert count_rows(session) == (956, 956)
        stored = {s.locator.lower() for s in session.exec(select(Source))}
        slugs = [a.slug for a in session.exec(select(Agency))]
        alphagov = session.exec(select(Agency).where(Agency.external_key == "gh:alphagov")).one()
    assert stored == listed and len(set(slugs)) == len(slugs) == 956
    assert (alphagov.slug, alphagov.country) == ("alphagov", "GB")


def test_code_json_indexes_copies_and_the_invalid_one(
    monkeypatch, settings, engine, shared_data: Path
) -> None:
    files = sorted((shared_data / "code-json" / "dsacms-code-gov" / "agency-indexes").glob("*"))
    named, invalid = set(), []
    for path in files:
        try:
            named.add(json.loads(path.read_bytes())["agency"].lower())
        except ValueError:
            invalid.append(path.name)
    out = govcode(monkeypatch, settings, "import", "code-json", *map(str, files))
    assert invalid == ["GSA-index.json"] and "GSA-index.json" in out
    with Session(engine) as session:
        keys = [a.external_key for a in session.exec(select(Agency))]
        before = count_rows(session)
    assert sorted(keys) == sorted(f"us-codegov:{name}" for name in named)
    assert len(keys) == len(files) - 3  # two byte-identical copies, one invalid file
    # one copy alone, then the other: the second finds everything already there
    copies = [p for p in files if p.name in ("DoA-index.json", "USDA-index.json")]
    assert copies[0].read_bytes() == copies[1].read_bytes()
    for path in copies:
        govcode(monkeypatch, settings, "import", "code-json", str(path))
    with Session(engine) as session:
        assert count_rows(session) == before


def test_ore_agencies_keep_english_and_french_names(engine, shared_data: Path) -> None:
    root = shared_data / "ore" / "_data"

    def read(pattern: str) -> list[tuple[str, bytes]]:
        return [(p.relative_to(root).as_posix(), p.read_bytes()) for p in root.glob(pattern)]

    admins, codes = read("administrations/*.yml"), read("code/*/*.yml")
    found = parse_ore(admins, codes, (root / "i18n" / "provinces.yml").read_bytes())
    report = _import(engine, found.agencies)
    assert report.agencies_new == len(found.agencies) > 50
    assert _import(engine, found.agencies).agencies_new == 0
    federal = yaml.safe_load((root / "administrations" / "federal.yml").read_bytes())
    with Session(engine) as session:
        stored = {a.external_key: a for a in session.exec(select(Agency))}
    for admin in federal:
        if not str(admin.get("code", "")).startswith("test"):
            agency = stored[f"ore:{admin['code'].lower()}"]
            assert agency.names == {"en": admin["name"]["en"], "fr": admin["name"]["fr"]}
    assert stored["ore:tbs-sct"].names["fr"].startswith("Secrétariat du Conseil du Trésor")


def test_dry_run_writes_nothing(monkeypatch, settings, engine, shared_data: Path) -> None:
    path = shared_data / "government-github" / "governments.yml"
    out = govcode(monkeypatch, settings, "import", "governments", str(path), "--dry-run")
    assert "956" in out and "dry run" in out
    with Session(engine) as session:
        assert count_rows(session) == (0, 0)
    govcode(monkeypatch, settings, "import", "governments", str(path))
    with Session(engine) as session:
        assert count_rows(session) == (956, 956)


def test_hand_registered_agency_is_adopted_and_facts_update(engine) -> None:
    with session_scope(engine) as session:
        hand = agencies.ensure_agency(session, slug="alberta-health", name="Alberta Health")
        agencies.ensure_source(
            session, agency=hand, kind="github", locator="AHS", api_url=API["github_api_url"]
        )
    ahs = AgencyEntry("gh:ahs", "ahs", "CA", None, None, (SourceEntry("github", "ahs", "x"),))
    twins = [
        AgencyEntry("x:1", "City of Example", "US", "city", None, ()),
        AgencyEntry("x:2", "City of Example", "GB", None, None, ()),
    ]
    report = _import(engine, [ahs, *twins])
    assert (report.agencies_new, report.agencies_updated, report.sources_existing) == (2, 1, 1)
    moved = AgencyEntry("x:1", "City of Example", "US", "city", "https://ex.gov", (), {"fr": "V"})
    assert _import(engine, [moved]).agencies_updated == 1
    with Session(engine) as session:
        rows = {a.external_key: a for a in session.exec(select(Agency))}
    assert rows["gh:ahs"].slug == "alberta-health" and rows["gh:ahs"].name == "Alberta Health"
    assert rows["gh:ahs"].country == "CA"
    assert (rows["x:1"].slug, rows["x:2"].slug) == ("city-of-example", "city-of-example-2")
    assert (rows["x:1"].homepage, rows["x:1"].names) == ("https://ex.gov", {"fr": "V"})


_PUBLICCODE = """publiccodeYmlVersion: "0.4"
name: {name}
url: "https://code.example.gov/{org}/{name}.git"
organisation:
  name: {org_name}
  uri: "urn:x-italian-pa:{ipa}"
"""


def _publiccode(name: str, org: str, org_name: str, ipa: str) -> bytes:
    return _PUBLICCODE.format(name=name, org=org, org_name=org_name, ipa=ipa).encode()


def test_publiccode_list_from_a_local_server(monkeypatch, settings, engine) -> None:
    files = {
        "/a/publiccode.yml": _publiccode("permits", "milano", "Comune di Milano", "c_f205"),
        "/b/publiccode.yml": _publiccode("parking", "milano", "Comune di Milano", "c_f205"),
        "/c/publiccode.yml": _publiccode("maps", "agid", "AgID", "agid"),
        "/broken/publiccode.yml": b"name: [unclosed\n  url: x\n",
        "/nourl/publiccode.yml": b"publiccodeYmlVersion: '0.4'\nname: x\n",
    }
    with StaticServer(files) as server:
        listing = [server.url(path) for path in files] + [
            server.url("/missing/publiccode.yml"),
            "https://10.0.0.1/publiccode.yml",
        ]
        server.files["/list.txt"] = "\n".join(listing).encode()
        allowed = settings.model_copy(update={"allow_http_hosts": [server.host]})
        out = govcode(monkeypatch, allowed, "import", "publiccode-list", server.url("/list.txt"))
        assert "/10.0.0.1/publiccode.yml" not in server.requests
    for broken in ("/broken/", "/nourl/", "/missing/", "10.0.0.1"):
        assert broken in out
    with Session(engine) as session:
        rows = {a.external_key: a for a in session.exec(select(Agency))}
        sources = {s.locator: s for s in session.exec(select(Source))}
    assert set(rows) == {"it-ipa:c_f205", "it-ipa:agid"}
    assert rows["it-ipa:c_f205"].name == "Comune di Milano"
    assert sorted(sources) == [
        "https://code.example.gov/agid/maps.git",
        "https://code.example.gov/milano/parking.git",
        "https://code.example.gov/milano/permits.git",
    ]
    assert {s.kind for s in sources.values()} == {"git"}
    assert sources["https://code.example.gov/agid/maps.git"].agency_id == rows["it-ipa:agid"].id


def test_real_publiccode_files_served_locally(settings, shared_data: Path) -> None:
    folder = shared_data / "publiccode"
    files = {f"/{p.name}": p.read_bytes() for p in sorted(folder.glob("*.yml"))}
    readable = {}
    for path, data in files.items():
        try:
            readable[path] = str(yaml.safe_load(data)["url"]).strip().rstrip("/")
        except yaml.YAMLError:
            continue
    with StaticServer(files) as server:
        allowed = settings.model_copy(update={"allow_http_hosts": [server.host]})
        urls = [server.url(path) for path in files]
        found = read_publiccode_list(urls, url_fetcher(allowed), max_urls=1000)
    assert len(found.problems) == len(files) - len(readable) == 1
    assert "DAE-RespondER" in found.problems[0]
    locators = sorted(s.locator for a in found.agencies for s in a.sources)
    assert locators == sorted(set(readable.values()))
    capped = read_publiccode_list(urls, lambda url: b"", max_urls=2)
    assert "skipped" in capped.problems[0] and len(capped.problems) == 3


def test_refused_urls_make_no_request(settings) -> None:
    with StaticServer({"/ok": b"fine"}, {"/away": "http://10.0.0.1/list"}) as server:
        fetch = url_fetcher(settings.model_copy(update={"allow_http_hosts": [server.host]}))
        assert fetch(server.url("/ok")) == b"fine"
        for url in ("file:///etc/passwd", "https://10.0.0.1/list", "ext::sh -c id"):
            with pytest.raises(UnsafeURLError):
                fetch(url)
        with pytest.raises(UnsafeURLError):
            fetch(server.url("/away"))  # the redirect's target is refused before it is asked
        assert server.requests == ["/ok", "/away"]
        with pytest.raises(UnsafeURLError):  # not allow-listed: loopback is refused
            url_fetcher(settings)(server.url("/ok"))
        with pytest.raises(CrawlError, match="larger than 3 bytes"):
            fetch_url(server.url("/ok"), allow_http_hosts=[server.host], max_bytes=3)
        with pytest.raises(CrawlError, match="404"):
            fetch(server.url("/nothing"))
        assert server.requests == ["/ok", "/away", "/ok", "/nothing"]
