"""ORE's bilingual release descriptions shown in the visitor's language, end to end: the real
ORE inventory imported with `govcode import ore` before or after a repository the local
GitHub serves is crawled (its URL is an ORE release's), then the page, the search hits and
the API in English and in French, and French searches that find it."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import httpx
import pytest
import yaml

from crawlers.inventories import parse_ore
from registry.db import session_scope
from registry.services import inventory_texts
from registry.services.inventory_texts import Described
from tests import factories as f
from tests.conftest import LiveServer
from tests.story_helpers import govcode
from web.descriptions import descriptions

OWNER, NAME = "Nova-Scotia-Digital-Service", "when-to-call-811"
ORE_URL = f"https://github.com/{OWNER}/{NAME}"  # as ORE lists it
FR = {"Accept-Language": "fr-CA,fr;q=0.9"}
EN = {"Accept-Language": "en-CA,en;q=0.9"}


@pytest.fixture
def world(monkeypatch, settings, fake_github, shared_data: Path, tmp_path: Path):
    """The local GitHub serving Nova Scotia's tool, and a copy of ORE's ``_data`` whose
    Nova Scotia release points at it (the only change to the real inventory)."""
    fake_github.add_org(OWNER, name="Nova Scotia Digital Service")
    fake_github.add_repo(OWNER, NAME, {"README.md": "# When to call 811\n\nA web app.\n"},
                         description="When to call 811", licence_spdx="MIT")  # fmt: skip
    folder = tmp_path / "ore"
    shutil.copytree(shared_data / "ore" / "_data", folder / "_data")
    ns = folder / "_data" / "code" / "provincial" / "ns.yml"
    release = yaml.safe_load(ns.read_text())["releases"][0]
    assert set(release["repositoryURL"].values()) == {ORE_URL}
    ns.write_text(ns.read_text().replace(ORE_URL, fake_github.html_url(f"{OWNER}/{NAME}")))
    s = settings.model_copy(update={
        "github_api_url": fake_github.api_url,
        "allow_http_hosts": [fake_github.base_url.removeprefix("http://")],
    })  # fmt: skip
    texts = release["description"]["whatItDoes"]
    return s, folder, texts["en"], texts["fr"]


def _release_count(folder: Path) -> int:
    """The repositories ORE describes (one per release in the real data)."""
    root = folder / "_data"
    codes = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in root.glob("code/*/*.yml")]
    keys = {u for r in parse_ore([], codes).releases for u in r.repository_urls.values()}
    assert len(keys) > 50
    return len(keys)


def _import(monkeypatch, s, folder: Path) -> str:
    return govcode(monkeypatch, s, "import", "ore", str(folder))


def _crawl(monkeypatch, s) -> None:
    govcode(monkeypatch, s, "crawl", "github", OWNER, "--agency", "Nova Scotia")


def _search(client: httpx.Client, q: str, headers=EN) -> dict:
    return client.get("/api/v1/repositories", params={"q": q}, headers=headers).json()


def _lead(page: str) -> str:
    return html.unescape(page.split('<p class="lead"', 1)[1].split("</p>", 1)[0])


def _other(page: str) -> str:
    return html.unescape(page.split('<details class="descriptions">', 1)[1].split("</details>")[0])


def _shown_in_both_languages(client: httpx.Client, repo_id: int, en: str, fr: str) -> None:
    french = client.get(f"/repositories/{repo_id}", headers=FR).text
    assert _lead(french) == f">{fr}"  # the page's own language: no lang attribute
    assert f'<dd lang="en">{en}</dd>' in _other(french)  # one click away
    english = client.get(f"/repositories/{repo_id}", headers=EN).text
    assert _lead(english) == f">{en}"
    assert f'<dd lang="fr">{fr}</dd>' in _other(english)
    detail = client.get(f"/api/v1/repositories/{repo_id}").json()
    assert detail["descriptions"] == {"en": en, "fr": fr}
    assert detail["description_sources"] == {"en": "ore", "fr": "ore"}
    hits = html.unescape(client.get("/", params={"q": "811"}, headers=FR).text)
    assert f'<p class="description">{fr}</p>' in hits and en not in hits
    hits = html.unescape(client.get("/", params={"q": "811"}, headers=EN).text)
    assert f'<p class="description">{en}</p>' in hits and fr not in hits
    [item] = _search(client, "811")["items"]
    assert item["descriptions"] == {"en": en, "fr": fr}
    assert item["description_sources"] == {"en": "ore", "fr": "ore"}


def test_imported_before_the_crawl(monkeypatch, world):
    s, folder, en, fr = world
    out = _import(monkeypatch, s, folder)
    assert f"release names and descriptions: {_release_count(folder)} new, 0 updated" in out
    _crawl(monkeypatch, s)
    with LiveServer(s) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        live.wait_indexed(lambda: _search(client, "811")["total"] == 1)
        repo_id = _search(client, "811")["items"][0]["id"]
        _shown_in_both_languages(client, repo_id, en, fr)
        # French words only ORE's French text holds; "appelez" is its "appeler" only to
        # the French stemmer (both "appel"; to the English one, "appelez" and "appel")
        for q in ("auto-évaluation", "appelez", "Nouvelle-Écosse", "evaluations"):
            found = _search(client, q, headers=FR)
            assert [i["id"] for i in found["items"]] == [repo_id], q


def test_imported_after_the_crawl_and_again_when_ore_changes(monkeypatch, world):
    s, folder, en, fr = world
    _crawl(monkeypatch, s)
    with LiveServer(s) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        live.wait_indexed(lambda: _search(client, "811")["total"] == 1)
        repo_id = _search(client, "811")["items"][0]["id"]
        french = client.get(f"/repositories/{repo_id}", headers=FR).text
        assert _lead(french) == ">When to call 811"  # the forge's words, language unknown
        assert _search(client, "auto-évaluation")["total"] == 0
        _import(monkeypatch, s, folder)
        live.wait_indexed(lambda: _search(client, "auto-évaluation")["total"] == 1)
        _shown_in_both_languages(client, repo_id, en, fr)

        again = _import(monkeypatch, s, folder)  # the same inventory: nothing changes
        assert f"0 new, 0 updated, 0 removed, {_release_count(folder)} unchanged" in again
        ns = folder / "_data" / "code" / "provincial" / "ns.yml"
        ns.write_text(ns.read_text().replace("Outil d'auto-évaluation", "Questionnaire"))
        assert "0 new, 1 updated, 0 removed" in _import(monkeypatch, s, folder)
        changed = fr.replace("Outil d'auto-évaluation", "Questionnaire")
        live.wait_indexed(lambda: _search(client, "questionnaires")["total"] == 1)
        _shown_in_both_languages(client, repo_id, en, changed)
        assert _search(client, "auto-évaluation")["total"] == 0


def test_publiccode_wins_the_languages_it_gives(settings, engine, shared_data: Path):
    root = shared_data / "ore" / "_data"
    found = parse_ore([], [("code/provincial/ns.yml",
                            (root / "code" / "provincial" / "ns.yml").read_bytes())])  # fmt: skip
    with session_scope(engine) as session:
        inventory_texts.replace_all(session, inventory="ore", releases=found.releases, now=f.NOW)
    own = {"descriptions": {"fr": {"short": "Quand appeler le 811", "long": "", "features": []}}}
    repo_id = f.store(
        engine, f.record(OWNER, NAME, html_url=ORE_URL, publiccode=own), agency="ns"
    ).repository_id
    english = found.releases[0].description["en"]
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        assert _lead(client.get(f"/repositories/{repo_id}", headers=FR).text) == (
            ">Quand appeler le 811"
        )
        assert _lead(client.get(f"/repositories/{repo_id}", headers=EN).text) == f">{english}"
        detail = client.get(f"/api/v1/repositories/{repo_id}").json()
    assert detail["descriptions"] == {"fr": "Quand appeler le 811", "en": english}
    assert detail["description_sources"] == {"fr": "publiccode", "en": "ore"}


def test_a_language_is_won_by_its_primary_subtag():
    ore = Described("ore", {}, {"fr": "Outil", "en": "Tool", "xx!": "bad", "de": "  "})
    own = {"fr-CA": {"short": "Mon outil"}, "en": {"short": "", "long": "My tool, long"}}
    found = descriptions(own, [ore])
    assert found.texts == {"fr-CA": "Mon outil", "en": "My tool, long"}
    assert found.sources == {"fr-CA": "publiccode", "en": "publiccode"}
    assert descriptions(None, [ore]).sources == {"fr": "ore", "en": "ore"}
    assert descriptions({"en": "not a mapping"}, []).texts == {}
