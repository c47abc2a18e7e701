"""Licence versions and large-file languages through the real pipeline: the local GitHub
serves a GPL project whose sources say "or any later version" while its publiccode.yml says
"-only"; the stored record, the page and the API all show the mismatch and the answer."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.models import Repository
from tests import factories
from tests.analysis.test_languages_large import CSHARP, grow
from tests.analysis.test_licence_versions import GPL3_LATER
from tests.conftest import LiveServer

SPDX = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "spdx" / "json" / "details"


@pytest.fixture
def world(fake_github):
    gpl = SPDX / "GPL-3.0-only.json"
    if not gpl.exists():
        pytest.skip(f"shared test data not present: {gpl}")
    fake_github.add_org("ville", name="Ville d'Exemple")
    files = {
        "COPYING": json.loads(gpl.read_text())["licenseText"],
        "publiccode.yml": "publiccodeYmlVersion: '0.4'\nname: Permis\nlegal:\n"
        "  license: GPL-3.0-only\n",
        "README.md": "# Permis\n\nBuilding permits.\n",
    }
    for i in range(6):
        files[f"permits/rule_{i}.py"] = GPL3_LATER + f"\n\ndef rule_{i}():\n    return {i}\n"
    for i in range(3):
        files[f"Backend/Service{i}.cs"] = grow(CSHARP, 40_000)  # over the language sample
    fake_github.add_repo("ville", "permis", files, licence_spdx="GPL-3.0")
    return fake_github


def test_mismatch_is_stored_and_shown_on_the_page_and_in_the_api(settings, engine, world):
    source = factories.source(
        engine, "github", "ville", api_url=world.api_url, slug="ville", name="Ville"
    )
    s = settings.model_copy(update={"allow_http_hosts": [world.base_url.removeprefix("http://")]})
    summary = crawl_source(engine, CrawlContext.from_settings(s), source)
    assert summary.status == "finished" and summary.counts["failed"] == 0, summary.errors
    with Session(engine) as session:
        repo = session.exec(select(Repository).where(Repository.full_name == "ville/permis")).one()
        assert repo.licence == "GPL-3.0-or-later"
        assert repo.primary_language == "C#"  # 120 kB of large .cs files, not Smalltalk
        [mismatch] = repo.licence_mismatches
        repo_id = repo.id
    assert mismatch.startswith("publiccode.yml says GPL-3.0-only but the files say")
    assert "Concluded GPL-3.0-or-later from the files" in mismatch
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        api = client.get(f"/api/v1/repositories/{repo_id}").json()
        page = client.get(f"/repositories/{repo_id}").text
        schema = client.get("/api/v1/openapi.json").json()
    assert api["licence"] == "GPL-3.0-or-later"
    assert api["licence_mismatches"] == [mismatch]
    assert "Licence mismatches" in page and "Concluded GPL-3.0-or-later from the files" in page
    props = schema["components"]["schemas"]["RepositoryPublic"]["properties"]
    assert "licence_mismatches" in props
