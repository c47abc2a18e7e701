"""One spelling per country wherever it enters: hand entries, importers, the demo."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from crawlers.inventories.entries import AgencyEntry
from registry.db import session_scope
from registry.errors import BadRequest
from registry.models import Agency
from registry.services import agencies
from registry.services.inventories import import_agencies
from registry.settings import Settings


def test_country_codes_are_iso_alpha_2_in_upper_case():
    assert agencies.country_code("ca") == agencies.country_code(" CA ") == "CA"
    assert agencies.country_code("xk") == "XK"  # Kosovo, user-assigned but universal
    assert agencies.country_code(None) is None and agencies.country_code("") is None
    for bad in ("Canada", "CAN", "XX", "U.K.", "uk", "1A"):
        with pytest.raises(BadRequest, match="ISO 3166-1 alpha-2"):
            agencies.country_code(bad)


def test_importers_store_one_case_and_report_what_is_not_a_country(engine):
    records = [
        AgencyEntry("gh:ahs", "Alberta Health Services", "ca"),
        AgencyEntry("ore:ahs", "Statistics Canada", "CA"),
        AgencyEntry("x:uk", "Somewhere", "UK"),  # GB is the code
    ]
    with session_scope(engine) as session:
        report = import_agencies(session, records, settings=Settings(environment="test"))
    assert report.problems == [
        "x:uk: country 'UK' is not an ISO 3166-1 alpha-2 code; stored without a country"
    ]
    with Session(engine) as session:
        stored = sorted((a.name, a.country) for a in session.exec(select(Agency)).all())
    assert stored == [
        ("Alberta Health Services", "CA"), ("Somewhere", None), ("Statistics Canada", "CA")
    ]  # fmt: skip
