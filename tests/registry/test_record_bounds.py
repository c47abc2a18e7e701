"""Strings longer than their columns never stop a repository being stored (PostgreSQL
refused such rows) nor break its page (SQLite kept them); each change is reported."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from registry.errors import CrawlError
from registry.models import (
    LicenceEvidence,
    Repository,
    RepositoryFingerprint,
    RepositoryPackage,
    ReuseEdge,
)
from registry.services.record_bounds import bounded
from registry.services.records import ReuseClaim
from tests import factories
from tests.conftest import LiveServer

LONG_STATUS = "stable and in production in every municipality of the region " * 5
LONG_URL = "https://agency.example/" + "very-long-segment/" * 300


def hostile(name: str = "tool"):
    return factories.record(
        "agency",
        name,
        development_status=LONG_STATUS,
        homepage=LONG_URL,
        description="A tool. " * 1000,
        default_branch="b" * 300,
        licence="MIT AND " * 40 + "MIT",
        topics=["ok", "t" * 500],
        packages=[("pypi", "fine", "published", None), ("npm", "n" * 400, "dependency", "^1")],
        fingerprints=[("src/app.py", "a" * 64), ("deep/" * 150 + "x.py", "b" * 64)],
        licence_evidence=[
            {
                "source": "file",
                "path": "LICENSE" + "/x" * 400,
                "spdx": "MIT",
                "confidence": 1.0,
                "detail": "d" * 5000,
            }
        ],
        reuse=[
            ReuseClaim(
                "based_on",
                "https://github.example/agency/" + name,
                f"agency/{name}",
                LONG_URL,
                "publiccode.yml",
            )
        ],
    )


def test_over_long_strings_are_bounded_and_reported(engine) -> None:
    result = factories.store(engine, hostile())
    with Session(engine) as session:
        repo = session.get(Repository, result.repository_id)
        assert repo is not None
        assert repo.development_status is None and repo.homepage == ""
        assert len(repo.description) == 2000 and repo.description.endswith("…")
        assert repo.default_branch == "" and repo.licence is None
        assert repo.topics == ["ok"]
        problems = repo.extra_metadata["problems"]
        assert any(p.startswith("development_status is longer than 20") for p in problems)
        assert any(p.startswith("homepage is longer than 500") for p in problems)
        assert any("packages too long" in p for p in problems)
        names = session.exec(select(RepositoryPackage.name)).all()
        assert names == ["fine"]
        paths = session.exec(select(RepositoryFingerprint.path)).all()
        assert paths == ["src/app.py"]
        evidence = session.exec(select(LicenceEvidence)).one()
        assert evidence.path is None and len(evidence.detail) == 1000
        assert session.exec(select(ReuseEdge)).all() == []


def test_a_bounded_record_is_stable(engine) -> None:
    """Storing the same hostile record again changes nothing (the problems are the same)."""
    factories.store(engine, hostile("again"))
    assert factories.store(engine, hostile("again")).status == "unchanged"
    once = bounded(hostile("x"))
    assert bounded(once) == once


def test_an_identity_that_does_not_fit_is_refused_clearly() -> None:
    with pytest.raises(CrawlError, match="name is longer than 200"):
        bounded(factories.record("agency", "n" * 201))
    with pytest.raises(CrawlError, match="html_url is longer than 500"):
        bounded(factories.record("agency", "x", html_url=LONG_URL))


def test_the_page_of_a_bounded_repository_renders(settings, engine) -> None:
    result = factories.store(engine, hostile("shown"))
    with LiveServer(settings) as app:
        page = httpx.get(f"{app.url}/repositories/{result.repository_id}")
        api = httpx.get(f"{app.url}/api/v1/repositories/{result.repository_id}")
    assert page.status_code == 200 and api.status_code == 200
    problems = page.text.split('id="metadata-problems"')[1].split("</section>")[0]
    assert "development_status is longer than 20 characters" in problems
    assert "homepage is longer than 500 characters" in problems
