"""One body is one agency: imported records matched by identifiers, website host and
normalised name, across inventories (the US Treasury of government.github.com and of
code.gov is one agency)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from crawlers.inventories import AgencyEntry, SourceEntry, parse_governments_yml
from crawlers.inventories.codejson import parse_code_gov_agencies
from registry.db import session_scope
from registry.models import Agency, AgencyIdentifier, Source
from registry.services.agency_matching import normalised_name
from registry.services.inventories import count_rows, import_agencies
from registry.settings import Settings

API = {"github_api_url": "https://api.github.com", "gitlab_url": "https://gitlab.com"}


def _import(engine, records):
    with session_scope(engine) as session:
        return import_agencies(session, records, settings=Settings(environment="test", **API))


def _gh(login: str, country: str = "US") -> AgencyEntry:
    source = SourceEntry("github", login, "github.com")
    return AgencyEntry(f"gh:{login.lower()}", login, country, "federal", None, (source,))


def test_names_are_compared_without_their_country_prefix_case_or_punctuation():
    treasury = normalised_name("Department of the Treasury", "US")
    assert normalised_name("US-Department-of-the-Treasury", "US") == treasury
    assert normalised_name("U.S. Department of the Treasury", "US") == treasury
    assert normalised_name("Ministère de l'Économie", "FR") == "ministere de l economie"
    assert normalised_name("US", "US") == "us"  # a name that is only a prefix stays


def test_the_same_body_from_two_inventories_is_one_agency(engine):
    codegov = AgencyEntry("us-codegov:treasury", "Department of the Treasury", "US", "federal",
                          "https://www.treasury.gov/", (), {"en": "Department of the Treasury"},
                          {"us_acronym": "treasury"})  # fmt: skip
    nasa = AgencyEntry("us-codegov:nasa", "National Aeronautics and Space Administration",
                       "US", "federal", "https://www.nasa.gov", (), {},
                       {"us_acronym": "NASA"})  # fmt: skip
    _import(engine, [codegov, nasa])
    report = _import(engine, [_gh("US-Department-of-the-Treasury"), _gh("nasa"), _gh("usagov")])
    assert (report.agencies_new, report.sources_new) == (1, 3)  # only usagov is new
    # The same facts by website host (a hand-made record) and by identifier.
    by_host = AgencyEntry("x:t", "Treasury (hand list)", "US", None, "https://treasury.gov/code")
    by_id = AgencyEntry("y:n", "Space agency", None, None, None, (), {}, {"us_acronym": "nasa"})
    assert _import(engine, [by_host, by_id]).agencies_new == 0
    with Session(engine) as session:
        rows = session.exec(select(Agency)).all()
        assert len(rows) == 3
        treasury = next(a for a in rows if a.external_key == "us-codegov:treasury")
        logins = {s.locator for s in session.exec(select(Source)) if s.agency_id == treasury.id}
        assert {login.lower() for login in logins} == {"us-department-of-the-treasury"}
        assert treasury.name == "Department of the Treasury"  # the first inventory's name
        ids = {(i.scheme, i.value) for i in session.exec(select(AgencyIdentifier))}
        assert ids == {("us_acronym", "TREASURY"), ("us_acronym", "NASA")}
    again = _import(engine, [_gh("US-Department-of-the-Treasury"), _gh("nasa"), _gh("usagov")])
    assert (again.agencies_new, again.sources_new) == (0, 0)


def test_records_of_one_inventory_are_never_merged_and_other_countries_stay_apart(engine):
    report = _import(engine, [
        AgencyEntry("x:1", "City of Example", "US", "city"),
        AgencyEntry("x:2", "City of Example", "US", "city"),
        AgencyEntry("y:1", "City of Example", "GB"),
    ])  # fmt: skip
    assert report.agencies_new == 3
    # A later inventory names "City of Example" in the US: two agencies have that name, so
    # it is ambiguous and matches neither.
    assert _import(engine, [AgencyEntry("z:1", "City of Example", "US")]).agencies_new == 1


def test_an_identifier_another_agency_holds_is_reported_not_moved(engine):
    _import(engine, [AgencyEntry("a:1", "Agency One", "US", None, None, (), {},
                                 {"us_acronym": "ONE"})])  # fmt: skip
    report = _import(engine, [AgencyEntry("a:2", "Agency Two", "US", None, None, (), {},
                                          {"us_acronym": "ONE", "siren": "123"})])  # fmt: skip
    assert report.agencies_new == 1
    assert any("belongs to Agency One" in p for p in report.problems)
    assert any("not a valid SIREN" in p for p in report.problems)


def test_real_lists_treasury_once(engine, shared_data: Path):
    governments = (shared_data / "government-github" / "governments.yml").read_bytes()
    metadata = shared_data / "code-json" / "gsa-code-gov-data" / "agency_metadata.json"
    _import(engine, parse_governments_yml(governments).agencies)
    with Session(engine) as session:
        before, _ = count_rows(session)
    report = _import(engine, parse_code_gov_agencies(metadata.read_bytes()).agencies)
    with Session(engine) as session:
        after, _ = count_rows(session)
        treasuries = [a for a in session.exec(select(Agency)) if "treasury" in a.name.lower()
                      and a.country == "US"]  # fmt: skip
    assert after - before == report.agencies_new < 30  # some code.gov agencies matched
    # The login government.github.com gives as a name yields to code.gov's name.
    assert [t.name for t in treasuries] == ["Department of the Treasury"]
    assert treasuries[0].homepage == "https://www.treasury.gov/"
    again = _import(engine, parse_code_gov_agencies(metadata.read_bytes()).agencies)
    assert again.agencies_new == 0
