"""ORE's bilingual release names and descriptions in the registry: the real inventory stored
under each repository's canonical URL, imported twice without change, updated and removed
as the inventory changes, and every crawled repository concerned re-indexed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from crawlers.inventories import parse_ore
from crawlers.inventories.ore import OreRelease
from registry.db import session_scope
from registry.models import IndexChange, InventoryText
from registry.services import index_feed, inventory_texts
from registry.services.inventory_texts import ORE
from registry.services.records import normalise_url
from tests import factories as f
from tests.story_helpers import govcode

NS_URL = "https://github.com/Nova-Scotia-Digital-Service/when-to-call-811"


@pytest.fixture
def releases(shared_data: Path) -> tuple[OreRelease, ...]:
    root = shared_data / "ore" / "_data"

    def read(pattern: str) -> list[tuple[str, bytes]]:
        paths = sorted(root.glob(pattern))
        return [(p.relative_to(root).as_posix(), p.read_bytes()) for p in paths]

    found = parse_ore(read("administrations/*.yml"), read("code/*/*.yml"))
    assert len(found.releases) > 50
    return found.releases


def _replace(engine, releases, now=f.NOW) -> inventory_texts.TextsReport:
    with session_scope(engine) as session:
        return inventory_texts.replace_all(session, inventory=ORE, releases=releases, now=now)


def _changes(engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(IndexChange.repository_id).order_by(IndexChange.id)))


def test_the_real_inventory_is_stored_once_under_canonical_urls(engine, releases):
    keys = {normalise_url(u) for r in releases for u in r.repository_urls.values()}
    first = _replace(engine, releases)
    assert (first.new, first.updated, first.removed, first.skipped) == (len(keys), 0, 0, 0)
    again = _replace(engine, releases, now=f.NOW + timedelta(days=1))
    assert (again.new, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(keys))
    with Session(engine) as session:
        rows = {r.url_key: r for r in session.exec(select(InventoryText))}
    assert set(rows) == keys
    ns = rows["github.com/nova-scotia-digital-service/when-to-call-811"]
    assert ns.descriptions["fr"].startswith("Outil d'auto-évaluation pour savoir si vous devez")
    assert ns.descriptions["en"].startswith("Self-assesment tool to find out if you should call")
    assert ns.names == {
        "en": "Nova Scotia - When to call 811 about COVID-19",  # whitespace collapsed
        "fr": "Nouvelle-Écosse - Quand appeler le 811 au sujet de COVID-19",
    }
    assert ns.updated_at == f.NOW  # the second import changed nothing


def test_changes_and_removals_follow_the_inventory_and_reindex_crawled_repos(engine, releases):
    # a crawled repository, spelt the way its forge spells it: one canonical key
    crawled = f.store(
        engine,
        f.record("Nova-Scotia-Digital-Service", "when-to-call-811",
                 html_url="https://www.GitHub.com/Nova-Scotia-Digital-Service/when-to-call-811/"),
    ).repository_id  # fmt: skip
    before = _changes(engine)
    _replace(engine, releases)
    assert _changes(engine) == [*before, crawled]  # only the crawled one of 60-odd releases
    _replace(engine, releases)
    assert _changes(engine) == [*before, crawled]  # unchanged: no index work

    ns = next(r for r in releases if r.repository_url == NS_URL)
    edited = replace(ns, description={**ns.description, "fr": "Quand appeler le 811."})
    changed = [edited if r is ns else r for r in releases]
    report = _replace(engine, changed, now=f.NOW + timedelta(days=2))
    assert (report.updated, report.new, report.removed) == (1, 0, 0)
    assert _changes(engine)[-1] == crawled
    with Session(engine) as session:
        found = inventory_texts.of_keys(session, [normalise_url(NS_URL), "nowhere/x"])
        [doc] = index_feed.documents(session, [crawled])
    assert list(found) == [normalise_url(NS_URL)]
    assert found[normalise_url(NS_URL)][0].descriptions["fr"] == "Quand appeler le 811."
    assert "Quand appeler le 811." in doc["descriptions"]["fr"]
    assert "Nouvelle-Écosse" in doc["descriptions"]["fr"]  # the name is indexed too

    gone = _replace(engine, [r for r in changed if r is not edited])
    assert gone.removed == 1 and _changes(engine)[-1] == crawled
    with Session(engine) as session:
        assert inventory_texts.of_keys(session, [normalise_url(NS_URL)]) == {}
        [doc] = index_feed.documents(session, [crawled])
    assert "fr" not in doc["descriptions"]


def test_releases_without_a_url_or_text_are_skipped_and_two_of_one_repo_merge(engine):
    def release(urls, name=None, description=None):
        return OreRelease(admin_code="x", name=name or {}, description=description or {},
                          repository_url=None, repository_urls=urls, licences=(),
                          languages=(), tags={}, status=None, contact_email=None,
                          date_created=None, date_modified=None)  # fmt: skip

    url = {"en": "https://gitlab.com/g/tool", "fr": "https://GITLAB.com/g/tool.git"}
    report = _replace(engine, [
        release({}, {"en": "No URL"}),
        release({"en": "https://gitlab.com/"}, {"en": "Not a repository"}),
        release(url),  # no text
        release(url, {"en": "Tool"}, {"en": "  A   tool  ", "fr": "Un outil"}),
        release(url, {"en": "Tool again", "fr": "Outil"}, {"fr": "Autre"}),
    ])  # fmt: skip
    assert (report.new, report.skipped) == (1, 3)
    with Session(engine) as session:
        [row] = session.exec(select(InventoryText)).all()
        assert session.exec(select(func.count()).select_from(InventoryText)).one() == 1
    assert row.url_key == "gitlab.com/g/tool"
    assert row.names == {"en": "Tool", "fr": "Outil"}  # the first text of a language wins
    assert row.descriptions == {"en": "A tool", "fr": "Un outil"}
    with pytest.raises(ValueError), session_scope(engine) as session:
        inventory_texts.replace_all(session, inventory="nope", releases=[], now=f.NOW)


def test_a_dry_run_counts_the_texts_and_writes_none(monkeypatch, settings, engine, shared_data):
    out = govcode(monkeypatch, settings, "import", "ore", str(shared_data / "ore"), "--dry-run")
    assert "dry run" in out and "release names and descriptions: " in out
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(InventoryText)).one() == 0
    out = govcode(monkeypatch, settings, "import", "ore", str(shared_data / "ore"))
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(InventoryText)).one()
    assert stored > 50 and f"release names and descriptions: {stored} new, 0 updated" in out


def test_a_partial_read_adds_and_updates_but_never_removes(engine, shared_data):
    """A release file without its adminCode is skipped and reported; a folder with no release
    files at all reads as nothing. Neither may cost the texts it did not read."""
    root = shared_data / "ore" / "_data"
    files = [(p.relative_to(root).as_posix(), p.read_bytes())
             for p in sorted(root.glob("code/*/*.yml"))]  # fmt: skip
    admins = [(p.relative_to(root).as_posix(), p.read_bytes())
              for p in sorted(root.glob("administrations/*.yml"))]  # fmt: skip
    whole = parse_ore(admins, files)
    assert whole.complete
    first = _replace(engine, whole.releases)
    assert first.new > 50

    ns = next(i for i, (_, data) in enumerate(files) if b"when-to-call-811" in data)
    broken = [*files[:ns], (files[ns][0], b"releases: []\n"), *files[ns + 1 :]]
    partial = parse_ore(admins, broken)
    assert not partial.complete and any("no adminCode" in p for p in partial.problems)
    with session_scope(engine) as session:
        report = inventory_texts.replace_all(session, inventory=ORE, releases=partial.releases,
                                             now=f.NOW, complete=partial.complete)  # fmt: skip
    assert report.removed == 0 and report.kept >= 1
    with Session(engine) as session:
        assert normalise_url(NS_URL) in inventory_texts.of_keys(session, [normalise_url(NS_URL)])

    nothing = parse_ore(admins, [])
    assert not nothing.complete
    with session_scope(engine) as session:
        report = inventory_texts.replace_all(session, inventory=ORE, releases=nothing.releases,
                                             now=f.NOW, complete=nothing.complete)  # fmt: skip
    assert (report.removed, report.kept) == (0, first.new)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(InventoryText)).one() == first.new
