"""English and French: catalogues complete, the language negotiated and switchable, content
in another language marked, dates and numbers as the locale writes them, descriptions in
the visitor's language."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from crawlers.inventories import parse_ore
from registry import access, i18n, identifiers, source_kinds
from registry.db import session_scope
from registry.notify.channels import CHANNELS
from registry.services import inventories, repositories
from tests import factories as f
from tests.conftest import LiveServer
from tests.i18n_check import extracted, problems
from web import i18n as web_i18n
from web.i18n import COOKIE

FR = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
PUBLICCODE = {
    "version": "0.4",
    "valid": True,
    "descriptions": {
        "en": {"short": "Book a vaccination appointment", "long": "", "features": []},
        "fr": {"short": "Prendre rendez-vous pour une vaccination", "long": "", "features": []},
    },
}


def test_every_catalogue_is_complete_and_holds_every_string_of_the_code():
    """A new English string without its translation, or a fuzzy one, fails here."""
    wanted = extracted()
    assert ("", "Find public-sector code to reuse") in {(c or "", m) for c, m in wanted}
    for lang in i18n.available():
        if lang == i18n.SOURCE:
            continue
        assert problems(i18n.catalogue_path(lang)) == [], lang


def test_the_labels_of_the_domain_tables_are_in_the_catalogue():
    from web.labels import TABLE_LABELS

    labels = (
        [r.label for r in access.ROLES.values()]
        + list(access.SCOPES.values())
        + [s.label for s in identifiers.SCHEMES.values()]
        + list(identifiers.LEVELS.values())
        + [k.label for k in source_kinds.KINDS.values()]
        + [t for c in CHANNELS.values() for t in (c.title, c.choice)]
    )
    assert sorted(set(labels) - set(TABLE_LABELS)) == []
    french = i18n.translations("fr")
    assert french.gettext("GitHub organisation") == "Organisation GitHub"


def test_languages_are_discovered_from_the_catalogue_files(tmp_path: Path):
    assert i18n.available()[0] == "en" and "fr" in i18n.available()
    shutil.copytree(i18n.LOCALE_DIR, tmp_path, dirs_exist_ok=True)
    (tmp_path / "nl" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "nl" / "LC_MESSAGES" / "messages.po").write_text('msgid ""\nmsgstr ""\n')
    (tmp_path / "xx-not-a-locale" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "xx-not-a-locale" / "LC_MESSAGES" / "messages.po").write_text("")
    found = i18n.available(tmp_path)
    assert found[0] == "en" and set(found) == {*i18n.available(), "nl"}


def test_accept_language_is_negotiated():
    offered = ("en", "fr")
    assert i18n.choose("fr-CA,fr;q=0.9,en;q=0.8", offered) == "fr"
    assert i18n.choose("de-DE, en;q=0.3, fr;q=0.7", offered) == "fr"
    assert i18n.choose("fr;q=0, en", offered) == "en"
    assert i18n.choose("es, it", offered) == "en"  # nothing offered fits: English
    assert i18n.choose("", offered) == "en" and i18n.choose(None, offered) == "en"
    assert i18n.choose("garbage;;;q=x, ,", offered) == "en"


@pytest.fixture
def live(settings, engine):
    stored = f.store(
        engine,
        f.record("sante", "vaccins", description="Book a vaccination appointment",
                 publiccode=PUBLICCODE, last_commit_at=datetime(2026, 3, 5, tzinfo=UTC),
                 stars=12345),
        agency="sante", country="ca",
    )  # fmt: skip
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as c:
        yield c, stored.repository_id


def test_a_french_visitor_gets_french_pages_from_accept_language(live):
    client, repo_id = live
    page = client.get(f"/repositories/{repo_id}", headers=FR)
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Ce que la licence vous demande" in page.text and "Réutilisation" in page.text
    assert "What the licence asks of you" not in page.text
    assert "Accept-Language" in page.headers["vary"] and "Cookie" in page.headers["vary"]
    english = client.get(f"/repositories/{repo_id}", headers=EN)
    assert '<html lang="en">' in english.text and "What the licence asks of you" in english.text


def test_the_switcher_keeps_the_choice_in_a_cookie_and_goes_back(live):
    client, repo_id = live
    page = client.get("/", params={"q": "vaccination"}, headers=EN).text
    assert 'hreflang="fr"' in page and ">Français</a>" in page
    switch = client.get("/", params={"q": "vaccination", "lang": "fr"}, headers=EN)
    assert switch.status_code == 303
    assert switch.headers["location"] == "/?q=vaccination"  # the parameter is gone
    assert f"{COOKIE}=fr" in switch.headers["set-cookie"]
    french = client.get("/", params={"q": "vaccination"}, headers=EN)  # the cookie wins
    assert '<html lang="fr">' in french.text and "1 dépôt" in french.text
    assert 'hreflang="en"' in french.text and ">English</a>" in french.text
    back = client.get(f"/repositories/{repo_id}", params={"lang": "en"})
    assert back.status_code == 303 and back.headers["location"] == f"/repositories/{repo_id}"
    assert '<html lang="en">' in client.get(f"/repositories/{repo_id}").text
    # a language without a catalogue sets nothing; the redirect never leaves the site
    odd = client.get(str(client.base_url).rstrip("/") + "//evil.example/?lang=tlh")
    assert odd.headers["location"] == "/evil.example/" and "set-cookie" not in odd.headers
    lost = client.get(str(client.base_url).rstrip("/") + "//evil.example/")  # a 404 page
    assert 'href="/evil.example/?lang=' in lost.text and 'href="//' not in lost.text


def test_etags_differ_per_language(live):
    client, _ = live
    en = client.get("/", params={"q": "vaccination"}, headers=EN)
    fr = client.get("/", params={"q": "vaccination"}, headers=FR)
    assert en.headers["etag"] != fr.headers["etag"]
    again = client.get(
        "/", params={"q": "vaccination"}, headers={**FR, "If-None-Match": en.headers["etag"]}
    )
    assert again.status_code == 200  # an English tag does not answer a French page
    same = client.get(
        "/", params={"q": "vaccination"}, headers={**FR, "If-None-Match": fr.headers["etag"]}
    )
    assert same.status_code == 304 and "Accept-Language" in same.headers["vary"]


def test_descriptions_follow_the_visitor_and_the_other_is_one_click_away(live):
    client, repo_id = live
    fr = client.get(f"/repositories/{repo_id}", headers=FR).text
    lead = fr.split('<p class="lead"', 1)[1].split("</p>", 1)[0]
    assert "Prendre rendez-vous pour une vaccination" in lead and "lang=" not in lead
    other = fr.split('<details class="descriptions">', 1)[1].split("</details>", 1)[0]
    assert '<dd lang="en">Book a vaccination appointment</dd>' in other
    assert "Anglais" in other  # the language named in the page's language
    en = client.get(f"/repositories/{repo_id}", headers=EN).text
    assert "Book a vaccination appointment" in en.split('<p class="lead"', 1)[1].split("</p>")[0]
    assert '<dd lang="fr">Prendre rendez-vous pour une vaccination</dd>' in en
    hits = client.get("/", params={"q": "vaccination"}, headers=FR).text
    assert "Prendre rendez-vous pour une vaccination" in hits


def test_dates_and_numbers_are_written_as_the_locale_writes_them(live):
    client, repo_id = live
    fr = client.get(f"/repositories/{repo_id}", headers=FR).text
    en = client.get(f"/repositories/{repo_id}", headers=EN).text
    assert "5 mars 2026" in fr and "Mar 5, 2026" in en
    assert "12\u202f345" in fr and "12,345" in en  # stars
    assert "100,0\xa0%" in fr and "100.0%" in en  # the language share


def test_text_in_another_language_is_marked(live, engine):
    client, repo_id = live
    with session_scope(engine) as session:  # an English-only description on a French page
        other_id = repositories.store(
            session,
            record=f.record("sante", "rendezvous", description="Appointments",
                            publiccode={"descriptions": {"en": {"short": "Appointments"}}}),
            agency_id=repositories.get(session, repo_id).agency_id, source_id=None, now=f.NOW,
        ).repository_id  # fmt: skip
    fr = client.get(f"/repositories/{other_id}", headers=FR).text
    assert '<p class="lead" lang="en">Appointments</p>' in fr
    en = client.get(f"/repositories/{other_id}", headers=EN).text
    assert '<p class="lead">Appointments</p>' in en
    # govcode's own findings (licence evidence, signals) are English: marked on French pages
    assert '<tbody lang="en">' in fr and '<tbody lang="en">' not in en


def test_bilingual_agency_names_follow_the_visitor(settings, engine):
    found = parse_ore(
        [("administrations/federal.yml",
          b"- code: tbs-sct\n  name:\n    en: Treasury Board of Canada Secretariat\n"
          b"    fr: Secr\xc3\xa9tariat du Conseil du Tr\xc3\xa9sor du Canada\n")],
        [],
    )  # fmt: skip
    with session_scope(engine) as session:
        inventories.import_agencies(session, found.agencies, settings=settings)
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        listing = client.get("/agencies", headers=FR).text
        english = client.get("/agencies", headers=EN).text
        api = client.get("/api/v1/agencies").json()
    assert ">Secrétariat du Conseil du Trésor du Canada</a>" in listing
    assert ">Treasury Board of Canada Secretariat</a>" in english
    assert "Organismes" in listing
    names = next(a["names"] for a in api if a["name"] == "Treasury Board of Canada Secretariat")
    assert names == {"en": "Treasury Board of Canada Secretariat",
                     "fr": "Secrétariat du Conseil du Trésor du Canada"}  # fmt: skip


def test_the_api_gives_every_language(live):
    client, repo_id = live
    detail = client.get(f"/api/v1/repositories/{repo_id}", headers=FR).json()
    assert detail["descriptions"] == {
        "en": "Book a vaccination appointment",
        "fr": "Prendre rendez-vous pour une vaccination",
    }
    assert detail["licence_duties"]["options"][0]["permissions"][0]["text"].startswith("Use")
    listing = client.get("/api/v1/repositories", params={"q": "vaccination"}).json()
    assert listing["items"][0]["descriptions"]["fr"].startswith("Prendre")


@pytest.mark.parametrize("lang", ["en", "fr", "de", "hi"])
def test_whole_numbers_are_written_as_babel_writes_them(lang):
    """The quick path for whole numbers gives Babel's own text (and a language that groups
    otherwise, Hindi's lakhs, still goes through Babel)."""
    from babel import numbers

    for value in (0, 7, -7, 999, 1000, -1234, 12345, 1234567, 10**12 + 5):
        with web_i18n.use(lang):
            assert web_i18n.format_number(value) == numbers.format_decimal(value, locale=lang)
